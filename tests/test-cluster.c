/* test-cluster.c — FcClusterLockManager and FcClusterLockGuard against a
 * real 3-member etcd cluster (tests/etcd-fixture.h).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif

#include "cluster-test-util.h"
#include "fc-test-util.h"

static FcTestEtcd *cluster;

static char *
test_prefix (void)
{
  return fc_cluster_test_prefix ("/fc-test/");
}

static FcClusterLockManager *
manager_new (const char *prefix,
             const char *identity)
{
  return fc_cluster_test_manager_new (cluster, prefix, identity);
}

static void
register_locks (FcClusterLockManager *manager)
{
  static const char *names[] = { "a", "b", "c" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      fc_cluster_lock_manager_register_lock_sync (manager, names[i], (int) i + 1, NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

static guint
count_lock_keys (const char *prefix)
{
  return fc_cluster_test_count_lock_keys (cluster, prefix);
}

#define SKIP_WITHOUT_CLUSTER() FC_CLUSTER_TEST_SKIP_WITHOUT (cluster)

static void
test_register (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "one:1");
  two = manager_new (prefix, "two:2");

  g_assert_true (fc_cluster_lock_manager_register_lock_sync (one, "db", 10, "the database", NULL, &error));
  g_assert_no_error (error);
  /* Every process registers its locks at start: the same order again is fine. */
  g_assert_true (fc_cluster_lock_manager_register_lock_sync (two, "db", 10, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (fc_cluster_lock_manager_register_lock_sync (two, "db", 11, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ALREADY_REGISTERED);
  g_assert_cmpstr (error->message, ==, "Lock 'db' already registered");
  g_clear_error (&error);

  g_assert_false (fc_cluster_lock_manager_register_lock_sync (two, "cache", 10, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_CONFLICT);
  g_assert_cmpstr (error->message, ==, "Lock order 10 already used by 'db'. Each lock must have a unique order.");
  g_clear_error (&error);

  g_assert_false (fc_cluster_lock_manager_register_lock_sync (one, "", 1, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Any UTF-8 name, '/' included, is its own lock. */
  g_assert_true (fc_cluster_lock_manager_register_lock_sync (one, "a/b ü", 20, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (fc_cluster_lock_manager_register_lock_sync (one, "a", 21, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_acquire_release (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(FcClusterLockGuard) again = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  const char *ab[] = { "b", "a", NULL };
  const char *missing[] = { "a", "nope", NULL };
  guint64 token;

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix, "me:1");
  register_locks (manager);

  guard = fc_cluster_lock_manager_acquire_sync (manager, ab, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (guard);
  names = fc_cluster_lock_guard_dup_names (guard);
  g_assert_cmpstrv (names, ((const char *[]) { "a", "b", NULL }));
  g_assert_false (fc_cluster_lock_guard_is_released (guard));
  g_assert_false (fc_cluster_lock_guard_is_lost (guard));
  token = fc_cluster_lock_guard_get_fencing_token (guard);
  g_assert_cmpuint (token, >, 0);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 2);

  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (fc_cluster_lock_guard_is_released (guard));
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
  /* Releasing again is harmless. */
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);

  /* Tokens grow with every acquisition of a lock. */
  again = fc_cluster_lock_manager_acquire_sync (manager, ab, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fc_cluster_lock_guard_get_fencing_token (again), >, token);
  fc_cluster_lock_guard_release_sync (again, NULL, &error);
  g_assert_no_error (error);

  g_assert_null (fc_cluster_lock_manager_acquire_sync (manager, missing, 5, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED);
  g_assert_cmpstr (error->message, ==, "Lock 'nope' not registered");
  g_clear_error (&error);

  g_assert_null (fc_cluster_lock_manager_acquire_sync (manager, ab, -2, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
}

/* A second manager is another process, as far as etcd can tell: another
 * lease. */
static void
test_exclusion_and_rollback (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  g_autoptr(FcClusterLockGuard) held = NULL;
  g_autoptr(FcClusterLockGuard) next = NULL;
  g_autoptr(GError) error = NULL;
  const char *b[] = { "b", NULL };
  const char *cab[] = { "c", "a", "b", NULL };

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "host-a:17");
  two = manager_new (prefix, "host-b:4711");
  register_locks (one);

  held = fc_cluster_lock_manager_acquire_sync (two, b, 5, NULL, &error);
  g_assert_no_error (error);

  /* 'a' is taken first, then 'b' times out: 'a' is given back, and the
   * message says who holds 'b'. */
  g_assert_null (fc_cluster_lock_manager_acquire_sync (one, cab, 0.5, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_true (g_str_has_prefix (error->message, "Timeout acquiring lock 'b': held by 'host-b:4711' for "));
  g_clear_error (&error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 1);

  /* Trying once fails the same way, at once. */
  g_assert_null (fc_cluster_lock_manager_acquire_sync (one, cab, 0, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "held by 'host-b:4711'"));
  g_clear_error (&error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 1);

  g_assert_true (fc_cluster_lock_guard_release_sync (held, NULL, &error));
  g_assert_no_error (error);
  next = fc_cluster_lock_manager_acquire_sync (one, cab, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 3);
  fc_cluster_lock_guard_release_sync (next, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
}

typedef struct
{
  FcClusterLockGuard *guard;
  GError             *error;
  int                 done;
} Outcome;

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Outcome *outcome = data;

  outcome->guard = fc_cluster_lock_manager_acquire_finish (FC_CLUSTER_LOCK_MANAGER (source), result,
                                                           &outcome->error);
  g_atomic_int_set (&outcome->done, 1);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gboolean
release_cb (gpointer data)
{
  fc_cluster_lock_guard_release (data);
  return G_SOURCE_REMOVE;
}

static void
test_wait_cancel (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  g_autoptr(FcClusterLockGuard) held = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  const char *ab[] = { "a", "b", NULL };
  Outcome outcome = { NULL, };
  Outcome granted = { NULL, };

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "one:1");
  two = manager_new (prefix, "two:2");
  register_locks (one);

  held = fc_cluster_lock_manager_acquire_sync (two, (const char *[]) { "b", NULL }, 5, NULL, &error);
  g_assert_no_error (error);

  /* Waiting for 'b' while holding 'a', then cancelled: no key left. */
  fc_cluster_lock_manager_acquire_async (one, ab, FC_TIMEOUT_INFINITE, cancellable, acquired_cb, &outcome);
  g_timeout_add (300, cancel_cb, cancellable);
  fc_test_run_until (&outcome.done);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.guard);
  g_clear_error (&outcome.error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 1);

  /* A waiter is granted when the holder releases: a watch, no polling.
   * ('c' comes after the lock it waits for: taken once 'b' is.) */
  fc_cluster_lock_manager_acquire_async (one, (const char *[]) { "c", "b", "a", NULL }, 10, NULL,
                                         acquired_cb, &granted);
  g_timeout_add (300, release_cb, held);
  fc_test_run_until (&granted.done);
  g_assert_no_error (granted.error);
  g_assert_nonnull (granted.guard);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 3);
  g_assert_true (fc_cluster_lock_guard_release_sync (granted.guard, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&granted.guard);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
}

static void
test_nested (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) outer = NULL;
  g_autoptr(FcClusterLockGuard) inner = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix, "me:1");
  register_locks (manager);

  outer = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "b", NULL }, 5, NULL, &error);
  g_assert_no_error (error);

  /* 'b' again is re-entrant; 'c' is above it. */
  inner = fc_cluster_lock_guard_acquire_sync (outer, (const char *[]) { "b", "c", NULL }, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 2);

  /* 'a' is below 'b': the order rule of the chain. */
  g_assert_null (fc_cluster_lock_guard_acquire_sync (inner, (const char *[]) { "a", NULL }, 5, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);
  g_assert_nonnull (strstr (error->message, "trying to acquire a (order 1)"));
  g_clear_error (&error);

  g_assert_true (fc_cluster_lock_guard_release_sync (inner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 1);
  g_assert_true (fc_cluster_lock_guard_release_sync (outer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
}

static void
test_status (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) a = NULL;
  g_autoptr(GVariant) b = NULL;
  g_autoptr(GError) error = NULL;
  const char *owner = NULL;
  gboolean locked;
  guint64 token;

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "status:9");
  register_locks (one);
  guard = fc_cluster_lock_manager_acquire_sync (one, (const char *[]) { "a", NULL }, 5, NULL, &error);
  g_assert_no_error (error);

  status = fc_cluster_lock_manager_get_lock_status_sync (one, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (status, G_VARIANT_TYPE ("a{sa{sv}}")));
  g_assert_cmpuint (g_variant_n_children (status), ==, 3);
  a = g_variant_lookup_value (status, "a", G_VARIANT_TYPE_VARDICT);
  b = g_variant_lookup_value (status, "b", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (a, "is_locked", "b", &locked) && locked);
  g_assert_true (g_variant_lookup (a, "owner", "m&s", &owner));
  g_assert_cmpstr (owner, ==, "status:9");
  g_assert_true (g_variant_lookup (a, "fencing_token", "t", &token));
  g_assert_cmpuint (token, ==, fc_cluster_lock_guard_get_fencing_token (guard));
  g_assert_true (g_variant_lookup (b, "is_locked", "b", &locked) && !locked);
  /* The local managers' statistics, as this process saw them. */
  g_assert_true (g_variant_lookup (a, "acquisitions", "t", &token));
  g_assert_cmpuint (token, ==, 1);
  g_assert_true (g_variant_lookup (b, "acquisitions", "t", &token));
  g_assert_cmpuint (token, ==, 0);
  g_assert_true (g_variant_lookup (a, "contentions", "t", &token));
  g_assert_cmpuint (token, ==, 0);
  g_assert_true (g_variant_lookup (a, "waiters", "u", NULL));
  g_assert_true (g_variant_lookup (a, "hold_time_max", "d", NULL));
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
}

static void
lost_cb (FcClusterLockGuard *guard,
         gpointer            data)
{
  (*(int *) data)++;
}

/* Revokes behind the managers' backs, as etcd does when a lease expires,
 * the lease of the newest lock key under @prefix (the last waiter's). */
static void
revoke_newest_lease (const char *prefix)
{
  g_autofree char *locks = g_strconcat (prefix, "locks/", NULL);
  g_autofree char *end = g_strdup (locks);
  g_autofree char *key64 = g_base64_encode ((const guchar *) locks, strlen (locks));
  g_autofree char *end64 = NULL;
  g_autofree char *ask = NULL;
  g_autofree char *revoke = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) done = NULL;
  g_autoptr(GError) error = NULL;
  const char *lease = NULL;
  gint64 newest = 0;
  JsonArray *kvs;

  end[strlen (end) - 1]++;
  end64 = g_base64_encode ((const guchar *) end, strlen (end));
  ask = g_strdup_printf ("{\"key\": \"%s\", \"range_end\": \"%s\"}", key64, end64);
  request = json_from_string (ask, NULL);
  reply = fc_test_etcd_call (cluster, 2, "/v3/kv/range", request, &error);
  g_assert_no_error (error);
  kvs = json_object_get_array_member (json_node_get_object (reply), "kvs");
  for (guint i = 0; i < json_array_get_length (kvs); i++)
    {
      JsonObject *kv = json_array_get_object_element (kvs, i);
      gint64 revision = g_ascii_strtoll (json_object_get_string_member (kv, "create_revision"), NULL, 10);

      if (revision > newest)
        {
          newest = revision;
          lease = json_object_get_string_member (kv, "lease");
        }
    }
  g_assert_nonnull (lease);

  revoke = g_strdup_printf ("{\"ID\": \"%s\"}", lease);
  body = json_from_string (revoke, NULL);
  done = fc_test_etcd_call (cluster, 2, "/v3/lease/revoke", body, &error);
  g_assert_no_error (error);
}

/* The lease expires under a held guard (here: is revoked behind the
 * manager's back): the guard is lost, a call with a timeout gets its locks
 * with the next lease, and a call tried once says the lease is gone. */
static void
test_lease_gone (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(FcClusterLockGuard) after = NULL;
  g_autoptr(GError) error = NULL;
  int lost = 0;

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix, "me:1");
  register_locks (manager);
  guard = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "a", NULL }, 5, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (guard, "lost", G_CALLBACK (lost_cb), &lost);
  revoke_newest_lease (prefix);

  after = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "b", "c", NULL }, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (after);
  g_assert_false (fc_cluster_lock_guard_is_lost (after));
  g_assert_cmpuint (count_lock_keys (prefix), ==, 2);
  fc_test_run_until (&lost);
  g_assert_cmpint (lost, ==, 1);
  g_assert_true (fc_cluster_lock_guard_is_lost (guard));
  fc_cluster_lock_guard_release_sync (guard, NULL, NULL);

  /* The next lease goes too: tried once, a call fails, leaving nothing. */
  revoke_newest_lease (prefix);
  g_assert_null (fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "a", NULL }, 0, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
  fc_cluster_lock_guard_release_sync (after, NULL, NULL);
  g_assert_true (fc_cluster_lock_manager_close_sync (manager, NULL, &error));
  g_assert_no_error (error);
}

/* The lease is revoked while a call waits in the queue of a lock: the call
 * starts again with the next lease and gets the lock once its holder lets
 * go, within its timeout. */
static void
test_lease_gone_while_waiting (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  g_autoptr(FcClusterLockGuard) held = NULL;
  g_autoptr(GError) error = NULL;
  Outcome outcome = { 0, };

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "one:1");
  two = manager_new (prefix, "two:2");
  register_locks (one);
  held = fc_cluster_lock_manager_acquire_sync (two, (const char *[]) { "a", NULL }, 5, NULL, &error);
  g_assert_no_error (error);

  fc_cluster_lock_manager_acquire_async (one, (const char *[]) { "a", "b", NULL }, 20, NULL,
                                         acquired_cb, &outcome);
  while (count_lock_keys (prefix) < 2)
    g_main_context_iteration (NULL, FALSE);
  /* The waiter's lease goes, not the holder's. */
  revoke_newest_lease (prefix);
  g_assert_true (fc_cluster_lock_guard_release_sync (held, NULL, &error));
  g_assert_no_error (error);

  fc_test_run_until (&outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.guard);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 2);
  g_assert_true (fc_cluster_lock_guard_release_sync (outcome.guard, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
}

static void
test_close_releases (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(FcClusterLockGuard) other = NULL;
  g_autoptr(GError) error = NULL;
  int lost = 0;

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "one:1");
  two = manager_new (prefix, "two:2");
  register_locks (one);
  guard = fc_cluster_lock_manager_acquire_sync (one, (const char *[]) { "a", "c", NULL }, 5, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (guard, "lost", G_CALLBACK (lost_cb), &lost);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 2);

  g_assert_true (fc_cluster_lock_manager_close_sync (one, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
  g_assert_true (fc_cluster_lock_guard_is_released (guard));
  g_assert_cmpint (lost, ==, 0);

  /* At once for the others. */
  other = fc_cluster_lock_manager_acquire_sync (two, (const char *[]) { "a", NULL }, 0, NULL, &error);
  g_assert_no_error (error);

  g_assert_null (fc_cluster_lock_manager_acquire_sync (one, (const char *[]) { "b", NULL }, 1, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_true (fc_cluster_lock_manager_close_sync (one, NULL, &error));
  g_assert_no_error (error);
}

/* One member of three stops answering: the others go on, and a request
 * sent to the stopped one is tried on the next. */
static void
test_one_member_stopped (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix, "me:1");
  register_locks (manager);
  fc_test_etcd_stop_member (cluster, 0);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(FcClusterLockGuard) guard =
        fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "a", "b", NULL }, 15, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
      g_assert_no_error (error);
    }
  fc_test_etcd_cont_member (cluster, 0);
  g_assert_true (fc_test_etcd_wait_healthy (cluster, 20, &error));
  g_assert_no_error (error);
}

static void
test_lost (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(FcClusterLockGuard) after = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Outcome outcome = { NULL, };
  int lost = 0;

  SKIP_WITHOUT_CLUSTER ();
  manager = g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, &error,
                            "endpoints", fc_test_etcd_get_endpoints (cluster),
                            "prefix", prefix, "lease-ttl", 2.0, NULL);
  g_assert_no_error (error);
  register_locks (manager);
  guard = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "a", NULL }, 5, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (guard, "lost", G_CALLBACK (lost_cb), &lost);

  /* Two members of three stop: no quorum for longer than the lease. */
  for (guint i = 0; i < 2; i++)
    fc_test_etcd_stop_member (cluster, i);
  fc_test_run_until (&lost);
  g_assert_cmpint (lost, ==, 1);
  g_assert_true (fc_cluster_lock_guard_is_lost (guard));

  /* Meanwhile calls wait for the next lease, and fail within their
   * timeout. */
  g_assert_null (fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "b", NULL }, 1, NULL, &error));
  g_assert_true (g_error_matches (error, FC_ERROR, FC_ERROR_UNAVAILABLE)
                 || g_error_matches (error, FC_ERROR, FC_ERROR_TIMEOUT));
  g_clear_error (&error);
  /* Or end at once when cancelled. */
  fc_cluster_lock_manager_acquire_async (manager, (const char *[]) { "b", NULL }, 30, cancellable,
                                         acquired_cb, &outcome);
  g_timeout_add (300, cancel_cb, cancellable);
  fc_test_run_until (&outcome.done);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.guard);
  g_clear_error (&outcome.error);

  for (guint i = 0; i < 2; i++)
    fc_test_etcd_cont_member (cluster, i);
  g_assert_true (fc_test_etcd_wait_healthy (cluster, 20, &error));
  g_assert_no_error (error);

  /* Once the cluster answers again, the next lease: a call gets its
   * locks with it. */
  after = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "b", NULL }, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (after);
  g_assert_true (fc_cluster_lock_guard_release_sync (after, NULL, &error));
  g_assert_no_error (error);
  fc_cluster_lock_guard_release_sync (guard, NULL, NULL);
}

static void
test_live_deadlock (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  g_autoptr(FcClusterLockManager) three = NULL;
  g_autoptr(FcClusterLockGuard) one_a = NULL;
  g_autoptr(FcClusterLockGuard) two_b = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) found = NULL;
  Outcome first = { NULL, };
  Outcome second = { NULL, };
  gboolean seen = FALSE;

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "host-a:17");
  two = manager_new (prefix, "host-b:4711");
  three = manager_new (prefix, "observer:1");
  register_locks (one);

  one_a = fc_cluster_lock_manager_acquire_sync (one, (const char *[]) { "a", NULL }, 5, NULL, &error);
  g_assert_no_error (error);
  two_b = fc_cluster_lock_manager_acquire_sync (two, (const char *[]) { "b", NULL }, 5, NULL, &error);
  g_assert_no_error (error);
  /* Each process, holding one, waits for the other's. */
  fc_cluster_lock_manager_acquire_async (one, (const char *[]) { "b", NULL }, FC_TIMEOUT_INFINITE,
                                         cancellable, acquired_cb, &first);
  fc_cluster_lock_manager_acquire_async (two, (const char *[]) { "a", NULL }, FC_TIMEOUT_INFINITE,
                                         cancellable, acquired_cb, &second);

  /* Both waiter keys are written within a few round trips. */
  for (guint tries = 0; !seen && tries < 100; tries++)
    {
      g_clear_pointer (&found, g_strfreev);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      found = fc_cluster_lock_manager_detect_potential_deadlocks_sync (three, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; found[i] != NULL; i++)
        seen |= strcmp (found[i], "Deadlock: 'host-a:17' holds 'a' and waits for 'b'; "
                                  "'host-b:4711' holds 'b' and waits for 'a'") == 0;
      if (!seen)
        g_usleep (G_USEC_PER_SEC / 20);
    }
  g_assert_true (seen);

  g_cancellable_cancel (cancellable);
  fc_test_run_until (&first.done);
  fc_test_run_until (&second.done);
  g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&first.error);
  g_clear_error (&second.error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 2);
  fc_cluster_lock_guard_release_sync (one_a, NULL, &error);
  g_assert_no_error (error);
  fc_cluster_lock_guard_release_sync (two_b, NULL, &error);
  g_assert_no_error (error);
}

static void
test_order_cycle (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  g_autoptr(FcClusterLockManager) three = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) found = NULL;
  const char *expected =
    "Potential deadlock: lock order cycle a -> c -> a "
    "(a (1) -> c (3) by 'host-a:17'; c (3) -> a (1) by 'host-b:4711')";
  gboolean seen = FALSE;

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "host-a:17");
  two = manager_new (prefix, "host-b:4711");
  three = manager_new (prefix, "observer:1");
  register_locks (one);

  /* One process takes 'c' while holding 'a', the other 'a' while holding
   * 'c' (two guards each, so no order rule applies): never at the same
   * time, but they could have been. */
  for (guint p = 0; p < 2; p++)
    {
      FcClusterLockManager *manager = p == 0 ? one : two;
      g_autoptr(FcClusterLockGuard) first = NULL;
      g_autoptr(FcClusterLockGuard) second = NULL;

      first = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { p == 0 ? "a" : "c", NULL },
                                                    5, NULL, &error);
      g_assert_no_error (error);
      second = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { p == 0 ? "c" : "a", NULL },
                                                     5, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (fc_cluster_lock_guard_release_sync (second, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (fc_cluster_lock_guard_release_sync (first, NULL, &error));
      g_assert_no_error (error);
    }

  /* The edges are published in the background, once each. */
  for (guint tries = 0; !seen && tries < 100; tries++)
    {
      g_clear_pointer (&found, g_strfreev);
      found = fc_cluster_lock_manager_detect_potential_deadlocks_sync (three, NULL, &error);
      g_assert_no_error (error);
      seen = g_strv_contains ((const char * const *) found, expected);
      if (!seen)
        g_usleep (G_USEC_PER_SEC / 20);
    }
  if (!seen)
    for (guint i = 0; found[i] != NULL; i++)
      g_test_message ("found: %s", found[i]);
  g_assert_true (seen);
  g_assert_cmpuint (g_strv_length (found), ==, 1);
}

/* A process holding a lock dies by SIGKILL: the lock comes free when its
 * lease expires, and the waiter is granted. */
static int
run_holder (const char *endpoints,
            const char *prefix)
{
  g_auto(GStrv) urls = g_strsplit (endpoints, ",", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;

#ifdef __linux__
  /* Never outlive the test, whatever happens to it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () == 1)
    return 1;
#endif
  manager = g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, &error,
                            "endpoints", urls, "prefix", prefix, "identity", "doomed:1",
                            "lease-ttl", 2.0, NULL);
  if (manager != NULL)
    guard = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "a", NULL }, 10, NULL, &error);
  if (guard == NULL)
    {
      g_printerr ("holder: %s\n", error->message);
      return 1;
    }
  g_print ("held\n");
  for (;;)
    g_usleep (G_USEC_PER_SEC);
}

static const char *self_path;

static void
test_holder_killed (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autofree char *endpoints = NULL;
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  guint64 dead_token;

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix, "survivor:2");
  register_locks (manager);
  endpoints = fc_test_etcd_dup_endpoints_string (cluster);
  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             self_path, "--holder", endpoints, prefix, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "held");

  {
    g_autoptr(GVariant) status = fc_cluster_lock_manager_get_lock_status_sync (manager, NULL, &error);
    g_autoptr(GVariant) a = NULL;
    const char *owner = NULL;

    g_assert_no_error (error);
    a = g_variant_lookup_value (status, "a", G_VARIANT_TYPE_VARDICT);
    g_assert_true (g_variant_lookup (a, "owner", "m&s", &owner));
    g_assert_cmpstr (owner, ==, "doomed:1");
    g_assert_true (g_variant_lookup (a, "fencing_token", "t", &dead_token));
  }

  g_subprocess_force_exit (holder);
  fc_test_subprocess_wait (holder);
  g_assert_no_error (error);

  /* Within the holder's lease (2 s) and a keep-alive period; the timeout
   * is far above that. */
  guard = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "a", NULL }, 30, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fc_cluster_lock_guard_get_fencing_token (guard), >, dead_token);
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
}

/* Two processes take turns on one lock: every token is above the last. */
static void
test_tokens_increase (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  g_autoptr(GError) error = NULL;
  guint64 last = 0;

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix, "one:1");
  two = manager_new (prefix, "two:2");
  register_locks (one);

  for (guint i = 0; i < 10; i++)
    {
      FcClusterLockManager *manager = i % 2 ? two : one;
      g_autoptr(FcClusterLockGuard) guard =
        fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { i % 3 ? "a" : "b", "a", NULL },
                                              10, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (fc_cluster_lock_guard_get_fencing_token (guard), >, last);
      last = fc_cluster_lock_guard_get_fencing_token (guard);
      g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
      g_assert_no_error (error);
    }
}

typedef struct
{
  GAsyncResult *result;
  int           done;
} AsyncResult;

static void
async_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  AsyncResult *out = data;

  out->result = g_object_ref (result);
  g_atomic_int_set (&out->done, 1);
}

/* Waits in the thread-default context for the next result. */
static GAsyncResult *
wait_result (AsyncResult *out)
{
  GAsyncResult *result;

  fc_test_run_until (&out->done);
  result = out->result;
  out->result = NULL;
  out->done = 0;
  return result;
}

/* Every call the async way, completing in the caller's context. */
static void
test_async_api (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(GVariant) status = NULL;
  g_auto(GStrv) found = NULL;
  g_autoptr(GError) error = NULL;
  AsyncResult out = { NULL, 0 };
  GAsyncResult *result;

  SKIP_WITHOUT_CLUSTER ();
  fc_cluster_lock_manager_new_async (fc_test_etcd_get_endpoints (cluster), prefix, NULL,
                                     async_result_cb, &out);
  result = wait_result (&out);
  manager = fc_cluster_lock_manager_new_finish (result, &error);
  g_object_unref (result);
  g_assert_no_error (error);

  fc_cluster_lock_manager_register_lock_async (manager, "a", 1, "async", NULL, async_result_cb, &out);
  result = wait_result (&out);
  g_assert_true (fc_cluster_lock_manager_register_lock_finish (manager, result, &error));
  g_object_unref (result);
  g_assert_no_error (error);

  fc_cluster_lock_manager_acquire_async (manager, (const char *[]) { "a", NULL }, 5, NULL,
                                         async_result_cb, &out);
  result = wait_result (&out);
  guard = fc_cluster_lock_manager_acquire_finish (manager, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);

  fc_cluster_lock_manager_get_lock_status_async (manager, NULL, async_result_cb, &out);
  result = wait_result (&out);
  status = fc_cluster_lock_manager_get_lock_status_finish (manager, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (status), ==, 1);

  fc_cluster_lock_manager_detect_potential_deadlocks_async (manager, NULL, async_result_cb, &out);
  result = wait_result (&out);
  found = fc_cluster_lock_manager_detect_potential_deadlocks_finish (manager, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (found), ==, 0);

  fc_cluster_lock_guard_release_async (guard, NULL, async_result_cb, &out);
  result = wait_result (&out);
  g_assert_true (fc_cluster_lock_guard_release_finish (guard, result, &error));
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);

  fc_cluster_lock_manager_close_async (manager, NULL, async_result_cb, &out);
  result = wait_result (&out);
  g_assert_true (fc_cluster_lock_manager_close_finish (manager, result, &error));
  g_object_unref (result);
  g_assert_no_error (error);
}

static void
test_bad_endpoints (void)
{
  const char *not_urls[][2] = {
    { "localhost:2379", NULL },
    { "ftp://127.0.0.1:2379", NULL },
    { "http://127.0.0.1", NULL },
    { "http://127.0.0.1:2379/v3", NULL },
    { "", NULL },
  };
  const char *none[] = { NULL };

  for (guint i = 0; i < G_N_ELEMENTS (not_urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FcClusterLockManager) manager =
        fc_cluster_lock_manager_new_sync (not_urls[i], NULL, NULL, &error);

      g_assert_null (manager);
      g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FcClusterLockManager) manager = fc_cluster_lock_manager_new_sync (none, NULL, NULL, &error);

    g_assert_null (manager);
    g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  }
}

/* A port nothing listens on: bound, then closed. */
static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static void
test_unreachable (void)
{
  g_autofree char *url1 = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autofree char *url2 = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  const char *endpoints[] = { url1, url2, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockManager) manager = NULL;

  /* The lease TTL bounds the start. */
  manager = g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, &error,
                            "endpoints", endpoints, "lease-ttl", 1.0, NULL);
  g_assert_null (manager);
  g_assert_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE);
  g_assert_true (g_str_has_prefix (error->message, "Lock cluster unavailable: "));
}

/* A failover: a dead member first, a live one next. */
static void
test_failover (void)
{
  g_autofree char *dead = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autofree char *prefix = test_prefix ();
  const char *endpoints[] = { dead, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;

  SKIP_WITHOUT_CLUSTER ();
  endpoints[1] = fc_test_etcd_get_endpoint (cluster, 1);
  manager = fc_cluster_lock_manager_new_sync (endpoints, prefix, NULL, &error);
  g_assert_no_error (error);
  register_locks (manager);
  guard = fc_cluster_lock_manager_acquire_sync (manager, (const char *[]) { "a", NULL }, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
}

/* A connection to a server that answers every request with @data (the
 * manager's first request, a lease grant): reads the request's head and
 * body, answers and closes, blocking the server's thread meanwhile (the
 * manager sends one request at a time). */
static gboolean
garbage_incoming_cb (GSocketService    *service,
                     GSocketConnection *connection,
                     GObject           *source_object,
                     gpointer           data)
{
  const char *reply = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_autofree char *head = NULL;
  guint64 body = 0;
  gboolean complete = FALSE;
  char *line;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  while (!complete && (line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
    {
      g_strchomp (line);
      if (line[0] == '\0')
        complete = TRUE;
      else if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        body = g_ascii_strtoull (line + 15, NULL, 10);
      g_free (line);
    }
  while (complete && body > 0)
    {
      gssize skipped = g_input_stream_skip (G_INPUT_STREAM (in), body, NULL, NULL);

      if (skipped <= 0)
        complete = FALSE;
      else
        body -= skipped;
    }
  if (complete)
    {
      head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                              strlen (reply));
      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
      g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL);
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

typedef struct
{
  GMainContext   *context;
  GSocketService *service;
  int             quit;
} Garbage;

/* Accepts the server's connections (the service's source is attached to
 * @context, pushed when the service was made), then stops the service
 * here, where its source is, and lets what it had pending finish. */
static gpointer
garbage_thread (gpointer data)
{
  Garbage *garbage = data;

  g_main_context_push_thread_default (garbage->context);
  while (!g_atomic_int_get (&garbage->quit))
    g_main_context_iteration (garbage->context, TRUE);
  g_socket_service_stop (garbage->service);
  g_socket_listener_close (G_SOCKET_LISTENER (garbage->service));
  g_clear_object (&garbage->service);
  while (g_main_context_iteration (garbage->context, FALSE))
    ;
  g_main_context_pop_thread_default (garbage->context);
  return NULL;
}

/* Replies that are not etcd's: a clear error, nothing leaked. The server
 * is a plain socket service, served by one thread (libsoup 3.2's
 * SoupServer leaks its listener's address and the connections it
 * accepted, which LeakSanitizer reports; a threaded service hands each
 * connection to GLib's thread pool through a queue ThreadSanitizer cannot
 * see). */
static void
test_malformed (void)
{
  const char *replies[] = {
    "this is not JSON",
    "[1, 2, 3]",
    "{\"ID\": {\"nested\": true}, \"TTL\": \"5\"}",
    "{\"ID\": \"12\", \"TTL\": []}",
    "{}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_autoptr(GMainContext) context = g_main_context_new ();
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(FcClusterLockManager) manager = NULL;
      g_autofree char *url = NULL;
      const char *endpoints[2] = { NULL, NULL };
      GThread *thread;
      Garbage garbage = { context, NULL, 0 };

      g_main_context_push_thread_default (context);
      garbage.service = g_socket_service_new ();
      g_signal_connect (garbage.service, "incoming", G_CALLBACK (garbage_incoming_cb), (gpointer) replies[i]);
      g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (garbage.service), address,
                                                    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                    NULL, &bound, &error));
      g_assert_no_error (error);
      g_main_context_pop_thread_default (context);
      url = g_strdup_printf ("http://127.0.0.1:%u",
                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
      endpoints[0] = url;
      thread = g_thread_new ("garbage", garbage_thread, &garbage);

      manager = g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, &error,
                                "endpoints", endpoints, "lease-ttl", 1.0, NULL);
      g_assert_null (manager);
      g_assert_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE);
      g_assert_nonnull (strstr (error->message, "malformed reply"));

      g_atomic_int_set (&garbage.quit, 1);
      g_main_context_wakeup (context);
      g_thread_join (thread);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* The process that holds a lock and is killed (/cluster/holder-killed). */
  if (argc == 4 && strcmp (argv[1], "--holder") == 0)
    return run_holder (argv[2], argv[3]);

  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster/bad-endpoints", test_bad_endpoints);
  g_test_add_func ("/cluster/unreachable", test_unreachable);
  g_test_add_func ("/cluster/malformed", test_malformed);
  g_test_add_func ("/cluster/register", test_register);
  g_test_add_func ("/cluster/acquire-release", test_acquire_release);
  g_test_add_func ("/cluster/async-api", test_async_api);
  g_test_add_func ("/cluster/exclusion-and-rollback", test_exclusion_and_rollback);
  g_test_add_func ("/cluster/wait-cancel", test_wait_cancel);
  g_test_add_func ("/cluster/nested", test_nested);
  g_test_add_func ("/cluster/status", test_status);
  g_test_add_func ("/cluster/close-releases", test_close_releases);
  g_test_add_func ("/cluster/failover", test_failover);
  g_test_add_func ("/cluster/live-deadlock", test_live_deadlock);
  g_test_add_func ("/cluster/order-cycle", test_order_cycle);
  g_test_add_func ("/cluster/holder-killed", test_holder_killed);
  g_test_add_func ("/cluster/tokens-increase", test_tokens_increase);
  g_test_add_func ("/cluster/one-member-stopped", test_one_member_stopped);
  g_test_add_func ("/cluster/lost", test_lost);
  g_test_add_func ("/cluster/lease-gone", test_lease_gone);
  g_test_add_func ("/cluster/lease-gone-while-waiting", test_lease_gone_while_waiting);

  cluster = fc_test_etcd_start_or_skip (3);
  status = g_test_run ();
  g_clear_pointer (&cluster, fc_test_etcd_free);
  return status;
}
