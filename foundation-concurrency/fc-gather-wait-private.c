/* fc-gather-wait-private.c — the waits of an FcGather
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-error.h"
#include "fc-gather-wait-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"

/* The task data of one wait. */
typedef struct
{
  FcGatherWaits *waits;      /* the source object's */
  FcTaskSources  sources;
  GSource       *completion; /* fired to complete the wait in its context */
  guint          slot;       /* the slot waited for, or FC_GATHER_EVERY_SLOT */
  gboolean       timed_out;  /* under the mutex */
  /* Set by whoever claims the wait (removes it from the queue). */
  GPtrArray     *result;
  GError        *error;
} FcGatherWaiter;

static void
fc_gather_waiter_free (FcGatherWaiter *waiter)
{
  fc_task_sources_clear (&waiter->sources);
  fc_clear_source (&waiter->completion);
  g_clear_pointer (&waiter->result, g_ptr_array_unref);
  g_clear_error (&waiter->error);
  g_free (waiter);
}

void
fc_gather_waits_init (FcGatherWaits *self)
{
  self->cancellable = g_cancellable_new ();
  g_mutex_init (&self->mutex);
  fc_gather_slots_init (&self->slots);
  g_queue_init (&self->waiters);
}

void
fc_gather_waits_clear (FcGatherWaits *self)
{
  g_assert (g_queue_is_empty (&self->waiters));

  g_clear_object (&self->cancellable);
  fc_gather_slots_clear (&self->slots);
  g_mutex_clear (&self->mutex);
}

guint
fc_gather_waits_count (FcGatherWaits *self)
{
  guint n;

  fc_mutex_lock (&self->mutex);
  n = fc_gather_slots_count (&self->slots);
  fc_mutex_unlock (&self->mutex);
  return n;
}

guint
fc_gather_waits_add (FcGatherWaits *self)
{
  guint slot;

  fc_mutex_lock (&self->mutex);
  slot = fc_gather_slots_add (&self->slots);
  fc_mutex_unlock (&self->mutex);
  return slot;
}

/* Decides whether @waiter can complete now and, if so, fills in its result
 * or error. */
static gboolean
fc_gather_settle_locked (FcGatherWaits  *self,
                         FcGatherWaiter *waiter)
{
  if (waiter->slot != FC_GATHER_EVERY_SLOT)
    {
      if (fc_gather_slots_get (&self->slots, waiter->slot) == NULL)
        return FALSE;
      waiter->result = fc_gather_slots_collect (&self->slots, waiter->slot, 1);
      return TRUE;
    }

  switch (fc_gather_slots_judge (&self->slots, self->fail_fast, waiter->timed_out))
    {
    case FC_GATHER_PENDING:
      return FALSE;

    case FC_GATHER_FAILED:
      waiter->error = g_error_copy (fc_outcome_get_error (self->slots.first_failure));
      return TRUE;

    case FC_GATHER_TIMED_OUT:
      waiter->error = g_error_new_literal (FC_ERROR, FC_ERROR_TIMEOUT,
                                           _("Operation timed out"));
      return TRUE;

    case FC_GATHER_COMPLETE:
    default:
      waiter->result = fc_gather_slots_collect (&self->slots, 0,
                                                fc_gather_slots_count (&self->slots));
      return TRUE;
    }
}

/* Moves the waits that can complete from the queue into @settled, with the
 * queue's references. */
static void
fc_gather_settle_waiters_locked (FcGatherWaits *self,
                                 GQueue        *settled)
{
  GList *l = self->waiters.head;

  while (l != NULL)
    {
      GList *next = l->next;
      GTask *task = l->data;

      if (fc_gather_settle_locked (self, g_task_get_task_data (task)))
        {
          g_queue_delete_link (&self->waiters, l);
          g_queue_push_tail (settled, task);
        }
      l = next;
    }
}

/* Returns the claimed @task's result or error, in the thread that owns the
 * task's context, without the mutex. */
static void
fc_gather_waiter_deliver (GTask *task)
{
  FcGatherWaiter *waiter = g_task_get_task_data (task);
  FcGatherWaits *self = waiter->waits;
  GPtrArray *result;
  GError *error;

  /* Filled in by the claimer, maybe on another thread: taken under the
   * mutex they were written under. */
  fc_mutex_lock (&self->mutex);
  result = g_steal_pointer (&waiter->result);
  error = g_steal_pointer (&waiter->error);
  fc_mutex_unlock (&self->mutex);

  fc_task_sources_clear (&waiter->sources);
  fc_clear_source (&waiter->completion);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
fc_gather_complete_cb (gpointer user_data)
{
  GTask *task = user_data;

  fc_gather_waiter_deliver (task);
  /* The claimer's reference. */
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Completes the claimed @task and drops the claimer's reference. Any
 * thread, without the mutex.
 *
 * Everything of the wait is let go of in the thread of its context. A
 * reporting thread that completed the task itself (g_task_return_*() then
 * g_object_unref()), or attached an idle source there and unreffed it,
 * could drop the last reference to the GTask or the GSource after the
 * context had dispatched it, and free on the reporting thread what GLib
 * allocated on the context's thread during the dispatch (the GSourceList
 * of the context, for one). Correct — the hand-off goes through GObject's
 * and GSource's atomic reference counts and the context's GMutex — but
 * invisible to ThreadSanitizer in an uninstrumented GLib: the report "as
 * if synchronized via sleep" in g_slice_free1() under the old
 * fc_gather_return_settled(). So the completion source is made and owned
 * by the wait, and another thread only fires it: g_source_set_ready_time()
 * touches nothing once it has woken the context up, and the claimer's
 * reference passes to fc_gather_complete_cb(). */
static void
fc_gather_waiter_complete (GTask *task)
{
  FcGatherWaiter *waiter = g_task_get_task_data (task);

  if (g_main_context_is_owner (g_task_get_context (task)))
    {
      fc_gather_waiter_deliver (task);
      g_object_unref (task);
      return;
    }

  /* The claim keeps the source alive: only the delivery, which this
   * triggers, destroys it. */
  g_source_set_ready_time (waiter->completion, 0);
}

/* Ready once its ready time is set, as g_source_set_ready_time() does for
 * any source. */
static gboolean
fc_gather_completion_dispatch (GSource     *source,
                               GSourceFunc  callback,
                               gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs fc_gather_completion_funcs = {
  .dispatch = fc_gather_completion_dispatch,
};

static void
fc_gather_complete_settled (GQueue *settled)
{
  GTask *task;

  while ((task = g_queue_pop_head (settled)) != NULL)
    fc_gather_waiter_complete (task);
}

FcGatherSlotReport
fc_gather_waits_report (FcGatherWaits *self,
                        guint          slot,
                        FcOutcome     *outcome,
                        guint         *n_slots)
{
  GQueue settled = G_QUEUE_INIT;
  FcGatherSlotReport report;

  fc_mutex_lock (&self->mutex);
  *n_slots = fc_gather_slots_count (&self->slots);
  report = fc_gather_slots_report (&self->slots, slot, outcome);
  if (report == FC_GATHER_SLOT_REPORTED || report == FC_GATHER_SLOT_FIRST_FAILURE)
    fc_gather_settle_waiters_locked (self, &settled);
  fc_mutex_unlock (&self->mutex);

  /* Before the waits complete, so that their callbacks see it cancelled. */
  if (report == FC_GATHER_SLOT_FIRST_FAILURE && self->fail_fast)
    g_cancellable_cancel (self->cancellable);

  fc_gather_complete_settled (&settled);
  return report;
}

static gboolean
fc_gather_wait_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  FcGatherWaiter *waiter = g_task_get_task_data (task);
  FcGatherWaits *self = waiter->waits;
  GQueue settled = G_QUEUE_INIT;
  gboolean pending;

  fc_mutex_lock (&self->mutex);
  pending = g_queue_find (&self->waiters, task) != NULL;
  if (pending)
    {
      waiter->timed_out = TRUE;
      fc_gather_settle_waiters_locked (self, &settled);
    }
  fc_mutex_unlock (&self->mutex);

  if (pending)
    g_cancellable_cancel (self->cancellable);
  fc_gather_complete_settled (&settled);

  return G_SOURCE_REMOVE;
}

static gboolean
fc_gather_wait_cancelled_cb (GCancellable *cancellable,
                             gpointer      user_data)
{
  GTask *task = user_data;
  FcGatherWaiter *waiter = g_task_get_task_data (task);
  FcGatherWaits *self = waiter->waits;
  gboolean claimed;

  fc_mutex_lock (&self->mutex);
  claimed = g_queue_remove (&self->waiters, task);
  if (claimed)
    g_cancellable_set_error_if_cancelled (cancellable, &waiter->error);
  fc_mutex_unlock (&self->mutex);

  if (!claimed)
    return G_SOURCE_REMOVE;

  g_cancellable_cancel (self->cancellable);
  /* In the wait's context: the claimer's reference is dropped here. */
  fc_gather_waiter_deliver (task);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

void
fc_gather_waits_start (FcGatherWaits *self,
                       GTask         *task,
                       guint          slot,
                       gint64         deadline)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  FcGatherWaiter *waiter;
  gboolean settled;

  waiter = g_new0 (FcGatherWaiter, 1);
  waiter->waits = self;
  waiter->slot = slot;
  g_task_set_task_data (task, waiter, (GDestroyNotify) fc_gather_waiter_free);
  /* Its callback data is the task without a reference: the waiter owns
   * the source, and the claimer's reference keeps the task alive until it
   * runs. */
  waiter->completion = g_source_new (&fc_gather_completion_funcs, sizeof (GSource));
  g_source_set_priority (waiter->completion, g_task_get_priority (task));
  g_source_set_name (waiter->completion, "[fc] fc_gather_waiter_complete");
  g_source_set_callback (waiter->completion, fc_gather_complete_cb, task, NULL);
  g_source_attach (waiter->completion, g_task_get_context (task));

  fc_mutex_lock (&self->mutex);

  settled = fc_gather_settle_locked (self, waiter);
  if (!settled)
    {
      /* Attached under the mutex, so that whoever claims the wait sees
       * its sources and can destroy them. */
      g_queue_push_tail (&self->waiters, task);
      if (deadline >= 0)
        waiter->sources.timer = fc_task_attach_source (task, fc_deadline_source_new (deadline),
                                                       fc_gather_wait_timeout_cb);
      if (cancellable != NULL)
        waiter->sources.cancel_source =
          fc_task_attach_source (task, g_cancellable_source_new (cancellable),
                                 (GSourceFunc) G_CALLBACK (fc_gather_wait_cancelled_cb));
    }

  fc_mutex_unlock (&self->mutex);

  /* Already over: completed on a later iteration of the task's context. */
  if (settled)
    fc_gather_waiter_complete (task);
}
