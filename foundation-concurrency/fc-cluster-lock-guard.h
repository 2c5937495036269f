/* fc-cluster-lock-guard.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fc-version-macros.h"

G_BEGIN_DECLS

#define FC_TYPE_CLUSTER_LOCK_GUARD (fc_cluster_lock_guard_get_type ())

FC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (FcClusterLockGuard, fc_cluster_lock_guard, FC, CLUSTER_LOCK_GUARD, GObject)

FC_AVAILABLE_IN_ALL
void                fc_cluster_lock_guard_release          (FcClusterLockGuard   *self);
FC_AVAILABLE_IN_ALL
gboolean            fc_cluster_lock_guard_release_sync     (FcClusterLockGuard   *self,
                                                            GCancellable         *cancellable,
                                                            GError              **error);
FC_AVAILABLE_IN_ALL
void                fc_cluster_lock_guard_release_async    (FcClusterLockGuard   *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
FC_AVAILABLE_IN_ALL
gboolean            fc_cluster_lock_guard_release_finish   (FcClusterLockGuard   *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
FC_AVAILABLE_IN_ALL
char              **fc_cluster_lock_guard_dup_names        (FcClusterLockGuard   *self);
FC_AVAILABLE_IN_ALL
gboolean            fc_cluster_lock_guard_is_released      (FcClusterLockGuard   *self);
FC_AVAILABLE_IN_ALL
guint64             fc_cluster_lock_guard_get_fencing_token (FcClusterLockGuard  *self);
FC_AVAILABLE_IN_ALL
gboolean            fc_cluster_lock_guard_is_lost          (FcClusterLockGuard   *self);
FC_AVAILABLE_IN_ALL
void                fc_cluster_lock_guard_acquire_async    (FcClusterLockGuard   *self,
                                                            const char * const   *names,
                                                            double                timeout,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
FC_AVAILABLE_IN_ALL
FcClusterLockGuard *fc_cluster_lock_guard_acquire_finish   (FcClusterLockGuard   *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
FC_AVAILABLE_IN_ALL
FcClusterLockGuard *fc_cluster_lock_guard_acquire_sync     (FcClusterLockGuard   *self,
                                                            const char * const   *names,
                                                            double                timeout,
                                                            GCancellable         *cancellable,
                                                            GError              **error);

G_END_DECLS
