/* fc-lock-guard.h
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

#define FC_TYPE_LOCK_GUARD (fc_lock_guard_get_type ())

typedef struct _FcLockGuard FcLockGuard;

FC_AVAILABLE_IN_ALL
GType        fc_lock_guard_get_type    (void) G_GNUC_CONST;
FC_AVAILABLE_IN_ALL
FcLockGuard *fc_lock_guard_ref         (FcLockGuard *self);
FC_AVAILABLE_IN_ALL
void         fc_lock_guard_unref       (FcLockGuard *self);
FC_AVAILABLE_IN_ALL
void         fc_lock_guard_release     (FcLockGuard *self);
FC_AVAILABLE_IN_ALL
char       **fc_lock_guard_dup_names   (FcLockGuard *self);
FC_AVAILABLE_IN_ALL
gboolean     fc_lock_guard_is_released (FcLockGuard *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FcLockGuard, fc_lock_guard_unref)

G_END_DECLS
