/* bench-cluster.c — FcClusterLockManager against a real etcd: uncontended
 * acquire+release of 1 and of 3 locks beside the floor measured in the same
 * run, and the throughput of 4 processes contending on 5 locks.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The floor: the etcd round trips the recipe cannot avoid for one lock — a
 * put and a delete of a key, with one SoupSession against the same gateway
 * (keep-alive, as the manager's own session). Goal: an uncontended
 * acquire+release of 1 lock within 2x that floor.
 *
 * The etcd: $FC_ETCD_ENDPOINTS if set (comma-separated client URLs), else
 * one member started with the test fixture (tests/etcd-fixture.h) and
 * removed at the end. Exits 77 when there is no etcd to start.
 *
 * FC_BENCH_ITERATIONS sets the uncontended iterations (default 200),
 * FC_BENCH_SECONDS the contended run (default 5).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

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

/* --- The floor: a put and a delete ---------------------------------------- */

static void
gateway_post (SoupSession *session,
              const char  *endpoint,
              const char  *path,
              const char  *body)
{
  g_autofree char *uri = g_strconcat (endpoint, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", uri);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  reply = soup_session_send_and_read (session, message, NULL, &error);
  if (reply == NULL || soup_message_get_status (message) != SOUP_STATUS_OK)
    g_error ("%s: %s", uri, error != NULL ? error->message : soup_message_get_reason_phrase (message));
}

/* µs per put + delete. */
static double
measure_floor (const char *endpoint,
               guint       iterations)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *key = g_base64_encode ((const guchar *) "/bench-cluster-floor/k", 22);
  g_autofree char *value = g_base64_encode ((const guchar *) "v", 1);
  g_autofree char *put = g_strdup_printf ("{\"key\":\"%s\",\"value\":\"%s\"}", key, value);
  g_autofree char *delete = g_strdup_printf ("{\"key\":\"%s\"}", key);
  gint64 start;

  gateway_post (session, endpoint, "/v3/kv/put", put);  /* the connection */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    {
      gateway_post (session, endpoint, "/v3/kv/put", put);
      gateway_post (session, endpoint, "/v3/kv/deleterange", delete);
    }
  return (double) (g_get_monotonic_time () - start) / iterations;
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

/* µs per acquire+release of @names. */
static double
measure_uncontended (FcClusterLockManager *manager,
                     const char * const   *names,
                     guint                 iterations)
{
  gint64 start;

  acquire_release (manager, names);  /* the connection */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    acquire_release (manager, names);
  return (double) (g_get_monotonic_time () - start) / iterations;
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
  const char *one[] = { "fork-0", NULL };
  const char *three[] = { "fork-0", "fork-2", "fork-4", NULL };
  guint iterations = env_uint ("FC_BENCH_ITERATIONS", 200);
  guint seconds = env_uint ("FC_BENCH_SECONDS", 5);
  double floor_us, one_us, three_us;

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

  manager = manager_new ((const char * const *) endpoints);
  /* Interleaved, so that a slower moment of the machine weighs on both. */
  floor_us = measure_floor (endpoints[0], iterations);
  one_us = measure_uncontended (manager, one, iterations);
  three_us = measure_uncontended (manager, three, iterations);
  floor_us = (floor_us + measure_floor (endpoints[0], iterations)) / 2;
  fc_cluster_lock_manager_close_sync (manager, NULL, NULL);

  printf ("Uncontended, %u iterations against %s: µs per operation (ratio to the floor)\n",
          iterations, endpoints_string);
  printf ("  %-36s %9.1f µs\n", "floor: put + delete, one SoupSession", floor_us);
  printf ("  %-36s %9.1f µs %6.2fx\n", "acquire+release, 1 lock", one_us, one_us / floor_us);
  printf ("  %-36s %9.1f µs %6.2fx\n", "acquire+release, 3 locks", three_us, three_us / floor_us);
  printf ("Goal: 1 lock <= 2x the floor.\n\n");

  measure_contended (endpoints_string, seconds);
  return 0;
}
