/* fc-lock-core-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fc-lock-core-private.h"
#include "fc-private.h"

void
fc_lock_vec_grow (FcLockVec *vec)
{
  guint alloc = vec->alloc * 2;

  if (vec->items == vec->inline_items)
    {
      vec->items = g_new (gpointer, alloc);
      memcpy (vec->items, vec->inline_items, sizeof (gpointer) * vec->len);
    }
  else
    vec->items = g_renew (gpointer, vec->items, alloc);
  vec->alloc = alloc;
}

const char *
fc_lock_core_display_name (const FcLockCore *core)
{
  /* TRANSLATORS: stands for the name of a lock that was never registered
   * with a manager, in diagnostics such as "Timeout acquiring lock '%s'" */
  return core->name != NULL ? core->name : _("(unregistered)");
}

void
fc_lock_core_make_properties (GParamSpec **pspecs)
{
  pspecs[FC_LOCK_PROP_NAME] =
    g_param_spec_string ("name", "Name", "The name the lock was registered under", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  pspecs[FC_LOCK_PROP_ORDER] =
    g_param_spec_int ("order", "Order", "The lock's order: locks are taken in ascending order", G_MININT, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  pspecs[FC_LOCK_PROP_DESCRIPTION] =
    g_param_spec_string ("description", "Description", "What the lock protects", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  pspecs[FC_LOCK_PROP_LOCKED] =
    g_param_spec_boolean ("locked", "Locked", "Whether the lock is held", FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  pspecs[FC_LOCK_PROP_OWNER] =
    g_param_spec_string ("owner", "Owner", "Who holds the lock", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

gboolean
fc_lock_core_get_property (const FcLockKind *kind,
                           gpointer          lock,
                           guint             prop_id,
                           GValue           *value)
{
  FcLockCore *core = kind->get_core (lock);
  FcLockState state = { 0, };

  switch (prop_id)
    {
    case FC_LOCK_PROP_NAME:
      g_value_set_string (value, core->name);
      return TRUE;

    case FC_LOCK_PROP_ORDER:
      g_value_set_int (value, core->order);
      return TRUE;

    case FC_LOCK_PROP_DESCRIPTION:
      g_value_set_string (value, core->description);
      return TRUE;

    case FC_LOCK_PROP_LOCKED:
    case FC_LOCK_PROP_OWNER:
      kind->get_state (lock, &state);
      if (prop_id == FC_LOCK_PROP_LOCKED)
        g_value_set_boolean (value, state.locked);
      else
        g_value_set_string (value, state.owner);
      g_free (state.owner);
      return TRUE;

    default:
      return FALSE;
    }
}
