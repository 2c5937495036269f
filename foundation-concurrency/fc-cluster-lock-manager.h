/* fc-cluster-lock-manager.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fc-cluster-lock-guard.h"
#include "fc-version-macros.h"

G_BEGIN_DECLS

#define FC_TYPE_CLUSTER_LOCK_MANAGER (fc_cluster_lock_manager_get_type ())

FC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (FcClusterLockManager, fc_cluster_lock_manager, FC, CLUSTER_LOCK_MANAGER, GObject)

FC_AVAILABLE_IN_ALL
FcClusterLockManager *fc_cluster_lock_manager_new_sync    (const char * const   *endpoints,
                                                           const char           *prefix,
                                                           GCancellable         *cancellable,
                                                           GError              **error);
FC_AVAILABLE_IN_ALL
void                  fc_cluster_lock_manager_new_async   (const char * const   *endpoints,
                                                           const char           *prefix,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
FC_AVAILABLE_IN_ALL
FcClusterLockManager *fc_cluster_lock_manager_new_finish  (GAsyncResult         *result,
                                                           GError              **error);

FC_AVAILABLE_IN_ALL
gboolean  fc_cluster_lock_manager_register_lock_sync   (FcClusterLockManager *self,
                                                        const char           *name,
                                                        int                   order,
                                                        const char           *description,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
FC_AVAILABLE_IN_ALL
void      fc_cluster_lock_manager_register_lock_async  (FcClusterLockManager *self,
                                                        const char           *name,
                                                        int                   order,
                                                        const char           *description,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
FC_AVAILABLE_IN_ALL
gboolean  fc_cluster_lock_manager_register_lock_finish (FcClusterLockManager *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

FC_AVAILABLE_IN_ALL
void                fc_cluster_lock_manager_acquire_async  (FcClusterLockManager *self,
                                                            const char * const   *names,
                                                            double                timeout,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
FC_AVAILABLE_IN_ALL
FcClusterLockGuard *fc_cluster_lock_manager_acquire_finish (FcClusterLockManager *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
FC_AVAILABLE_IN_ALL
FcClusterLockGuard *fc_cluster_lock_manager_acquire_sync   (FcClusterLockManager *self,
                                                            const char * const   *names,
                                                            double                timeout,
                                                            GCancellable         *cancellable,
                                                            GError              **error);

FC_AVAILABLE_IN_ALL
GVariant *fc_cluster_lock_manager_get_lock_status_sync   (FcClusterLockManager *self,
                                                          GCancellable         *cancellable,
                                                          GError              **error);
FC_AVAILABLE_IN_ALL
void      fc_cluster_lock_manager_get_lock_status_async  (FcClusterLockManager *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
FC_AVAILABLE_IN_ALL
GVariant *fc_cluster_lock_manager_get_lock_status_finish (FcClusterLockManager *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

FC_AVAILABLE_IN_ALL
char    **fc_cluster_lock_manager_detect_potential_deadlocks_sync   (FcClusterLockManager *self,
                                                                     GCancellable         *cancellable,
                                                                     GError              **error);
FC_AVAILABLE_IN_ALL
void      fc_cluster_lock_manager_detect_potential_deadlocks_async  (FcClusterLockManager *self,
                                                                     GCancellable         *cancellable,
                                                                     GAsyncReadyCallback   callback,
                                                                     gpointer              user_data);
FC_AVAILABLE_IN_ALL
char    **fc_cluster_lock_manager_detect_potential_deadlocks_finish (FcClusterLockManager *self,
                                                                     GAsyncResult         *result,
                                                                     GError              **error);

FC_AVAILABLE_IN_ALL
gboolean  fc_cluster_lock_manager_close_sync   (FcClusterLockManager *self,
                                                GCancellable         *cancellable,
                                                GError              **error);
FC_AVAILABLE_IN_ALL
void      fc_cluster_lock_manager_close_async  (FcClusterLockManager *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
FC_AVAILABLE_IN_ALL
gboolean  fc_cluster_lock_manager_close_finish (FcClusterLockManager *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
