/* fc-registry-private.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fc-error.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"

/* The reference's foundation locks. 0–99 orchestration, 100–199 early
 * subsystems, 200–299 core infrastructure, 300+ free for applications.
 *
 * The descriptions are deliberately not marked for translation: like any
 * description passed to register_lock(), they are data of record, stored and
 * returned by the status as registered (the API contract fixes their text,
 * and the async manager derives its own by prefixing "Async "). They are
 * never passed through _(), so marking them N_() would only hand translators
 * strings that no user ever sees translated. */
static const struct {
  const char *suffix;
  int         order;
  const char *description;
} foundation_locks[] = {
  { "hub.init",          0,   "Hub initialization" },
  { "init.coordinator",  10,  "Master initialization coordinator" },
  { "stream",            20,  "Log stream management lock" },
  { "logger.lazy",       100, "Lazy logger initialization" },
  { "logger.setup",      110, "Logger setup coordination" },
  { "config",            200, "Configuration system lock" },
  { "registry",          210, "Component registry lock" },
  { "hub.components",    220, "Hub component management" },
};

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
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  pspecs[FC_LOCK_PROP_ORDER] =
    g_param_spec_int ("order", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  pspecs[FC_LOCK_PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  pspecs[FC_LOCK_PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  pspecs[FC_LOCK_PROP_OWNER] =
    g_param_spec_string ("owner", NULL, NULL, NULL,
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

/* Names are looked up on every acquisition, so the index is a small
 * open-addressing table of our own rather than a GHashTable: the hash and
 * the comparison are inlined, and a lookup touches one cache line for the
 * usual short names.
 *
 * The reader/writer protocol. Readers (fc_registry_lookup() and
 * fc_registry_resolve(), on every acquisition, from any thread) take no
 * lock; writers (fc_registry_register()) hold the registry's mutex, so
 * there is one writer at a time.
 *
 * - A table's mask never changes, and a slot, once filled, never changes
 *   either: names are never removed. Slots are filled in place, in the
 *   published table: the writer fills hash, length and lock first, then
 *   stores the name with release semantics. A reader loads each slot's
 *   name with acquire semantics and reads the other fields only if it is
 *   not NULL, so it sees them complete. An empty slot ends a probe; a
 *   reader racing with an insertion either sees the new name or misses it,
 *   as if it had come just before.
 * - The table is at most half full. When an insertion would pass that, the
 *   writer copies the entries into a table twice the size, inserts there,
 *   and publishes the new table (a release store of self->by_name; readers
 *   load it with acquire). The old table is never written again, but a
 *   reader may still be probing it, so it is kept ("retired") until the
 *   registry is freed. The retired tables are 8, 16, … slots up to half the
 *   live one, so all of them together are smaller than the live table:
 *   memory and copying stay O(number of names).
 * - self->len is the writer's count, read and written under the mutex only.
 */
struct _FcNameTable
{
  guint mask;
  guint len;
  struct
  {
    guint       hash;
    guint       length;
    const char *name;    /* written last (release), read first (acquire) */
    gpointer    lock;
  } slots[];
};

/* Hashes the length and the first and last eight bytes: O(1) whatever the
 * length, and names that share a prefix ("foundation.") still differ. */
static inline guint
fc_name_hash (const char *name,
              gsize       length)
{
  guint64 head = 0, tail = 0, hash;

  if (length >= 8)
    {
      memcpy (&head, name, 8);
      memcpy (&tail, name + length - 8, 8);
    }
  else
    {
      for (gsize i = 0; i < length; i++)
        head |= (guint64) (guchar) name[i] << (8 * i);
    }

  hash = (head * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) ^
         (tail * G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f)) ^ length;
  hash ^= hash >> 29;
  return (guint) (hash ^ (hash >> 32));
}

/* Lock-free; see the protocol above. */
static inline gpointer
fc_name_table_lookup (const FcNameTable *self,
                      const char        *name)
{
  gsize length = strlen (name);
  guint hash = fc_name_hash (name, length);
  const char *slot_name;

  for (guint i = hash & self->mask;
       (slot_name = __atomic_load_n (&self->slots[i].name, __ATOMIC_ACQUIRE)) != NULL;
       i = (i + 1) & self->mask)
    if (self->slots[i].hash == hash && self->slots[i].length == length &&
        memcmp (slot_name, name, length) == 0)
      return self->slots[i].lock;
  return NULL;
}

/* Under the registry's mutex (or on a table no reader can see yet). The
 * table must have room: fc_name_table_has_room(). */
static void
fc_name_table_insert_locked (FcNameTable *self,
                             const char  *name,
                             gpointer     lock)
{
  gsize length = strlen (name);
  guint hash = fc_name_hash (name, length);
  guint i = hash & self->mask;

  while (self->slots[i].name != NULL)
    i = (i + 1) & self->mask;
  self->slots[i].hash = hash;
  self->slots[i].length = length;
  self->slots[i].lock = lock;
  /* Publishes the slot: a reader that sees the name sees the rest. */
  __atomic_store_n (&self->slots[i].name, name, __ATOMIC_RELEASE);
  self->len++;
}

/* Whether one more name keeps @self at most half full. */
static inline gboolean
fc_name_table_has_room (const FcNameTable *self)
{
  return ((gsize) self->len + 1) * 2 <= (gsize) self->mask + 1;
}

/* A copy of @from (may be NULL) with room for @extra more names, at most
 * half full. Not published yet: the caller publishes it. */
static FcNameTable *
fc_name_table_copy (const FcNameTable *from,
                    guint              extra)
{
  guint len = (from != NULL ? from->len : 0) + extra;
  guint size = 8;
  FcNameTable *self;

  while (size < len * 2)
    size *= 2;

  self = g_malloc0 (sizeof *self + size * sizeof self->slots[0]);
  self->mask = size - 1;
  for (guint i = 0; from != NULL && i <= from->mask; i++)
    if (from->slots[i].name != NULL)
      fc_name_table_insert_locked (self, from->slots[i].name, from->slots[i].lock);
  return self;
}

FcRegistry *
fc_registry_new (const FcLockKind *kind)
{
  static guint64 last_id;
  FcRegistry *self = g_new0 (FcRegistry, 1);

  self->kind = kind;
  self->id = __atomic_add_fetch (&last_id, 1, __ATOMIC_RELAXED);
  self->hold_warning_threshold = 30.0;
  g_weak_ref_init (&self->owner, NULL);
  g_cond_init (&self->watchdog_cond);
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->state_mutex);
  self->locks = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_order = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->by_name = fc_name_table_copy (NULL, 0);
  return self;
}

void
fc_registry_free (FcRegistry *self)
{
  if (self == NULL)
    return;

  fc_registry_set_watchdog_interval (self, 0);
  fc_report_unlisten (self->id);
  g_weak_ref_clear (&self->owner);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_cond_clear (&self->watchdog_cond);

  /* Locks may outlive their manager: they stop belonging to it. */
  for (guint i = 0; i < self->locks->len; i++)
    g_atomic_pointer_set (&fc_registry_core (self, g_ptr_array_index (self->locks, i))->registry, NULL);

  g_slist_free_full (self->retired, g_free);
  g_free (self->by_name);
  g_hash_table_unref (self->by_order);
  g_ptr_array_unref (self->locks);
  g_mutex_clear (&self->state_mutex);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* The published table, for a lock-free lookup (acquire: its mask and
 * filled slots are visible). */
static FcNameTable *
fc_registry_snapshot (FcRegistry *self)
{
  return __atomic_load_n (&self->by_name, __ATOMIC_ACQUIRE);
}

gpointer
fc_registry_register (FcRegistry  *self,
                      const char  *name,
                      int          order,
                      const char  *description,
                      gpointer     lock,
                      GError     **error)
{
  FcNameTable *current;
  FcLockCore *core;
  gpointer other;
  gpointer result = NULL;

  if (name == NULL || name[0] == '\0')
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("Lock name must not be empty"));
      return NULL;
    }

  fc_mutex_lock (&self->mutex);

  current = self->by_name;

  if (fc_name_table_lookup (current, name) != NULL)
    {
      g_set_error (error, FC_ERROR, FC_ERROR_ALREADY_REGISTERED,
                   _("Lock '%s' already registered"), name);
      goto out;
    }

  other = g_hash_table_lookup (self->by_order, GINT_TO_POINTER (order));
  if (other != NULL)
    {
      g_set_error (error, FC_ERROR, FC_ERROR_ORDER_CONFLICT,
                   _("Lock order %d already used by '%s'. Each lock must have a unique order."),
                   order, fc_registry_core (self, other)->name);
      goto out;
    }

  if (lock != NULL)
    {
      guint64 unregistered = 0;

      /* A lock is registered once for good, even after its manager died:
       * claiming its registry id is what makes it ours. Two registries
       * racing for the same lock (each under its own mutex) cannot both
       * win. Nothing below fails, so the claim is never undone. */
      core = fc_registry_core (self, lock);
      if (!__atomic_compare_exchange_n (&core->registry_id, &unregistered, self->id, FALSE,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        {
          /* The winner may be writing the name right now: it publishes it
           * last, with a release store. Until then, say the name asked for. */
          const char *other_name = __atomic_load_n (&core->name, __ATOMIC_ACQUIRE);

          g_set_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                       _("Lock '%s' is already registered with a manager"),
                       other_name != NULL ? other_name : name);
          goto out;
        }
      g_object_ref (lock);
    }
  else
    {
      lock = self->kind->new_lock ();
      core = fc_registry_core (self, lock);
      __atomic_store_n (&core->registry_id, self->id, __ATOMIC_RELEASE);
    }

  /* A lock can only ever be registered once, so its identity is written
   * once, here, before any other thread can find it through this registry;
   * the name last, for a registry that lost the claim above. */
  core->description = g_strdup (description != NULL ? description : "");
  core->order = order;
  __atomic_store_n (&core->name, g_strdup (name), __ATOMIC_RELEASE);
  g_atomic_pointer_set (&core->registry, self);

  g_ptr_array_add (self->locks, lock);
  g_hash_table_insert (self->by_order, GINT_TO_POINTER (order), lock);

  /* In place while the table has room; else into a copy twice the size,
   * published whole (see the protocol above fc_name_table_lookup()). */
  if (fc_name_table_has_room (current))
    fc_name_table_insert_locked (current, core->name, lock);
  else
    {
      FcNameTable *next = fc_name_table_copy (current, 1);

      fc_name_table_insert_locked (next, core->name, lock);
      self->retired = g_slist_prepend (self->retired, current);
      __atomic_store_n (&self->by_name, next, __ATOMIC_RELEASE);
    }

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
    lock = fc_name_table_lookup (fc_registry_snapshot (self), name);

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
  FcNameTable *snapshot;
  guint n = 0;

  if (names == NULL)
    return TRUE;

  snapshot = fc_registry_snapshot (self);

  for (guint i = 0; names[i] != NULL; i++)
    {
      gpointer lock = fc_name_table_lookup (snapshot, names[i]);
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
      if (j < n)
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
                       /* TRANSLATORS: %s is a lock name, the first %d its order */
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

GPtrArray *
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
      g_variant_builder_add (&entry, "{sv}", "acquisitions",
                             g_variant_new_uint64 (FC_STAT_GET (core->stats.acquisitions)));
      g_variant_builder_add (&entry, "{sv}", "contentions",
                             g_variant_new_uint64 (FC_STAT_GET (core->stats.contentions)));
      g_variant_builder_add (&entry, "{sv}", "wait_time_total",
                             g_variant_new_double ((double) FC_STAT_GET (core->stats.wait_total) / G_USEC_PER_SEC));
      g_variant_builder_add (&entry, "{sv}", "wait_time_max",
                             g_variant_new_double ((double) FC_STAT_GET (core->stats.wait_max) / G_USEC_PER_SEC));
      g_variant_builder_add (&entry, "{sv}", "hold_time_max",
                             g_variant_new_double ((double) FC_STAT_GET (core->stats.hold_max) / G_USEC_PER_SEC));
      g_variant_builder_add (&builder, "{sa{sv}}", core->name, &entry);

      g_free (state.owner);
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* One report per lock held longer than the threshold. */
static void
fc_registry_find_long_holds (FcRegistry *self,
                             GPtrArray  *reports)
{
  g_autoptr(GPtrArray) locks = fc_registry_dup_locks (self);
  double threshold = fc_registry_get_hold_warning_threshold (self);
  gint64 now = fc_coarse_monotonic_time ();

  for (guint i = 0; i < locks->len; i++)
    {
      gpointer lock = g_ptr_array_index (locks, i);
      FcLockCore *core = fc_registry_core (self, lock);
      FcLockState state = { 0, };
      double held_for;

      self->kind->get_state (lock, &state);
      held_for = (double) (now - state.acquired_at) / G_USEC_PER_SEC;

      if (state.locked && held_for > threshold)
        {
          FcReport *report = fc_report_new (FC_REPORT_LONG_HOLD);
          /* TRANSLATORS: stands for the owner (a thread or guard name) of a
           * lock whose owner is not known */
          const char *owner = state.owner != NULL ? state.owner : _("unknown");

          fc_report_add (report, core, owner);
          report->key = g_strdup_printf ("long-hold:%s:%" G_GINT64_FORMAT, core->name, state.acquired_at);
          report->message =
            /* TRANSLATORS: the first %s is a lock name, the second the name of
             * the thread (or async guard) holding it; %.1fs is a duration in
             * seconds, e.g. "31.2s" */
            g_strdup_printf (_("Lock '%s' held by %s for %.1fs - potential deadlock or resource leak"),
                             core->name, owner, held_for);
          g_ptr_array_add (reports, report);
        }

      g_free (state.owner);
    }
}

static GPtrArray *
fc_registry_find_all (FcRegistry *self)
{
  GPtrArray *reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
  g_autoptr(GPtrArray) cycles = fc_lockdep_dup_reports (self->id);
  g_autoptr(GPtrArray) deadlocks = fc_waitfor_find_deadlocks (self->kind, self);

  fc_registry_find_long_holds (self, reports);
  g_ptr_array_extend_and_steal (reports, g_steal_pointer (&cycles));
  for (guint i = 0; i < deadlocks->len; i++)
    if (fc_report_involves (deadlocks->pdata[i], self->id))
      g_ptr_array_add (reports, fc_report_ref (deadlocks->pdata[i]));
  return reports;
}

char **
fc_registry_detect (FcRegistry *self)
{
  g_autoptr(GPtrArray) reports = fc_registry_find_all (self);
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;

  for (guint i = 0; i < reports->len; i++)
    g_strv_builder_add (builder, ((FcReport *) reports->pdata[i])->message);
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

GVariant *
fc_registry_get_deadlock_report (FcRegistry *self)
{
  g_autoptr(GPtrArray) reports = fc_registry_find_all (self);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < reports->len; i++)
    g_variant_builder_add_value (&builder, fc_report_to_variant (reports->pdata[i]));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

char *
fc_registry_dump_order_graph (FcRegistry *self)
{
  g_autoptr(GPtrArray) locks = fc_registry_dup_locks (self);
  g_autofree char *edges = fc_lockdep_dump_dot (self->id);
  GString *out = g_string_new (NULL);
  const char *body = edges;

  /* After the three header lines of fc_lockdep_dump_dot(). */
  for (guint line = 0; line < 3 && body != NULL; line++)
    body = strchr (body, '\n') + 1;

  /* Every registered lock is a node, with or without edges. */
  g_string_append_len (out, edges, body - edges);
  for (guint i = 0; i < locks->len; i++)
    {
      FcLockCore *core = fc_registry_core (self, g_ptr_array_index (locks, i));
      g_autofree char *name = g_strescape (core->name, NULL);

      g_string_append_printf (out, "  \"%s\" [label=\"%s\\n(%d)\"];\n", name, name, core->order);
    }
  g_string_append (out, body);
  return g_string_free (out, FALSE);
}

double
fc_registry_get_hold_warning_threshold (FcRegistry *self)
{
  double threshold;

  __atomic_load (&self->hold_warning_threshold, &threshold, __ATOMIC_RELAXED);
  return threshold;
}

void
fc_registry_set_hold_warning_threshold (FcRegistry *self,
                                        double      threshold)
{
  __atomic_store (&self->hold_warning_threshold, &threshold, __ATOMIC_RELAXED);
}

void
fc_registry_install_class (GObjectClass *klass,
                           GParamSpec  **pspecs,
                           guint        *potential_deadlock_signal)
{
  pspecs[FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD] =
    g_param_spec_double ("hold-warning-threshold", NULL, NULL,
                         0.0, G_MAXDOUBLE, 30.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  pspecs[FC_REGISTRY_PROP_WATCHDOG_INTERVAL] =
    g_param_spec_double ("watchdog-interval", NULL, NULL,
                         0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (klass, FC_REGISTRY_N_PROPS, pspecs);

  *potential_deadlock_signal =
    g_signal_new ("potential-deadlock",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_VARIANT);
}

void
fc_registry_get_property (FcRegistry *self,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  if (prop_id == FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD)
    g_value_set_double (value, fc_registry_get_hold_warning_threshold (self));
  else if (prop_id == FC_REGISTRY_PROP_WATCHDOG_INTERVAL)
    g_value_set_double (value, fc_registry_get_watchdog_interval (self));
  else
    g_assert_not_reached ();
}

void
fc_registry_set_double (FcRegistry *self,
                        GObject    *owner,
                        GParamSpec *pspec,
                        double      value)
{
  gboolean threshold = pspec->param_id == FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD;

  if (value == (threshold ? fc_registry_get_hold_warning_threshold (self)
                          : fc_registry_get_watchdog_interval (self)))
    return;

  if (threshold)
    fc_registry_set_hold_warning_threshold (self, value);
  else
    fc_registry_set_watchdog_interval (self, value);
  g_object_notify_by_pspec (owner, pspec);
}

typedef struct
{
  GObject  *owner;
  guint     signal_id;
  FcReport *report;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  g_object_unref (emission->owner);
  fc_report_unref (emission->report);
  g_free (emission);
}

static gboolean
emit_in_owner_context (gpointer data)
{
  Emission *emission = data;
  g_autoptr(GVariant) variant = g_variant_ref_sink (fc_report_to_variant (emission->report));

  g_signal_emit (emission->owner, emission->signal_id, 0, emission->report->message, variant);
  return G_SOURCE_REMOVE;
}

/* Runs under the listeners' mutex: only schedules. */
static void
fc_registry_notify (FcReport *report,
                    gpointer  user_data)
{
  FcRegistry *self = user_data;
  GObject *owner = g_weak_ref_get (&self->owner);
  g_autoptr(GSource) source = NULL;
  Emission *emission;

  if (owner == NULL)
    return;

  emission = g_new0 (Emission, 1);
  emission->owner = owner;
  emission->signal_id = self->signal_id;
  emission->report = fc_report_ref (report);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "[foundation-concurrency] potential-deadlock");
  g_source_set_callback (source, emit_in_owner_context, emission, emission_free);
  g_source_attach (source, self->owner_context);
}

void
fc_registry_attach_owner (FcRegistry *self,
                          GObject    *owner,
                          guint       signal_id)
{
  g_weak_ref_set (&self->owner, owner);
  self->owner_context = g_main_context_ref_thread_default ();
  self->signal_id = signal_id;
  fc_report_listen (self->id, fc_registry_notify, self);
}

/* Publishes, once each, the findings of a scan. */
static void
fc_registry_publish_new (FcRegistry *self)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
  g_autoptr(GPtrArray) deadlocks = fc_waitfor_find_deadlocks (self->kind, self);

  fc_registry_find_long_holds (self, reports);
  g_ptr_array_extend_and_steal (reports, g_steal_pointer (&deadlocks));
  for (guint i = 0; i < reports->len; i++)
    fc_report_publish_once (reports->pdata[i]);
}

static gpointer
fc_registry_watchdog (gpointer data)
{
  FcRegistry *self = data;

  fc_mutex_lock (&self->mutex);
  while (!self->watchdog_stop)
    {
      gint64 until = g_get_monotonic_time () + (gint64) (self->watchdog_interval * G_USEC_PER_SEC);

      if (fc_cond_wait_until (&self->watchdog_cond, &self->mutex, until) || self->watchdog_stop)
        continue;

      fc_mutex_unlock (&self->mutex);
      fc_registry_publish_new (self);
      fc_mutex_lock (&self->mutex);
    }
  fc_mutex_unlock (&self->mutex);

  return NULL;
}

double
fc_registry_get_watchdog_interval (FcRegistry *self)
{
  double interval;

  fc_mutex_lock (&self->mutex);
  interval = self->watchdog_interval;
  fc_mutex_unlock (&self->mutex);
  return interval;
}

void
fc_registry_set_watchdog_interval (FcRegistry *self,
                                   double      interval)
{
  GThread *stopped = NULL;

  fc_mutex_lock (&self->mutex);
  self->watchdog_interval = interval;
  if (interval <= 0 && self->watchdog != NULL)
    {
      self->watchdog_stop = TRUE;
      stopped = g_steal_pointer (&self->watchdog);
    }
  else if (interval > 0 && self->watchdog == NULL)
    {
      self->watchdog_stop = FALSE;
      self->watchdog = g_thread_new ("fc-watchdog", fc_registry_watchdog, self);
    }
  g_cond_broadcast (&self->watchdog_cond);
  fc_mutex_unlock (&self->mutex);

  if (stopped != NULL)
    g_thread_join (stopped);
}

/* ---- The wait-for graph ----------------------------------------------- */

static void
fc_wait_clear (gpointer data)
{
  g_free (((FcWait *) data)->label);
}

static GArray *
fc_waitfor_collect (const FcLockKind *kind,
                    FcRegistry       *registry)
{
  GArray *waits = g_array_new (FALSE, TRUE, sizeof (FcWait));

  g_array_set_clear_func (waits, fc_wait_clear);
  if (kind->collect_waits != NULL)
    kind->collect_waits (registry, waits);
  return waits;
}

typedef struct
{
  const FcLockKind *kind;
  GArray           *waits;
  gpointer          start;
  GArray           *path;      /* guint indices into waits */
  GHashTable       *visited;
} DeadlockSearch;

static gboolean
fc_waitfor_search (DeadlockSearch *search,
                   gpointer        who)
{
  if (search->path->len > 64)
    return FALSE;

  for (guint i = 0; i < search->waits->len; i++)
    {
      FcWait *wait = &g_array_index (search->waits, FcWait, i);
      FcLockState state = { 0, };
      gpointer owner;

      if (wait->who != who)
        continue;

      search->kind->get_state (wait->lock, &state);
      owner = state.owner_id;
      g_free (state.owner);
      if (owner == NULL || owner == who)
        continue;

      g_array_append_val (search->path, i);
      if (owner == search->start)
        return TRUE;
      if (!g_hash_table_contains (search->visited, owner))
        {
          g_hash_table_add (search->visited, owner);
          if (fc_waitfor_search (search, owner))
            return TRUE;
        }
      g_array_set_size (search->path, search->path->len - 1);
    }

  return FALSE;
}

/* @path: participant k waits for lock k, held by participant k + 1. */
static FcReport *
fc_waitfor_report (DeadlockSearch *search)
{
  FcReport *report = fc_report_new (FC_REPORT_DEADLOCK);
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(GString) key = g_string_new ("deadlock:");
  guint n = search->path->len;
  guint start = 0;

#define PATH_WAIT(k) (&g_array_index (search->waits, FcWait, g_array_index (search->path, guint, (k) % n)))

  for (guint k = 1; k < n; k++)
    if (g_strcmp0 (PATH_WAIT (k)->label, PATH_WAIT (start)->label) < 0)
      start = k;

  for (guint j = 0; j < n; j++)
    {
      FcWait *wait = PATH_WAIT (start + j);
      FcWait *before = PATH_WAIT (start + j + n - 1);
      FcLockCore *held = search->kind->get_core (before->lock);
      FcLockCore *wanted = search->kind->get_core (wait->lock);
      FcLockState state = { 0, };

      search->kind->get_state (before->lock, &state);
      /* TRANSLATORS: starts a report of a live deadlock, followed by its
       * participants separated by "; "; mind the trailing space */
      g_string_append (message, j == 0 ? _("Deadlock: ") : "; ");
      /* TRANSLATORS: one participant of a deadlock */
      g_string_append_printf (message, _("'%s' holds '%s' and waits for '%s'"),
                              wait->label, fc_lock_core_display_name (held),
                              fc_lock_core_display_name (wanted));
      g_string_append_printf (key, "%s@%" G_GINT64_FORMAT "/", fc_lock_core_display_name (held),
                              state.acquired_at);
      fc_report_add (report, held, wait->label);
      g_free (state.owner);
    }
#undef PATH_WAIT

  report->message = g_string_free (g_steal_pointer (&message), FALSE);
  report->key = g_string_free (g_steal_pointer (&key), FALSE);
  return report;
}

GPtrArray *
fc_waitfor_find_deadlocks (const FcLockKind *kind,
                           FcRegistry       *registry)
{
  GPtrArray *reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
  g_autoptr(GArray) waits = fc_waitfor_collect (kind, registry);
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < waits->len; i++)
    {
      DeadlockSearch search = { kind, waits, g_array_index (waits, FcWait, i).who, NULL, NULL };

      search.path = g_array_new (FALSE, FALSE, sizeof (guint));
      search.visited = g_hash_table_new (NULL, NULL);
      if (fc_waitfor_search (&search, search.start))
        {
          FcReport *report = fc_waitfor_report (&search);

          if (g_hash_table_contains (keys, report->key))
            fc_report_unref (report);
          else
            {
              g_hash_table_add (keys, report->key);
              g_ptr_array_add (reports, report);
            }
        }
      g_array_unref (search.path);
      g_hash_table_unref (search.visited);
    }

  return reports;
}

char *
fc_waitfor_explain (const FcLockKind *kind,
                    FcRegistry       *registry,
                    gpointer          lock,
                    gpointer          self_id)
{
  g_autoptr(GArray) waits = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  FcLockState state = { 0, };
  GString *out;
  gpointer current;

  kind->get_state (lock, &state);
  if (!state.locked)
    {
      g_free (state.owner);
      return NULL;
    }

  out = g_string_new (NULL);
  /* TRANSLATORS: explains a lock timeout, after "Timeout acquiring lock 'b': ";
   * %s is the name of the thread (or guard) holding the lock, %.1fs a
   * duration in seconds, e.g. "3.1s" */
  g_string_append_printf (out, _("held by '%s' for %.1fs"),
                          state.owner != NULL ? state.owner : _("unknown"),
                          (double) (fc_coarse_monotonic_time () - state.acquired_at) / G_USEC_PER_SEC);
  g_free (state.owner);

  waits = fc_waitfor_collect (kind, registry);
  g_hash_table_add (seen, self_id);
  current = state.owner_id;

  for (guint depth = 0; depth < 8 && current != NULL && !g_hash_table_contains (seen, current); depth++)
    {
      FcWait *next = NULL;
      FcLockState next_state = { 0, };

      g_hash_table_add (seen, current);
      for (guint i = 0; i < waits->len && next == NULL; i++)
        if (g_array_index (waits, FcWait, i).who == current)
          next = &g_array_index (waits, FcWait, i);
      if (next == NULL)
        break;

      kind->get_state (next->lock, &next_state);
      /* TRANSLATORS: continues "held by 'x' for 1.0s" along a chain of waiters:
       * the first %s is a lock name, the second the thread holding it, or
       * "nobody" */
      g_string_append_printf (out, _(", which waits for '%s' held by '%s'"),
                              fc_lock_core_display_name (kind->get_core (next->lock)),
                              next_state.owner != NULL ? next_state.owner : _("nobody"));
      current = next_state.owner_id;
      g_free (next_state.owner);
    }

  return g_string_free (out, FALSE);
}

void
fc_set_timeout_error (GError          **error,
                      const FcLockKind *kind,
                      FcRegistry       *registry,
                      gpointer          lock,
                      gpointer          self_id)
{
  const char *name = fc_lock_core_display_name (kind->get_core (lock));
  g_autofree char *why = NULL;

  if (error == NULL)
    return;

  why = fc_waitfor_explain (kind, registry, lock, self_id);
  if (why != NULL)
    /* TRANSLATORS: "Timeout acquiring lock 'b': held by 'worker-2' for 3.1s, …" */
    g_set_error (error, FC_ERROR, FC_ERROR_TIMEOUT, _("Timeout acquiring lock '%s': %s"), name, why);
  else
    g_set_error (error, FC_ERROR, FC_ERROR_TIMEOUT, _("Timeout acquiring lock '%s'"), name);
}
