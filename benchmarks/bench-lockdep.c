/* bench-lockdep.c — the cost of the learned lock-order graph.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * (a) Finalizing many locks that have order edges between them: 16,000
 *     locks, each nested once under the one before (16,000 edges), then all
 *     unreferenced; milliseconds. Goal: linear, well under a second.
 * (b) A nested fc_lock_lock+unlock under one outer lock, cycling through
 *     1 or 200 inner locks (200 edges: beyond the 64 slots of an owner's
 *     edge cache), beside the same with FC_DEBUG=nolockdep (measured in
 *     child processes, since FC_DEBUG is read once per process); ns per
 *     acquisition. Goal: 200 inner locks cost about what 1 does.
 * (c) Learning 10,000 new edges (a chain of 10,001 locks, each taken while
 *     holding the one before), µs per edge; also with FC_DEBUG=backtrace,
 *     which keeps where each edge was made.
 * (d) The cost of one new edge in a graph of 100,000 edges (316 outer
 *     locks each taken before each of 317 inner ones): between two fresh
 *     locks, from an inner lock to a fresh one (in the graph's order), and
 *     from a fresh lock to an outer one (against it: the online order
 *     moves what it must); µs per edge. Goal: < 5 µs. (c) and (d) count
 *     the thread's CPU time, which a loaded machine disturbs less.
 *
 * Unregistered locks (fc_lock_new()) take part in order learning like
 * registered ones and keep the figures free of the name table's costs.
 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <foundation-concurrency.h>

#define ROUNDS 5
#define N_FINALIZE 16000

static guint iterations = 2000000;

static double
time_finalize (guint n_locks)
{
  g_autoptr(GPtrArray) locks = g_ptr_array_new ();
  gint64 start;

  for (guint i = 0; i < n_locks; i++)
    g_ptr_array_add (locks, fc_lock_new ());
  for (guint i = 1; i < n_locks; i++)
    {
      fc_lock_lock (locks->pdata[i - 1], 10.0, NULL);
      fc_lock_lock (locks->pdata[i], 10.0, NULL);
      fc_lock_unlock (locks->pdata[i]);
      fc_lock_unlock (locks->pdata[i - 1]);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_locks; i++)
    g_object_unref (locks->pdata[i]);
  return (double) (g_get_monotonic_time () - start) / 1000.0;
}

/* ns per nested acquisition+release of one of @n_inner locks, cycled,
 * under one outer lock; the best of ROUNDS rounds. */
static double
time_nested (guint n_inner)
{
  FcLock *outer = fc_lock_new ();
  FcLock **inner = g_new (FcLock *, n_inner);
  double best = G_MAXDOUBLE;

  for (guint i = 0; i < n_inner; i++)
    inner[i] = fc_lock_new ();

  fc_lock_lock (outer, 10.0, NULL);
  /* Learn every edge first. */
  for (guint i = 0; i < n_inner; i++)
    {
      fc_lock_lock (inner[i], 10.0, NULL);
      fc_lock_unlock (inner[i]);
    }
  for (guint r = 0; r < ROUNDS; r++)
    {
      gint64 start = g_get_monotonic_time ();
      guint k = 0;

      for (guint i = 0; i < iterations; i++)
        {
          fc_lock_lock (inner[k], 10.0, NULL);
          fc_lock_unlock (inner[k]);
          if (++k == n_inner)
            k = 0;
        }
      best = MIN (best, (double) (g_get_monotonic_time () - start) * 1000.0 / iterations);
    }
  fc_lock_unlock (outer);

  for (guint i = 0; i < n_inner; i++)
    g_object_unref (inner[i]);
  g_free (inner);
  g_object_unref (outer);
  return best;
}

/* One new edge: @held held while taking @taken (a blocking acquisition,
 * as the graph learns from). */
static inline void
nest (FcLock *held,
      FcLock *taken)
{
  fc_lock_lock (held, 10.0, NULL);
  fc_lock_lock (taken, 10.0, NULL);
  fc_lock_unlock (taken);
  fc_lock_unlock (held);
}

#define N_LEARN 10000

/* CPU time of this thread, µs: on a loaded machine, closer to the cost
 * than the wall clock. */
static gint64
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* µs per new edge, learning a chain of N_LEARN edges. */
static double
time_learn (void)
{
  FcLock **locks = g_new (FcLock *, N_LEARN + 1);
  gint64 start;
  double us;

  for (guint i = 0; i <= N_LEARN; i++)
    locks[i] = fc_lock_new ();
  start = cpu_now ();
  for (guint i = 1; i <= N_LEARN; i++)
    nest (locks[i - 1], locks[i]);
  us = (double) (cpu_now () - start) / N_LEARN;
  for (guint i = 0; i <= N_LEARN; i++)
    g_object_unref (locks[i]);
  g_free (locks);
  return us;
}

#define N_OUTER 316
#define N_INNER 317
#define N_NEW 1000

static FcLock **
new_locks (guint n)
{
  FcLock **locks = g_new (FcLock *, n);

  for (guint i = 0; i < n; i++)
    locks[i] = fc_lock_new ();
  return locks;
}

static void
free_locks (FcLock **locks,
            guint    n)
{
  for (guint i = 0; i < n; i++)
    g_object_unref (locks[i]);
  g_free (locks);
}

/* µs per new edge of each kind in a graph of N_OUTER × N_INNER edges. */
static void
time_big_graph (double *fresh,
                double *along,
                double *against)
{
  FcLock **outer = new_locks (N_OUTER);
  FcLock **inner = new_locks (N_INNER);
  FcLock **a = new_locks (N_NEW);
  FcLock **b = new_locks (N_NEW);
  gint64 start;

  for (guint i = 0; i < N_OUTER; i++)
    for (guint j = 0; j < N_INNER; j++)
      nest (outer[i], inner[j]);

  start = cpu_now ();
  for (guint k = 0; k < N_NEW; k++)
    nest (a[k], b[k]);
  *fresh = (double) (cpu_now () - start) / N_NEW;

  start = cpu_now ();
  for (guint k = 0; k < N_NEW; k++)
    nest (inner[k % N_INNER], b[k]);
  *along = (double) (cpu_now () - start) / N_NEW;

  start = cpu_now ();
  for (guint k = 0; k < N_NEW; k++)
    nest (a[k], outer[k % N_OUTER]);
  *against = (double) (cpu_now () - start) / N_NEW;

  free_locks (a, N_NEW);
  free_locks (b, N_NEW);
  free_locks (inner, N_INNER);
  free_locks (outer, N_OUTER);
}

static double
run_child (const char *argv0,
           const char *fc_debug,
           const char *n_inner)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "FC_DEBUG", fc_debug, TRUE);
  const char *argv[] = { argv0, n_inner != NULL ? "--nested" : "--learn", n_inner, NULL };
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
  const char *env = g_getenv ("FC_BENCH_ITERATIONS");
  double ms, on1, on200, off1, off200, learn, learn_bt, learn_off, fresh, along, against;

  if (env != NULL)
    iterations = (guint) g_ascii_strtoull (env, NULL, 10);

  if (argc > 2 && g_str_equal (argv[1], "--nested"))
    {
      printf ("%f\n", time_nested ((guint) g_ascii_strtoull (argv[2], NULL, 10)));
      return 0;
    }
  if (argc > 1 && g_str_equal (argv[1], "--learn"))
    {
      printf ("%f\n", time_learn ());
      return 0;
    }

  ms = time_finalize (N_FINALIZE);
  printf ("Finalizing %d locks with %d order edges between them:\n", N_FINALIZE, N_FINALIZE - 1);
  printf ("  %10.1f ms  (%.2f us per lock; goal: well under 1000 ms)\n",
          ms, ms * 1000.0 / N_FINALIZE);

  on1 = run_child (argv[0], "", "1");
  on200 = run_child (argv[0], "", "200");
  off1 = run_child (argv[0], "nolockdep", "1");
  off200 = run_child (argv[0], "nolockdep", "200");

  printf ("\nNested fc_lock_lock+unlock under one outer lock, best of %d rounds of %u (ns):\n",
          ROUNDS, iterations);
  printf ("  1 inner lock,    FC_DEBUG=nolockdep  %8.1f ns\n", off1);
  printf ("  200 inner locks, FC_DEBUG=nolockdep  %8.1f ns\n", off200);
  printf ("  1 inner lock,    lock-order learning %8.1f ns  %5.2fx off\n", on1, on1 / off1);
  printf ("  200 inner locks, lock-order learning %8.1f ns  %5.2fx off, %5.2fx 1 inner  (goal ~1x 1 inner)\n",
          on200, on200 / off200, on200 / on1);

  learn = run_child (argv[0], "", NULL);
  learn_bt = run_child (argv[0], "backtrace", NULL);
  learn_off = run_child (argv[0], "nolockdep", NULL);
  printf ("\nLearning %d new edges (a chain), per edge (two lock+unlock pairs each):\n", N_LEARN);
  printf ("  FC_DEBUG=nolockdep   %8.2f us\n", learn_off);
  printf ("  lock-order learning  %8.2f us  %6.1fx off\n", learn, learn / learn_off);
  printf ("  FC_DEBUG=backtrace   %8.2f us  %6.1fx off, %5.2fx learning\n",
          learn_bt, learn_bt / learn_off, learn_bt / learn);

  time_big_graph (&fresh, &along, &against);
  printf ("\nOne new edge in a graph of %d edges (two lock+unlock pairs each; goal < 5 us):\n",
          N_OUTER * N_INNER);
  printf ("  between two fresh locks          %8.2f us\n", fresh);
  printf ("  inner -> fresh (in the order)    %8.2f us\n", along);
  printf ("  fresh -> outer (against it)      %8.2f us\n", against);

  return 0;
}
