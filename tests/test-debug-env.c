/* test-debug-env.c — FC_DEBUG's `all` and `fatal`, and the managers'
 * log-reports property (issue 13, "Diagnostics in the log"). FC_DEBUG is
 * read once per process, so each value runs in a subprocess that sets it
 * before its first call into the library.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "async-test-util.h"
#include "diagnostics-test-util.h"

/* Teaches @manager's order graph a then b, then b then a: one cycle. */
static void
make_inversion (FcLockManager *manager)
{
  diag_run ("fwd", manager, "a", "b", NULL);
  diag_run ("back", manager, "b", "a", NULL);
}

static void
on_heard (GObject    *manager,
          const char *message,
          GVariant   *report,
          gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

/* Iterates the thread-default context until @heard holds a message. */
static void
wait_heard (GPtrArray *heard)
{
  while (heard->len == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* FC_DEBUG=all turns every aid on (watchdog, backtrace) and the order
 * graph stays on: an inversion is still reported. */
static void
test_all_keeps_lockdep (void)
{
  if (g_test_subprocess ())
    {
      const char *names[] = { "a", "b", NULL };
      g_autoptr(FcLockManager) manager = NULL;
      g_autoptr(GVariant) entry = NULL;
      g_auto(GStrv) lines = NULL;

      g_setenv ("FC_DEBUG", "all", TRUE);
      diag_init ();
      manager = diag_make_manager (names);
      make_inversion (manager);

      g_assert_cmpuint (diag_count_logged ("*lock order cycle*"), ==, 1);
      lines = fc_lock_manager_detect_potential_deadlocks (manager);
      g_assert_cmpuint (diag_count_matching (lines, "*lock order cycle*"), ==, 1);
      /* backtrace is on: the report keeps where each edge was made. */
      entry = diag_report_entry (manager, 0);
      g_assert_true (g_variant_lookup (entry, "stacks", "^a&s", NULL));
      /* watchdog is on. */
      g_assert_cmpfloat (fc_lock_manager_get_watchdog_interval (fc_lock_manager_get_default ()), ==, 5.0);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* nolockdep is still there by name, beside all. */
static void
test_all_nolockdep (void)
{
  if (g_test_subprocess ())
    {
      const char *names[] = { "a", "b", NULL };
      g_autoptr(FcLockManager) manager = NULL;
      g_auto(GStrv) lines = NULL;

      g_setenv ("FC_DEBUG", "all,nolockdep", TRUE);
      diag_init ();
      manager = diag_make_manager (names);
      make_inversion (manager);

      lines = fc_lock_manager_detect_potential_deadlocks (manager);
      g_assert_cmpuint (g_strv_length (lines), ==, 0);
      g_assert_cmpuint (diag_count_logged ("*"), ==, 0);
      g_assert_cmpfloat (fc_lock_manager_get_watchdog_interval (fc_lock_manager_get_default ()), ==, 5.0);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Runs an inversion with reports logged by GLib's default writer, not
 * made fatal by g_test_init(): only FC_DEBUG=fatal can stop the program. */
static void
run_logged_inversion (const char *fc_debug,
                      gboolean    log_reports)
{
  const char *names[] = { "a", "b", NULL };
  g_autoptr(FcLockManager) manager = NULL;

  if (fc_debug != NULL)
    g_setenv ("FC_DEBUG", fc_debug, TRUE);
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  manager = diag_make_manager (names);
  g_object_set (manager, "log-reports", log_reports, NULL);
  make_inversion (manager);
  g_printerr ("survived the report\n");
}

static void
test_fatal_aborts (void)
{
  if (g_test_subprocess ())
    {
      run_logged_inversion ("fatal", TRUE);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  /* Logged first, then aborted. */
  g_test_trap_assert_stderr ("*FoundationConcurrency-WARNING*lock order cycle a -> b -> a*");
  g_test_trap_assert_stderr_unmatched ("*survived the report*");
}

/* The control: the same without FC_DEBUG=fatal logs and goes on. */
static void
test_not_fatal_by_default (void)
{
  if (g_test_subprocess ())
    {
      run_logged_inversion (NULL, TRUE);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*WARNING*lock order cycle*survived the report*");
}

/* A silenced manager's report is not logged, so not fatal either. */
static void
test_fatal_spares_quiet_manager (void)
{
  if (g_test_subprocess ())
    {
      run_logged_inversion ("fatal", FALSE);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*lock order cycle*");
  g_test_trap_assert_stderr ("*survived the report*");
}

/* log-reports=FALSE: nothing logged, the signal still emitted and
 * detect_potential_deadlocks() still finds it; TRUE (the default) logs. */
static void
test_log_reports_sync (void)
{
  const char *names[] = { "a", "b", NULL };
  g_autoptr(FcLockManager) quiet = diag_make_manager (names);
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = NULL;
  gboolean logs = FALSE;
  guint logged = diag_count_logged ("*");
  guint notified = 0;

  g_object_get (quiet, "log-reports", &logs, NULL);
  g_assert_true (logs);
  g_signal_connect (quiet, "notify::log-reports", G_CALLBACK (diag_count_notify), &notified);
  g_object_set (quiet, "log-reports", FALSE, NULL);
  g_object_set (quiet, "log-reports", FALSE, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (quiet, "log-reports", &logs, NULL);
  g_assert_false (logs);

  g_signal_connect (quiet, "potential-deadlock", G_CALLBACK (on_heard), heard);
  make_inversion (quiet);
  wait_heard (heard);
  g_assert_cmpuint (heard->len, ==, 1);
  g_assert_true (g_pattern_match_simple ("Potential deadlock: lock order cycle a -> b -> a*", heard->pdata[0]));
  lines = fc_lock_manager_detect_potential_deadlocks (quiet);
  g_assert_cmpuint (diag_count_matching (lines, "*lock order cycle*"), ==, 1);
  g_assert_cmpuint (diag_count_logged ("*"), ==, logged);

  /* The same on a manager that logs: logged once. */
  {
    g_autoptr(FcLockManager) loud = diag_make_manager (names);

    make_inversion (loud);
    g_assert_cmpuint (diag_count_logged ("*lock order cycle*"), ==, logged + 1);
  }
}

/* The async manager shares the property: its watchdog's long-hold report
 * reaches the signal, not the log. */
static void
test_log_reports_async (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  const char *a[] = { "a", NULL };
  gboolean logs = FALSE;
  guint logged = diag_count_logged ("*");
  Outcome o = { 0, };

  g_object_get (manager, "log-reports", &logs, NULL);
  g_assert_true (logs);
  g_object_set (manager, "log-reports", FALSE, "hold-warning-threshold", 0.0, NULL);
  g_signal_connect (manager, "potential-deadlock", G_CALLBACK (on_heard), heard);

  acquire_wait (manager, NULL, a, 1.0, NULL, &o);
  g_assert_no_error (o.error);
  fc_async_lock_manager_set_watchdog_interval (manager, 0.01);
  wait_heard (heard);
  fc_async_lock_manager_set_watchdog_interval (manager, 0);
  g_assert_true (g_pattern_match_simple ("Lock 'a' held by*", heard->pdata[0]));
  g_assert_cmpuint (diag_count_logged ("*"), ==, logged);

  fc_async_lock_guard_release (o.guard);
  outcome_clear (&o);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/debug-env/all-keeps-lockdep", test_all_keeps_lockdep);
  g_test_add_func ("/debug-env/all-nolockdep", test_all_nolockdep);
  g_test_add_func ("/debug-env/fatal-aborts", test_fatal_aborts);
  g_test_add_func ("/debug-env/not-fatal-by-default", test_not_fatal_by_default);
  g_test_add_func ("/debug-env/fatal-spares-quiet-manager", test_fatal_spares_quiet_manager);
  g_test_add_func ("/debug-env/log-reports-sync", test_log_reports_sync);
  g_test_add_func ("/debug-env/log-reports-async", test_log_reports_async);

  /* The in-process tests record reports rather than let GTest abort on
   * their warning; the subprocesses set FC_DEBUG first, then their own. */
  if (!g_test_subprocess ())
    diag_init ();

  return g_test_run ();
}
