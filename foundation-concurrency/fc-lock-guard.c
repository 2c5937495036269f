/* fc-lock-guard.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-error.h"
#include "fc-lock-guard-private.h"

/**
 * SECTION:fc-lock-guard
 * @title: FcLockGuard
 * @short_description: what one acquisition holds
 *
 * fc_lock_manager_acquire() returns a #FcLockGuard for the locks it took.
 * fc_lock_guard_release() gives them back, in reverse order; dropping the
 * last reference to an unreleased guard releases it too, so in C
 * `g_autoptr (FcLockGuard)` scopes a critical section, as GLib's
 * #GMutexLocker does for a mutex:
 *
 * <!-- snippet: fragment -->
 * |[<!-- language="C" -->
 * {
 *   const char *names[] = { "accounts", "ledger", NULL };
 *   g_autoptr(FcLockGuard) guard =
 *     fc_lock_manager_acquire (manager, names, 5.0, TRUE, &error);
 *
 *   if (guard == NULL)
 *     return FALSE;
 *   // ... both locks are held here, until the end of the scope ...
 * }
 * ]|
 *
 * A guard is a reference-counted boxed type, not a #GObject: guards are
 * recycled within their thread, so a thread that has acquired before
 * acquires and releases without allocating anything. The locks a guard
 * holds stay alive while it holds them, even if their manager is
 * finalized meanwhile; once released explicitly, it keeps them alive
 * until its last reference goes, so that fc_lock_guard_dup_names() still
 * answers.
 *
 * A guard belongs to the thread that acquired it: releasing it from
 * another thread is a programming error (a critical, and nothing is
 * released). So is dropping the last reference to an unreleased guard on
 * another thread (a garbage collector may do that): it emits a critical
 * and hands the guard's locks back to the thread that acquired them, which
 * releases them when it next acquires or releases a lock, or exits. Until
 * then the locks stay alive and held.
 *
 * Since: 1.0
 */

/**
 * FcLockGuard:
 *
 * The locks one fc_lock_manager_acquire() call took, released together.
 * An opaque, reference-counted boxed type.
 *
 * Since: 1.0
 */
struct _FcLockGuard
{
  gint          ref_count;  /* atomic */
  gboolean      released;   /* written by the acquiring thread */
  gboolean      pinned;     /* holds a reference on each of its locks */
  FcThread     *thread;
  guint         serial;     /* thread->serial when acquired */
  FcLockGuard  *next_free;  /* on thread->spare_guards */
  /* Handed back to the thread when dropped unreleased elsewhere. */
  FcAbandoned   abandoned;
  FcLockVec     locks;      /* FcLock *, in acquisition order */
};

G_DEFINE_BOXED_TYPE (FcLockGuard, fc_lock_guard, fc_lock_guard_ref, fc_lock_guard_unref)

/* How many released guards a thread keeps for its next acquisitions. */
#define FC_SPARE_GUARDS_MAX 8

static FcLockGuard *
guard_get (FcThread *thread)
{
  FcLockGuard *self = thread->spare_guards;

  if (G_LIKELY (self != NULL))
    {
      thread->spare_guards = self->next_free;
      thread->n_spare_guards--;
      self->next_free = NULL;
    }
  else
    {
      self = g_new0 (FcLockGuard, 1);
      fc_lock_vec_init (&self->locks);
    }

  self->ref_count = 1;
  self->released = FALSE;
  self->thread = thread;
  self->serial = (guint) g_atomic_int_get (&thread->serial);
  return self;
}

/* Releases what @self took, in reverse order, on its thread. A hold that
 * is gone was given up when the thread exited (a critical said so then). */
static void
guard_unlock (FcLockGuard *self)
{
  gint64 stamp = 0;

  for (guint i = self->locks.len; i > 0; i--)
    fc_lock_release_internal (self->locks.items[i - 1], self->thread, self, &stamp);
}

/* Disposes of @self, which holds nothing: kept for the next acquisition
 * if the caller is on its thread (@on_its_thread), freed otherwise. */
static void
guard_recycle (FcLockGuard *self,
               gboolean     on_its_thread)
{
  FcThread *thread = self->thread;

  if (self->pinned)
    {
      for (guint i = 0; i < self->locks.len; i++)
        g_object_unref (self->locks.items[i]);
      self->pinned = FALSE;
    }

  if (!on_its_thread || thread->n_spare_guards >= FC_SPARE_GUARDS_MAX)
    {
      /* Another thread's list is not ours to touch. */
      fc_lock_vec_clear (&self->locks);
      g_free (self);
      return;
    }

  /* A guard that once grew keeps its room for its next use. */
  self->locks.len = 0;
  self->next_free = thread->spare_guards;
  thread->spare_guards = self;
  thread->n_spare_guards++;
}

static void
guard_abandoned_release (FcAbandoned *abandoned,
                         FcThread    *thread)
{
  FcLockGuard *self = G_STRUCT_MEMBER_P (abandoned, -G_STRUCT_OFFSET (FcLockGuard, abandoned));

  guard_unlock (self);
  guard_recycle (self, TRUE);
}

/**
 * fc_lock_guard_ref:
 * @self: a #FcLockGuard
 *
 * Takes a reference to @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
FcLockGuard *
fc_lock_guard_ref (FcLockGuard *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * fc_lock_guard_unref:
 * @self: (transfer full): a #FcLockGuard
 *
 * Drops a reference to @self. Dropping the last one releases the guard
 * if it was not released yet, as fc_lock_guard_release() does; on another
 * thread than the acquiring one that is a programming error, and the
 * locks are handed back to their thread (see the section's description).
 *
 * Since: 1.0
 */
void
fc_lock_guard_unref (FcLockGuard *self)
{
  FcThread *thread;

  g_return_if_fail (self != NULL);

  /* The only reference is ours, so nobody else can take another: the
   * count needs no read-modify-write (the load synchronizes with the
   * decrement of whoever dropped theirs before). Nearly every guard is
   * dropped so, and the atomic decrement was a fifth of a guard's cost.
   * The zero stored stops a second unref (a programming error) from
   * recycling it twice. */
  if (g_atomic_int_get (&self->ref_count) == 1)
    __atomic_store_n (&self->ref_count, 0, __ATOMIC_RELAXED);
  else if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  if (G_LIKELY (self->released))
    {
      guard_recycle (self, fc_thread_peek () == self->thread);
      return;
    }

  if (G_UNLIKELY (fc_thread_peek () != self->thread))
    {
      g_critical ("%s: the last reference to an unreleased lock guard was dropped by "
                  "another thread than the one that acquired it: that thread releases "
                  "its locks when it next acquires or releases a lock, or exits", G_STRFUNC);
      if (self->locks.len > 0 &&
          (guint) g_atomic_int_get (&self->thread->serial) == self->serial)
        {
          self->abandoned.release = guard_abandoned_release;
          fc_thread_abandon (self->thread, &self->abandoned);
          return;
        }
      /* Its thread exited, giving the locks up: nothing is held. */
      fc_lock_vec_clear (&self->locks);
      g_free (self);
      return;
    }

  thread = self->thread;
  self->released = TRUE;
  guard_unlock (self);
  guard_recycle (self, TRUE);
  fc_thread_drain_abandoned (thread);
}

/**
 * fc_lock_guard_release:
 * @self: a #FcLockGuard
 *
 * Releases the locks this guard took, in reverse order of acquisition.
 * Locks the thread already held when it acquired the guard are not touched,
 * nor are further holds the thread took with fc_lock_lock() meanwhile.
 * Releasing a released guard does nothing. It must be called from the
 * thread that acquired the guard: from another thread it emits a critical
 * and releases nothing.
 *
 * Since: 1.0
 */
void
fc_lock_guard_release (FcLockGuard *self)
{
  g_return_if_fail (self != NULL);

  if (self->released)
    return;

  if (fc_thread_peek () != self->thread)
    {
      g_critical ("%s: a lock guard must be released by the thread that acquired it",
                  G_STRFUNC);
      return;
    }

  /* The guard may outlive the locks' manager: keep them alive for
   * fc_lock_guard_dup_names(), taking the references while holding them. */
  for (guint i = 0; i < self->locks.len; i++)
    g_object_ref (self->locks.items[i]);
  self->pinned = TRUE;
  self->released = TRUE;
  guard_unlock (self);
  fc_thread_drain_abandoned (self->thread);
}

/**
 * fc_lock_guard_dup_names:
 * @self: a #FcLockGuard
 *
 * Gets the names of the locks this guard took, in acquisition order (that is,
 * ascending lock order). Names the thread already held are not included.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 *
 * Since: 1.0
 */
char **
fc_lock_guard_dup_names (FcLockGuard *self)
{
  char **names;

  g_return_val_if_fail (self != NULL, NULL);

  names = g_new (char *, self->locks.len + 1);
  for (guint i = 0; i < self->locks.len; i++)
    names[i] = g_strdup (fc_lock_get_name (self->locks.items[i]));
  names[self->locks.len] = NULL;
  return names;
}

/**
 * fc_lock_guard_is_released:
 * @self: a #FcLockGuard
 *
 * Checks whether the guard was released.
 *
 * Returns: %TRUE once fc_lock_guard_release() (or the last reference)
 *   has released the guard
 *
 * Since: 1.0
 */
gboolean
fc_lock_guard_is_released (FcLockGuard *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->released;
}

static gboolean
held_by_thread (gpointer lock,
                gpointer thread)
{
  return fc_lock_get_owner_thread (lock) == thread;
}

FcLockGuard *
fc_lock_guard_acquire (FcRegistry          *registry,
                       const char * const  *names,
                       double               timeout,
                       gboolean             blocking,
                       GError             **error)
{
  FcThread *thread;
  FcLockVec locks;
  FcLockGuard *guard = NULL;
  FcDeadline deadline = FC_DEADLINE_INIT (timeout);
  gboolean holds_any = FALSE;
  int max_held = G_MININT;
  gint64 stamp = 0;

  if (!fc_timeout_validate (timeout, error))
    return NULL;

  fc_lock_vec_init (&locks);

  if (!fc_registry_resolve (registry, names, &locks, error))
    goto out;

  thread = fc_thread_self ();
  fc_thread_drain_abandoned (thread);
  for (guint i = 0; i < thread->held.len; i++)
    {
      FcLockCore *core = fc_lock_get_core (thread->held.items[i]);

      if (core->registry == registry)
        {
          holds_any = TRUE;
          max_held = MAX (max_held, core->order);
        }
    }

  if (holds_any &&
      !fc_registry_check_order (registry, &locks, held_by_thread, thread,
                                holds_any, max_held, error))
    goto out;

  /* Only blocking acquisitions teach the order: a try cannot deadlock.
   * Learned before anything is taken, so that reports are published while
   * the thread holds only what it held before the call. */
  if (G_UNLIKELY (thread->held.len > 0 || locks.len > 1) && blocking && timeout != 0)
    fc_lock_note_order (thread, &locks);

  guard = guard_get (thread);
  for (guint i = 0; i < locks.len; i++)
    {
      FcLock *lock = locks.items[i];

      if (fc_lock_get_owner_thread (lock) == thread)
        continue;

      if (!fc_lock_acquire_internal (lock, thread, blocking ? &deadline : NULL, guard, &stamp))
        {
          /* Roll back: release what we took, in reverse order; what is
           * given back was never acquired, as far as statistics go. */
          for (guint j = 0; j < guard->locks.len; j++)
            fc_lock_untook (guard->locks.items[j]);
          guard_unlock (guard);
          guard_recycle (g_steal_pointer (&guard), TRUE);

          if (blocking)
            fc_lock_set_timeout_error (lock, thread, error);
          else
            g_set_error (error, FC_ERROR, FC_ERROR_WOULD_BLOCK,
                         _("Could not acquire lock '%s' immediately"),
                         fc_lock_get_core (lock)->name);
          goto out;
        }

      fc_lock_vec_append (&guard->locks, lock);
    }

out:
  fc_lock_vec_clear (&locks);
  return guard;
}
