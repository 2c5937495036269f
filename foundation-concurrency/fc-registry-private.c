/* fc-registry-private.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "fc-error.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"

/* The reference's foundation locks. 0–99 orchestration, 100–199 early
 * subsystems, 200–299 core infrastructure, 300+ free for applications. */
static const struct {
  const char *suffix;
  int         order;
  const char *description;
} foundation_locks[] = {
  { "hub.init",          0,   N_("Hub initialization") },
  { "init.coordinator",  10,  N_("Master initialization coordinator") },
  { "stream",            20,  N_("Log stream management lock") },
  { "logger.lazy",       100, N_("Lazy logger initialization") },
  { "logger.setup",      110, N_("Logger setup coordination") },
  { "config",            200, N_("Configuration system lock") },
  { "registry",          210, N_("Component registry lock") },
  { "hub.components",    220, N_("Hub component management") },
};

void
fc_lock_vec_init (FcLockVec *vec)
{
  vec->items = vec->inline_items;
  vec->len = 0;
  vec->alloc = FC_LOCK_VEC_INLINE;
}

void
fc_lock_vec_append (FcLockVec *vec,
                    gpointer   item)
{
  if (vec->len == vec->alloc)
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
  vec->items[vec->len++] = item;
}

void
fc_lock_vec_clear (FcLockVec *vec)
{
  if (vec->items != vec->inline_items)
    g_free (vec->items);
  fc_lock_vec_init (vec);
}

const char *
fc_lock_core_display_name (const FcLockCore *core)
{
  return core->name != NULL ? core->name : _("(unregistered)");
}

FcRegistry *
fc_registry_new (const FcLockKind *kind)
{
  FcRegistry *self = g_new0 (FcRegistry, 1);

  self->kind = kind;
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->state_mutex);
  self->locks = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

void
fc_registry_free (FcRegistry *self)
{
  if (self == NULL)
    return;

  g_slist_free_full (self->retired, (GDestroyNotify) g_hash_table_unref);
  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->locks);
  g_mutex_clear (&self->state_mutex);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

static GHashTable *
fc_registry_snapshot (FcRegistry *self)
{
  return g_atomic_pointer_get (&self->by_name);
}

gpointer
fc_registry_register (FcRegistry  *self,
                      const char  *name,
                      int          order,
                      const char  *description,
                      gpointer     lock,
                      GError     **error)
{
  GHashTable *current;
  GHashTable *next;
  GHashTableIter iter;
  gpointer key, value;
  FcLockCore *core;
  gpointer result = NULL;

  if (name == NULL || name[0] == '\0')
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("Lock name must not be empty"));
      return NULL;
    }

  fc_mutex_lock (&self->mutex);

  current = self->by_name;

  if (g_hash_table_contains (current, name))
    {
      g_set_error (error, FC_ERROR, FC_ERROR_ALREADY_REGISTERED,
                   _("Lock '%s' already registered"), name);
      goto out;
    }

  for (guint i = 0; i < self->locks->len; i++)
    {
      FcLockCore *other = fc_registry_core (self, g_ptr_array_index (self->locks, i));

      if (other->order == order)
        {
          g_set_error (error, FC_ERROR, FC_ERROR_ORDER_CONFLICT,
                       _("Lock order %d already used by '%s'. Each lock must have a unique order."),
                       order, other->name);
          goto out;
        }
    }

  if (lock != NULL)
    {
      core = fc_registry_core (self, lock);
      if (g_atomic_pointer_get (&core->registry) != NULL)
        {
          g_set_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                       _("Lock '%s' is already registered with a manager"),
                       fc_lock_core_display_name (core));
          goto out;
        }
      g_object_ref (lock);
    }
  else
    {
      lock = self->kind->new_lock ();
      core = fc_registry_core (self, lock);
    }

  /* A lock can only ever be registered once, so its identity is written
   * once, here, before any other thread can find it through this registry. */
  core->name = g_strdup (name);
  core->description = g_strdup (description != NULL ? description : "");
  core->order = order;
  g_atomic_pointer_set (&core->registry, self);

  g_ptr_array_add (self->locks, lock);

  /* Publish a new snapshot; readers of the old one keep using it safely. */
  next = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, current);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (next, key, value);
  g_hash_table_insert (next, core->name, lock);
  self->retired = g_slist_prepend (self->retired, current);
  g_atomic_pointer_set (&self->by_name, next);

  result = lock;

out:
  fc_mutex_unlock (&self->mutex);
  return result;
}

gboolean
fc_registry_register_foundation (FcRegistry  *self,
                                 gboolean     async,
                                 GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (foundation_locks); i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *description = NULL;

      if (async)
        {
          name = g_strconcat ("foundation.async.", foundation_locks[i].suffix, NULL);
          description = g_strconcat ("Async ", foundation_locks[i].description, NULL);
        }
      else
        {
          name = g_strconcat ("foundation.", foundation_locks[i].suffix, NULL);
          description = g_strdup (foundation_locks[i].description);
        }

      if (!fc_registry_register (self, name, foundation_locks[i].order, description, NULL, error))
        return FALSE;
    }

  return TRUE;
}

gpointer
fc_registry_lookup (FcRegistry  *self,
                    const char  *name,
                    GError     **error)
{
  gpointer lock = NULL;

  if (name != NULL)
    lock = g_hash_table_lookup (fc_registry_snapshot (self), name);

  if (lock == NULL)
    g_set_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED,
                 _("Lock '%s' not registered"), name != NULL ? name : "");
  return lock;
}

gboolean
fc_registry_resolve (FcRegistry         *self,
                     const char * const *names,
                     FcLockVec          *out,
                     GError            **error)
{
  GHashTable *snapshot;
  guint n = 0;

  if (names == NULL)
    return TRUE;

  snapshot = fc_registry_snapshot (self);

  for (guint i = 0; names[i] != NULL; i++)
    {
      gpointer lock = g_hash_table_lookup (snapshot, names[i]);
      int order;
      guint j;

      if (lock == NULL)
        {
          g_set_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED,
                       _("Lock '%s' not registered"), names[i]);
          out->len = 0;
          return FALSE;
        }

      /* Insertion sort by order, dropping duplicates: the sets are small. */
      order = fc_registry_core (self, lock)->order;
      for (j = n; j > 0; j--)
        {
          int other = fc_registry_core (self, out->items[j - 1])->order;

          if (other <= order)
            break;
        }
      if (j > 0 && out->items[j - 1] == lock)
        continue;

      fc_lock_vec_append (out, NULL);
      memmove (&out->items[j + 1], &out->items[j], sizeof (gpointer) * (n - j));
      out->items[j] = lock;
      n++;
    }

  return TRUE;
}

gboolean
fc_registry_check_order (FcRegistry   *self,
                         FcLockVec    *sorted,
                         gboolean    (*is_held) (gpointer lock,
                                                 gpointer user_data),
                         gpointer      user_data,
                         gboolean      holds_any,
                         int           max_held,
                         GError      **error)
{
  if (!holds_any)
    return TRUE;

  for (guint i = 0; i < sorted->len; i++)
    {
      FcLockCore *core = fc_registry_core (self, sorted->items[i]);

      if (is_held (sorted->items[i], user_data))
        continue;

      if (core->order <= max_held)
        {
          g_set_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION,
                       _("Lock ordering violation: trying to acquire %s (order %d) after "
                         "higher-order locks. Current max order: %d"),
                       core->name, core->order, max_held);
          return FALSE;
        }
    }

  return TRUE;
}

static int
compare_by_order (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  FcRegistry *self = user_data;
  int oa = fc_registry_core (self, *(gpointer *) a)->order;
  int ob = fc_registry_core (self, *(gpointer *) b)->order;

  return (oa > ob) - (oa < ob);
}

/* A copy of the registered locks, sorted by order, each with a ref. */
static GPtrArray *
fc_registry_dup_locks (FcRegistry *self)
{
  GPtrArray *locks;

  fc_mutex_lock (&self->mutex);
  locks = g_ptr_array_new_full (self->locks->len, g_object_unref);
  for (guint i = 0; i < self->locks->len; i++)
    g_ptr_array_add (locks, g_object_ref (g_ptr_array_index (self->locks, i)));
  fc_mutex_unlock (&self->mutex);

  g_ptr_array_sort_with_data (locks, compare_by_order, self);
  return locks;
}

GVariant *
fc_registry_get_status (FcRegistry *self)
{
  g_autoptr(GPtrArray) locks = fc_registry_dup_locks (self);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));

  for (guint i = 0; i < locks->len; i++)
    {
      gpointer lock = g_ptr_array_index (locks, i);
      FcLockCore *core = fc_registry_core (self, lock);
      FcLockState state = { 0, };
      GVariantBuilder entry;

      self->kind->get_state (lock, &state);

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "order", g_variant_new_int32 (core->order));
      g_variant_builder_add (&entry, "{sv}", "description", g_variant_new_string (core->description));
      g_variant_builder_add (&entry, "{sv}", "is_locked", g_variant_new_boolean (state.locked));
      g_variant_builder_add (&entry, "{sv}", "owner",
                             g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                                  state.owner != NULL ? g_variant_new_string (state.owner) : NULL));
      g_variant_builder_add (&entry, "{sv}", "acquired_at",
                             g_variant_new_maybe (G_VARIANT_TYPE_DOUBLE,
                                                  state.locked ? g_variant_new_double (fc_coarse_to_wall_seconds (state.acquired_at)) : NULL));
      g_variant_builder_add (&entry, "{sv}", "depth", g_variant_new_uint32 (state.depth));
      g_variant_builder_add (&entry, "{sv}", "waiters", g_variant_new_uint32 (state.waiters));
      g_variant_builder_add (&builder, "{sa{sv}}", core->name, &entry);

      g_free (state.owner);
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

char **
fc_registry_detect (FcRegistry *self,
                    double      hold_warning_threshold)
{
  g_autoptr(GPtrArray) locks = fc_registry_dup_locks (self);
  GStrvBuilder *warnings = g_strv_builder_new ();
  gint64 now = fc_coarse_monotonic_time ();
  char **result;

  for (guint i = 0; i < locks->len; i++)
    {
      gpointer lock = g_ptr_array_index (locks, i);
      FcLockCore *core = fc_registry_core (self, lock);
      FcLockState state = { 0, };
      double held_for;

      self->kind->get_state (lock, &state);
      held_for = (double) (now - state.acquired_at) / G_USEC_PER_SEC;

      if (state.locked && held_for > hold_warning_threshold)
        {
          g_autofree char *warning =
            g_strdup_printf (_("Lock '%s' held by %s for %.1fs - potential deadlock or resource leak"),
                             core->name, state.owner != NULL ? state.owner : _("unknown"),
                             held_for);
          g_strv_builder_add (warnings, warning);
        }

      g_free (state.owner);
    }

  result = g_strv_builder_end (warnings);
  g_strv_builder_unref (warnings);
  return result;
}
