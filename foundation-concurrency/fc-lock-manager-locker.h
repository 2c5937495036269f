/* fc-lock-manager-locker.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib-object.h>

#include "fc-lock-manager.h"
#include "fc-version-macros.h"

G_BEGIN_DECLS

/**
 * FcLockManagerLocker: (skip)
 *
 * Opaque: what one fc_lock_manager_locker_new() call took, for C code on a
 * hot path. It is not a #GObject and costs no allocation; free it with
 * fc_lock_manager_locker_free() or scope it with
 * `g_autoptr (FcLockManagerLocker)`.
 *
 * Since: 1.0
 */
typedef struct _FcLockManagerLocker FcLockManagerLocker;

FC_AVAILABLE_IN_ALL
FcLockManagerLocker *fc_lock_manager_locker_new  (FcLockManager       *manager,
                                                  const char * const  *names,
                                                  double               timeout,
                                                  gboolean             blocking,
                                                  GError             **error);
FC_AVAILABLE_IN_ALL
void                 fc_lock_manager_locker_free (FcLockManagerLocker *locker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FcLockManagerLocker, fc_lock_manager_locker_free)

G_END_DECLS
