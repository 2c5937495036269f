/* fc-async-lock-guard.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-async-engine-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"

/**
 * SECTION:fc-async-lock-guard
 * @title: FcAsyncLockGuard
 * @short_description: what one asynchronous acquisition holds
 *
 * fc_async_lock_manager_acquire_finish() returns a #FcAsyncLockGuard for the
 * locks it took. fc_async_lock_guard_release() gives them back, in reverse
 * order, each one handed to the oldest acquisition waiting for it. An async
 * lock is owned by its guard, not by a thread, so a guard may be released
 * from any thread. Dropping the last reference to an unreleased guard
 * releases it too, with a warning: release guards explicitly.
 *
 * A guard is the identity of a task that holds locks. Locks it needs
 * further on are taken with fc_async_lock_guard_acquire_async(), which
 * gives a child guard: names the guard (or one of its ancestors) holds are
 * skipped, and a new lock must have an order above every order held in
 * that chain. Releasing a guard releases its live children first, and
 * fails those still waiting with %G_IO_ERROR_CANCELLED.
 *
 * <!-- snippet: fragment -->
 * |[<!-- language="C" -->
 * static void
 * on_locked (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autoptr(FcAsyncLockGuard) guard = NULL;
 *
 *   guard = fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source),
 *                                                 result, &error);
 *   if (guard == NULL)
 *     {
 *       g_warning ("%s", error->message);
 *       return;
 *     }
 *   // ... the locks are held here ...
 *   fc_async_lock_guard_release (guard);
 * }
 * ]|
 *
 * The guard's label (see fc_async_lock_guard_set_label()) is what
 * #FcAsyncLock:owner and the manager's status show as the owner.
 *
 * Since: 1.0
 */

/**
 * FcAsyncLockGuard:
 *
 * What one async acquisition holds; also the identity of the task that
 * holds it, for nested acquisitions. Its fields are private.
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (FcAsyncLockGuard, fc_async_lock_guard, G_TYPE_OBJECT)

static guint guard_counter;

static void
fc_async_lock_guard_finalize (GObject *object)
{
  FcAsyncLockGuard *self = (FcAsyncLockGuard *) object;

  fc_async_lock_guard_release_internal (self, TRUE);

  if (self->locks != self->inline_locks)
    g_free (self->locks);
  g_free (self->label);
  g_clear_object (&self->parent);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->state, fc_async_state_unref);

  G_OBJECT_CLASS (fc_async_lock_guard_parent_class)->finalize (object);
}

static void
fc_async_lock_guard_class_init (FcAsyncLockGuardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fc_async_lock_guard_finalize;
}

static void
fc_async_lock_guard_init (FcAsyncLockGuard *self)
{
  self->locks = self->inline_locks;
}

/* A guard that holds nothing yet. A top-level guard is labelled `guard-N`
 * (the string is made on first use);
 * a child's label is copied from its parent by the manager, under the state
 * mutex. */
FcAsyncLockGuard *
fc_async_lock_guard_new_internal (FcAsyncLockManager *manager,
                                  FcAsyncLockGuard   *parent)
{
  FcAsyncLockGuard *self = g_object_new (FC_TYPE_ASYNC_LOCK_GUARD, NULL);

  self->manager = g_object_ref (manager);
  self->state = fc_async_state_ref (manager->state);
  if (parent != NULL)
    self->parent = g_object_ref (parent);
  else
    self->id = (guint) g_atomic_int_add (&guard_counter, 1) + 1;
  return self;
}

/**
 * fc_async_lock_guard_release:
 * @self: a #FcAsyncLockGuard
 *
 * Releases what this guard holds: first its live children (see
 * fc_async_lock_guard_acquire_async(); a child acquisition still waiting
 * fails with %G_IO_ERROR_CANCELLED), then the locks it took, in reverse
 * order of acquisition, each handed directly to the oldest acquisition
 * waiting for it. Locks the guard skipped because an ancestor held them are
 * not touched. Releasing a released guard does nothing. This may be called
 * from any thread.
 *
 * Since: 1.0
 */
void
fc_async_lock_guard_release (FcAsyncLockGuard *self)
{
  g_return_if_fail (FC_IS_ASYNC_LOCK_GUARD (self));

  fc_async_lock_guard_release_internal (self, FALSE);
}

/**
 * fc_async_lock_guard_dup_names:
 * @self: a #FcAsyncLockGuard
 *
 * Gets the names of the locks this guard took, in acquisition order (that
 * is, ascending lock order). Names skipped because the guard's ancestors
 * held them are not included.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 *
 * Since: 1.0
 */
char **
fc_async_lock_guard_dup_names (FcAsyncLockGuard *self)
{
  GMutex *mutex;
  char **names;

  g_return_val_if_fail (FC_IS_ASYNC_LOCK_GUARD (self), NULL);

  mutex = fc_async_lock_manager_get_mutex (self->manager);
  fc_mutex_lock (mutex);
  names = g_new (char *, self->n_held + 1);
  for (guint i = 0; i < self->n_held; i++)
    names[i] = g_strdup (self->locks[i]->core.name);
  names[self->n_held] = NULL;
  fc_mutex_unlock (mutex);

  return names;
}

/**
 * fc_async_lock_guard_is_released:
 * @self: a #FcAsyncLockGuard
 *
 * Checks whether the guard was released, by fc_async_lock_guard_release()
 * on it or on one of its ancestors.
 *
 * Returns: %TRUE once the guard is released
 *
 * Since: 1.0
 */
gboolean
fc_async_lock_guard_is_released (FcAsyncLockGuard *self)
{
  GMutex *mutex;
  gboolean released;

  g_return_val_if_fail (FC_IS_ASYNC_LOCK_GUARD (self), FALSE);

  mutex = fc_async_lock_manager_get_mutex (self->manager);
  fc_mutex_lock (mutex);
  released = self->released;
  fc_mutex_unlock (mutex);

  return released;
}

/**
 * fc_async_lock_guard_get_label:
 * @self: a #FcAsyncLockGuard
 *
 * Gets the guard's label: the owner that #FcAsyncLock:owner and
 * fc_async_lock_manager_get_lock_status() show for the locks it holds. It is
 * `guard-N` (N counting the guards of the process) unless
 * fc_async_lock_guard_set_label() changed it; a child guard starts with its
 * parent's label.
 *
 * The string belongs to the guard and stays valid only until the label is
 * next set: fc_async_lock_guard_set_label() frees it. Call this only while
 * no other thread may set the label (for example from the one task that
 * owns the guard); otherwise use fc_async_lock_guard_dup_label(), which
 * copies the label under the manager's internal lock.
 *
 * Returns: (transfer none): the label, valid until it is next set
 *
 * Since: 1.0
 */
const char *
fc_async_lock_guard_get_label (FcAsyncLockGuard *self)
{
  GMutex *mutex;
  const char *label;

  g_return_val_if_fail (FC_IS_ASYNC_LOCK_GUARD (self), NULL);

  mutex = fc_async_lock_manager_get_mutex (self->manager);
  fc_mutex_lock (mutex);
  label = fc_async_lock_guard_label_locked (self);
  fc_mutex_unlock (mutex);

  return label;
}

/**
 * fc_async_lock_guard_dup_label:
 * @self: a #FcAsyncLockGuard
 *
 * Gets a copy of the guard's label (see fc_async_lock_guard_get_label()),
 * taken atomically with respect to fc_async_lock_guard_set_label(): unlike
 * fc_async_lock_guard_get_label(), this may be called while another thread
 * sets the label.
 *
 * Returns: (transfer full): a copy of the label; free it with g_free()
 *
 * Since: 1.0
 */
char *
fc_async_lock_guard_dup_label (FcAsyncLockGuard *self)
{
  GMutex *mutex;
  char *label;

  g_return_val_if_fail (FC_IS_ASYNC_LOCK_GUARD (self), NULL);

  mutex = fc_async_lock_manager_get_mutex (self->manager);
  fc_mutex_lock (mutex);
  label = g_strdup (fc_async_lock_guard_label_locked (self));
  fc_mutex_unlock (mutex);

  return label;
}

/**
 * fc_async_lock_guard_set_label:
 * @self: a #FcAsyncLockGuard
 * @label: the new label, for example the name of the task that holds the
 *   guard, in UTF-8 (anything else is a critical and changes nothing)
 *
 * Sets the guard's label, shown as the owner of the locks it holds; a
 * label longer than 255 bytes is cut at a character boundary, as thread
 * names are (see fc_set_thread_name()). Child
 * guards acquired later start with this label. This may be called from any
 * thread; it frees the string fc_async_lock_guard_get_label() returned
 * before, so a thread that reads the label while another may set it must
 * use fc_async_lock_guard_dup_label().
 *
 * Since: 1.0
 */
void
fc_async_lock_guard_set_label (FcAsyncLockGuard *self,
                               const char       *label)
{
  GMutex *mutex;
  char *old;

  g_return_if_fail (FC_IS_ASYNC_LOCK_GUARD (self));
  g_return_if_fail (label != NULL);
  /* The label is the owner in status variants and messages. */
  g_return_if_fail (g_utf8_validate (label, -1, NULL));

  mutex = fc_async_lock_manager_get_mutex (self->manager);
  fc_mutex_lock (mutex);
  old = self->label;
  self->label = fc_owner_name_dup (label);
  fc_mutex_unlock (mutex);

  g_free (old);
}

/**
 * fc_async_lock_guard_acquire_async:
 * @self: a #FcAsyncLockGuard, not released
 * @names: (array zero-terminated=1) (nullable): the names of the locks to
 *   take, in any order; duplicates are allowed
 * @timeout: seconds to wait at most for the whole set, 0 to try once, or
 *   %FC_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called in the thread-default main context of
 *   the caller when the locks are taken or the acquisition failed
 * @user_data: (closure): data for @callback
 *
 * Takes further locks for the task that holds @self, as
 * fc_async_lock_manager_acquire_async() does, giving a child guard. Names
 * that @self or one of its ancestors holds are skipped (the acquisition is
 * re-entrant) and the child does not release them. A new name whose order
 * is not above every order held in that chain fails with
 * %FC_ERROR_ORDER_VIOLATION before anything is taken. Releasing @self
 * releases the child first.
 *
 * The names skipped are held by the chain only as long as @self is not
 * released, so releasing @self (or an ancestor) while the child is still
 * waiting fails it with %G_IO_ERROR_CANCELLED: what it took so far is
 * released and it leaves its queue. The same error is given at once if
 * @self is released already.
 *
 * The #GTask's source object is @self. Call
 * fc_async_lock_guard_acquire_finish() from @callback.
 *
 * Since: 1.0
 */
void
fc_async_lock_guard_acquire_async (FcAsyncLockGuard    *self,
                                   const char * const  *names,
                                   double               timeout,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (FC_IS_ASYNC_LOCK_GUARD (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  fc_async_lock_manager_acquire_internal (self->manager, self,
                                          fc_async_lock_guard_acquire_async,
                                          names, timeout, cancellable,
                                          callback, user_data);
}

/**
 * fc_async_lock_guard_acquire_finish:
 * @self: a #FcAsyncLockGuard
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_async_lock_guard_acquire_async().
 *
 * Returns: (transfer full): the child guard, holding the locks it took
 *   (possibly none), or %NULL with %FC_ERROR_INVALID_ARGUMENT,
 *   %FC_ERROR_NOT_REGISTERED, %FC_ERROR_ORDER_VIOLATION, %FC_ERROR_TIMEOUT
 *   or %G_IO_ERROR_CANCELLED
 *
 * Since: 1.0
 */
FcAsyncLockGuard *
fc_async_lock_guard_acquire_finish (FcAsyncLockGuard  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_GUARD (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fc_async_lock_manager_finish_internal (self, fc_async_lock_guard_acquire_async,
                                                result, error);
}
