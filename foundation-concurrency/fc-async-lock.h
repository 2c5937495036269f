/* fc-async-lock.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib-object.h>

#include "fc-version-macros.h"

G_BEGIN_DECLS

#define FC_TYPE_ASYNC_LOCK (fc_async_lock_get_type ())

FC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (FcAsyncLock, fc_async_lock, FC, ASYNC_LOCK, GObject)

FC_AVAILABLE_IN_ALL
FcAsyncLock *fc_async_lock_new             (void);
FC_AVAILABLE_IN_ALL
const char  *fc_async_lock_get_name        (FcAsyncLock *self);
FC_AVAILABLE_IN_ALL
int          fc_async_lock_get_order       (FcAsyncLock *self);
FC_AVAILABLE_IN_ALL
const char  *fc_async_lock_get_description (FcAsyncLock *self);
FC_AVAILABLE_IN_ALL
gboolean     fc_async_lock_is_locked       (FcAsyncLock *self);
FC_AVAILABLE_IN_ALL
char        *fc_async_lock_dup_owner       (FcAsyncLock *self);
FC_AVAILABLE_IN_ALL
guint        fc_async_lock_get_waiters     (FcAsyncLock *self);

G_END_DECLS
