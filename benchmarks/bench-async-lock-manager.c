/* bench-async-lock-manager.c — what an async acquisition costs.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * 1. A bare GTask round trip (new, return, dispatch, finish) against an
 *    uncontended fc_async_lock_manager_acquire_async() + release of one lock,
 *    both through the main loop (goal: at most 3x).
 * 2. 100,000 waiters queued on one lock, then granted in FIFO order: time
 *    per grant, total time (goal: under 1 s) and peak memory per queued
 *    waiter, from mallinfo2() (goal: under 512 bytes).
 *
 * Prints the figures; asserts nothing but FIFO order.
 */

#include <malloc.h>
#include <foundation-concurrency.h>

#define N_ROUND_TRIPS 200000
#define N_WAITERS     100000

static void
on_bare_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_assert_true (g_task_propagate_boolean (G_TASK (result), NULL));
  (*(guint *) data)++;
}

static double
bench_bare_gtask (void)
{
  guint done = 0;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < N_ROUND_TRIPS; i++)
    {
      GTask *task = g_task_new (NULL, NULL, on_bare_done, &done);

      g_task_set_source_tag (task, bench_bare_gtask);
      g_task_set_name (task, "bench");
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      while (done <= i)
        g_main_context_iteration (NULL, TRUE);
    }

  return (double) (g_get_monotonic_time () - start) * 1000.0 / N_ROUND_TRIPS;
}

static void
on_locked (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  FcAsyncLockGuard *guard =
    fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source), result, NULL);

  g_assert_nonnull (guard);
  fc_async_lock_guard_release (guard);
  g_object_unref (guard);
  (*(guint *) data)++;
}

static double
bench_uncontended (FcAsyncLockManager *manager)
{
  const char *names[] = { "bench.a", NULL };
  guint done = 0;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < N_ROUND_TRIPS; i++)
    {
      fc_async_lock_manager_acquire_async (manager, names, FC_TIMEOUT_INFINITE, NULL,
                                           on_locked, &done);
      while (done <= i)
        g_main_context_iteration (NULL, TRUE);
    }

  return (double) (g_get_monotonic_time () - start) * 1000.0 / N_ROUND_TRIPS;
}

static guint next_expected;

static void
on_fifo_locked (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;
  FcAsyncLockGuard *guard =
    fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source), result, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (data), ==, next_expected);
  next_expected++;
  fc_async_lock_guard_release (guard);
  g_object_unref (guard);
}

static void
on_holder_locked (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  *(FcAsyncLockGuard **) data =
    fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source), result, NULL);
}

static void
bench_fifo (FcAsyncLockManager *manager)
{
  const char *names[] = { "bench.a", NULL };
  FcAsyncLock *lock = fc_async_lock_manager_get_lock (manager, "bench.a", NULL);
  FcAsyncLockGuard *holder = NULL;
  struct mallinfo2 before, after;
  gint64 start, end;

  fc_async_lock_manager_acquire_async (manager, names, FC_TIMEOUT_INFINITE, NULL,
                                       on_holder_locked, &holder);
  while (holder == NULL)
    g_main_context_iteration (NULL, TRUE);

  malloc_trim (0);
  before = mallinfo2 ();
  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_WAITERS; i++)
    fc_async_lock_manager_acquire_async (manager, names, 60.0, NULL,
                                         on_fifo_locked, GUINT_TO_POINTER (i));
  end = g_get_monotonic_time ();
  after = mallinfo2 ();
  g_assert_cmpuint (fc_async_lock_get_waiters (lock), ==, N_WAITERS);

  g_print ("queue %d waiters:           %8.1f ns per waiter\n", N_WAITERS,
           (double) (end - start) * 1000.0 / N_WAITERS);
  g_print ("memory per queued waiter:   %8.1f bytes (goal < 512)\n",
           (double) (after.uordblks - before.uordblks) / N_WAITERS);

  start = g_get_monotonic_time ();
  fc_async_lock_guard_release (holder);
  while (next_expected < N_WAITERS)
    g_main_context_iteration (NULL, TRUE);
  end = g_get_monotonic_time ();
  g_object_unref (holder);

  g_print ("FIFO grant + callback:      %8.1f ns per grant\n",
           (double) (end - start) * 1000.0 / N_WAITERS);
  g_print ("%d grants in total:     %8.1f ms (goal < 1000)\n", N_WAITERS,
           (double) (end - start) / 1000.0);
}

int
main (void)
{
  g_autoptr(FcAsyncLockManager) manager = fc_async_lock_manager_new ();
  double bare, locked;

  fc_async_lock_manager_register_lock (manager, "bench.a", 300, "Benchmark lock", NULL, NULL);

  /* Warm up. */
  bench_bare_gtask ();
  bench_uncontended (manager);

  bare = bench_bare_gtask ();
  locked = bench_uncontended (manager);
  g_print ("bare GTask round trip:      %8.1f ns per op\n", bare);
  g_print ("acquire_async + release:    %8.1f ns per op\n", locked);
  g_print ("ratio:                      %8.2fx (goal <= 3x)\n", locked / bare);

  bench_fifo (manager);
  return 0;
}
