/* fc-cluster-lock-guard-private.h — making cluster lock guards, and what
 * the manager tells them. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-cluster-client-private.h"
#include "fc-cluster-lock-guard.h"

G_BEGIN_DECLS

/* Takes @acquired. */
FcClusterLockGuard *fc_cluster_lock_guard_new        (FcClusterClient     *client,
                                                      FcClusterLockGuard  *parent,
                                                      FcClusterAcquired   *acquired);
/* Acquires @names for @parent's chain (NULL: a new one) and completes
 * @task (taken) with the new guard. */
void                fc_cluster_lock_guard_acquire_for (FcClusterClient    *client,
                                                       FcClusterLockGuard *parent,
                                                       GTask              *task,
                                                       const char * const *names,
                                                       double              timeout);
/* The lease is gone: the guard is lost (the `lost` signal, once). */
void                fc_cluster_lock_guard_mark_lost  (gpointer             guard);
/* The manager closed: released, its keys gone with the lease. */
void                fc_cluster_lock_guard_mark_closed (FcClusterLockGuard *self);

G_END_DECLS
