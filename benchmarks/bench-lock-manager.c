/* bench-lock-manager.c — the cost of an uncontended named acquisition,
 * against a raw GRecMutex lock+unlock pair measured in the same run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Goals: one named lock within 8x a raw pair, three within 20x; with
 * lock-order learning on, a nested acquisition along an already known edge
 * within 1.5x of the same with FC_DEBUG=nolockdep (measured in two child
 * processes, since FC_DEBUG is read once per process).
 */

#include <stdio.h>

#include <foundation-concurrency.h>

#define ROUNDS 5

static guint iterations = 2000000;

static double
time_raw (void)
{
  GRecMutex mutex;
  gint64 start;
  double best = G_MAXDOUBLE;

  g_rec_mutex_init (&mutex);
  for (guint r = 0; r < ROUNDS; r++)
    {
      start = g_get_monotonic_time ();
      for (guint i = 0; i < iterations; i++)
        {
          g_rec_mutex_lock (&mutex);
          g_rec_mutex_unlock (&mutex);
        }
      best = MIN (best, (double) (g_get_monotonic_time () - start) * 1000.0 / iterations);
    }
  g_rec_mutex_clear (&mutex);
  return best;
}

static double
time_manager (FcLockManager      *manager,
              const char * const *names)
{
  double best = G_MAXDOUBLE;

  for (guint r = 0; r < ROUNDS; r++)
    {
      gint64 start = g_get_monotonic_time ();

      for (guint i = 0; i < iterations; i++)
        {
          FcLockGuard *guard = fc_lock_manager_acquire (manager, names, 10.0, TRUE, NULL);

          fc_lock_guard_release (guard);
          g_object_unref (guard);
        }
      best = MIN (best, (double) (g_get_monotonic_time () - start) * 1000.0 / iterations);
    }
  return best;
}

static double
time_direct (FcLock *lock)
{
  double best = G_MAXDOUBLE;

  for (guint r = 0; r < ROUNDS; r++)
    {
      gint64 start = g_get_monotonic_time ();

      for (guint i = 0; i < iterations; i++)
        {
          fc_lock_lock (lock, 10.0, NULL);
          fc_lock_unlock (lock);
        }
      best = MIN (best, (double) (g_get_monotonic_time () - start) * 1000.0 / iterations);
    }
  return best;
}

/* Nested: hold the outer lock, take and release the inner one (a known edge). */
static double
time_known_edge (FcLockManager *manager)
{
  FcLock *outer = fc_lock_manager_get_lock (manager, "app.accounts", NULL);
  FcLock *inner = fc_lock_manager_get_lock (manager, "app.ledger", NULL);
  double best = G_MAXDOUBLE;

  fc_lock_lock (outer, 10.0, NULL);
  for (guint r = 0; r < ROUNDS; r++)
    {
      gint64 start = g_get_monotonic_time ();

      for (guint i = 0; i < iterations; i++)
        {
          fc_lock_lock (inner, 10.0, NULL);
          fc_lock_unlock (inner);
        }
      best = MIN (best, (double) (g_get_monotonic_time () - start) * 1000.0 / iterations);
    }
  fc_lock_unlock (outer);
  return best;
}

static double
run_edge_child (const char *argv0,
                const char *fc_debug)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "FC_DEBUG", fc_debug, TRUE);
  const char *argv[] = { argv0, "--known-edge", NULL };
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s", error->message);
  return g_ascii_strtod (out, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  const char *one[] = { "app.accounts", NULL };
  const char *three[] = { "app.ledger", "app.accounts", "app.audit", NULL };
  const char *env = g_getenv ("FC_BENCH_ITERATIONS");
  double raw, direct, named1, named3;

  if (env != NULL)
    iterations = (guint) g_ascii_strtoull (env, NULL, 10);

  fc_lock_manager_register_foundation_locks (manager, NULL);
  fc_lock_manager_register_lock (manager, "app.accounts", 300, NULL, NULL, NULL);
  fc_lock_manager_register_lock (manager, "app.ledger", 310, NULL, NULL, NULL);
  fc_lock_manager_register_lock (manager, "app.audit", 320, NULL, NULL, NULL);

  if (argc > 1 && g_str_equal (argv[1], "--known-edge"))
    {
      printf ("%f\n", time_known_edge (manager));
      return 0;
    }

  raw = time_raw ();
  direct = time_direct (fc_lock_manager_get_lock (manager, "app.accounts", NULL));
  named1 = time_manager (manager, one);
  named3 = time_manager (manager, three);

  printf ("Uncontended, best of %d rounds of %u iterations (ns per acquire+release):\n",
          ROUNDS, iterations);
  printf ("  raw GRecMutex lock+unlock         %8.1f ns\n", raw);
  printf ("  fc_lock_lock+unlock (direct)      %8.1f ns  %5.1fx raw\n", direct, direct / raw);
  printf ("  manager acquire+release, 1 lock   %8.1f ns  %5.1fx raw  (goal <= 8x)\n", named1, named1 / raw);
  printf ("  manager acquire+release, 3 locks  %8.1f ns  %5.1fx raw  (goal <= 20x)\n", named3, named3 / raw);

  {
    double on = run_edge_child (argv[0], "");
    double off = run_edge_child (argv[0], "nolockdep");

    printf ("\nNested fc_lock_lock+unlock along a known order edge (ns):\n");
    printf ("  lock-order learning off (FC_DEBUG=nolockdep)  %8.1f ns\n", off);
    printf ("  lock-order learning on                        %8.1f ns  %5.2fx off  (goal <= 1.5x)\n",
            on, on / off);
  }

  return 0;
}
