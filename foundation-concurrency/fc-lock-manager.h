/* fc-lock-manager.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib-object.h>

#include "fc-lock.h"
#include "fc-lock-guard.h"
#include "fc-version-macros.h"

G_BEGIN_DECLS

#define FC_TYPE_LOCK_MANAGER (fc_lock_manager_get_type ())

FC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (FcLockManager, fc_lock_manager, FC, LOCK_MANAGER, GObject)

FC_AVAILABLE_IN_ALL
FcLockManager *fc_lock_manager_new                       (void);
FC_AVAILABLE_IN_ALL
FcLockManager *fc_lock_manager_get_default               (void);
FC_AVAILABLE_IN_ALL
gboolean       fc_lock_manager_register_foundation_locks (FcLockManager       *self,
                                                          GError             **error);
FC_AVAILABLE_IN_ALL
FcLock        *fc_lock_manager_register_lock             (FcLockManager       *self,
                                                          const char          *name,
                                                          int                  order,
                                                          const char          *description,
                                                          FcLock              *lock,
                                                          GError             **error);
FC_AVAILABLE_IN_ALL
FcLock        *fc_lock_manager_get_lock                  (FcLockManager       *self,
                                                          const char          *name,
                                                          GError             **error);
FC_AVAILABLE_IN_ALL
FcLockGuard   *fc_lock_manager_acquire                   (FcLockManager       *self,
                                                          const char * const  *names,
                                                          double               timeout,
                                                          gboolean             blocking,
                                                          GError             **error);
FC_AVAILABLE_IN_ALL
GVariant      *fc_lock_manager_get_lock_status           (FcLockManager       *self);
FC_AVAILABLE_IN_ALL
char         **fc_lock_manager_detect_potential_deadlocks (FcLockManager      *self);
FC_AVAILABLE_IN_ALL
GVariant      *fc_lock_manager_get_deadlock_report       (FcLockManager      *self);
FC_AVAILABLE_IN_ALL
char          *fc_lock_manager_dump_order_graph          (FcLockManager      *self);
FC_AVAILABLE_IN_ALL
double         fc_lock_manager_get_watchdog_interval     (FcLockManager      *self);
FC_AVAILABLE_IN_ALL
void           fc_lock_manager_set_watchdog_interval     (FcLockManager      *self,
                                                          double              interval);
FC_AVAILABLE_IN_ALL
double         fc_lock_manager_get_hold_warning_threshold (FcLockManager      *self);
FC_AVAILABLE_IN_ALL
void           fc_lock_manager_set_hold_warning_threshold (FcLockManager      *self,
                                                           double              threshold);

G_END_DECLS
