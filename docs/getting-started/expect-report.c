/* expect-report.c — how a GTest program expects a report, as the manual's
 * diagnostics chapter shows it (it includes this file).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Build it with:
 *   cc expect-report.c $(pkg-config --cflags --libs foundation-concurrency-1)
 */

#include <foundation-concurrency.h>

/* Takes @first, then @second: teaches the manager that order. */
static void
take_in_order (FcLockManager *manager,
               const char    *first,
               const char    *second)
{
  FcLock *outer = fc_lock_manager_get_lock (manager, first, NULL);
  FcLock *inner = fc_lock_manager_get_lock (manager, second, NULL);

  fc_lock_lock (outer, FC_TIMEOUT_INFINITE, NULL);
  fc_lock_lock (inner, FC_TIMEOUT_INFINITE, NULL);
  fc_lock_unlock (inner);
  fc_lock_unlock (outer);
}

static FcLockManager *
make_manager (gboolean log_reports)
{
  FcLockManager *manager = g_object_new (FC_TYPE_LOCK_MANAGER,
                                         "log-reports", log_reports,
                                         NULL);

  fc_lock_manager_register_lock (manager, "accounts", 300, NULL, NULL, NULL);
  fc_lock_manager_register_lock (manager, "ledger", 310, NULL, NULL, NULL);
  return manager;
}

static void
on_potential_deadlock (FcLockManager *manager,
                       const char    *message,
                       GVariant      *report,
                       gpointer       user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

/* In the test's process: the manager's log off, its signal listened to. */
static void
test_report_signalled (void)
{
  g_autoptr(FcLockManager) manager = make_manager (FALSE);
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (manager, "potential-deadlock",
                    G_CALLBACK (on_potential_deadlock), reports);
  take_in_order (manager, "accounts", "ledger");
  take_in_order (manager, "ledger", "accounts");   /* the inversion */

  /* The signal is emitted in this thread's main context. */
  while (reports->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (reports->len, ==, 1);
  g_assert_true (g_str_has_prefix (reports->pdata[0],
                                   "Potential deadlock: lock order cycle"));
}

/* The log itself: in a subprocess, where the warning (fatal under
 * g_test_init ()) ends the child, and its stderr is checked. */
static void
test_report_logged (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLockManager) manager = make_manager (TRUE);

      take_in_order (manager, "accounts", "ledger");
      take_in_order (manager, "ledger", "accounts");   /* logged: the child ends */
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*FoundationConcurrency-WARNING*"
                             "Potential deadlock: lock order cycle*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/expect-report/signalled", test_report_signalled);
  g_test_add_func ("/expect-report/logged", test_report_logged);
  return g_test_run ();
}
