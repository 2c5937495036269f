/* fc-lock-guard.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-lock-guard-private.h"

/**
 * SECTION:fc-lock-guard
 * @title: FcLockGuard
 * @short_description: what one acquisition holds
 *
 * fc_lock_manager_acquire() returns a #FcLockGuard for the locks it took.
 * fc_lock_guard_release() gives them back, in reverse order; dropping the
 * last reference to an unreleased guard releases it too, so in C
 * `g_autoptr (FcLockGuard)` scopes a critical section:
 *
 * |[<!-- language="C" -->
 * {
 *   g_autoptr(FcLockGuard) guard = NULL;
 *   const char *names[] = { "db", "cache", NULL };
 *
 *   guard = fc_lock_manager_acquire (manager, names, 5.0, TRUE, &error);
 *   if (guard == NULL)
 *     return FALSE;
 *   ... both locks are held here ...
 * }
 * ]|
 *
 * A guard belongs to the thread that acquired it: releasing it from
 * another thread is a programming error. So is dropping the last
 * reference to an unreleased guard on another thread (a garbage collector
 * may do that): it emits a critical and hands the guard's locks back to
 * the thread that acquired them, which releases them when it next
 * acquires or releases a lock, or exits. Until then the locks, and their
 * manager, stay alive.
 *
 * Since: 1.0
 */

/**
 * FcLockGuard:
 *
 * The locks one fc_lock_manager_acquire() call took, released together.
 * Its fields are private.
 *
 * Since: 1.0
 */
struct _FcLockGuard
{
  GObject               parent_instance;

  GObject              *keeper;   /* keeps the locks alive: their manager */
  FcThread             *thread;
  FcLockManagerLocker  *locker;   /* what was taken */
  guint                 serial;   /* thread->serial when acquired */
  gboolean              released;
};

/* An unreleased guard's locks, handed back to their thread. */
typedef struct
{
  FcAbandoned           base;
  GObject              *keeper;
  FcLockManagerLocker  *locker;
} FcAbandonedGuard;

static void
fc_abandoned_guard_release (FcAbandoned *base,
                            FcThread    *thread)
{
  FcAbandonedGuard *self = (FcAbandonedGuard *) base;

  fc_locker_unlock (self->locker);
  fc_locker_recycle (self->locker);
  g_clear_object (&self->keeper);
  g_free (self);
}

G_DEFINE_FINAL_TYPE (FcLockGuard, fc_lock_guard, G_TYPE_OBJECT)

static void
fc_lock_guard_finalize (GObject *object)
{
  FcLockGuard *self = (FcLockGuard *) object;

  if (!self->released && fc_thread_peek () != self->thread)
    {
      g_critical ("%s: a lock guard was finalized unreleased by another thread than the "
                  "one that acquired it: that thread releases its locks when it next "
                  "acquires or releases a lock, or exits", G_STRFUNC);
      if (self->locker->locks.len > 0 &&
          (guint) g_atomic_int_get (&self->thread->serial) == self->serial)
        {
          FcAbandonedGuard *abandoned = g_new0 (FcAbandonedGuard, 1);

          /* The locks keep their manager alive until then. */
          abandoned->base.release = fc_abandoned_guard_release;
          abandoned->keeper = g_steal_pointer (&self->keeper);
          abandoned->locker = g_steal_pointer (&self->locker);
          fc_thread_abandon (self->thread, &abandoned->base);
        }
      else
        /* Its thread exited, giving the locks up: nothing is held. */
        fc_locker_free (g_steal_pointer (&self->locker));
    }
  else
    {
      fc_lock_guard_release (self);
      fc_locker_recycle (g_steal_pointer (&self->locker));
    }

  g_clear_object (&self->keeper);

  G_OBJECT_CLASS (fc_lock_guard_parent_class)->finalize (object);
}

static void
fc_lock_guard_class_init (FcLockGuardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fc_lock_guard_finalize;
}

static void
fc_lock_guard_init (FcLockGuard *self)
{
}

FcLockGuard *
fc_lock_guard_new_internal (GObject             *keeper,
                            FcLockManagerLocker *locker)
{
  FcLockGuard *self = g_object_new (FC_TYPE_LOCK_GUARD, NULL);

  self->thread = locker->thread;
  self->serial = (guint) g_atomic_int_get (&locker->thread->serial);
  self->locker = locker;
  if (locker->locks.len > 0)
    self->keeper = g_object_ref (keeper);
  return self;
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
  g_return_if_fail (FC_IS_LOCK_GUARD (self));

  if (self->released)
    return;

  if (fc_thread_self () != self->thread)
    {
      g_critical ("%s: a lock guard must be released by the thread that acquired it",
                  G_STRFUNC);
      return;
    }

  self->released = TRUE;
  fc_locker_unlock (self->locker);
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
  FcLockManagerLocker *locker;
  char **names;

  g_return_val_if_fail (FC_IS_LOCK_GUARD (self), NULL);

  locker = self->locker;
  names = g_new (char *, locker->locks.len + 1);
  for (guint i = 0; i < locker->locks.len; i++)
    names[i] = g_strdup (fc_lock_get_name (locker->locks.items[i]));
  names[locker->locks.len] = NULL;
  return names;
}

/**
 * fc_lock_guard_is_released:
 * @self: a #FcLockGuard
 *
 * Checks whether the guard was released.
 *
 * Returns: %TRUE once fc_lock_guard_release() has released the guard
 *
 * Since: 1.0
 */
gboolean
fc_lock_guard_is_released (FcLockGuard *self)
{
  g_return_val_if_fail (FC_IS_LOCK_GUARD (self), FALSE);

  return self->released;
}
