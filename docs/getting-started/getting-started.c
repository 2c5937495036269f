/* getting-started.c — the C program of the manual's "Getting started" page.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Build it with:
 *   cc getting-started.c $(pkg-config --cflags --libs foundation-concurrency-1)
 */

#include <stdio.h>

#include <foundation-concurrency.h>

int
main (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(FcLockGuard) guard = NULL;
  g_autoptr(FcLockGuard) wrong = NULL;
  g_autoptr(GError) error = NULL;
  const char *both[] = { "ledger", "accounts", NULL };
  const char *accounts[] = { "accounts", NULL };
  const char *ledger[] = { "ledger", NULL };

  /* Every lock has a name and an order: locks are taken in ascending order. */
  fc_lock_manager_register_lock (manager, "accounts", 300, "Customer accounts", NULL, &error);
  g_assert_no_error (error);
  fc_lock_manager_register_lock (manager, "ledger", 310, "General ledger", NULL, &error);
  g_assert_no_error (error);

  /* Ask for both at once, in any order: the manager sorts them. */
  guard = fc_lock_manager_acquire (manager, both, 5.0, TRUE, &error);
  g_assert_no_error (error);
  printf ("holding accounts and ledger\n");
  fc_lock_guard_release (guard);

  /* Taking a lower lock while holding a higher one is refused, not deadlocked. */
  g_clear_pointer (&guard, fc_lock_guard_unref);
  guard = fc_lock_manager_acquire (manager, ledger, 5.0, TRUE, &error);
  g_assert_no_error (error);
  wrong = fc_lock_manager_acquire (manager, accounts, 5.0, TRUE, &error);
  g_assert_null (wrong);
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);
  printf ("refused: %s\n", error->message);
  fc_lock_guard_release (guard);

  return 0;
}
