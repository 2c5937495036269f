/* fc-async-engine-watch-private.c — part of the async engine: a request
 * that has waited FC_ASYNC_CHECK_DELAY_MS looks, once, for a live deadlock
 * it may be part of and for grants stuck in a main context nobody
 * iterates, and announces what it finds (log and signal), as a thread
 * waiting for an FcLock does (fc-lock-hold-private.c).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each queued request has a timeout source of its own on its task's
 * context, attached when it first queues and destroyed when it is decided
 * (granted, cancelled or timed out): no thread polls. The source holds a
 * reference to the task, so a check that dispatches while another thread
 * decides the request still finds it; destroying it under the state mutex
 * never drops the task's last reference, since a decided request keeps
 * its pending reference until request_complete() runs, unlocked.
 */

#include "config.h"

#include "fc-async-engine-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-report-private.h"
#include "fc-waitfor-private.h"

/* As for threads (FC_DEADLOCK_CHECK_DELAY of fc-lock-hold-private.c). */
#define FC_ASYNC_CHECK_DELAY_MS 100

/* Whether nobody iterates @context now: it has no owner, or we would have
 * acquired it. A context whose owner is busy, or blocked, is running as
 * far as this says. Under the state mutex (which may take a context's
 * lock, fc-mutex-private.h). */
static gboolean
context_not_running_locked (GMainContext *context)
{
  if (g_main_context_is_owner (context) || !g_main_context_acquire (context))
    return FALSE;
  g_main_context_release (context);
  return TRUE;
}

void
fc_async_state_find_undelivered (FcAsyncState *state,
                                 double        threshold,
                                 gboolean      stuck_only,
                                 GPtrArray    *reports)
{
  gint64 now = g_get_monotonic_time ();

  fc_mutex_lock (&state->mutex);
  for (GList *l = state->undelivered.head; l != NULL; l = l->next)
    {
      FcAsyncRequest *req = l->data;
      double waited = (double) (now - req->granted_at) / G_USEC_PER_SEC;

      if (waited <= threshold)
        break;  /* oldest first */
      if (stuck_only && !context_not_running_locked (g_task_get_context (req->task)))
        continue;
      for (guint i = 0; i < req->guard->n_held; i++)
        {
          FcAsyncLock *lock = req->guard->locks[i];
          const char *label = fc_async_lock_guard_label_locked (req->guard);
          FcReport *report;

          if (stuck_only && lock->waiters.length == 0)
            continue;  /* nobody waits for it (yet) */
          report = fc_report_new (FC_REPORT_UNDELIVERED);
          fc_report_add (report, &lock->core, label);
          report->key = g_strdup_printf ("undelivered:%u:%s@%" G_GINT64_FORMAT, req->guard->id,
                                         fc_lock_core_display_name (&lock->core), req->granted_at);
          /* TRANSLATORS: the first %s is a lock name, the second the label
           * of the async guard it was handed to; %.1fs is a duration in
           * seconds, e.g. "31.2s" */
          report->message = g_strdup_printf (_("Lock '%s' was handed to %s, whose main context is not "
                                               "running: the grant has waited %.1fs to be dispatched"),
                                             fc_lock_core_display_name (&lock->core), label, waited);
          g_ptr_array_add (reports, report);
        }
    }
  fc_mutex_unlock (&state->mutex);
}

/* The request has waited FC_ASYNC_CHECK_DELAY_MS: if it still waits, looks
 * once for what may keep it waiting for ever, and announces it. */
static gboolean
request_check_cb (gpointer data)
{
  FcAsyncRequest *req = g_task_get_task_data (data);
  FcAsyncState *state = req->guard->state;
  g_autoptr(GPtrArray) reports = NULL;
  gboolean waiting;

  fc_mutex_lock (&state->mutex);
  waiting = !req->done;
  fc_mutex_unlock (&state->mutex);
  if (!waiting)
    return G_SOURCE_REMOVE;

  reports = fc_waitfor_find_deadlocks (&fc_async_lock_kind, req->guard->manager->registry);
  fc_async_state_find_undelivered (state, (double) FC_ASYNC_CHECK_DELAY_MS / 1000, TRUE, reports);
  for (guint i = 0; i < reports->len; i++)
    fc_report_publish_once (reports->pdata[i]);
  return G_SOURCE_REMOVE;
}

void
request_watch_locked (FcAsyncRequest *req)
{
  GSource *source;

  if (req->watch != NULL)
    return;  /* once per request, from when it first queued */

  source = g_timeout_source_new (FC_ASYNC_CHECK_DELAY_MS);
  g_source_set_static_name (source, "[foundation-concurrency] deadlock check");
  g_source_set_priority (source, g_task_get_priority (req->task));
  g_source_set_callback (source, request_check_cb, g_object_ref (req->task), g_object_unref);
  req->watch = source;
  /* Attaching takes the context's lock under ours, as for deadlines. */
  g_source_attach (source, g_task_get_context (req->task));
}

void
request_unwatch_locked (FcAsyncRequest *req)
{
  if (req->watch == NULL)
    return;

  /* Releases the task reference now, or once a running check returns;
   * never the last one (see the top of this file). */
  g_source_destroy (req->watch);
  g_clear_pointer (&req->watch, g_source_unref);
}
