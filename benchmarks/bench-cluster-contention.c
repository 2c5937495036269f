/* bench-cluster-contention.c — FcClusterLockManager under contention
 * across processes, against a real etcd: 4 processes, each taking two
 * neighbouring of 5 locks (the philosophers' forks) in a loop for a fixed
 * time. (bench-cluster.c measures the uncontended cost beside its floor.)
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Figures: acquisitions+releases per second over all processes, and
 * fairness (least / most of one process).
 *
 * The etcd: $FC_ETCD_ENDPOINTS if set (comma-separated client URLs), else
 * one member started with the test fixture (tests/etcd-fixture.h) and
 * removed at the end. Exits 77 when there is no etcd to start.
 *
 * FC_BENCH_SECONDS sets how long the processes contend (default 5).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <foundation-concurrency.h>

#include "etcd-fixture.h"

#define N_PROCESSES 4
#define N_FORKS 5

static const char *prefix = "/bench-cluster/";

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &n, NULL))
    return (guint) n;
  return fallback;
}

/* --- The manager ---------------------------------------------------------- */

static FcClusterLockManager *
manager_new (const char * const *endpoints)
{
  g_autoptr(GError) error = NULL;
  FcClusterLockManager *manager = fc_cluster_lock_manager_new_sync (endpoints, prefix, NULL, &error);

  if (manager == NULL)
    g_error ("new manager: %s", error->message);
  for (guint i = 0; i < N_FORKS; i++)
    {
      g_autofree char *name = g_strdup_printf ("fork-%u", i);

      if (!fc_cluster_lock_manager_register_lock_sync (manager, name, (int) i + 1, NULL, NULL, &error))
        g_error ("register %s: %s", name, error->message);
    }
  return manager;
}

static void
acquire_release (FcClusterLockManager *manager,
                 const char * const   *names)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockGuard) guard =
    fc_cluster_lock_manager_acquire_sync (manager, names, 60, NULL, &error);

  if (guard == NULL || !fc_cluster_lock_guard_release_sync (guard, NULL, &error))
    g_error ("acquire+release: %s", error->message);
}

/* One contending process: random pairs of neighbouring forks for @seconds;
 * prints how many it took. */
static int
run_worker (const char * const *endpoints,
            guint               seconds)
{
  g_autoptr(FcClusterLockManager) manager = manager_new (endpoints);
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint count = 0;

  while (g_get_monotonic_time () < end)
    {
      guint left = (guint) g_random_int_range (0, N_FORKS);
      g_autofree char *a = g_strdup_printf ("fork-%u", left);
      g_autofree char *b = g_strdup_printf ("fork-%u", (left + 1) % N_FORKS);
      const char *names[] = { a, b, NULL };

      acquire_release (manager, names);
      count++;
    }
  fc_cluster_lock_manager_close_sync (manager, NULL, NULL);
  printf ("%u\n", count);
  return 0;
}

static void
measure_contended (const char *endpoints,
                   guint       seconds)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *seconds_arg = g_strdup_printf ("%u", seconds);
  GSubprocess *workers[N_PROCESSES];
  guint total = 0, least = G_MAXUINT, most = 0;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  for (guint i = 0; i < N_PROCESSES; i++)
    {
      g_autoptr(GError) error = NULL;

      workers[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                     self, "--worker", endpoints, seconds_arg, NULL);
      if (workers[i] == NULL)
        g_error ("worker: %s", error->message);
    }
  for (guint i = 0; i < N_PROCESSES; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      guint64 n = 0;

      if (!g_subprocess_communicate_utf8 (workers[i], NULL, NULL, &out, NULL, &error) ||
          !g_subprocess_get_successful (workers[i]) ||
          !g_ascii_string_to_unsigned (g_strstrip (out), 10, 0, G_MAXUINT, &n, NULL))
        g_error ("worker %u failed", i);
      total += (guint) n;
      least = MIN (least, (guint) n);
      most = MAX (most, (guint) n);
      g_object_unref (workers[i]);
    }
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  printf ("Contended: %u processes, 2 neighbouring of %u locks each time, %u s\n",
          N_PROCESSES, N_FORKS, seconds);
  printf ("  %-36s %9.1f /s   fairness %4.2f (least / most per process)\n",
          "acquisitions+releases, all processes", total / elapsed,
          most > 0 ? (double) least / most : 0.0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(FcTestEtcd) etcd = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autofree char *endpoints_string = NULL;
  g_auto(GStrv) endpoints = NULL;
  guint seconds = env_uint ("FC_BENCH_SECONDS", 5);

  if (argc == 4 && g_str_equal (argv[1], "--worker"))
    {
      endpoints = g_strsplit (argv[2], ",", -1);
      return run_worker ((const char * const *) endpoints, (guint) atoi (argv[3]));
    }

  if (g_getenv ("FC_ETCD_ENDPOINTS") != NULL)
    endpoints_string = g_strdup (g_getenv ("FC_ETCD_ENDPOINTS"));
  else
    {
      etcd = fc_test_etcd_start (1, &error);
      if (g_error_matches (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_NOT_INSTALLED))
        {
          printf ("SKIP: %s\n", error->message);
          return 77;
        }
      if (etcd == NULL)
        g_error ("etcd: %s", error->message);
      endpoints_string = fc_test_etcd_dup_endpoints_string (etcd);
    }
  endpoints = g_strsplit (endpoints_string, ",", -1);

  /* The registrations, once, before the processes start. */
  manager = manager_new ((const char * const *) endpoints);
  fc_cluster_lock_manager_close_sync (manager, NULL, NULL);

  measure_contended (endpoints_string, seconds);
  return 0;
}
