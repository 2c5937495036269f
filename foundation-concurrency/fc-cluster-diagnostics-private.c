/* fc-cluster-diagnostics-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-cluster-diagnostics-private.h"
#include "fc-cluster-keys-private.h"
#include "fc-cluster-lock-private.h"
#include "fc-manager-private.h"
#include "fc-private.h"
#include "fc-waitfor-private.h"

/* A waiter key that is not first in its lock's queue. */
typedef struct
{
  const char      *lock;
  FcClusterWaiter *waiter;
  FcClusterWaiter *holder;   /* of the lock it waits for */
  int              next;     /* the wait of the holder, -1 if it does not wait */
} Wait;

static gboolean
strv_has (char       **strv,
          const char  *s)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, s);
}

static void
find_deadlocks (FcClusterSnapshot *snapshot,
                GStrvBuilder      *out)
{
  g_autoptr(GArray) waits = g_array_new (FALSE, TRUE, sizeof (Wait));
  g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_cluster_waiter_free);
  g_autoptr(GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer name, queue;

  g_hash_table_iter_init (&iter, snapshot->waiters);
  while (g_hash_table_iter_next (&iter, &name, &queue))
    {
      GPtrArray *q = queue;
      FcClusterWaiter *holder;

      if (q->len < 2)
        continue;
      holder = fc_cluster_waiter_parse (((FcEtcdKv *) g_ptr_array_index (q, 0))->value);
      g_ptr_array_add (parsed, holder);
      for (guint i = 1; i < q->len; i++)
        {
          Wait w = { name, fc_cluster_waiter_parse (((FcEtcdKv *) g_ptr_array_index (q, i))->value), holder, -1 };

          g_ptr_array_add (parsed, w.waiter);
          g_array_append_val (waits, w);
        }
    }

  /* The holder of a lock waits where a waiter of the same owner holds it. */
  for (guint i = 0; i < waits->len; i++)
    {
      Wait *w = &g_array_index (waits, Wait, i);

      for (guint j = 0; j < waits->len && w->next < 0; j++)
        {
          Wait *v = &g_array_index (waits, Wait, j);

          if (w->holder->owner != NULL && g_strcmp0 (v->waiter->owner, w->holder->owner) == 0
              && strv_has (v->waiter->holds, w->lock))
            w->next = (int) j;
        }
    }

  for (guint i = 0; i < waits->len; i++)
    {
      g_autoptr(GString) message = NULL;
      g_autoptr(GString) key = NULL;
      int current = (int) i;
      int start = (int) i;
      guint steps = 0;

      /* Around a cycle through i, starting at its smallest member. */
      do
        {
          current = g_array_index (waits, Wait, current).next;
          if (current >= 0 && current < start)
            start = current;
        }
      while (current >= 0 && current != (int) i && ++steps <= waits->len);
      if (current != (int) i)
        continue;

      message = g_string_new (NULL);
      key = g_string_new (NULL);
      current = start;
      do
        {
          Wait *w = &g_array_index (waits, Wait, current);
          Wait *before = NULL;

          /* What it holds: the lock the one before it waits for. */
          for (guint j = 0; j < waits->len && before == NULL; j++)
            if (g_array_index (waits, Wait, j).next == current)
              before = &g_array_index (waits, Wait, j);
          fc_waitfor_append_participant (message, current == start,
                                         w->waiter->owner != NULL ? w->waiter->owner : _("unknown"),
                                         before != NULL ? before->lock : "?", w->lock);
          g_string_append_printf (key, "%d/", current);
          current = w->next;
        }
      while (current != start);

      if (g_hash_table_add (reported, g_strdup (key->str)))
        g_strv_builder_add (out, message->str);
    }
}

char **
fc_cluster_diagnose (FcClusterSnapshot *snapshot,
                     const char        *identity)
{
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  gint64 now = fc_cluster_now ();
  GHashTableIter iter;
  gpointer name, queue;

  g_hash_table_iter_init (&iter, snapshot->waiters);
  while (g_hash_table_iter_next (&iter, &name, &queue))
    {
      GPtrArray *q = queue;
      g_autoptr(FcClusterWaiter) holder = NULL;
      double held_for;

      if (q->len == 0)
        continue;
      holder = fc_cluster_waiter_parse (((FcEtcdKv *) g_ptr_array_index (q, 0))->value);
      held_for = holder->since > 0 ? (double) (now - holder->since) / G_USEC_PER_SEC : 0;
      if (held_for > FC_CLUSTER_HOLD_WARNING_SECONDS)
        {
          g_autofree char *message =
            fc_manager_long_hold_message (name, holder->owner != NULL ? holder->owner : _("unknown"),
                                          held_for);

          g_strv_builder_add (out, message);
        }
    }
  find_deadlocks (snapshot, out);
  return g_strv_builder_end (out);
}
