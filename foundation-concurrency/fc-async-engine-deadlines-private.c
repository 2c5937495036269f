/* fc-async-engine-deadlines-private.c — part of the async engine: one
 * source per main context runs the deadlines of every request queued from
 * that context, from a binary min-heap.
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
  g_source_set_ready_time (&ds->source, ds->heap->len > 0 ? heap_deadline (ds->heap, 0) : -1);
}

void
deadline_source_remove_locked (FcAsyncRequest *req)
{
  FcDeadlineSource *ds = req->deadlines;
  GPtrArray *heap = ds->heap;
  guint i = req->heap_index;
  FcAsyncRequest *last = g_ptr_array_steal_index_fast (heap, heap->len - 1);

  if (last != req)
    {
      heap_set (heap, i, last);
      heap_sift (heap, i);
    }
  req->deadlines = NULL;
  if (i == 0)
    deadline_source_update_locked (ds);
}

static gboolean
deadline_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  FcDeadlineSource *ds = (FcDeadlineSource *) source;
  GMutex *mutex = fc_async_lock_manager_get_mutex (ds->manager);
  FcAsyncRequest *done = NULL;
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
  deadline_source_update_locked (ds);
  fc_mutex_unlock (mutex);

  requests_complete_later (done);
  return G_SOURCE_CONTINUE;
}

static void
deadline_source_finalize (GSource *source)
{
  g_ptr_array_unref (((FcDeadlineSource *) source)->heap);
}

static GSourceFuncs deadline_source_funcs = {
  .dispatch = deadline_source_dispatch,
  .finalize = deadline_source_finalize,
};

void
deadline_source_add_locked (FcAsyncLockManager *self,
                            FcAsyncRequest     *req)
{
  GMainContext *context = g_task_get_context (req->task);
  FcDeadlineSource *ds = g_hash_table_lookup (self->deadline_sources, context);

  /* A source found destroyed belonged to a finalized context whose address
   * was reused: it holds nothing and no context any more. */
  if (ds == NULL || g_source_is_destroyed (&ds->source))
    {
      ds = (FcDeadlineSource *) g_source_new (&deadline_source_funcs, sizeof (FcDeadlineSource));
      ds->manager = self;
      ds->heap = g_ptr_array_new ();
      g_source_set_static_name (&ds->source, "[foundation-concurrency] lock deadlines");
      /* Attaching takes the context's lock, never the other way round. */
      g_source_attach (&ds->source, context);
      g_hash_table_replace (self->deadline_sources, context, ds);
    }

  req->deadlines = ds;
  g_ptr_array_add (ds->heap, req);
  heap_sift (ds->heap, ds->heap->len - 1);
  if (req->heap_index == 0)
    deadline_source_update_locked (ds);
}
