/* bench-cluster.c — what a cluster acquisition costs, against a real etcd.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One local etcd member (tests/etcd-fixture.h). The floor is what the lock
 * recipe cannot avoid: one write and one delete of a key, over HTTP to the
 * same JSON gateway (the fixture's libsoup client, one request each). Beside
 * it, in the same run: an uncontended fc_cluster_lock_manager_acquire_sync()
 * + release of 1 lock and of 3 locks (goal: at most 2x the floor for 1 lock;
 * the recipe makes one transaction per lock and one delete for all).
 *
 * Prints the figures; asserts nothing but success.
 */

#include <foundation-concurrency.h>
#include <json-glib/json-glib.h>

#include "etcd-fixture.h"

#define N_ROUNDS 200

static double
bench_floor (FcTestEtcd *etcd)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) request = NULL;
      g_autoptr(JsonNode) reply = NULL;
      g_autofree char *key = g_base64_encode ((const guchar *) "/bench/floor", 12);

      g_assert_true (fc_test_etcd_put (etcd, 0, "/bench/floor", "x", &error));
      g_assert_no_error (error);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, key);
      json_builder_end_object (builder);
      request = json_builder_get_root (builder);
      reply = fc_test_etcd_call (etcd, 0, "/v3/kv/deleterange", request, &error);
      g_assert_no_error (error);
    }
  return (double) (g_get_monotonic_time () - start) / 1000.0 / N_ROUNDS;
}

static double
bench_acquire (FcClusterLockManager *manager,
               const char * const   *names)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_autoptr(FcClusterLockGuard) guard =
        fc_cluster_lock_manager_acquire_sync (manager, names, 10, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
      g_assert_no_error (error);
    }
  return (double) (g_get_monotonic_time () - start) / 1000.0 / N_ROUNDS;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start (1, &error);
  g_autoptr(FcClusterLockManager) manager = NULL;
  const char *one[] = { "a", NULL };
  const char *three[] = { "a", "b", "c", NULL };
  double floor_ms, one_ms, three_ms;

  if (g_error_matches (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_NOT_INSTALLED))
    {
      g_print ("skipped: %s\n", error->message);
      return 0;
    }
  g_assert_no_error (error);

  manager = fc_cluster_lock_manager_new_sync (fc_test_etcd_get_endpoints (etcd), "/bench/", NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; three[i] != NULL; i++)
    {
      fc_cluster_lock_manager_register_lock_sync (manager, three[i], (int) i + 1, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  /* Warm both clients' connections. */
  bench_floor (etcd);
  bench_acquire (manager, one);

  floor_ms = bench_floor (etcd);
  one_ms = bench_acquire (manager, one);
  three_ms = bench_acquire (manager, three);

  g_print ("floor (put + delete):           %8.3f ms\n", floor_ms);
  g_print ("acquire + release, 1 lock:      %8.3f ms  (%.2fx the floor; goal <= 2x)\n",
           one_ms, one_ms / floor_ms);
  g_print ("acquire + release, 3 locks:     %8.3f ms  (%.2fx the floor)\n",
           three_ms, three_ms / floor_ms);

  g_assert_true (fc_cluster_lock_manager_close_sync (manager, NULL, &error));
  g_assert_no_error (error);
  return 0;
}
