/* test-sleep.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include <foundation-concurrency.h>

#include "fc-test-util.h"

typedef struct
{
  int       done;
  gboolean  ok;
  GError   *error;
  GThread  *thread;
} SleepResult;

static void
sleep_result_clear (SleepResult *r)
{
  g_clear_error (&r->error);
}

static void
sleep_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  SleepResult *r = user_data;

  g_assert_null (source);
  r->ok = fc_sleep_finish (result, &r->error);
  r->thread = g_thread_self ();
  g_atomic_int_set (&r->done, TRUE);
}

static void
test_sleep_delay (void)
{
  SleepResult r = { 0 };
  gint64 start = g_get_monotonic_time ();

  fc_sleep_async (0.05, NULL, sleep_cb, &r);
  g_assert_false (r.done);
  fc_test_run_until (&r.done);

  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 50 * G_TIME_SPAN_MILLISECOND);
}

static void
test_sleep_zero (void)
{
  SleepResult r = { 0 };

  fc_sleep_async (0, NULL, sleep_cb, &r);
  /* Never synchronously. */
  g_assert_false (r.done);
  fc_test_run_until (&r.done);

  g_assert_no_error (r.error);
  g_assert_true (r.ok);
}

static void
test_sleep_invalid (void)
{
  const double delays[] = { -1.0, -0.001, NAN, INFINITY, -INFINITY };

  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      SleepResult r = { 0 };

      fc_sleep_async (delays[i], NULL, sleep_cb, &r);
      g_assert_false (r.done);
      fc_test_run_until (&r.done);

      g_assert_false (r.ok);
      g_assert_error (r.error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (r.error->message, ==, "Sleep delay must be non-negative");
      sleep_result_clear (&r);
    }
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
cancel_later (GMainContext *context,
              GCancellable *cancellable)
{
  g_autoptr(GSource) source = g_timeout_source_new (10);

  g_source_set_callback (source, cancel_cb, cancellable, NULL);
  g_source_attach (source, context);
}

static void
test_sleep_cancel (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SleepResult r = { 0 };

  g_main_context_push_thread_default (context);

  fc_sleep_async (5.0, cancellable, sleep_cb, &r);
  g_assert_false (fc_test_context_has_no_timeouts (context));
  cancel_later (context, cancellable);
  fc_test_run_until (&r.done);

  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The 5 s timer is gone. */
  g_assert_true (fc_test_context_has_no_timeouts (context));

  g_main_context_pop_thread_default (context);
  sleep_result_clear (&r);
}

static void
test_sleep_cancelled_before (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SleepResult r = { 0 };

  g_main_context_push_thread_default (context);

  g_cancellable_cancel (cancellable);
  fc_sleep_async (5.0, cancellable, sleep_cb, &r);
  g_assert_false (r.done);
  fc_test_run_until (&r.done);

  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (fc_test_context_has_no_timeouts (context));

  g_main_context_pop_thread_default (context);
  sleep_result_clear (&r);
}

static void
test_sleep_done_leaves_nothing (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SleepResult r = { 0 };

  g_main_context_push_thread_default (context);

  fc_sleep_async (0.01, cancellable, sleep_cb, &r);
  fc_test_run_until (&r.done);
  g_assert_no_error (r.error);
  g_assert_true (fc_test_context_has_no_timeouts (context));
  /* A late cancel changes nothing. */
  g_cancellable_cancel (cancellable);
  g_assert_true (fc_test_context_has_no_timeouts (context));

  g_main_context_pop_thread_default (context);
}

static gpointer
sleep_thread (gpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  SleepResult *r = data;

  g_main_context_push_thread_default (context);
  fc_sleep_async (0.01, NULL, sleep_cb, r);
  fc_test_run_until (&r->done);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
test_sleep_thread_default_context (void)
{
  SleepResult r = { 0 };
  GThread *thread = g_thread_new ("sleeper", sleep_thread, &r);

  g_thread_join (thread);
  g_assert_true (r.done);
  g_assert_true (r.ok);
  /* The callback ran in the caller's thread, through its context. */
  g_assert_true (r.thread == thread);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sleep/delay", test_sleep_delay);
  g_test_add_func ("/sleep/zero", test_sleep_zero);
  g_test_add_func ("/sleep/invalid", test_sleep_invalid);
  g_test_add_func ("/sleep/cancel", test_sleep_cancel);
  g_test_add_func ("/sleep/cancelled-before", test_sleep_cancelled_before);
  g_test_add_func ("/sleep/done-leaves-nothing", test_sleep_done_leaves_nothing);
  g_test_add_func ("/sleep/thread-default-context", test_sleep_thread_default_context);

  return g_test_run ();
}
