/* fc-lock-manager-locker.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-lock-manager-locker-private.h"

/**
 * SECTION:fc-lock-manager-locker
 * @title: FcLockManagerLocker
 * @short_description: a scoped acquisition without a GObject, for hot paths
 *
 * fc_lock_manager_locker_new() does exactly what fc_lock_manager_acquire()
 * does — the same names, ordering rule, re-entrancy, deadline, errors,
 * statistics and diagnostics — but returns an opaque #FcLockManagerLocker
 * instead of a #FcLockGuard. A locker is not a #GObject: it is recycled
 * within its thread, so acquiring and releasing allocate nothing, which
 * makes it several times cheaper than a guard. It is the manager's
 * counterpart of GLib's #GMutexLocker:
 *
 * |[<!-- language="C" -->
 * {
 *   const char *names[] = { "db", "cache", NULL };
 *   g_autoptr(FcLockManagerLocker) locker =
 *     fc_lock_manager_locker_new (manager, names, 5.0, TRUE, &error);
 *
 *   if (locker == NULL)
 *     return FALSE;
 *   ... both locks are held here, until the end of the scope ...
 * }
 * ]|
 *
 * A locker belongs to the thread that made it, and must be freed by that
 * thread. The locks it holds stay alive until it is freed, even if their
 * manager is finalized meanwhile. Lockers are for C (and other languages
 * that call C directly); bindings use #FcLockGuard.
 *
 * Since: 1.0
 */

FcLockManagerLocker *
fc_locker_get (FcThread *thread)
{
  FcLockManagerLocker *self = thread->spare_lockers;

  if (G_LIKELY (self != NULL))
    {
      thread->spare_lockers = self->next_free;
      self->next_free = NULL;
    }
  else
    {
      self = g_new0 (FcLockManagerLocker, 1);
      self->thread = thread;
      fc_lock_vec_init (&self->locks);
    }

  return self;
}

void
fc_locker_unlock (FcLockManagerLocker *self)
{
  gint64 stamp = 0;

  /* A hold that is gone was given up when the thread exited (a critical
   * said so then): nothing to do. */
  for (guint i = self->locks.len; i > 0; i--)
    fc_lock_release_internal (self->locks.items[i - 1], self->thread, self, &stamp);
}

void
fc_locker_recycle (FcLockManagerLocker *self)
{
  FcThread *thread = self->thread;

  if (fc_thread_peek () != thread)
    {
      /* Another thread's list is not ours to touch. */
      fc_locker_free (self);
      return;
    }

  /* A locker that once grew keeps its room for its next use. */
  self->locks.len = 0;
  self->next_free = thread->spare_lockers;
  thread->spare_lockers = self;
}

void
fc_locker_free (FcLockManagerLocker *self)
{
  fc_lock_vec_clear (&self->locks);
  g_free (self);
}

/**
 * fc_lock_manager_locker_free: (skip)
 * @locker: a #FcLockManagerLocker
 *
 * Releases the locks @locker took, in reverse order of acquisition, and
 * frees it. Locks the thread already held when the locker was made are not
 * touched. It must be called from the thread that made @locker: from
 * another thread it emits a critical and releases nothing.
 *
 * Since: 1.0
 */
void
fc_lock_manager_locker_free (FcLockManagerLocker *locker)
{
  FcThread *thread;

  g_return_if_fail (locker != NULL);

  /* Peek: a foreign thread needs no record of its own to be told no. */
  if (G_UNLIKELY (fc_thread_peek () != locker->thread))
    {
      g_critical ("%s: a locker must be freed by the thread that made it", G_STRFUNC);
      return;
    }

  thread = locker->thread;
  fc_locker_unlock (locker);
  fc_locker_recycle (locker);
  fc_thread_drain_abandoned (thread);
}
