/* fc-test-util.h — helpers shared by the C tests (header-only).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <foundation-concurrency.h>

/* No test waits longer than this for something that should happen. */
#define FC_TEST_GUARD_SECONDS 20

static gboolean
fc_test_guard_cb (gpointer user_data)
{
  g_error ("Test did not complete within %d s: a task never completed",
           FC_TEST_GUARD_SECONDS);
  return G_SOURCE_REMOVE;
}

/* Iterates the thread-default main context until *@done (read atomically)
 * becomes non-zero; fails the test instead of hanging. */
static inline void
fc_test_run_until (int *done)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  GSource *guard = g_timeout_source_new_seconds (FC_TEST_GUARD_SECONDS);

  g_source_set_callback (guard, fc_test_guard_cb, NULL, NULL);
  g_source_attach (guard, context);

  while (!g_atomic_int_get (done))
    g_main_context_iteration (context, TRUE);

  g_source_destroy (guard);
  g_source_unref (guard);
}

/* Whether @context has no source with a timeout or deadline left. */
static inline gboolean
fc_test_context_has_no_timeouts (GMainContext *context)
{
  GPollFD fds[16];
  int max_priority;
  int timeout;
  gboolean result;

  g_assert_true (g_main_context_acquire (context));
  g_main_context_prepare (context, &max_priority);
  g_main_context_query (context, G_MAXINT, &timeout, fds, G_N_ELEMENTS (fds));
  result = timeout == -1 && !g_main_context_pending (context);
  g_main_context_release (context);
  return result;
}

/* The GValue of an outcome, as an int. */
static inline int
fc_test_outcome_int (FcOutcome *outcome)
{
  const GValue *value = fc_outcome_get_value (outcome);

  g_assert_false (fc_outcome_is_error (outcome));
  g_assert_nonnull (value);
  g_assert_true (G_VALUE_HOLDS_INT (value));
  return g_value_get_int (value);
}

/* Reports @value (an int) into @slot. */
static inline void
fc_test_return_int (FcGather *gather,
                    guint     slot,
                    int       value)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_INT);
  g_value_set_int (&v, value);
  fc_gather_return_value (gather, slot, &v);
  g_value_unset (&v);
}

/* The one place the tests that only scope guards drop one (test-soak,
 * fuzz-api, test-bad-input): NULL-safe, clears @guard_ptr. Switch it to
 * fc_lock_guard_unref() once FcLockGuard is a boxed type. */
#define fc_test_guard_drop(guard_ptr) g_clear_pointer ((guard_ptr), g_object_unref)
