/* fc-waitfor-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-error.h"
#include "fc-lock-core-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-report-private.h"
#include "fc-waitfor-private.h"

/* Every registry not yet freed, by id, so that diagnostics can tell a live
 * lock from a pointer that may be stale. Reads FcRegistry.mutex and .locks
 * (fc-registry-private.c's), under that mutex. Lock order: live_mutex, then
 * a registry's mutex (fc-mutex-private.h). */
static GMutex live_mutex;
static GHashTable *live_registries;   /* guint64 * → FcRegistry * */

void
fc_waitfor_track_registry (FcRegistry *registry,
                           gboolean    live)
{
  fc_mutex_lock (&live_mutex);
  if (live_registries == NULL)
    live_registries = g_hash_table_new (g_int64_hash, g_int64_equal);
  if (live)
    g_hash_table_insert (live_registries, &registry->id, registry);
  else
    g_hash_table_remove (live_registries, &registry->id);
  fc_mutex_unlock (&live_mutex);
}

/* Every lock of every live registry, a ref each: what a waiter's lock
 * pointer must be found among before it is dereferenced. */
static GHashTable *
fc_waitfor_dup_live_locks (void)
{
  GHashTable *locks = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  GHashTableIter iter;
  gpointer value;

  fc_mutex_lock (&live_mutex);
  if (live_registries != NULL)
    g_hash_table_iter_init (&iter, live_registries);
  while (live_registries != NULL && g_hash_table_iter_next (&iter, NULL, &value))
    {
      FcRegistry *registry = value;

      fc_mutex_lock (&registry->mutex);
      for (guint i = 0; i < registry->locks->len; i++)
        g_hash_table_add (locks, g_object_ref (g_ptr_array_index (registry->locks, i)));
      fc_mutex_unlock (&registry->mutex);
    }
  fc_mutex_unlock (&live_mutex);
  return locks;
}

static gboolean
fc_registry_ref_lock_if_member_locked (FcRegistry *registry,
                                       gpointer    lock,
                                       gpointer   *found)
{
  fc_mutex_lock (&registry->mutex);
  for (guint i = 0; i < registry->locks->len && *found == NULL; i++)
    if (g_ptr_array_index (registry->locks, i) == lock)
      *found = g_object_ref (lock);
  fc_mutex_unlock (&registry->mutex);
  return *found != NULL;
}

/* A reference to @lock if it is a lock of a live registry (looked for
 * first in the one of id @hint), else NULL: @lock may be a stale pointer,
 * and is only compared. */
static gpointer
fc_waitfor_ref_live_lock (gpointer lock,
                          guint64  hint)
{
  gpointer found = NULL;
  FcRegistry *registry;
  GHashTableIter iter;
  gpointer value;

  if (lock == NULL)
    return NULL;

  fc_mutex_lock (&live_mutex);
  if (live_registries == NULL)
    {
      fc_mutex_unlock (&live_mutex);
      return NULL;
    }
  registry = g_hash_table_lookup (live_registries, &hint);
  if (registry == NULL || !fc_registry_ref_lock_if_member_locked (registry, lock, &found))
    {
      g_hash_table_iter_init (&iter, live_registries);
      while (found == NULL && g_hash_table_iter_next (&iter, NULL, &value))
        if (value != registry)
          fc_registry_ref_lock_if_member_locked (value, lock, &found);
    }
  fc_mutex_unlock (&live_mutex);
  return found;
}

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
  GHashTable       *first;     /* who → 1 + index of its first wait */
  guint            *next;      /* 1 + index of the same owner's next wait, or 0 */
} DeadlockSearch;

/* Indexes the waits by owner, each owner's in their order, so that a
 * search step costs what that owner waits for, not every wait (an async
 * manager may have a hundred thousand requests queued). */
static void
fc_waitfor_index (DeadlockSearch *search)
{
  search->first = g_hash_table_new (NULL, NULL);
  search->next = g_new0 (guint, search->waits->len);
  for (guint i = search->waits->len; i > 0; i--)
    {
      gpointer who = g_array_index (search->waits, FcWait, i - 1).who;

      search->next[i - 1] = GPOINTER_TO_UINT (g_hash_table_lookup (search->first, who));
      g_hash_table_insert (search->first, who, GUINT_TO_POINTER (i));
    }
}

static gboolean
fc_waitfor_search (DeadlockSearch *search,
                   gpointer        who)
{
  if (search->path->len > 64)
    return FALSE;

  for (guint n = GPOINTER_TO_UINT (g_hash_table_lookup (search->first, who)); n != 0;
       n = search->next[n - 1])
    {
      guint i = n - 1;
      FcWait *wait = &g_array_index (search->waits, FcWait, i);
      FcLockState state = { 0, };
      gpointer owner;

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

void
fc_waitfor_append_participant (GString    *message,
                               gboolean    first,
                               const char *label,
                               const char *held,
                               const char *wanted)
{
  /* TRANSLATORS: starts a report of a live deadlock, followed by its
   * participants separated by "; "; mind the trailing space */
  g_string_append (message, first ? _("Deadlock: ") : "; ");
  /* TRANSLATORS: one participant of a deadlock */
  g_string_append_printf (message, _("'%s' holds '%s' and waits for '%s'"), label, held, wanted);
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
      fc_waitfor_append_participant (message, j == 0, wait->label,
                                     fc_lock_core_display_name (held),
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
  g_autoptr(GHashTable) live = NULL;
  DeadlockSearch index = { NULL, };

  if (waits->len == 0)
    return reports;

  /* A waiter may have stopped waiting and its lock been freed since it
   * was collected: keep only the waits for locks known alive (compared,
   * never dereferenced, before that). */
  live = fc_waitfor_dup_live_locks ();
  for (guint i = waits->len; i > 0; i--)
    if (!g_hash_table_contains (live, g_array_index (waits, FcWait, i - 1).lock))
      g_array_remove_index_fast (waits, i - 1);

  index.waits = waits;
  fc_waitfor_index (&index);
  for (guint i = 0; i < waits->len; i++)
    {
      DeadlockSearch search = { kind, waits, g_array_index (waits, FcWait, i).who, NULL, NULL,
                                index.first, index.next };

      /* Each owner once as a start: its first wait's search tries them all. */
      if (GPOINTER_TO_UINT (g_hash_table_lookup (index.first, search.start)) != i + 1)
        continue;
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
  g_hash_table_unref (index.first);
  g_free (index.next);

  return reports;
}

/* Follows the chain from the lock's owner: what that owner waits for, that
 * lock's owner, and so on. It costs what it touches: kinds that can say
 * what one owner waits for (FcLock) never walk the other waiters. */
void
fc_waitfor_append_held_by (GString    *out,
                           const char *owner,
                           double      seconds)
{
  /* TRANSLATORS: explains a lock timeout, after "Timeout acquiring lock 'b': ";
   * %s is the name of the thread (or guard, or cluster member) holding the
   * lock, %.1fs a duration in seconds, e.g. "3.1s" */
  g_string_append_printf (out, _("held by '%s' for %.1fs"),
                          owner != NULL ? owner : _("unknown"), seconds);
}

char *
fc_waitfor_explain (const FcLockKind *kind,
                    FcRegistry       *registry,
                    gpointer          lock,
                    gpointer          self_id)
{
  g_autoptr(GArray) waits = NULL;
  gpointer seen[10];
  guint n_seen = 0;
  guint64 hint = __atomic_load_n (&kind->get_core (lock)->registry_id, __ATOMIC_ACQUIRE);
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
  fc_waitfor_append_held_by (out, state.owner,
                             (double) (fc_coarse_monotonic_time () - state.acquired_at) / G_USEC_PER_SEC);
  g_free (state.owner);

  seen[n_seen++] = self_id;
  current = state.owner_id;

  for (guint depth = 0; depth < 8 && current != NULL; depth++)
    {
      gpointer next = NULL;
      FcLockState next_state = { 0, };
      gboolean looped = FALSE;

      for (guint i = 0; i < n_seen && !looped; i++)
        looped = seen[i] == current;
      if (looped)
        break;
      seen[n_seen++] = current;

      if (kind->get_waiting_for != NULL)
        next = fc_waitfor_ref_live_lock (kind->get_waiting_for (current), hint);
      else
        {
          if (waits == NULL)
            waits = fc_waitfor_collect (kind, registry);
          for (guint i = 0; i < waits->len; i++)
            if (g_array_index (waits, FcWait, i).who == current)
              {
                next = fc_waitfor_ref_live_lock (g_array_index (waits, FcWait, i).lock, hint);
                break;
              }
        }
      if (next == NULL)
        break;

      kind->get_state (next, &next_state);
      /* TRANSLATORS: continues "held by 'x' for 1.0s" along a chain of waiters:
       * the first %s is a lock name, the second the thread holding it, or
       * "nobody" */
      g_string_append_printf (out, _(", which waits for '%s' held by '%s'"),
                              fc_lock_core_display_name (kind->get_core (next)),
                              next_state.owner != NULL ? next_state.owner : _("nobody"));
      current = next_state.owner_id;
      g_free (next_state.owner);
      g_object_unref (next);
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
  g_autofree char *why = NULL;

  if (error == NULL)
    return;

  why = fc_waitfor_explain (kind, registry, lock, self_id);
  fc_set_timeout_error_why (error, fc_lock_core_display_name (kind->get_core (lock)), why);
}

void
fc_set_timeout_error_why (GError     **error,
                          const char  *name,
                          const char  *why)
{
  if (why != NULL)
    /* TRANSLATORS: "Timeout acquiring lock 'b': held by 'worker-2' for 3.1s, …" */
    g_set_error (error, FC_ERROR, FC_ERROR_TIMEOUT, _("Timeout acquiring lock '%s': %s"), name, why);
  else
    g_set_error (error, FC_ERROR, FC_ERROR_TIMEOUT, _("Timeout acquiring lock '%s'"), name);
}
