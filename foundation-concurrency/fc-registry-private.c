/* fc-registry-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fc-error.h"
#include "fc-lock-core-private.h"
#include "fc-lockdep-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"
#include "fc-waitfor-private.h"

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
/* A name's key: its length, hash, and its first and last eight bytes
 * (zero-padded when shorter), which hold the whole of a name of up to 16
 * bytes, so that comparing two such names compares two words. */
typedef struct
{
  gsize    length;
  guint64  first;
  guint64  last;
  guint    hash;
} FcNameKey;

typedef struct
{
  guint       hash;
  guint       length;
  const char *name;    /* written last (release), read first (acquire) */
  gpointer    lock;
  guint64     first;   /* as FcNameKey */
  guint64     last;
  /* The lock's order, so that sorting a set of names reads no lock. */
  int         order;
} FcNameSlot;

struct _FcNameTable
{
  guint      mask;
  guint      len;
  FcNameSlot slots[];
};

/* Mixes every byte of @name, eight at a time (the last eight overlapping
 * the word before them), so that every bit of the name moves the low bits
 * the mask keeps: after a multiplication, bit i depends on the bits below
 * it only, so each is followed by a shift down (two multiplications and
 * two shifts for a name of up to 8 bytes). It used to take only the first
 * and last eight bytes and multiply them, so that names differing in
 * their last characters ("lock.1", "lock.2", ...) fell into a handful of
 * slots: a lookup among lock.0 .. lock.999 probed up to 734 of them. */
static inline void
fc_name_key (const char *name,
             FcNameKey  *key)
{
  gsize length = strlen (name);
  guint64 hash = length;
  guint64 word;

  if (length >= 8)
    {
      memcpy (&key->first, name, 8);
      for (gsize i = 0; i + 8 < length; i += 8)
        {
          memcpy (&word, name + i, 8);
          hash = (hash ^ word) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
          hash ^= hash >> 32;
        }
      memcpy (&word, name + length - 8, 8);
    }
  else
    {
      word = 0;
      for (gsize i = 0; i < length; i++)
        word |= (guint64) (guchar) name[i] << (8 * i);
      key->first = word;
    }
  key->last = word;
  key->length = length;

  hash = (hash ^ word) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  hash ^= hash >> 32;
  hash *= G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f);
  hash ^= hash >> 29;
  key->hash = (guint) hash;
}

/* Whether the slot's name is @key's, @name. */
static inline gboolean
fc_name_slot_matches (const FcNameSlot *slot,
                      const char       *slot_name,
                      const FcNameKey  *key,
                      const char       *name)
{
  return slot->hash == key->hash && slot->length == key->length &&
         slot->first == key->first && slot->last == key->last &&
         (key->length <= 16 || memcmp (slot_name + 8, name + 8, key->length - 16) == 0);
}

/* The slot of @name, NULL if there is none. Lock-free; see the protocol
 * above. */
static inline const FcNameSlot *
fc_name_table_find (const FcNameTable *self,
                    const char        *name)
{
  FcNameKey key;
  const char *slot_name;

  fc_name_key (name, &key);
  for (guint i = key.hash & self->mask;
       (slot_name = __atomic_load_n (&self->slots[i].name, __ATOMIC_ACQUIRE)) != NULL;
       i = (i + 1) & self->mask)
    if (fc_name_slot_matches (&self->slots[i], slot_name, &key, name))
      return &self->slots[i];
  return NULL;
}

static inline gpointer
fc_name_table_lookup (const FcNameTable *self,
                      const char        *name)
{
  const FcNameSlot *slot = fc_name_table_find (self, name);

  return slot != NULL ? slot->lock : NULL;
}

/* Under the registry's mutex (or on a table no reader can see yet). The
 * table must have room: fc_name_table_has_room(). */
static void
fc_name_table_insert_locked (FcNameTable *self,
                             const char  *name,
                             gpointer     lock,
                             int          order)
{
  FcNameKey key;
  guint i;

  fc_name_key (name, &key);
  for (i = key.hash & self->mask; self->slots[i].name != NULL; i = (i + 1) & self->mask)
    ;
  self->slots[i].hash = key.hash;
  self->slots[i].length = key.length;
  self->slots[i].first = key.first;
  self->slots[i].last = key.last;
  self->slots[i].lock = lock;
  self->slots[i].order = order;
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
      fc_name_table_insert_locked (self, from->slots[i].name, from->slots[i].lock,
                                   from->slots[i].order);
  return self;
}

gboolean
fc_registry_validate_name (const char  *name,
                           GError     **error)
{
  gsize length;

  if (name == NULL || name[0] == '\0')
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("Lock name must not be empty"));
      return FALSE;
    }

  length = strnlen (name, FC_LOCK_NAME_MAX + 1);
  if (length > FC_LOCK_NAME_MAX)
    {
      g_set_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                   /* TRANSLATORS: %d is a number of bytes */
                   _("Lock name must not be longer than %d bytes"), FC_LOCK_NAME_MAX);
      return FALSE;
    }

  if (!g_utf8_validate_len (name, length, NULL))
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("Lock name must be valid UTF-8"));
      return FALSE;
    }

  return TRUE;
}

/* The error for a name that is not registered: an invalid name says what
 * is wrong with it instead, so that no message quotes invalid UTF-8 or a
 * name of any length. */
void
fc_registry_set_not_registered (const char  *name,
                                GError     **error)
{
  if (fc_registry_validate_name (name, error))
    g_set_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED,
                 _("Lock '%s' not registered"), name);
}

void
fc_registry_set_already_registered (const char  *name,
                                    GError     **error)
{
  g_set_error (error, FC_ERROR, FC_ERROR_ALREADY_REGISTERED,
               _("Lock '%s' already registered"), name);
}

void
fc_registry_set_order_conflict (int          order,
                                const char  *other,
                                GError     **error)
{
  g_set_error (error, FC_ERROR, FC_ERROR_ORDER_CONFLICT,
               _("Lock order %d already used by '%s'. Each lock must have a unique order."),
               order, other);
}

void
fc_registry_set_order_violation (const char  *name,
                                 int          order,
                                 int          max_held,
                                 const char  *max_held_name,
                                 GError     **error)
{
  g_set_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION,
               /* TRANSLATORS: the first %s is a lock name, the first %d its
                * order; the last %d and %s are the highest order the caller
                * holds and the name of the lock that has it */
               _("Lock ordering violation: trying to acquire %s (order %d) after "
                 "higher-order locks. Current max order: %d (held: '%s')"),
               name, order, max_held, max_held_name);
}

FcRegistry *
fc_registry_new (const FcLockKind *kind)
{
  static guint64 last_id;
  FcRegistry *self = g_new0 (FcRegistry, 1);

  self->kind = kind;
  self->id = __atomic_add_fetch (&last_id, 1, __ATOMIC_RELAXED);
  self->hold_warning_threshold = 30.0;
  g_mutex_init (&self->mutex);
  self->locks = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_order = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->by_name = fc_name_table_copy (NULL, 0);
  fc_waitfor_track_registry (self, TRUE);
  return self;
}

void
fc_registry_free (FcRegistry *self)
{
  if (self == NULL)
    return;

  fc_waitfor_track_registry (self, FALSE);
  fc_lockdep_forget_registry (self->id);
  if (self->detach != NULL)
    self->detach (self);

  /* Locks may outlive their manager: they stop belonging to it. */
  for (guint i = 0; i < self->locks->len; i++)
    g_atomic_pointer_set (&fc_registry_core (self, g_ptr_array_index (self->locks, i))->registry, NULL);

  g_slist_free_full (self->retired, g_free);
  g_free (self->by_name);
  g_hash_table_unref (self->by_order);
  g_ptr_array_unref (self->locks);
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

/* Under the registry's mutex: whether @name and @order are free. */
static gboolean
fc_registry_check_free_locked (FcRegistry  *self,
                               const char  *name,
                               int          order,
                               GError     **error)
{
  gpointer other;

  if (fc_name_table_lookup (self->by_name, name) != NULL)
    {
      fc_registry_set_already_registered (name, error);
      return FALSE;
    }

  other = g_hash_table_lookup (self->by_order, GINT_TO_POINTER (order));
  if (other != NULL)
    {
      fc_registry_set_order_conflict (order, fc_registry_core (self, other)->name, error);
      return FALSE;
    }

  return TRUE;
}

/* Under the registry's mutex, once @name and @order were checked free: it
 * fails only if @lock belongs to a registry already. */
static gpointer
fc_registry_register_locked (FcRegistry  *self,
                             const char  *name,
                             int          order,
                             const char  *description,
                             gpointer     lock,
                             GError     **error)
{
  FcNameTable *current = self->by_name;
  FcLockCore *core;

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
          return NULL;
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
    fc_name_table_insert_locked (current, core->name, lock, order);
  else
    {
      FcNameTable *next = fc_name_table_copy (current, 1);

      fc_name_table_insert_locked (next, core->name, lock, order);
      self->retired = g_slist_prepend (self->retired, current);
      __atomic_store_n (&self->by_name, next, __ATOMIC_RELEASE);
    }

  return lock;
}

gpointer
fc_registry_register (FcRegistry  *self,
                      const char  *name,
                      int          order,
                      const char  *description,
                      gpointer     lock,
                      GError     **error)
{
  gpointer result = NULL;

  if (!fc_registry_validate_name (name, error))
    return NULL;

  /* The description reaches GVariants (status) and messages. */
  if (description != NULL && !g_utf8_validate (description, -1, NULL))
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("Lock description must be valid UTF-8"));
      return NULL;
    }

  fc_mutex_lock (&self->mutex);
  if (fc_registry_check_free_locked (self, name, order, error))
    result = fc_registry_register_locked (self, name, order, description, lock, error);
  fc_mutex_unlock (&self->mutex);

  return result;
}

gboolean
fc_registry_register_foundation (FcRegistry  *self,
                                 gboolean     async,
                                 GError     **error)
{
  char *names[G_N_ELEMENTS (foundation_locks)];
  char *descriptions[G_N_ELEMENTS (foundation_locks)];
  gboolean ok = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (foundation_locks); i++)
    {
      if (async)
        {
          names[i] = g_strconcat ("foundation.async.", foundation_locks[i].suffix, NULL);
          descriptions[i] = g_strconcat ("Async ", foundation_locks[i].description, NULL);
        }
      else
        {
          names[i] = g_strconcat ("foundation.", foundation_locks[i].suffix, NULL);
          descriptions[i] = g_strdup (foundation_locks[i].description);
        }
    }

  /* All or nothing: every name and order is checked free, then all are
   * registered, under one hold of the mutex. Registering new locks cannot
   * fail once they are. */
  fc_mutex_lock (&self->mutex);
  for (guint i = 0; ok && i < G_N_ELEMENTS (foundation_locks); i++)
    ok = fc_registry_check_free_locked (self, names[i], foundation_locks[i].order, error);
  for (guint i = 0; ok && i < G_N_ELEMENTS (foundation_locks); i++)
    ok = fc_registry_register_locked (self, names[i], foundation_locks[i].order,
                                      descriptions[i], NULL, error) != NULL;
  fc_mutex_unlock (&self->mutex);

  for (guint i = 0; i < G_N_ELEMENTS (foundation_locks); i++)
    {
      g_free (names[i]);
      g_free (descriptions[i]);
    }

  return ok;
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
    fc_registry_set_not_registered (name, error);
  return lock;
}

guint
fc_registry_longest_probe (FcRegistry *self)
{
  const FcNameTable *table;
  guint longest = 0;

  fc_mutex_lock (&self->mutex);
  table = self->by_name;
  for (guint i = 0; i <= table->mask; i++)
    if (table->slots[i].name != NULL)
      longest = MAX (longest, ((i - table->slots[i].hash) & table->mask) + 1);
  fc_mutex_unlock (&self->mutex);

  return longest;
}

gboolean
fc_registry_resolve (FcRegistry         *self,
                     const char * const *names,
                     FcLockVec          *out,
                     GError            **error)
{
  FcNameTable *snapshot;
  /* The orders of out->items, in step with them. */
  int orders_inline[FC_LOCK_VEC_INLINE];
  int *orders = orders_inline;
  guint n_names = 0, n = 0;
  gboolean ok = TRUE;

  if (names == NULL)
    return TRUE;

  while (names[n_names] != NULL)
    n_names++;
  if (n_names > G_N_ELEMENTS (orders_inline))
    orders = g_new (int, n_names);

  snapshot = fc_registry_snapshot (self);

  for (guint i = 0; i < n_names; i++)
    {
      const FcNameSlot *slot = fc_name_table_find (snapshot, names[i]);
      guint j;

      if (slot == NULL)
        {
          fc_registry_set_not_registered (names[i], error);
          out->len = 0;
          ok = FALSE;
          break;
        }

      /* Insertion sort by order, dropping duplicates: the sets are small. */
      for (j = n; j > 0 && orders[j - 1] > slot->order; j--)
        ;
      if (j > 0 && out->items[j - 1] == slot->lock)
        continue;

      fc_lock_vec_append (out, NULL);
      if (j < n)
        {
          memmove (&out->items[j + 1], &out->items[j], sizeof (gpointer) * (n - j));
          memmove (&orders[j + 1], &orders[j], sizeof (int) * (n - j));
        }
      out->items[j] = slot->lock;
      orders[j] = slot->order;
      n++;
    }

  if (orders != orders_inline)
    g_free (orders);
  return ok;
}

/* The name of the lock registered under @order, or "?": lock-free (the
 * async engine checks the order under its state mutex, which must not take
 * the registry's), over the published name table. */
static const char *
fc_registry_name_of_order (FcRegistry *self,
                           int         order)
{
  const FcNameTable *table = fc_registry_snapshot (self);

  for (guint i = 0; i <= table->mask; i++)
    {
      const char *name = __atomic_load_n (&table->slots[i].name, __ATOMIC_ACQUIRE);

      if (name != NULL && fc_registry_core (self, table->slots[i].lock)->order == order)
        return name;
    }
  return "?";
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
          fc_registry_set_order_violation (core->name, core->order, max_held,
                                           fc_registry_name_of_order (self, max_held), error);
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
                             g_variant_new_uint64 (state.acquisitions));
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
