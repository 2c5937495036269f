/* fc-async-lock-guard.h
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

#define FC_TYPE_ASYNC_LOCK_GUARD (fc_async_lock_guard_get_type ())

FC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (FcAsyncLockGuard, fc_async_lock_guard, FC, ASYNC_LOCK_GUARD, GObject)

FC_AVAILABLE_IN_ALL
void              fc_async_lock_guard_release        (FcAsyncLockGuard    *self);
FC_AVAILABLE_IN_ALL
char            **fc_async_lock_guard_dup_names      (FcAsyncLockGuard    *self);
FC_AVAILABLE_IN_ALL
gboolean          fc_async_lock_guard_is_released    (FcAsyncLockGuard    *self);
FC_AVAILABLE_IN_ALL
const char       *fc_async_lock_guard_get_label      (FcAsyncLockGuard    *self);
FC_AVAILABLE_IN_ALL
char             *fc_async_lock_guard_dup_label      (FcAsyncLockGuard    *self);
FC_AVAILABLE_IN_ALL
void              fc_async_lock_guard_set_label      (FcAsyncLockGuard    *self,
                                                      const char          *label);
FC_AVAILABLE_IN_ALL
void              fc_async_lock_guard_acquire_async  (FcAsyncLockGuard    *self,
                                                      const char * const  *names,
                                                      double               timeout,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
FC_AVAILABLE_IN_ALL
FcAsyncLockGuard *fc_async_lock_guard_acquire_finish (FcAsyncLockGuard    *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
