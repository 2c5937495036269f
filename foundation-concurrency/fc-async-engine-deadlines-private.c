/* fc-async-engine-deadlines-private.c — part of the async engine: one
 * source per main context runs the deadlines of every request queued from
 * that context, from a binary min-heap, and their deadlock checks, from a
 * queue.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-async-engine-private.h"
#include "fc-error.h"
#include "fc-mutex-private.h"
#include "fc-private.h"

/* Runs under the state mutex, as everything here but the dispatch: heap_*
 * only touch the heap they are given. */

static gint64
heap_deadline (GPtrArray *heap,
               guint      i)
{
  return ((FcAsyncRequest *) g_ptr_array_index (heap, i))->deadline;
}

static void
heap_set (GPtrArray      *heap,
          guint           i,
          FcAsyncRequest *req)
{
  g_ptr_array_index (heap, i) = req;
  req->heap_index = i;
}

static void
heap_sift (GPtrArray *heap,
           guint      i)
{
  FcAsyncRequest *req = g_ptr_array_index (heap, i);

  while (i > 0 && heap_deadline (heap, (i - 1) / 2) > req->deadline)
    {
      heap_set (heap, i, g_ptr_array_index (heap, (i - 1) / 2));
      i = (i - 1) / 2;
    }
  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && heap_deadline (heap, child + 1) < heap_deadline (heap, child))
        child++;
      if (heap_deadline (heap, child) >= req->deadline)
        break;
      heap_set (heap, i, g_ptr_array_index (heap, child));
      i = child;
    }
  heap_set (heap, i, req);
}

static void
deadline_source_update_locked (FcDeadlineSource *ds)
{
  gint64 ready = ds->heap->len > 0 ? heap_deadline (ds->heap, 0) : -1;

  if (ds->checks.head != NULL)
    {
      gint64 check_at = MAX (((FcAsyncRequest *) ds->checks.head->data)->check_at,
                             ds->checked_at + FC_ASYNC_CHECK_DELAY_US);

      ready = ready < 0 ? check_at : MIN (ready, check_at);
    }
  g_source_set_ready_time (&ds->source, ready);
}

/* A context's source lives only while it has a deadline to run: fc_run()
 * makes a context per call, and each would otherwise leave its source in
 * the table for the manager's lifetime. Destroying takes the context's
 * lock under ours, as attaching does (never the other way round: GLib
 * calls our dispatch and finalize without it). Dropping the table's
 * reference may finalize the source here, which only drops its state
 * reference: never the last one, since the request being decided holds
 * its guard, which holds the state. */
static void
deadline_source_prune_locked (FcDeadlineSource *ds)
{
  FcAsyncState *state = ds->state;
  GMainContext *context = ds->context;

  ds->pruned = TRUE;
  /* Destroying, and dropping what may be the last reference, frees the
   * context's list of sources of this priority if it empties, which
   * another thread may have allocated (see fc_tsan_ignore_begin()). Of our
   * code only deadline_source_finalize() may run in there, and it touches
   * the source's own fields, written under the state mutex we hold. */
  fc_tsan_ignore_begin ();
  g_source_destroy (&ds->source);
  fc_tsan_ignore_end ();
  if (g_hash_table_lookup (state->deadline_sources, context) == ds)
    {
      /* Our last touch: a dispatch running elsewhere may hold the last
       * reference and drop it under the context's futex mutex, which
       * ThreadSanitizer cannot see (see fc-mutex-private.h and
       * deadline_source_finalize()). */
      fc_tsan_release (ds);
      fc_tsan_ignore_begin ();
      g_hash_table_remove (state->deadline_sources, context);
      fc_tsan_ignore_end ();
    }
}

void
deadline_source_remove_locked (FcAsyncRequest *req)
{
  FcDeadlineSource *ds = req->source;
  GPtrArray *heap = ds->heap;
  guint i = req->heap_index;
  FcAsyncRequest *last = g_ptr_array_steal_index_fast (heap, heap->len - 1);

  if (last != req)
    {
      heap_set (heap, i, last);
      heap_sift (heap, i);
    }
  req->in_heap = FALSE;
  if (heap->len == 0 && ds->checks.length == 0)
    deadline_source_prune_locked (ds);
  else if (i == 0)
    deadline_source_update_locked (ds);
}

void
request_unwatch_locked (FcAsyncRequest *req)
{
  FcDeadlineSource *ds = req->source;
  gboolean first;

  if (!req->in_checks)
    return;

  first = ds->checks.head == &req->check_link;
  g_queue_unlink (&ds->checks, &req->check_link);
  req->in_checks = FALSE;
  if (ds->heap->len == 0 && ds->checks.length == 0)
    deadline_source_prune_locked (ds);
  else if (first)
    deadline_source_update_locked (ds);
}

static gboolean
deadline_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  FcDeadlineSource *ds = (FcDeadlineSource *) source;
  GMutex *mutex = &ds->state->mutex;
  FcAsyncRequest *done = NULL;
  FcAsyncLockManager *check = NULL;
  gint64 now = g_get_monotonic_time ();

  fc_mutex_lock (mutex);
  while (ds->heap->len > 0 && heap_deadline (ds->heap, 0) <= now)
    {
      FcAsyncRequest *req = g_ptr_array_index (ds->heap, 0);

      request_fail_locked (req,
                           g_error_new (FC_ERROR, FC_ERROR_TIMEOUT,
                                        _("Timeout acquiring lock '%s'"),
                                        req->waiting_on->core.name),
                           &done);
    }
  /* Requests still waiting since their check time: one check covers them
   * all (it looks at the whole manager); each is checked once. */
  while (ds->checks.head != NULL &&
         ((FcAsyncRequest *) ds->checks.head->data)->check_at <= now &&
         ds->checked_at + FC_ASYNC_CHECK_DELAY_US <= now)
    {
      FcAsyncRequest *req = ds->checks.head->data;

      if (check == NULL)
        check = g_object_ref (req->guard->manager);  /* not the last: req holds one */
      request_unwatch_locked (req);
    }
  if (check != NULL)
    ds->checked_at = now;
  if (!ds->pruned)
    deadline_source_update_locked (ds);
  fc_mutex_unlock (mutex);

  requests_complete_later (done);
  if (check != NULL)
    {
      fc_async_lock_manager_check (check);
      g_object_unref (check);
    }
  return G_SOURCE_CONTINUE;
}

static void
deadline_source_finalize (GSource *source)
{
  FcDeadlineSource *ds = (FcDeadlineSource *) source;

  fc_tsan_acquire (ds);
  g_ptr_array_unref (ds->heap);
  fc_async_state_unref (ds->state);
}

static GSourceFuncs deadline_source_funcs = {
  .dispatch = deadline_source_dispatch,
  .finalize = deadline_source_finalize,
};

/* The source of @req's context, made if need be. */
static FcDeadlineSource *
deadline_source_get_locked (FcAsyncLockManager *self,
                            FcAsyncRequest     *req)
{
  GMainContext *context = g_task_get_context (req->task);
  FcAsyncState *state = self->state;
  FcDeadlineSource *ds = g_hash_table_lookup (state->deadline_sources, context);

  /* A source is pruned when its last deadline goes, and a pending request's
   * task holds its context, so a source in the table is live. Should one
   * have been destroyed all the same, it holds nothing: replace it. */
  if (ds == NULL || g_source_is_destroyed (&ds->source))
    {
      ds = (FcDeadlineSource *) g_source_new (&deadline_source_funcs, sizeof (FcDeadlineSource));
      ds->state = fc_async_state_ref (state);
      ds->context = context;
      ds->heap = g_ptr_array_new ();
      g_source_set_static_name (&ds->source, "[foundation-concurrency] lock deadlines");
      /* Attaching takes the context's lock, never the other way round.
       * It may allocate the context's bookkeeping, which the context's
       * owner frees (see fc_tsan_ignore_begin()); none of our code runs
       * in g_source_attach(). The owner's dispatch reads the source's
       * fields under the state mutex. */
      fc_tsan_ignore_begin ();
      g_source_attach (&ds->source, context);
      fc_tsan_ignore_end ();
      g_hash_table_replace (state->deadline_sources, context, ds);
    }
  return ds;
}

void
deadline_source_add_locked (FcAsyncLockManager *self,
                            FcAsyncRequest     *req)
{
  FcDeadlineSource *ds = deadline_source_get_locked (self, req);

  /* A request joins the heap and the checks queue when it first queues
   * (request_enqueue_locked()), and never again once it has left either:
   * both are its context's one source, kept while it is in either. */
  req->source = ds;
  req->in_heap = TRUE;
  g_ptr_array_add (ds->heap, req);
  heap_sift (ds->heap, ds->heap->len - 1);
  if (req->heap_index == 0)
    deadline_source_update_locked (ds);
}

void
request_watch_locked (FcAsyncLockManager *self,
                      FcAsyncRequest     *req)
{
  FcDeadlineSource *ds;

  if (req->check_due)
    return;  /* once per request, from when it first queued */

  ds = deadline_source_get_locked (self, req);
  req->check_due = TRUE;
  req->check_at = req->queued_at + FC_ASYNC_CHECK_DELAY_US;
  req->source = ds;
  req->in_checks = TRUE;
  req->check_link.data = req;
  /* queued_at is read under the state mutex, so the queue stays ordered. */
  g_queue_push_tail_link (&ds->checks, &req->check_link);
  if (ds->checks.head == &req->check_link)
    deadline_source_update_locked (ds);
}
