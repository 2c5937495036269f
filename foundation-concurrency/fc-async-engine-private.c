/* fc-async-engine-private.c — the queueing engine of FcAsyncLockManager:
 * requests, queues and hand-off, cancellation, release.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-async-engine-private.h"
#include "fc-error.h"
#include "fc-handoff-private.h"
#include "fc-lock-core-private.h"
#include "fc-lockdep-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"
#include "fc-waitfor-private.h"

GMutex *
fc_async_lock_manager_get_mutex (FcAsyncLockManager *self)
{
  return &self->state->mutex;
}

FcAsyncState *
fc_async_state_new (void)
{
  FcAsyncState *state = g_new0 (FcAsyncState, 1);

  g_atomic_ref_count_init (&state->ref_count);
  g_mutex_init (&state->mutex);
  state->deadline_sources = g_hash_table_new_full (NULL, NULL, NULL,
                                                   (GDestroyNotify) g_source_unref);
  return state;
}

FcAsyncState *
fc_async_state_ref (FcAsyncState *state)
{
  g_atomic_ref_count_inc (&state->ref_count);
  return state;
}

void
fc_async_state_unref (FcAsyncState *state)
{
  if (!g_atomic_ref_count_dec (&state->ref_count))
    return;

  /* Each deadline source refs us: none is left. */
  g_hash_table_unref (state->deadline_sources);
  g_mutex_clear (&state->mutex);
  g_free (state);
}

/* --- The queueing engine -------------------------------------------------
 *
 * Everything below named *_locked runs under the state mutex and never
 * calls out: requests whose outcome it decides are chained on a `done`
 * list, completed by the caller once it has unlocked. Nothing is unreffed
 * under the mutex either, since a finalizing guard takes it. */


static void
request_decide_locked (FcAsyncRequest  *req,
                       GError          *error,
                       FcAsyncRequest **done)
{
  FcAsyncLockGuard *guard = req->guard;

  req->done = TRUE;
  if (req->in_heap)
    deadline_source_remove_locked (req);
  request_unwatch_locked (req);
  if (req->pending_link.data != NULL)
    guard->parent->pending = g_list_remove_link (guard->parent->pending, &req->pending_link);

  /* What only a waiting request needs is given up above: from here on its
   * room holds the outcome (FcAsyncRequest's union). */
  req->error = error;
  req->next_done = *done;
  *done = req;

  /* Until its completion runs in its context, which may not be iterated. */
  if (error == NULL)
    {
      req->granted_at = g_get_monotonic_time ();
      req->undelivered_link = (GList) { req, NULL, NULL };
      req->undelivered = TRUE;
      g_queue_push_tail_link (&guard->state->undelivered, &req->undelivered_link);
    }

  /* A child is live, and released with its parent, from its success on. */
  if (error == NULL && guard->parent != NULL && !guard->parent->released)
    {
      guard->sibling.data = guard;
      guard->parent->children = g_list_concat (&guard->sibling, guard->parent->children);
    }
}

static void
request_enqueue_locked (FcAsyncLockManager *self,
                        FcAsyncRequest     *req,
                        FcAsyncLock        *lock)
{
  req->waiting_on = lock;
  req->queued = TRUE;
  req->queued_at = g_get_monotonic_time ();
  g_queue_push_tail_link (&lock->waiters, &req->link);

  if (req->deadline >= 0 && !req->in_heap)
    deadline_source_add_locked (self, req);
  request_watch_locked (self, req);
}

/* How many of the locks a chain holds take part in order learning. */
#define FC_LOCKDEP_MAX_HELD 16

/* Learns the order edges from what @guard's chain holds to @lock. */
static void
chain_note_order_locked (FcAsyncLockGuard *guard,
                         FcAsyncLock      *lock)
{
  FcLockCore *held[FC_LOCKDEP_MAX_HELD];
  guint n = 0;
  guint n_chain = 0;

  /* The most recent first: the guard's own locks, last taken first, then
   * its ancestors', innermost first. */
  for (FcAsyncLockGuard *g = guard; g != NULL; g = g->parent)
    for (guint i = g->n_held; !g->released && i > 0; i--, n_chain++)
      if (n < FC_LOCKDEP_MAX_HELD)
        held[n++] = &g->locks[i - 1]->core;
  if (n == 0)
    return;  /* nothing to learn; and no label to make */

  /* Issue 12: a limit hit is said, never silent (fc-lockdep-private.h). */
  if (G_UNLIKELY (n_chain > n))
    fc_lockdep_note_held_limit (&lock->core, n_chain, n, TRUE);

  /* Reports wait for fc_lockdep_flush(), once the state mutex is released. */
  fc_lockdep_note_acquire (&guard->state->lockdep, &lock->core, held, n,
                           fc_async_lock_guard_label_locked (guard), TRUE);
}

/* @learn: the acquisition could wait (not a try), so it teaches the order. */
static void
lock_grant_locked (FcAsyncLock      *lock,
                   FcAsyncLockGuard *guard,
                   gboolean          learn)
{
  g_assert (guard->locks[guard->n_held] == lock);

  if (learn)
    chain_note_order_locked (guard, lock);
  /* From its first grant on, the lock can have a holder and waiters: its
   * getters need the state's mutex, even once the manager is gone. */
  if (G_UNLIKELY (lock->state == NULL))
    g_atomic_pointer_set (&lock->state, fc_async_state_ref (guard->state));
  lock->holder = guard;
  lock->acquired_at = fc_coarse_monotonic_time ();
  lock->acquisitions++;
  guard->n_held++;
}

/* Takes the request's next locks in order, while they are free and nobody
 * queues for them; queues on the first one it cannot get. Never releases
 * anything unless the request only tries once, and then only its own locks
 * to requests that are already queued: the hand-off chain stops there. */
static void
request_advance_locked (FcAsyncRequest  *req,
                        FcAsyncRequest **done)
{
  FcAsyncLockGuard *guard = req->guard;

  while (guard->n_held < guard->n_locks)
    {
      FcAsyncLock *lock = guard->locks[guard->n_held];

      if (lock->holder != NULL || lock->waiters.length > 0)
        {
          if (req->try_once)
            {
              req->waiting_on = lock;  /* for the explanation */
              request_fail_locked (req,
                                 g_error_new (FC_ERROR, FC_ERROR_TIMEOUT,
                                              _("Timeout acquiring lock '%s'"),
                                              lock->core.name),
                                 done);
            }
          else
            {
              /* The order is learned when the request starts to wait, not
               * when it is granted: a wait that times out or is cancelled
               * still teaches it (issue 12, finding 3), as for threads. */
              chain_note_order_locked (guard, lock);
              request_enqueue_locked (guard->manager, req, lock);
            }
          return;
        }

      lock_grant_locked (lock, guard, !req->try_once);
    }

  request_decide_locked (req, NULL, done);
}

/* Frees @lock, or hands it straight to the head of its queue. */
static void
lock_release_locked (FcAsyncLock     *lock,
                     FcAsyncRequest **done)
{
  GList *link = g_queue_pop_head_link (&lock->waiters);
  FcAsyncRequest *next;

  fc_lock_stats_held (&lock->core, fc_coarse_monotonic_time () - lock->acquired_at);
  if (link == NULL)
    {
      lock->holder = NULL;
      lock->acquired_at = 0;
      return;
    }

  next = link->data;
  next->queued = FALSE;
  fc_lock_stats_waited (&lock->core, g_get_monotonic_time () - next->queued_at);
  lock_grant_locked (lock, next->guard, FALSE);   /* learned when it queued */
  request_advance_locked (next, done);
}

static void
guard_release_locked (FcAsyncLockGuard  *guard,
                      FcAsyncRequest   **done)
{
  GList *child;

  /* Pending children fail first: what they skipped was decided against
   * locks this guard is about to give up, so a later grant would not
   * exclude their next holder. Each rolls back what it took and unlinks
   * itself. (A guard with pending children is never finalized: each
   * refs it.) */
  while ((child = guard->pending) != NULL)
    request_fail_locked (child->data,
                         g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              _("The parent guard was released")),
                         done);

  /* Live children next, newest first; each unlinks itself. */
  while ((child = guard->children) != NULL)
    guard_release_locked (child->data, done);

  guard->released = TRUE;
  for (guint i = guard->n_held; i > 0; i--)
    lock_release_locked (guard->locks[i - 1], done);

  if (guard->sibling.data != NULL)
    {
      guard->parent->children = g_list_remove_link (guard->parent->children, &guard->sibling);
      guard->sibling.data = NULL;
    }
}

/* Gives up: leaves the queue, rolls back what was taken, reports @error. */
void
request_fail_locked (FcAsyncRequest  *req,
                     GError          *error,
                     FcAsyncRequest **done)
{
  if (req->queued)
    {
      fc_lock_stats_waited (&req->waiting_on->core, g_get_monotonic_time () - req->queued_at);
      g_queue_unlink (&req->waiting_on->waiters, &req->link);
      req->queued = FALSE;
    }

  /* What is rolled back was never acquired, as far as statistics go. */
  for (guint i = 0; i < req->guard->n_held; i++)
    req->guard->locks[i]->acquisitions--;
  guard_release_locked (req->guard, done);
  request_decide_locked (req, error, done);
}

static void
guard_result_free (gpointer data)
{
  FcAsyncLockGuard *guard = data;

  /* A result nobody finished: release quietly, nobody could have. */
  fc_async_lock_guard_release_internal (guard, FALSE);
  g_object_unref (guard);
}

/* Returns the decided outcome through the task, outside the state mutex,
 * and drops the reference that kept the task alive while it was pending. */
static void
request_complete (FcAsyncRequest *req)
{
  GTask *task = req->task;
  FcAsyncLockManager *manager = req->guard->manager;
  GMutex *mutex = fc_async_lock_manager_get_mutex (manager);
  FcAsyncLock *timed_out_on;
  gulong cancelled_id;
  GError *error;

  fc_mutex_lock (mutex);
  g_assert (req->done);
  if (req->undelivered)
    {
      g_queue_unlink (&req->guard->state->undelivered, &req->undelivered_link);
      req->undelivered = FALSE;
    }
  cancelled_id = req->cancelled_id;
  req->cancelled_id = 0;
  error = g_steal_pointer (&req->error);
  timed_out_on = req->waiting_on;
  fc_mutex_unlock (mutex);

  /* Explain the timeout: which guard holds the lock, and what it waits for. */
  if (timed_out_on != NULL && g_error_matches (error, FC_ERROR, FC_ERROR_TIMEOUT))
    {
      g_clear_error (&error);
      fc_set_timeout_error (&error, &fc_async_lock_kind, manager->registry, timed_out_on,
                            req->guard);
    }

  if (cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), cancelled_id);
      fc_tsan_acquire (req);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (req->guard), guard_result_free);

  g_object_unref (task);
}

static gboolean
request_complete_idle_cb (gpointer data)
{
  FcAsyncRequest *req = g_task_get_task_data (data);

  fc_tsan_acquire (req);
  request_complete (req);
  return G_SOURCE_REMOVE;
}

/* Completes every request of @done in its task's context, from a fresh
 * dispatch: a release never runs a waiter's callback inside itself, so a
 * chain of callbacks that release does not grow the stack. */
void
requests_complete_later (FcAsyncRequest *done)
{
  FcAsyncRequest *in_order = NULL;

  /* Order cycles learned by the grants that led here. */
  fc_lockdep_flush ();

  /* The list is newest first; complete in the order of the decisions. */
  while (done != NULL)
    {
      FcAsyncRequest *next = done->next_done;

      done->next_done = in_order;
      in_order = done;
      done = next;
    }
  done = in_order;

  while (done != NULL)
    {
      FcAsyncRequest *next = done->next_done;
      GTask *task = done->task;
      GMainContext *context = g_task_get_context (task);
      GSource *idle = fc_handoff_source_new (request_complete_idle_cb, task, NULL);

      g_source_set_static_name (idle, "[foundation-concurrency] lock granted");
      g_source_set_priority (idle, g_task_get_priority (task));
      /* Attaching hands the request over under the context's futex mutex,
       * which ThreadSanitizer cannot see; say so (see fc-mutex-private.h).
       * Nothing of the request is touched after this; nor is the source,
       * whose last reference is the context's (see fc_handoff_source_new()):
       * if this thread dropped it, GLib would free there what the owner of
       * the context allocated (its per-priority source list, 24 bytes). */
      fc_tsan_release (done);
      fc_handoff_source_attach (idle, context);
      done = next;
    }
}

static void
request_cancelled_cb (GCancellable *cancellable,
                      gpointer      data)
{
  FcAsyncRequest *req = g_task_get_task_data (data);
  GMutex *mutex;
  FcAsyncRequest *done = NULL;

  /* Made before g_cancellable_connect() (see its release there). */
  fc_tsan_acquire (req);
  mutex = fc_async_lock_manager_get_mutex (req->guard->manager);
  fc_mutex_lock (mutex);
  if (!req->started)
    req->cancel_requested = TRUE;  /* acquire_internal() acts on it */
  else if (!req->done)
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (cancellable, &error);
      request_fail_locked (req, error, &done);
    }
  fc_mutex_unlock (mutex);
  /* Our last touch of the request: g_cancellable_disconnect() in
   * request_complete() waits for this handler under GCancellable's futex
   * mutex, which ThreadSanitizer cannot see. */
  fc_tsan_release (req);

  /* Never complete from the handler itself: it could not disconnect. */
  requests_complete_later (done);
}

static void
request_free (gpointer data)
{
  FcAsyncRequest *req = data;

  if (req->done)   /* else the room holds the waiting request's links */
    g_clear_error (&req->error);
  g_clear_object (&req->guard);
  g_free (req);
}

/* Guards whose locks are held by the chain of @guard and its ancestors. */
static gboolean
held_by_chain_locked (gpointer lock,
               gpointer guard)
{
  FcAsyncLockGuard *holder = ((FcAsyncLock *) lock)->holder;

  for (FcAsyncLockGuard *g = guard; g != NULL; g = g->parent)
    if (!g->released && holder == g)
      return TRUE;
  return FALSE;
}

/* The order rule for a child of @parent (NULL for a top-level request),
 * then what is left to take once the chain's locks are skipped. */
static gboolean
request_prepare_locked (FcAsyncLockManager  *self,
                        FcAsyncRequest      *req,
                        FcAsyncLockGuard    *parent,
                        FcLockVec           *locks,
                        GError             **error)
{
  FcAsyncLockGuard *guard = req->guard;
  gboolean holds_any = FALSE;
  int max_held = G_MININT;

  /* A released guard has no lock to lend: a child of it would fail as
   * soon as it was pending (see guard_release_locked()). */
  if (parent != NULL && parent->released)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The parent guard was released"));
      return FALSE;
    }

  for (FcAsyncLockGuard *g = parent; g != NULL; g = g->parent)
    {
      if (g->released)
        continue;
      for (guint i = 0; i < g->n_held; i++)
        {
          holds_any = TRUE;
          max_held = MAX (max_held, g->locks[i]->core.order);
        }
    }

  if (!fc_registry_check_order (self->registry, locks, held_by_chain_locked, parent,
                                holds_any, max_held, error))
    return FALSE;

  if (parent != NULL)
    guard->label = g_strdup (fc_async_lock_guard_label_locked (parent));

  if (locks->len > FC_ASYNC_GUARD_INLINE)
    guard->locks = g_new (FcAsyncLock *, locks->len);
  for (guint i = 0; i < locks->len; i++)
    if (!holds_any || !held_by_chain_locked (locks->items[i], parent))
      guard->locks[guard->n_locks++] = locks->items[i];

  /* Until it is decided, the parent's release fails it. */
  if (parent != NULL)
    {
      req->pending_link.data = req;
      parent->pending = g_list_concat (&req->pending_link, parent->pending);
    }

  return TRUE;
}

void
fc_async_lock_manager_acquire_internal (FcAsyncLockManager  *self,
                                        FcAsyncLockGuard    *parent,
                                        gpointer             source_tag,
                                        const char * const  *names,
                                        double               timeout,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GMutex *mutex = fc_async_lock_manager_get_mutex (self);
  FcAsyncRequest *req;
  FcAsyncRequest *done = NULL;
  GError *error = NULL;
  gulong cancelled_id = 0;
  gint64 deadline;
  FcLockVec locks;

  task = g_task_new (parent != NULL ? (gpointer) parent : (gpointer) self,
                     cancellable, callback, user_data);
  /* The function, not GLib's macro of the same name, and no
   * g_task_set_name(): GLib 2.74 copies a name, 32 to 48 bytes more for
   * every waiter that queues (and a formatted source name at every
   * completion), and the macro names the task after our variable
   * ("source_tag"). The source tag says which call it is. */
  (g_task_set_source_tag) (task, source_tag);
  /* We decide between a grant and a cancellation ourselves, under the
   * state mutex: a granted guard must reach the caller. */
  g_task_set_check_cancellable (task, FALSE);

  if (!fc_timeout_to_deadline (timeout, &deadline, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  fc_lock_vec_init (&locks);
  if (!fc_registry_resolve (self->registry, names, &locks, &error))
    {
      fc_lock_vec_clear (&locks);
      g_task_return_error (task, error);
      return;
    }

  req = g_new0 (FcAsyncRequest, 1);
  req->task = task;
  req->guard = fc_async_lock_guard_new_internal (self, parent);
  req->link.data = req;
  req->deadline = deadline;
  req->try_once = timeout == 0;
  g_task_set_task_data (task, req, request_free);

  if (cancellable != NULL)
    {
      /* The handler may run at once on another thread, and reads the
       * request before it takes the state mutex: it was written above,
       * without it. GSignal adds the handler under its global mutex and
       * g_cancellable_cancel() finds it under the same one, a raw futex
       * ThreadSanitizer cannot see; say so (request_cancelled_cb()
       * acquires). Connecting to a cancelled cancellable runs the handler
       * here, in order anyway. */
      fc_tsan_release (req);
      cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (request_cancelled_cb),
                                            g_object_ref (task), g_object_unref);
    }

  /* This reference keeps the task alive while it is pending; whoever
   * completes the request drops it. */
  g_object_ref (task);

  fc_mutex_lock (mutex);
  req->cancelled_id = cancelled_id;
  req->started = TRUE;
  if (!request_prepare_locked (self, req, parent, &locks, &error))
    request_fail_locked (req, error, &done);
  else if (req->cancel_requested)
    {
      g_cancellable_set_error_if_cancelled (cancellable, &error);
      request_fail_locked (req, error, &done);
    }
  else
    request_advance_locked (req, &done);
  fc_mutex_unlock (mutex);
  fc_lockdep_flush ();

  fc_lock_vec_clear (&locks);

  /* Our own request, if decided already, heads the list: it is completed
   * directly (GTask defers the callback to a later iteration); whatever its
   * rollback handed on is completed in its own context. */
  if (done != NULL)
    {
      g_assert (done == req);
      requests_complete_later (done->next_done);
      request_complete (req);
    }
}

FcAsyncLockGuard *
fc_async_lock_manager_finish_internal (gpointer       source_object,
                                       gpointer       source_tag,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source_object), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
fc_async_lock_guard_release_internal (FcAsyncLockGuard *guard,
                                      gboolean          warn)
{
  GMutex *mutex = fc_async_lock_manager_get_mutex (guard->manager);
  FcAsyncRequest *done = NULL;
  gboolean was_released;

  fc_mutex_lock (mutex);
  was_released = guard->released;
  if (!was_released)
    guard_release_locked (guard, &done);
  if (!was_released && warn)
    fc_async_lock_guard_label_locked (guard);
  fc_mutex_unlock (mutex);

  /* g_log() rather than g_warning(): under G_LOG_USE_STRUCTURED the latter
   * bypasses g_test_expect_message() in GLib 2.74. */
  if (!was_released && warn)
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
           "Async lock guard '%s' was finalized without being released; releasing it",
           guard->label);

  requests_complete_later (done);
}
