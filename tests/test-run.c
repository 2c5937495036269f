/* test-run.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <foundation-concurrency.h>

#include "fc-test-util.h"

/* What the main function should do. */
typedef enum
{
  REPORT_VALUE_AFTER_SLEEP,
  REPORT_ERROR_AFTER_SLEEP,
  REPORT_VALUE_AT_ONCE,
  REPORT_FROM_THREAD,
  BLOCK_THEN_REPORT,
  ADD_SLOT_THEN_REPORT,
} Mode;

typedef struct
{
  Mode          mode;
  FcGather     *gather;
  guint         slot;
  GMainContext *context;  /* the thread-default context main_func saw */
  GThread      *thread;
} RunData;

static void
run_sleep_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RunData *data = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (fc_sleep_finish (result, &error));
  if (data->mode == REPORT_ERROR_AFTER_SLEEP)
    {
      g_autoptr(GError) failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                       "no such thing");
      fc_gather_return_error (data->gather, data->slot, failure);
    }
  else
    {
      fc_test_return_int (data->gather, data->slot, 42);
    }
}

static gpointer
run_report_thread (gpointer user_data)
{
  RunData *data = user_data;

  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  fc_test_return_int (data->gather, data->slot, 42);
  return NULL;
}

static gboolean
run_block_cb (gpointer user_data)
{
  RunData *data = user_data;

  g_usleep (150 * G_TIME_SPAN_MILLISECOND);
  fc_test_return_int (data->gather, data->slot, 42);
  return G_SOURCE_REMOVE;
}

static void
run_main (FcGather *gather,
          guint     slot,
          gpointer  user_data)
{
  RunData *data = user_data;
  GSource *source;

  data->gather = gather;
  data->slot = slot;
  data->context = g_main_context_get_thread_default ();

  switch (data->mode)
    {
    case REPORT_VALUE_AFTER_SLEEP:
    case REPORT_ERROR_AFTER_SLEEP:
      fc_sleep_async (0.01, fc_gather_get_cancellable (gather), run_sleep_cb, data);
      break;

    case REPORT_VALUE_AT_ONCE:
      fc_test_return_int (gather, slot, 42);
      break;

    case REPORT_FROM_THREAD:
      data->thread = g_thread_new ("reporter", run_report_thread, data);
      break;

    case BLOCK_THEN_REPORT:
      source = g_idle_source_new ();
      g_source_set_callback (source, run_block_cb, data, NULL);
      g_source_attach (source, data->context);
      g_source_unref (source);
      break;

    case ADD_SLOT_THEN_REPORT:
      /* A slot of the main function's own, never reported. */
      fc_gather_add (gather);
      fc_test_return_int (gather, slot, 42);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
assert_run_value (Mode       mode,
                  FcRunFlags flags)
{
  RunData data = { mode };
  g_autoptr(GError) error = NULL;
  GValue result = G_VALUE_INIT;
  GMainContext *outer = g_main_context_get_thread_default ();

  g_assert_true (fc_run (run_main, &data, flags, &result, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_INT (&result));
  g_assert_cmpint (g_value_get_int (&result), ==, 42);
  g_value_unset (&result);

  /* main_func ran on a fresh context, which is popped again. */
  g_assert_nonnull (data.context);
  g_assert_true (data.context != outer);
  g_assert_true (g_main_context_get_thread_default () == outer);
  g_clear_pointer (&data.thread, g_thread_join);
}

static void
test_run_value (void)
{
  assert_run_value (REPORT_VALUE_AFTER_SLEEP, FC_RUN_NONE);
  assert_run_value (REPORT_VALUE_AT_ONCE, FC_RUN_NONE);
  assert_run_value (REPORT_VALUE_AFTER_SLEEP, FC_RUN_DEBUG);
}

static void
test_run_error (void)
{
  RunData data = { REPORT_ERROR_AFTER_SLEEP };
  g_autoptr(GError) error = NULL;
  GValue result = G_VALUE_INIT;

  g_assert_false (fc_run (run_main, &data, FC_RUN_NONE, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no such thing");
  /* Untouched on error. */
  g_assert_false (G_IS_VALUE (&result));
}

static void
test_run_no_result (void)
{
  RunData data = { REPORT_VALUE_AT_ONCE };

  /* result and error are optional. */
  g_assert_true (fc_run (run_main, &data, FC_RUN_NONE, NULL, NULL));
}

static void
test_run_initialized_result (void)
{
  RunData data = { REPORT_VALUE_AT_ONCE };
  GValue result = G_VALUE_INIT;

  g_value_init (&result, G_TYPE_STRING);
  g_value_set_string (&result, "replaced");
  g_assert_true (fc_run (run_main, &data, FC_RUN_NONE, &result, NULL));
  g_assert_true (G_VALUE_HOLDS_INT (&result));
  g_assert_cmpint (g_value_get_int (&result), ==, 42);
  g_value_unset (&result);
}

static void
test_run_reported_from_thread (void)
{
  assert_run_value (REPORT_FROM_THREAD, FC_RUN_NONE);
}

static gpointer
run_in_thread (gpointer user_data)
{
  int *ok = user_data;
  RunData value_data = { REPORT_VALUE_AFTER_SLEEP };
  RunData error_data = { REPORT_ERROR_AFTER_SLEEP };
  g_autoptr(GError) error = NULL;
  GValue result = G_VALUE_INIT;

  if (fc_run (run_main, &value_data, FC_RUN_NONE, &result, NULL) &&
      g_value_get_int (&result) == 42 &&
      !fc_run (run_main, &error_data, FC_RUN_NONE, NULL, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    *ok = TRUE;
  g_value_unset (&result);
  return NULL;
}

static void
test_run_worker_thread (void)
{
  int ok = FALSE;

  g_thread_join (g_thread_new ("runner", run_in_thread, &ok));
  g_assert_true (ok);
}

typedef struct
{
  GMainLoop *loop;
  int        done;
  int        outer_ticks;
} Nested;

static gboolean
outer_tick_cb (gpointer user_data)
{
  Nested *n = user_data;

  n->outer_ticks++;
  return G_SOURCE_CONTINUE;
}

static gboolean
nested_cb (gpointer user_data)
{
  Nested *n = user_data;
  int ticks_before = n->outer_ticks;

  /* Inside a dispatch of the running outer loop. */
  assert_run_value (REPORT_VALUE_AFTER_SLEEP, FC_RUN_NONE);
  assert_run_value (REPORT_FROM_THREAD, FC_RUN_NONE);
  /* The outer loop did not run meanwhile. */
  g_assert_cmpint (n->outer_ticks, ==, ticks_before);

  n->done = TRUE;
  g_main_loop_quit (n->loop);
  return G_SOURCE_REMOVE;
}

static void
test_run_nested (void)
{
  Nested n = { 0 };
  guint tick_id, guard_id;

  n.loop = g_main_loop_new (NULL, FALSE);
  tick_id = g_timeout_add (1, outer_tick_cb, &n);
  guard_id = g_timeout_add_seconds (FC_TEST_GUARD_SECONDS, fc_test_guard_cb, NULL);
  g_timeout_add (5, nested_cb, &n);
  g_main_loop_run (n.loop);
  g_assert_true (n.done);
  g_source_remove (tick_id);
  g_source_remove (guard_id);
  g_main_loop_unref (n.loop);
}

static void
test_run_debug_slow_dispatch (void)
{
  RunData data = { BLOCK_THEN_REPORT };

  g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_WARNING,
                         "*dispatch took*");
  g_assert_true (fc_run (run_main, &data, FC_RUN_DEBUG, NULL, NULL));
  g_test_assert_expected_messages ();
}

static void
test_run_no_debug_no_warning (void)
{
  RunData data = { BLOCK_THEN_REPORT };

  /* A warning would be fatal here. */
  g_assert_true (fc_run (run_main, &data, FC_RUN_NONE, NULL, NULL));
}

/* Issue 16, finding 5: fc_run() waits for its own slot only, not for
 * slots the main function adds to the gather. */
static gpointer
run_own_slot_thread (gpointer user_data)
{
  int *done = user_data;
  RunData data = { ADD_SLOT_THEN_REPORT };
  GValue result = G_VALUE_INIT;
  gboolean ok;

  ok = fc_run (run_main, &data, FC_RUN_NONE, &result, NULL) &&
       G_VALUE_HOLDS_INT (&result) && g_value_get_int (&result) == 42;
  g_value_unset (&result);
  g_atomic_int_set (done, ok ? 1 : 2);
  return NULL;
}

static void
test_run_waits_for_own_slot (void)
{
  int done = 0;
  GThread *thread = g_thread_new ("runner", run_own_slot_thread, &done);

  /* Bounded: a run that waits for the extra slot never returns. (An
   * atomic rather than a GAsyncQueue, whose GMutex hand-off
   * ThreadSanitizer cannot see.) */
  for (int i = 0; i < 500 && g_atomic_int_get (&done) == 0; i++)
    g_usleep (10000);
  if (g_atomic_int_get (&done) == 0)
    g_error ("fc_run() did not return: it waits for a slot that is not its own");
  g_thread_join (thread);
  g_assert_cmpint (done, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/run/value", test_run_value);
  g_test_add_func ("/run/error", test_run_error);
  g_test_add_func ("/run/no-result", test_run_no_result);
  g_test_add_func ("/run/initialized-result", test_run_initialized_result);
  g_test_add_func ("/run/reported-from-thread", test_run_reported_from_thread);
  g_test_add_func ("/run/worker-thread", test_run_worker_thread);
  g_test_add_func ("/run/nested", test_run_nested);
  g_test_add_func ("/run/debug-slow-dispatch", test_run_debug_slow_dispatch);
  g_test_add_func ("/run/no-debug-no-warning", test_run_no_debug_no_warning);
  g_test_add_func ("/run/waits-for-own-slot", test_run_waits_for_own_slot);

  return g_test_run ();
}
