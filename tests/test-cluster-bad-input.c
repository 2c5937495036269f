/* test-cluster-bad-input.c — FcClusterLockManager and FcClusterLockGuard
 * with bad input against a real one-member etcd (tests/etcd-fixture.h).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The cluster half of tests/test-bad-input.c (issue 16): bad names, bad
 * timeouts, extreme orders, double release, release and acquisition after
 * close, a guard that outlives its manager. Each ends with the documented
 * GError (valid UTF-8, short) or a critical that changes nothing, and
 * with no key of ours left in etcd. In one process (the cluster is
 * started once): the criticals are expected with g_test_expect_message(). */

#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cluster-test-util.h"
#include "fc-test-util.h"

/* The longest message accepted: nothing quotes a megabyte. */
#define MESSAGE_MAX 4096

static FcTestEtcd *cluster;

#define SKIP_WITHOUT_CLUSTER() FC_CLUSTER_TEST_SKIP_WITHOUT (cluster)

static char *
test_prefix (void)
{
  return fc_cluster_test_prefix ("/fc-bad-input/");
}

static FcClusterLockManager *
manager_new (const char *prefix)
{
  return fc_cluster_test_manager_new (cluster, prefix, NULL);
}

static void
register_lock (FcClusterLockManager *manager,
               const char           *name,
               int                   order)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fc_cluster_lock_manager_register_lock_sync (manager, name, order, NULL, NULL, &error));
  g_assert_no_error (error);
}

static guint
count_lock_keys (const char *prefix)
{
  return fc_cluster_test_count_lock_keys (cluster, prefix);
}

/* No key of a session of ours is left: locks nor anything else but what
 * registration writes for good. */
static void
assert_no_lock_keys (const char *prefix)
{
  g_assert_cmpuint (count_lock_keys (prefix), ==, 0);
}

static void
assert_error (GError *error,
              int     code)
{
  g_assert_error (error, FC_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), <, MESSAGE_MAX);
}

static FcClusterLockGuard *
acquire (FcClusterLockManager *manager,
         const char * const   *names,
         double                timeout,
         GError              **error)
{
  return fc_cluster_lock_manager_acquire_sync (manager, names, timeout, NULL, error);
}

/* ---- Names --------------------------------------------------------------- */

static void
test_names (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autofree char *huge = g_strnfill (1 << 20, 'h');
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) same = g_ptr_array_new ();
  struct { const char *name; int want; } cases[] = {
    { "", FC_ERROR_INVALID_ARGUMENT },
    { "bad\xc3(", FC_ERROR_INVALID_ARGUMENT },
    { huge, FC_ERROR_INVALID_ARGUMENT },
    { "nope", FC_ERROR_NOT_REGISTERED },
  };

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix);
  register_lock (manager, "a", 1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *lists[][3] = { { cases[i].name, NULL }, { "a", cases[i].name, NULL } };
      g_autoptr(GError) error = NULL;

      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        {
          g_assert_null (acquire (manager, lists[l], 1, &error));
          assert_error (error, cases[i].want);
          g_clear_error (&error);
          assert_no_lock_keys (prefix);
        }
      if (cases[i].want == FC_ERROR_INVALID_ARGUMENT)
        {
          g_assert_false (fc_cluster_lock_manager_register_lock_sync (manager, cases[i].name, 50 + (int) i,
                                                                      NULL, NULL, &error));
          assert_error (error, FC_ERROR_INVALID_ARGUMENT);
          g_clear_error (&error);
        }
    }

  /* No names at all: a NULL list and an empty one. */
  {
    g_autoptr(GError) error = NULL;
    const char *none[] = { NULL };

    g_assert_null (acquire (manager, NULL, 1, &error));
    assert_error (error, FC_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_null (acquire (manager, none, 1, &error));
    assert_error (error, FC_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (fc_cluster_lock_manager_register_lock_sync (manager, NULL, 99, NULL, NULL, &error));
    assert_error (error, FC_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  /* 10,000 distinct names are more than one etcd transaction takes: they
   * were UNAVAILABLE ("too many operations in txn request"). 64 are the
   * most, 65 too many, registered or not. */
  for (guint i = 0; i < 10000; i++)
    g_ptr_array_add (many, g_strdup_printf ("n%u", i));
  g_ptr_array_add (many, NULL);
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (acquire (manager, (const char * const *) many->pdata, 1, &error));
    assert_error (error, FC_ERROR_INVALID_ARGUMENT);
  }
  assert_no_lock_keys (prefix);
  for (guint i = 0; i < 65; i++)
    register_lock (manager, g_ptr_array_index (many, i), 100 + (int) i);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FcClusterLockGuard) guard = NULL;
    char *kept = g_ptr_array_index (many, 65);
    char *kept64 = g_ptr_array_index (many, 64);

    many->pdata[65] = NULL;
    g_assert_null (acquire (manager, (const char * const *) many->pdata, 5, &error));
    assert_error (error, FC_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    assert_no_lock_keys (prefix);
    many->pdata[64] = NULL;
    guard = acquire (manager, (const char * const *) many->pdata, 5, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (count_lock_keys (prefix), ==, 64);
    g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
    g_assert_no_error (error);
    many->pdata[64] = kept64;
    many->pdata[65] = kept;
  }
  assert_no_lock_keys (prefix);

  for (guint i = 0; i < 10000; i++)
    g_ptr_array_add (same, (gpointer) "a");
  g_ptr_array_add (same, NULL);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FcClusterLockGuard) guard = acquire (manager, (const char * const *) same->pdata, 5, &error);
    g_auto(GStrv) names = NULL;

    g_assert_no_error (error);
    names = fc_cluster_lock_guard_dup_names (guard);
    g_assert_cmpstrv (names, ((const char *[]) { "a", NULL }));
    g_assert_cmpuint (count_lock_keys (prefix), ==, 1);
    g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
    g_assert_no_error (error);
  }
  assert_no_lock_keys (prefix);
}

/* ---- Timeouts -------------------------------------------------------------- */

static void
test_bad_timeouts (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  const double bad[] = { -0.5, NAN, INFINITY, -INFINITY, -DBL_MIN, -2.0 };
  const char *a[] = { "a", NULL };

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix);
  register_lock (manager, "a", 1);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FcClusterLockGuard) outer = acquire (manager, a, 5, NULL);
      const char *b[] = { "b", NULL };

      g_assert_null (acquire (manager, a, bad[i], &error));
      assert_error (error, FC_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      /* And through a guard, nested. */
      g_assert_nonnull (outer);
      g_assert_null (fc_cluster_lock_guard_acquire_sync (outer, b, bad[i], NULL, &error));
      assert_error (error, FC_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_cmpuint (count_lock_keys (prefix), ==, 1);
      g_assert_true (fc_cluster_lock_guard_release_sync (outer, NULL, &error));
      g_assert_no_error (error);
      assert_no_lock_keys (prefix);
    }
}

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* 1e300 seconds and FC_TIMEOUT_INFINITE wait (no overflow into "now"):
 * while another manager holds the lock the call is still waiting once its
 * key is in etcd, and it gets the lock when the holder lets go. */
static void
test_long_timeouts (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) one = NULL;
  g_autoptr(FcClusterLockManager) two = NULL;
  const double waits[] = { 1e300, G_MAXDOUBLE, FC_TIMEOUT_INFINITE };
  const char *a[] = { "a", NULL };

  SKIP_WITHOUT_CLUSTER ();
  one = manager_new (prefix);
  two = manager_new (prefix);
  register_lock (one, "a", 1);

  for (guint i = 0; i < G_N_ELEMENTS (waits); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FcClusterLockGuard) held = acquire (two, a, 5, &error);
      g_autoptr(FcClusterLockGuard) guard = NULL;
      g_autoptr(GAsyncResult) result = NULL;

      g_assert_no_error (error);
      /* Free, it is taken at once. */
      if (i == 0)
        {
          g_autoptr(FcClusterLockGuard) free_guard = NULL;
          const char *b[] = { "b", NULL };

          register_lock (one, "b", 2);
          free_guard = acquire (one, b, waits[i], &error);
          g_assert_no_error (error);
          g_assert_true (fc_cluster_lock_guard_release_sync (free_guard, NULL, &error));
          g_assert_no_error (error);
        }

      fc_cluster_lock_manager_acquire_async (one, a, waits[i], NULL, acquired_cb, &result);
      while (result == NULL && count_lock_keys (prefix) < 2)
        g_main_context_iteration (NULL, FALSE);
      /* Queued behind the holder, not failed. */
      g_assert_null (result);
      g_assert_true (fc_cluster_lock_guard_release_sync (held, NULL, &error));
      g_assert_no_error (error);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      guard = fc_cluster_lock_manager_acquire_finish (one, result, &error);
      g_assert_no_error (error);
      g_assert_nonnull (guard);
      g_assert_cmpuint (count_lock_keys (prefix), ==, 1);
      g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
      g_assert_no_error (error);
      assert_no_lock_keys (prefix);
    }
}

/* ---- Orders ------------------------------------------------------------------ */

static void
test_orders (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(FcClusterLockGuard) high = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  const char *both[] = { "max", "min", NULL };
  const char *min[] = { "min", NULL };
  const char *max[] = { "max", NULL };

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix);
  register_lock (manager, "min", INT_MIN);
  register_lock (manager, "max", INT_MAX);
  /* Registering again with the same extreme order is fine; another is not. */
  register_lock (manager, "min", INT_MIN);
  g_assert_false (fc_cluster_lock_manager_register_lock_sync (manager, "min", INT_MAX, NULL, NULL, &error));
  assert_error (error, FC_ERROR_ALREADY_REGISTERED);
  g_clear_error (&error);
  g_assert_false (fc_cluster_lock_manager_register_lock_sync (manager, "other", INT_MAX, NULL, NULL, &error));
  assert_error (error, FC_ERROR_ORDER_CONFLICT);
  g_clear_error (&error);

  guard = acquire (manager, both, 5, &error);
  g_assert_no_error (error);
  names = fc_cluster_lock_guard_dup_names (guard);
  g_assert_cmpstrv (names, ((const char *[]) { "min", "max", NULL }));
  g_assert_cmpuint (count_lock_keys (prefix), ==, 2);
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
  assert_no_lock_keys (prefix);

  /* INT_MIN after INT_MAX in one chain breaks the order. */
  high = acquire (manager, max, 5, &error);
  g_assert_no_error (error);
  g_assert_null (fc_cluster_lock_guard_acquire_sync (high, min, 5, NULL, &error));
  assert_error (error, FC_ERROR_ORDER_VIOLATION);
  g_clear_error (&error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 1);
  g_assert_true (fc_cluster_lock_guard_release_sync (high, NULL, &error));
  g_assert_no_error (error);
  assert_no_lock_keys (prefix);
}

/* ---- Release, close, the manager gone ---------------------------------------- */

static void
released_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fc_cluster_lock_guard_release_finish (FC_CLUSTER_LOCK_GUARD (source), result, &error));
  g_assert_no_error (error);
  (*(guint *) data)++;
}

static void
test_double_release (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(GError) error = NULL;
  const char *a[] = { "a", NULL };
  guint n_released = 0;

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix);
  register_lock (manager, "a", 1);

  guard = acquire (manager, a, 5, &error);
  g_assert_no_error (error);
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
  fc_cluster_lock_guard_release (guard);
  g_assert_true (fc_cluster_lock_guard_is_released (guard));
  assert_no_lock_keys (prefix);
  g_clear_object (&guard);

  /* Started twice without waiting: both complete, once each. */
  guard = acquire (manager, a, 5, &error);
  g_assert_no_error (error);
  fc_cluster_lock_guard_release_async (guard, NULL, released_cb, &n_released);
  fc_cluster_lock_guard_release_async (guard, NULL, released_cb, &n_released);
  fc_cluster_lock_guard_release (guard);
  while (n_released < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (n_released, ==, 2);
  /* The fire-and-forget release of a released guard sends nothing; the
   * first one's deletion is done. */
  assert_no_lock_keys (prefix);

  /* A released guard cannot nest. */
  g_assert_null (fc_cluster_lock_guard_acquire_sync (guard, a, 1, NULL, &error));
  assert_error (error, FC_ERROR_INVALID_ARGUMENT);
  assert_no_lock_keys (prefix);
}

static void
test_after_close (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) status = NULL;
  g_auto(GStrv) findings = NULL;
  const char *a[] = { "a", NULL };
  const char *b[] = { "b", NULL };

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix);
  register_lock (manager, "a", 1);
  register_lock (manager, "b", 2);

  guard = acquire (manager, a, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 1);
  g_assert_true (fc_cluster_lock_manager_close_sync (manager, NULL, &error));
  g_assert_no_error (error);
  /* The lease went, and the keys with it. */
  assert_no_lock_keys (prefix);
  g_assert_true (fc_cluster_lock_guard_is_released (guard));

  /* Release after close: nothing left to do. */
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
  fc_cluster_lock_guard_release (guard);

  /* Everything after close is UNAVAILABLE, closing again is fine. */
  g_assert_null (acquire (manager, a, 1, &error));
  assert_error (error, FC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_null (acquire (manager, a, FC_TIMEOUT_INFINITE, &error));
  assert_error (error, FC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_null (fc_cluster_lock_guard_acquire_sync (guard, b, 1, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT) ||
                 g_error_matches (error, FC_ERROR, FC_ERROR_UNAVAILABLE));
  g_clear_error (&error);
  g_assert_false (fc_cluster_lock_manager_register_lock_sync (manager, "c", 3, NULL, NULL, &error));
  assert_error (error, FC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  status = fc_cluster_lock_manager_get_lock_status_sync (manager, NULL, &error);
  g_assert_null (status);
  assert_error (error, FC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  findings = fc_cluster_lock_manager_detect_potential_deadlocks_sync (manager, NULL, &error);
  g_assert_null (findings);
  assert_error (error, FC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_true (fc_cluster_lock_manager_close_sync (manager, NULL, &error));
  g_assert_no_error (error);
  assert_no_lock_keys (prefix);
}

/* The guard outlives its manager: what it holds goes with the manager's
 * lease; releasing, nesting and dropping it later are harmless. */
static void
test_manager_gone (void)
{
  g_autofree char *prefix = test_prefix ();
  FcClusterLockManager *manager = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(FcClusterLockGuard) nested = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  const char *a[] = { "a", NULL };
  const char *b[] = { "b", NULL };

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix);
  register_lock (manager, "a", 1);
  register_lock (manager, "b", 2);
  guard = acquire (manager, a, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_lock_keys (prefix), ==, 1);

  g_object_unref (manager);
  /* Finalizing revoked the lease. */
  assert_no_lock_keys (prefix);
  names = fc_cluster_lock_guard_dup_names (guard);
  g_assert_cmpstrv (names, ((const char *[]) { "a", NULL }));
  (void) fc_cluster_lock_guard_get_fencing_token (guard);
  (void) fc_cluster_lock_guard_is_lost (guard);

  nested = fc_cluster_lock_guard_acquire_sync (guard, b, 1, NULL, &error);
  g_test_message ("nested after the manager went: %s", error != NULL ? error->message : "taken");
  if (nested == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT) ||
                     g_error_matches (error, FC_ERROR, FC_ERROR_UNAVAILABLE));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }
  else
    {
      g_assert_no_error (error);
      fc_cluster_lock_guard_release_sync (nested, NULL, NULL);
    }
  assert_no_lock_keys (prefix);

  fc_cluster_lock_guard_release_sync (guard, NULL, &error);
  g_assert_true (error == NULL || g_error_matches (error, FC_ERROR, FC_ERROR_UNAVAILABLE));
  g_clear_error (&error);
  g_assert_true (fc_cluster_lock_guard_is_released (guard));
  g_clear_object (&nested);
  g_clear_object (&guard);
  assert_no_lock_keys (prefix);
}

/* Dropping the last reference of a held guard after its manager is gone. */
static void
test_manager_gone_unref (void)
{
  g_autofree char *prefix = test_prefix ();
  FcClusterLockManager *manager = NULL;
  FcClusterLockGuard *guard = NULL;
  g_autoptr(GError) error = NULL;
  const char *a[] = { "a", NULL };

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix);
  register_lock (manager, "a", 1);
  guard = acquire (manager, a, 5, &error);
  g_assert_no_error (error);
  g_object_unref (manager);
  g_object_unref (guard);
  assert_no_lock_keys (prefix);
}

/* ---- Programming errors: one critical, nothing changed -------------------- */

static void
test_criticals (void)
{
  g_autofree char *prefix = test_prefix ();
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_autoptr(FcClusterLockManager) other = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;
  g_autoptr(GObject) plain = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const char *a[] = { "a", NULL };

  SKIP_WITHOUT_CLUSTER ();
  manager = manager_new (prefix);
  other = manager_new (prefix);
  register_lock (manager, "a", 1);
  guard = acquire (manager, a, 5, &error);
  g_assert_no_error (error);

  /* A result of another manager's call. */
  fc_cluster_lock_manager_get_lock_status_async (other, NULL, acquired_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL, "*g_task_is_valid*");
  g_assert_null (fc_cluster_lock_manager_get_lock_status_finish (manager, result, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  /* A cancellable that is not one. */
  g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL, "*G_IS_CANCELLABLE*");
  fc_cluster_lock_manager_acquire_async (manager, a, 1, (GCancellable *) plain, acquired_cb, NULL);
  g_test_assert_expected_messages ();

  /* Nothing changed: still held, released once. */
  g_assert_false (fc_cluster_lock_guard_is_released (guard));
  g_assert_cmpuint (count_lock_keys (prefix), ==, 1);
  g_assert_true (fc_cluster_lock_guard_release_sync (guard, NULL, &error));
  g_assert_no_error (error);
  assert_no_lock_keys (prefix);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster-bad-input/names", test_names);
  g_test_add_func ("/cluster-bad-input/timeouts/bad", test_bad_timeouts);
  g_test_add_func ("/cluster-bad-input/timeouts/long-waits", test_long_timeouts);
  g_test_add_func ("/cluster-bad-input/orders", test_orders);
  g_test_add_func ("/cluster-bad-input/release/twice", test_double_release);
  g_test_add_func ("/cluster-bad-input/release/after-close", test_after_close);
  g_test_add_func ("/cluster-bad-input/manager-gone/guard-used", test_manager_gone);
  g_test_add_func ("/cluster-bad-input/manager-gone/guard-unreffed", test_manager_gone_unref);
  g_test_add_func ("/cluster-bad-input/criticals", test_criticals);

  cluster = fc_test_etcd_start_or_skip (1);
  status = g_test_run ();
  g_clear_pointer (&cluster, fc_test_etcd_free);
  return status;
}
