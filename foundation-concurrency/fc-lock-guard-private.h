/* fc-lock-guard-private.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-lock-guard.h"
#include "fc-lock-private.h"
#include "fc-registry-private.h"

G_BEGIN_DECLS

/* Takes every lock of @registry that @names names for the calling thread,
 * as fc_lock_manager_acquire() documents (order rule, re-entrancy, one
 * deadline, rollback), and returns a guard for them; NULL with @error set. */
FcLockGuard *fc_lock_guard_acquire (FcRegistry          *registry,
                                    const char * const  *names,
                                    double               timeout,
                                    gboolean             blocking,
                                    GError             **error);

G_END_DECLS
