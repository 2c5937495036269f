/* fc-async-engine-watch-private.c — part of the async engine: what a
 * request that has waited FC_ASYNC_CHECK_DELAY_US looks for, once: a live
 * deadlock it may be part of, or a grant stuck in a main context nobody
 * iterates; what it finds is announced (log and signal), as by a thread
 * waiting for an FcLock (fc-lock-hold-private.c).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The checks are scheduled by the deadline source of the request's context
 * (fc-async-engine-deadlines-private.c), from when the request first
 * queues until it is decided: no thread polls, and no context gets a
 * source per waiter.
 */

#include "config.h"

#include "fc-async-engine-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-report-private.h"
#include "fc-waitfor-private.h"

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

void
fc_async_lock_manager_check (FcAsyncLockManager *self)
{
  g_autoptr(GPtrArray) reports = NULL;

  reports = fc_waitfor_find_deadlocks (&fc_async_lock_kind, self->registry);
  fc_async_state_find_undelivered (self->state, (double) FC_ASYNC_CHECK_DELAY_US / G_USEC_PER_SEC,
                                   TRUE, reports);
  for (guint i = 0; i < reports->len; i++)
    fc_report_publish_once (reports->pdata[i]);
}
