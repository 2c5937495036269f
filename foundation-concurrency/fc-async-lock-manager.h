/* fc-async-lock-manager.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fc-async-lock.h"
#include "fc-async-lock-guard.h"
#include "fc-version-macros.h"

G_BEGIN_DECLS

#define FC_TYPE_ASYNC_LOCK_MANAGER (fc_async_lock_manager_get_type ())

FC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (FcAsyncLockManager, fc_async_lock_manager, FC, ASYNC_LOCK_MANAGER, GObject)

FC_AVAILABLE_IN_ALL
FcAsyncLockManager *fc_async_lock_manager_new                       (void);
FC_AVAILABLE_IN_ALL
FcAsyncLockManager *fc_async_lock_manager_get_default               (void);
FC_AVAILABLE_IN_ALL
gboolean            fc_async_lock_manager_register_foundation_locks (FcAsyncLockManager   *self,
                                                                     GError              **error);
FC_AVAILABLE_IN_ALL
FcAsyncLock        *fc_async_lock_manager_register_lock             (FcAsyncLockManager   *self,
                                                                     const char           *name,
                                                                     int                   order,
                                                                     const char           *description,
                                                                     FcAsyncLock          *lock,
                                                                     GError              **error);
FC_AVAILABLE_IN_ALL
FcAsyncLock        *fc_async_lock_manager_get_lock                  (FcAsyncLockManager   *self,
                                                                     const char           *name,
                                                                     GError              **error);
FC_AVAILABLE_IN_ALL
void                fc_async_lock_manager_acquire_async             (FcAsyncLockManager   *self,
                                                                     const char * const   *names,
                                                                     double                timeout,
                                                                     GCancellable         *cancellable,
                                                                     GAsyncReadyCallback   callback,
                                                                     gpointer              user_data);
FC_AVAILABLE_IN_ALL
FcAsyncLockGuard   *fc_async_lock_manager_acquire_finish            (FcAsyncLockManager   *self,
                                                                     GAsyncResult         *result,
                                                                     GError              **error);
FC_AVAILABLE_IN_ALL
GVariant           *fc_async_lock_manager_get_lock_status           (FcAsyncLockManager   *self);
FC_AVAILABLE_IN_ALL
char              **fc_async_lock_manager_detect_potential_deadlocks (FcAsyncLockManager  *self);
FC_AVAILABLE_IN_ALL
GVariant           *fc_async_lock_manager_get_deadlock_report (FcAsyncLockManager *self);
FC_AVAILABLE_IN_ALL
char               *fc_async_lock_manager_dump_order_graph (FcAsyncLockManager *self);
FC_AVAILABLE_IN_ALL
double              fc_async_lock_manager_get_watchdog_interval (FcAsyncLockManager *self);
FC_AVAILABLE_IN_ALL
void                fc_async_lock_manager_set_watchdog_interval (FcAsyncLockManager *self,
                                                                 double              interval);
FC_AVAILABLE_IN_ALL
double              fc_async_lock_manager_get_hold_warning_threshold (FcAsyncLockManager  *self);
FC_AVAILABLE_IN_ALL
void                fc_async_lock_manager_set_hold_warning_threshold (FcAsyncLockManager  *self,
                                                                      double               threshold);

G_END_DECLS
