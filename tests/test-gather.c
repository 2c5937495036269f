/* test-gather.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE   /* RTLD_NEXT */

#include <dlfcn.h>
#include <math.h>

#include <foundation-concurrency.h>

#include "fc-test-util.h"

/* ---- one operation: a sleep that reports into a slot ---- */

typedef struct
{
  FcGather *gather;
  guint     slot;
  int       value;      /* reported on success */
  int       finished;   /* set once the sleep is over, before reporting */
  int       reported;   /* set once the slot is reported */
  GError   *error;      /* what the sleep itself ended with */
} SleepOp;

static void
sleep_op_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SleepOp *op = user_data;

  gboolean ok = fc_sleep_finish (result, &op->error);

  g_atomic_int_set (&op->finished, TRUE);
  if (ok)
    fc_test_return_int (op->gather, op->slot, op->value);
  else
    fc_gather_return_error (op->gather, op->slot, op->error);
  g_atomic_int_set (&op->reported, TRUE);
}

static void
sleep_op_start (SleepOp  *op,
                FcGather *gather,
                double    delay,
                int       value)
{
  op->gather = gather;
  op->slot = fc_gather_add (gather);
  op->value = value;
  fc_sleep_async (delay, fc_gather_get_cancellable (gather), sleep_op_cb, op);
}

static void
sleep_op_clear (SleepOp *op)
{
  g_clear_error (&op->error);
}

/* ---- one wait ---- */

typedef struct
{
  int        done;
  GPtrArray *outcomes;
  GError    *error;
  gboolean   group_cancelled;  /* as seen by the callback */
  SleepOp   *watched;          /* optional: was it over by then? */
  gboolean   watched_finished;
} WaitResult;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  WaitResult *w = user_data;
  FcGather *gather = FC_GATHER (source);

  w->outcomes = fc_gather_wait_finish (gather, result, &w->error);
  w->group_cancelled = g_cancellable_is_cancelled (fc_gather_get_cancellable (gather));
  if (w->watched != NULL)
    w->watched_finished = g_atomic_int_get (&w->watched->finished);
  g_atomic_int_set (&w->done, TRUE);
}

static void
wait_result_clear (WaitResult *w)
{
  g_clear_pointer (&w->outcomes, g_ptr_array_unref);
  g_clear_error (&w->error);
}

static void
test_gather_slot_order (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (FALSE);
  SleepOp ops[3] = { 0 };
  const double delays[] = { 0.06, 0.02, 0.04 };
  WaitResult w = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    sleep_op_start (&ops[i], gather, delays[i], (int) i * 10);
  g_assert_cmpuint (ops[2].slot, ==, 2);

  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, &w);
  fc_test_run_until (&w.done);

  g_assert_no_error (w.error);
  g_assert_cmpuint (w.outcomes->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      FcOutcome *outcome = g_ptr_array_index (w.outcomes, i);

      g_assert_null (fc_outcome_get_error (outcome));
      g_assert_cmpint (fc_test_outcome_int (outcome), ==, (int) i * 10);
    }
  g_assert_false (w.group_cancelled);

  wait_result_clear (&w);
}

typedef struct
{
  FcGather *gather;
  guint     slot;
} FailLater;

static gboolean
fail_later_cb (gpointer user_data)
{
  FailLater *f = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "boom");

  fc_gather_return_error (f->gather, f->slot, error);
  return G_SOURCE_REMOVE;
}

static void
test_gather_fail_fast (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (FALSE);
  SleepOp ops[2] = { 0 };
  FailLater fail = { gather, 0 };
  WaitResult w = { 0 };

  sleep_op_start (&ops[0], gather, 5.0, 0);
  fail.slot = fc_gather_add (gather);
  sleep_op_start (&ops[1], gather, 5.0, 2);
  g_timeout_add (10, fail_later_cb, &fail);

  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, &w);
  fc_test_run_until (&w.done);

  g_assert_null (w.outcomes);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (w.error->message, ==, "boom");
  g_assert_true (w.group_cancelled);

  /* The siblings stop: their sleeps end with CANCELLED. */
  fc_test_run_until (&ops[0].reported);
  fc_test_run_until (&ops[1].reported);
  g_assert_error (ops[0].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (ops[1].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  sleep_op_clear (&ops[0]);
  sleep_op_clear (&ops[1]);
  wait_result_clear (&w);
}

static void
test_gather_fail_fast_unreported (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (FALSE);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
  WaitResult w = { 0 };
  guint slot;

  /* The first error fails the wait even if other slots never report. */
  fc_gather_add (gather);
  slot = fc_gather_add (gather);
  fc_gather_return_error (gather, slot, error);

  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, &w);
  g_assert_false (w.done);
  fc_test_run_until (&w.done);

  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (w.group_cancelled);
  wait_result_clear (&w);
}

static void
test_gather_return_exceptions (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  SleepOp ops[2] = { 0 };
  FailLater fail = { gather, 0 };
  WaitResult w = { 0 };
  FcOutcome *outcome;

  g_assert_true (fc_gather_get_return_exceptions (gather));

  sleep_op_start (&ops[0], gather, 0.03, 7);
  fail.slot = fc_gather_add (gather);
  sleep_op_start (&ops[1], gather, 0.01, 9);
  g_timeout_add (1, fail_later_cb, &fail);

  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, &w);
  fc_test_run_until (&w.done);

  g_assert_no_error (w.error);
  g_assert_false (w.group_cancelled);
  g_assert_cmpuint (w.outcomes->len, ==, 3);
  g_assert_cmpint (fc_test_outcome_int (g_ptr_array_index (w.outcomes, 0)), ==, 7);
  outcome = g_ptr_array_index (w.outcomes, 1);
  g_assert_true (fc_outcome_is_error (outcome));
  g_assert_null (fc_outcome_get_value (outcome));
  g_assert_error (fc_outcome_get_error (outcome), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (fc_outcome_get_error (outcome)->message, ==, "boom");
  g_assert_cmpint (fc_test_outcome_int (g_ptr_array_index (w.outcomes, 2)), ==, 9);

  sleep_op_clear (&ops[0]);
  sleep_op_clear (&ops[1]);
  wait_result_clear (&w);
}

static void
test_gather_timeout (gconstpointer data)
{
  gboolean return_exceptions = GPOINTER_TO_INT (data);
  g_autoptr(FcGather) gather = fc_gather_new (return_exceptions);
  SleepOp op = { 0 };
  WaitResult w = { .watched = &op };
  gint64 start = g_get_monotonic_time ();

  sleep_op_start (&op, gather, 5.0, 1);
  fc_gather_wait_async (gather, 0.05, NULL, wait_cb, &w);
  fc_test_run_until (&w.done);

  g_assert_null (w.outcomes);
  g_assert_error (w.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_cmpstr (w.error->message, ==, "Operation timed out");
  g_assert_true (w.group_cancelled);
  /* The wait ended only after the sleep had reported its cancellation. */
  g_assert_true (w.watched_finished);
  g_assert_error (op.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 50 * G_TIME_SPAN_MILLISECOND);

  sleep_op_clear (&op);
  wait_result_clear (&w);
}

typedef struct
{
  FcGather *gather;
  guint     slot;
} SucceedLater;

static gboolean
succeed_later_cb (gpointer user_data)
{
  SucceedLater *s = user_data;

  fc_test_return_int (s->gather, s->slot, 5);
  return G_SOURCE_REMOVE;
}

static void
test_gather_timeout_but_succeeded (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (FALSE);
  SucceedLater s = { gather, fc_gather_add (gather) };
  WaitResult w = { 0 };

  /* An operation that ignores the cancellable and succeeds after the
   * timeout: success wins. */
  g_timeout_add (50, succeed_later_cb, &s);
  fc_gather_wait_async (gather, 0.001, NULL, wait_cb, &w);
  fc_test_run_until (&w.done);

  g_assert_no_error (w.error);
  g_assert_true (w.group_cancelled);
  g_assert_cmpuint (w.outcomes->len, ==, 1);
  g_assert_cmpint (fc_test_outcome_int (g_ptr_array_index (w.outcomes, 0)), ==, 5);
  wait_result_clear (&w);
}

static void
test_gather_invalid_timeout (void)
{
  const double timeouts[] = { -2.0, -0.5, NAN, INFINITY, -INFINITY };

  for (guint i = 0; i < G_N_ELEMENTS (timeouts); i++)
    {
      g_autoptr(FcGather) gather = fc_gather_new (FALSE);
      WaitResult w = { 0 };

      fc_gather_add (gather);
      fc_gather_wait_async (gather, timeouts[i], NULL, wait_cb, &w);
      g_assert_false (w.done);
      fc_test_run_until (&w.done);

      g_assert_error (w.error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (w.error->message, ==, "Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever");
      /* Nothing started: the group was not cancelled. */
      g_assert_false (w.group_cancelled);
      wait_result_clear (&w);
    }
}

static void
test_gather_no_slots (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  WaitResult w = { 0 };

  fc_gather_wait_async (gather, 1.0, NULL, wait_cb, &w);
  g_assert_false (w.done);
  fc_test_run_until (&w.done);

  g_assert_error (w.error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (w.error->message, ==, "At least one operation must be provided");
  wait_result_clear (&w);
}

static void
test_gather_already_reported (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (FALSE);
  WaitResult w = { 0 };
  FcOutcome *outcome;

  fc_test_return_int (gather, fc_gather_add (gather), 1);
  fc_gather_return_value (gather, fc_gather_add (gather), NULL);

  fc_gather_wait_async (gather, 0, NULL, wait_cb, &w);
  /* Completes on a later iteration, not synchronously. */
  g_assert_false (w.done);
  fc_test_run_until (&w.done);

  g_assert_no_error (w.error);
  g_assert_cmpuint (w.outcomes->len, ==, 2);
  g_assert_cmpint (fc_test_outcome_int (g_ptr_array_index (w.outcomes, 0)), ==, 1);
  /* A success without a value. */
  outcome = g_ptr_array_index (w.outcomes, 1);
  g_assert_false (fc_outcome_is_error (outcome));
  g_assert_null (fc_outcome_get_value (outcome));
  g_assert_null (fc_outcome_get_error (outcome));
  wait_result_clear (&w);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_gather_wait_cancelled (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SleepOp op = { 0 };
  WaitResult w = { 0 };

  sleep_op_start (&op, gather, 5.0, 1);
  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, cancellable, wait_cb, &w);
  g_timeout_add (10, cancel_cb, cancellable);
  fc_test_run_until (&w.done);

  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (w.group_cancelled);

  /* The operation stops too. */
  fc_test_run_until (&op.reported);
  g_assert_error (op.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  sleep_op_clear (&op);
  wait_result_clear (&w);
}

static void
test_gather_two_waits (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  SleepOp op = { 0 };
  WaitResult w1 = { 0 }, w2 = { 0 };

  sleep_op_start (&op, gather, 0.01, 3);
  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, &w1);
  fc_gather_wait_async (gather, 10.0, NULL, wait_cb, &w2);
  fc_test_run_until (&w1.done);
  fc_test_run_until (&w2.done);

  g_assert_no_error (w1.error);
  g_assert_no_error (w2.error);
  g_assert_cmpint (fc_test_outcome_int (g_ptr_array_index (w1.outcomes, 0)), ==, 3);
  g_assert_cmpint (fc_test_outcome_int (g_ptr_array_index (w2.outcomes, 0)), ==, 3);

  sleep_op_clear (&op);
  wait_result_clear (&w1);
  wait_result_clear (&w2);
}

static void
test_gather_report_twice (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcGather) gather = fc_gather_new (TRUE);
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "late");
      WaitResult w = { 0 };
      guint slot = fc_gather_add (gather);

      fc_test_return_int (gather, slot, 1);

      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL,
                             "*slot 0 was already reported*");
      fc_test_return_int (gather, slot, 2);
      g_test_assert_expected_messages ();

      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL,
                             "*slot 0 was already reported*");
      fc_gather_return_error (gather, slot, error);
      g_test_assert_expected_messages ();

      /* Nothing changed. */
      fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, &w);
      fc_test_run_until (&w.done);
      g_assert_no_error (w.error);
      g_assert_cmpint (fc_test_outcome_int (g_ptr_array_index (w.outcomes, 0)), ==, 1);
      wait_result_clear (&w);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_gather_out_of_range (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcGather) gather = fc_gather_new (TRUE);
      WaitResult w = { 0 };

      fc_gather_add (gather);

      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL,
                             "*slot 1 is out of range*");
      fc_test_return_int (gather, 1, 2);
      g_test_assert_expected_messages ();

      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL,
                             "*slot 4000000000 is out of range*");
      fc_gather_return_value (gather, 4000000000u, NULL);
      g_test_assert_expected_messages ();

      /* Nothing changed: slot 0 is still pending. */
      fc_test_return_int (gather, 0, 1);
      fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, &w);
      fc_test_run_until (&w.done);
      g_assert_cmpuint (w.outcomes->len, ==, 1);
      wait_result_clear (&w);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- reports from other threads ---- */

#define N_THREADS 4

typedef struct
{
  FcGather *gather;
  guint     slot;
  gboolean  fail;
} ThreadOp;

static gpointer
report_thread (gpointer data)
{
  ThreadOp *op = data;

  g_usleep (G_USEC_PER_SEC / 100 * (N_THREADS - op->slot));
  if (op->fail)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                             "thread %u failed", op->slot);
      fc_gather_return_error (op->gather, op->slot, error);
    }
  else
    {
      fc_test_return_int (op->gather, op->slot, (int) op->slot + 100);
    }
  return NULL;
}

static void
run_threads (gboolean    return_exceptions,
             int         failing_slot,
             WaitResult *w)
{
  g_autoptr(FcGather) gather = fc_gather_new (return_exceptions);
  ThreadOp ops[N_THREADS];
  GThread *threads[N_THREADS];

  *w = (WaitResult) { 0 };
  for (guint i = 0; i < N_THREADS; i++)
    {
      ops[i] = (ThreadOp) { gather, fc_gather_add (gather), (int) i == failing_slot };
      threads[i] = g_thread_new ("reporter", report_thread, &ops[i]);
    }

  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, w);
  fc_test_run_until (&w->done);

  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
}

static void
test_gather_threads (void)
{
  WaitResult w = { 0 };

  run_threads (TRUE, 2, &w);
  g_assert_no_error (w.error);
  g_assert_cmpuint (w.outcomes->len, ==, N_THREADS);
  for (guint i = 0; i < N_THREADS; i++)
    {
      FcOutcome *outcome = g_ptr_array_index (w.outcomes, i);

      if (i == 2)
        g_assert_error (fc_outcome_get_error (outcome), G_IO_ERROR, G_IO_ERROR_FAILED);
      else
        g_assert_cmpint (fc_test_outcome_int (outcome), ==, (int) i + 100);
    }
  wait_result_clear (&w);

  run_threads (FALSE, 1, &w);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (w.error->message, ==, "thread 1 failed");
  g_assert_true (w.group_cancelled);
  wait_result_clear (&w);
}

/* A wait completed by a report from another thread is finalized in the
 * wait's own context, not on the reporting thread: its last reference is
 * not the reporter's. (Otherwise the reporter frees what GTask allocated
 * while dispatching the callback, handed over only through GObject's
 * reference count, which ThreadSanitizer cannot see in an uninstrumented
 * GLib.) No public hook reaches the moment between the reporter's
 * g_task_return_pointer() and the reporter's last use of the task, so this
 * test interposes g_task_return_pointer() (the executable's definition
 * comes before GIO's): when it is called for a wait off the wait's thread,
 * it lets the wait's context dispatch the completion and drop every
 * reference but the caller's before it returns. */
static struct
{
  int      armed;
  GThread *context_thread;
  gpointer finalized_in;  /* atomic: the GThread that finalized the wait */
} completion;

void g_task_return_pointer (GTask          *task,
                            gpointer        result,
                            GDestroyNotify  result_destroy);

void
g_task_return_pointer (GTask          *task,
                       gpointer        result,
                       GDestroyNotify  result_destroy)
{
  static gpointer real;
  void (*real_return) (GTask *, gpointer, GDestroyNotify);

  if (g_atomic_pointer_get (&real) == NULL)
    g_atomic_pointer_set (&real, dlsym (RTLD_NEXT, "g_task_return_pointer"));
  real_return = (void (*) (GTask *, gpointer, GDestroyNotify)) g_atomic_pointer_get (&real);
  real_return (task, result, result_destroy);

  if (g_atomic_int_get (&completion.armed) &&
      g_task_get_source_tag (task) == fc_gather_wait_async &&
      g_thread_self () != completion.context_thread)
    {
      /* Up to 5 s for the wait's context to dispatch the completion. */
      for (int i = 0; i < 500 && g_atomic_int_get (&G_OBJECT (task)->ref_count) > 1; i++)
        g_usleep (10000);
    }
}

static void
wait_finalized_cb (gpointer  data,
                   GObject  *where_the_object_was)
{
  g_atomic_pointer_set (&completion.finalized_in, g_thread_self ());
}

static void
watched_wait_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_object_weak_ref (G_OBJECT (result), wait_finalized_cb, NULL);
  wait_cb (source, result, user_data);
}

static void
test_gather_completes_in_context (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  ThreadOp op = { gather, fc_gather_add (gather), FALSE };
  WaitResult w = { 0 };
  GThread *thread;

  completion.context_thread = g_thread_self ();
  g_atomic_int_set (&completion.armed, TRUE);

  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, watched_wait_cb, &w);
  thread = g_thread_new ("reporter", report_thread, &op);
  fc_test_run_until (&w.done);
  g_thread_join (thread);
  g_atomic_int_set (&completion.armed, FALSE);

  g_assert_no_error (w.error);
  g_assert_cmpint (fc_test_outcome_int (g_ptr_array_index (w.outcomes, 0)), ==, 100);
  wait_result_clear (&w);

  /* The completion may take one more iteration to let go of the wait. */
  for (int i = 0; i < 500 && g_atomic_pointer_get (&completion.finalized_in) == NULL; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
  g_assert_nonnull (g_atomic_pointer_get (&completion.finalized_in));
  g_assert_true (g_atomic_pointer_get (&completion.finalized_in) == (gpointer) g_thread_self ());
}

static void
test_outcome_boxed (void)
{
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  WaitResult w = { 0 };
  FcOutcome *copy;

  g_assert_true (G_TYPE_IS_BOXED (FC_TYPE_OUTCOME));

  fc_test_return_int (gather, fc_gather_add (gather), 8);
  fc_gather_wait_async (gather, FC_TIMEOUT_INFINITE, NULL, wait_cb, &w);
  fc_test_run_until (&w.done);

  copy = g_boxed_copy (FC_TYPE_OUTCOME, g_ptr_array_index (w.outcomes, 0));
  wait_result_clear (&w);
  g_assert_cmpint (fc_test_outcome_int (copy), ==, 8);
  g_boxed_free (FC_TYPE_OUTCOME, copy);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gather/slot-order", test_gather_slot_order);
  g_test_add_func ("/gather/fail-fast", test_gather_fail_fast);
  g_test_add_func ("/gather/fail-fast-unreported", test_gather_fail_fast_unreported);
  g_test_add_func ("/gather/return-exceptions", test_gather_return_exceptions);
  g_test_add_data_func ("/gather/timeout/fail-fast", GINT_TO_POINTER (FALSE), test_gather_timeout);
  g_test_add_data_func ("/gather/timeout/return-exceptions", GINT_TO_POINTER (TRUE), test_gather_timeout);
  g_test_add_func ("/gather/timeout-but-succeeded", test_gather_timeout_but_succeeded);
  g_test_add_func ("/gather/invalid-timeout", test_gather_invalid_timeout);
  g_test_add_func ("/gather/no-slots", test_gather_no_slots);
  g_test_add_func ("/gather/already-reported", test_gather_already_reported);
  g_test_add_func ("/gather/wait-cancelled", test_gather_wait_cancelled);
  g_test_add_func ("/gather/two-waits", test_gather_two_waits);
  g_test_add_func ("/gather/report-twice", test_gather_report_twice);
  g_test_add_func ("/gather/out-of-range", test_gather_out_of_range);
  g_test_add_func ("/gather/threads", test_gather_threads);
  g_test_add_func ("/gather/completes-in-context", test_gather_completes_in_context);
  g_test_add_func ("/gather/outcome-boxed", test_outcome_boxed);

  return g_test_run ();
}
