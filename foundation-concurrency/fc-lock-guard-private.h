/* fc-lock-guard-private.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-lock-guard.h"
#include "fc-lock-manager-locker-private.h"

G_BEGIN_DECLS

/* A guard over what @locker took (the guard owns @locker), keeping
 * @keeper (which owns the locks) alive meanwhile. */
FcLockGuard *fc_lock_guard_new_internal (GObject             *keeper,
                                         FcLockManagerLocker *locker);

G_END_DECLS
