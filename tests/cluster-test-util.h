/* cluster-test-util.h — what the cluster tests share: a key prefix per
 * test, a manager on the fixture's cluster, the lock keys left in etcd.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <unistd.h>

#include <foundation-concurrency.h>

#include "etcd-fixture.h"

#define FC_CLUSTER_TEST_SKIP_WITHOUT(cluster) \
  G_STMT_START { if ((cluster) == NULL) { g_test_skip ("no etcd"); return; } } G_STMT_END

/* A prefix of its own for every test (under @base): nothing one leaves
 * matters to another. */
static inline char *
fc_cluster_test_prefix (const char *base)
{
  static guint n;

  return g_strdup_printf ("%s%u-%u/", base, (guint) getpid (), ++n);
}

/* A manager on @cluster with a 5 s lease; @identity NULL for the default. */
static inline FcClusterLockManager *
fc_cluster_test_manager_new (FcTestEtcd *cluster,
                             const char *prefix,
                             const char *identity)
{
  g_autoptr(GError) error = NULL;
  FcClusterLockManager *manager =
    identity != NULL
    ? g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, &error,
                      "endpoints", fc_test_etcd_get_endpoints (cluster),
                      "prefix", prefix, "identity", identity, "lease-ttl", 5.0, NULL)
    : g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, &error,
                      "endpoints", fc_test_etcd_get_endpoints (cluster),
                      "prefix", prefix, "lease-ttl", 5.0, NULL);

  g_assert_no_error (error);
  g_assert_nonnull (manager);
  return manager;
}

/* The lock keys (holders and waiters) under @prefix, read from etcd itself. */
static inline guint
fc_cluster_test_count_lock_keys (FcTestEtcd *cluster,
                                 const char *prefix)
{
  g_autofree char *locks = g_strconcat (prefix, "locks/", NULL);

  return fc_test_etcd_count_keys (cluster, locks);
}
