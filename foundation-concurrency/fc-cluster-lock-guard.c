/* fc-cluster-lock-guard.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-cluster-lock-guard-private.h"
#include "fc-cluster-session-private.h"
#include "fc-private.h"

/**
 * SECTION:fc-cluster-lock-guard
 * @title: FcClusterLockGuard
 * @short_description: what one acquisition in an etcd cluster holds
 *
 * fc_cluster_lock_manager_acquire_finish() returns a #FcClusterLockGuard
 * for the locks it took across the cluster. Give them back with
 * fc_cluster_lock_guard_release_async() (or _sync(), or
 * fc_cluster_lock_guard_release(), which does not wait). A guard is the
 * identity of a task holding locks: fc_cluster_lock_guard_acquire_async()
 * takes more for the same task, skipping names the chain holds and
 * refusing orders at or below the highest one held
 * (%FC_ERROR_ORDER_VIOLATION).
 *
 * ## Fencing
 *
 * A lock held in a cluster can be lost without the holder noticing at
 * once: a process paused longer than its lease, a network partition. The
 * guard's fencing token protects what the lock protects. Pass
 * fc_cluster_lock_guard_get_fencing_token() with every write to the
 * storage the lock guards; the storage remembers the highest token it has
 * seen for that lock and refuses any write carrying a lower one. For a given
 * lock, every later acquisition in the cluster has a strictly greater
 * token, so a stale holder's late writes are refused.
 *
 * The token is an etcd revision: that at which the guard's key for the lock
 * was created, when no key was before it; otherwise that of the write that
 * marked the key granted, after the deletion of the key before it. For a
 * guard of several locks it is the greatest of those revisions.
 *
 * When the manager's lease expires, or the cluster stays unreachable for
 * longer than the lease, the guard is lost: fc_cluster_lock_guard_is_lost()
 * turns %TRUE and #FcClusterLockGuard::lost is emitted, in the thread-default
 * main context in which the manager was made. Its locks may belong to
 * someone else by then.
 *
 * Since: 1.0
 */

struct _FcClusterLockGuard
{
  GObject             parent_instance;
  FcClusterClient    *client;
  FcClusterLockGuard *parent;
  GPtrArray          *holds;    /* FcClusterHold *: its own; keys for those it took */
  GPtrArray          *chain;    /* FcClusterHold *: what its chain holds, for nesting */
  guint64             token;
  gint                released;
  gint                lost;
};

enum
{
  SIGNAL_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * FcClusterLockGuard:
 *
 * What one acquisition in a cluster holds. Its fields are private.
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (FcClusterLockGuard, fc_cluster_lock_guard, G_TYPE_OBJECT)

static void
fc_cluster_lock_guard_dispose (GObject *object)
{
  FcClusterLockGuard *self = (FcClusterLockGuard *) object;

  if (self->client != NULL)
    {
      fc_cluster_client_remove_guard (self->client, self);
      if (!g_atomic_int_exchange (&self->released, TRUE))
        {
          fc_cluster_client_note_held (self->client, self->holds, -1);
          fc_cluster_client_release (self->client, g_steal_pointer (&self->holds), NULL);
        }
    }
  G_OBJECT_CLASS (fc_cluster_lock_guard_parent_class)->dispose (object);
}

static void
fc_cluster_lock_guard_finalize (GObject *object)
{
  FcClusterLockGuard *self = (FcClusterLockGuard *) object;

  g_clear_pointer (&self->holds, g_ptr_array_unref);
  g_clear_pointer (&self->chain, g_ptr_array_unref);
  g_clear_object (&self->parent);
  g_clear_pointer (&self->client, fc_cluster_client_unref);
  G_OBJECT_CLASS (fc_cluster_lock_guard_parent_class)->finalize (object);
}

static void
fc_cluster_lock_guard_class_init (FcClusterLockGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fc_cluster_lock_guard_dispose;
  object_class->finalize = fc_cluster_lock_guard_finalize;

  /**
   * FcClusterLockGuard::lost:
   * @self: the guard
   *
   * The lease behind the guard expired, or the cluster stayed unreachable
   * for longer than the lease: its locks may belong to someone else now.
   * Emitted once, in the thread-default main context of the manager's
   * creation.
   *
   * Since: 1.0
   */
  signals[SIGNAL_LOST] = g_signal_new ("lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
fc_cluster_lock_guard_init (FcClusterLockGuard *self)
{
}

static FcClusterHold *
hold_copy (const FcClusterHold *hold)
{
  FcClusterHold *copy = fc_cluster_hold_new (hold->name, hold->order);

  copy->token = hold->token;
  return copy;
}

FcClusterLockGuard *
fc_cluster_lock_guard_new (FcClusterClient    *client,
                           FcClusterLockGuard *parent,
                           FcClusterAcquired  *acquired)
{
  FcClusterLockGuard *self = g_object_new (FC_TYPE_CLUSTER_LOCK_GUARD, NULL);

  self->client = fc_cluster_client_ref (client);
  self->parent = parent != NULL ? g_object_ref (parent) : NULL;
  self->holds = g_steal_pointer (&acquired->holds);
  self->chain = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_cluster_hold_free);
  for (guint i = 0; parent != NULL && i < parent->chain->len; i++)
    g_ptr_array_add (self->chain, hold_copy (g_ptr_array_index (parent->chain, i)));
  for (guint i = 0; i < self->holds->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (self->holds, i);

      self->token = MAX (self->token, (guint64) hold->token);
      if (hold->key != NULL)
        g_ptr_array_add (self->chain, hold_copy (hold));
    }
  fc_cluster_acquired_free (acquired);
  fc_cluster_client_add_guard (client, self);
  fc_cluster_client_note_held (client, self->holds, 1);
  return self;
}

void
fc_cluster_lock_guard_mark_lost (gpointer guard)
{
  FcClusterLockGuard *self = guard;

  if (g_atomic_int_get (&self->released) || g_atomic_int_exchange (&self->lost, TRUE))
    return;
  g_signal_emit (self, signals[SIGNAL_LOST], 0);
}

void
fc_cluster_lock_guard_mark_closed (FcClusterLockGuard *self)
{
  if (!g_atomic_int_exchange (&self->released, TRUE))
    fc_cluster_client_note_held (self->client, self->holds, -1);
}

/* Starts the release; FALSE if it was released already. */
static gboolean
guard_release (FcClusterLockGuard *self,
               GTask              *task)
{
  if (g_atomic_int_exchange (&self->released, TRUE))
    return FALSE;
  fc_cluster_client_remove_guard (self->client, self);
  fc_cluster_client_note_held (self->client, self->holds, -1);
  fc_cluster_client_release (self->client, g_steal_pointer (&self->holds), task);
  return TRUE;
}

/**
 * fc_cluster_lock_guard_release:
 * @self: a #FcClusterLockGuard
 *
 * Starts releasing the guard's locks and returns at once; does nothing if
 * it was released already. Should the cluster not answer, the locks go
 * when the lease expires.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_guard_release (FcClusterLockGuard *self)
{
  g_return_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self));

  guard_release (self, NULL);
}

/**
 * fc_cluster_lock_guard_release_async:
 * @self: a #FcClusterLockGuard
 * @cancellable: (nullable): not used: a release is never given up
 * @callback: (scope async): called once the keys are deleted
 * @user_data: data for @callback
 *
 * Releases the guard's locks: deletes its keys in etcd. Releasing a
 * released guard succeeds at once.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_guard_release_async (FcClusterLockGuard  *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, fc_cluster_lock_guard_release_async);
  g_task_set_name (task, "fc_cluster_lock_guard_release_async");
  if (!guard_release (self, task))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

/**
 * fc_cluster_lock_guard_release_finish:
 * @self: a #FcClusterLockGuard
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_cluster_lock_guard_release_async().
 *
 * Returns: %TRUE once released; %FALSE with %FC_ERROR_UNAVAILABLE if the
 *   cluster did not answer (the keys then go with the lease)
 *
 * Since: 1.0
 */
gboolean
fc_cluster_lock_guard_release_finish (FcClusterLockGuard  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * fc_cluster_lock_guard_release_sync:
 * @self: a #FcClusterLockGuard
 * @cancellable: (nullable): not used: a release is never given up
 * @error: return location for a #GError
 *
 * fc_cluster_lock_guard_release_async(), waiting for the outcome.
 *
 * Returns: %TRUE once released
 *
 * Since: 1.0
 */
gboolean
fc_cluster_lock_guard_release_sync (FcClusterLockGuard  *self,
                                    GCancellable        *cancellable,
                                    GError             **error)
{
  FcClusterSync sync;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self), FALSE);

  fc_cluster_sync_begin (&sync);
  fc_cluster_lock_guard_release_async (self, cancellable, fc_cluster_sync_callback, &sync);
  result = fc_cluster_sync_end (&sync);
  return fc_cluster_lock_guard_release_finish (self, result, error);
}

/**
 * fc_cluster_lock_guard_dup_names:
 * @self: a #FcClusterLockGuard
 *
 * The names of the locks of this guard (not those of its parents).
 *
 * Returns: (transfer full): the names of the locks the guard was given,
 *   ascending by order
 *
 * Since: 1.0
 */
char **
fc_cluster_lock_guard_dup_names (FcClusterLockGuard *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) chain = NULL;

  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self), NULL);

  /* The holds go at release; the chain keeps the names. */
  for (guint i = 0; i < self->chain->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (self->chain, i);
      gboolean outer = FALSE;

      for (guint j = 0; self->parent != NULL && j < self->parent->chain->len && !outer; j++)
        outer = g_strcmp0 (((FcClusterHold *) g_ptr_array_index (self->parent->chain, j))->name,
                           hold->name) == 0;
      if (!outer)
        g_strv_builder_add (builder, hold->name);
    }
  return g_strv_builder_end (builder);
}

/**
 * fc_cluster_lock_guard_is_released:
 * @self: a #FcClusterLockGuard
 *
 * Whether the guard was released.
 *
 * Returns: whether the guard was released (or its manager closed)
 *
 * Since: 1.0
 */
gboolean
fc_cluster_lock_guard_is_released (FcClusterLockGuard *self)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self), FALSE);

  return g_atomic_int_get (&self->released);
}

/**
 * fc_cluster_lock_guard_get_fencing_token:
 * @self: a #FcClusterLockGuard
 *
 * The guard's fencing token (see the section's introduction): for each of
 * its locks, strictly greater than the token of every earlier acquisition
 * of that lock in the cluster.
 *
 * Returns: the token, an etcd revision
 *
 * Since: 1.0
 */
guint64
fc_cluster_lock_guard_get_fencing_token (FcClusterLockGuard *self)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self), 0);

  return self->token;
}

/**
 * fc_cluster_lock_guard_is_lost:
 * @self: a #FcClusterLockGuard
 *
 * Whether the guard was lost (see #FcClusterLockGuard::lost).
 *
 * Returns: whether the lease behind the guard was lost while it held its
 *   locks
 *
 * Since: 1.0
 */
gboolean
fc_cluster_lock_guard_is_lost (FcClusterLockGuard *self)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self), FALSE);

  return g_atomic_int_get (&self->lost);
}

static void
guard_acquired_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  GTask *task = data;
  FcClusterClient *client = g_object_get_data (G_OBJECT (task), "fc-cluster-client");
  FcClusterLockGuard *parent = g_object_get_data (G_OBJECT (task), "fc-cluster-parent");
  GError *error = NULL;
  FcClusterAcquired *acquired = fc_cluster_client_acquire_finish (result, &error);

  if (acquired == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, fc_cluster_lock_guard_new (client, parent, acquired), g_object_unref);
  g_object_unref (task);
}

void
fc_cluster_lock_guard_acquire_for (FcClusterClient     *client,
                                   FcClusterLockGuard  *parent,
                                   GTask               *task,
                                   const char * const  *names,
                                   double               timeout)
{
  GError *error = NULL;

  /* Granted or cancelled is decided below, never by GTask: a guard
   * returned as the caller cancels is theirs to release. */
  g_task_set_check_cancellable (task, FALSE);
  if (!fc_timeout_validate (timeout, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (parent != NULL && fc_cluster_lock_guard_is_released (parent))
    {
      g_task_return_new_error (task, FC_ERROR, FC_ERROR_INVALID_ARGUMENT, "%s",
                               _("The guard was released"));
      g_object_unref (task);
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "fc-cluster-client", fc_cluster_client_ref (client),
                          (GDestroyNotify) fc_cluster_client_unref);
  if (parent != NULL)
    g_object_set_data_full (G_OBJECT (task), "fc-cluster-parent", g_object_ref (parent), g_object_unref);
  fc_cluster_client_acquire_async (client, NULL, parent != NULL ? parent->chain : NULL, names, timeout,
                                   g_task_get_cancellable (task), guard_acquired_cb, task);
}

/**
 * fc_cluster_lock_guard_acquire_async:
 * @self: a #FcClusterLockGuard, not released
 * @names: (array zero-terminated=1): lock names, in any order
 * @timeout: seconds for the whole call, 0 to try once, %FC_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the outcome
 * @user_data: data for @callback
 *
 * Takes more locks for the task @self stands for: names its chain holds
 * are re-entrant, new ones must be ordered above every lock the chain
 * holds. The child guard is released on its own.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_guard_acquire_async (FcClusterLockGuard  *self,
                                     const char * const  *names,
                                     double               timeout,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fc_cluster_lock_guard_acquire_async);
  g_task_set_name (task, "fc_cluster_lock_guard_acquire_async");
  fc_cluster_lock_guard_acquire_for (self->client, self, task, names, timeout);
}

/**
 * fc_cluster_lock_guard_acquire_finish:
 * @self: a #FcClusterLockGuard
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_cluster_lock_guard_acquire_async().
 *
 * Returns: (transfer full): the child guard, or %NULL with an error as
 *   fc_cluster_lock_manager_acquire_finish() gives, or
 *   %FC_ERROR_ORDER_VIOLATION
 *
 * Since: 1.0
 */
FcClusterLockGuard *
fc_cluster_lock_guard_acquire_finish (FcClusterLockGuard  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * fc_cluster_lock_guard_acquire_sync:
 * @self: a #FcClusterLockGuard, not released
 * @names: (array zero-terminated=1): lock names, in any order
 * @timeout: seconds for the whole call, 0 to try once, %FC_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * fc_cluster_lock_guard_acquire_async(), waiting for the outcome.
 *
 * Returns: (transfer full): the child guard, or %NULL with @error set
 *
 * Since: 1.0
 */
FcClusterLockGuard *
fc_cluster_lock_guard_acquire_sync (FcClusterLockGuard  *self,
                                    const char * const  *names,
                                    double               timeout,
                                    GCancellable        *cancellable,
                                    GError             **error)
{
  FcClusterSync sync;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_GUARD (self), NULL);

  fc_cluster_sync_begin (&sync);
  fc_cluster_lock_guard_acquire_async (self, names, timeout, cancellable, fc_cluster_sync_callback, &sync);
  result = fc_cluster_sync_end (&sync);
  return fc_cluster_lock_guard_acquire_finish (self, result, error);
}
