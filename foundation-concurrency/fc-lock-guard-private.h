/* fc-lock-guard-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-lock-guard.h"
#include "fc-lock-private.h"

G_BEGIN_DECLS

/* A guard for @thread over @locks (already taken, in acquisition order),
 * keeping @keeper (which owns the locks) alive meanwhile. */
FcLockGuard *fc_lock_guard_new_internal (GObject  *keeper,
                                         FcThread *thread,
                                         FcLock  **locks,
                                         guint     n_locks);

G_END_DECLS
