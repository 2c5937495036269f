/* fc-lock-private.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-lock.h"
#include "fc-private.h"
#include "fc-lock-core-private.h"
#include "fc-lockdep-private.h"
#include "fc-report-private.h"
#include "fc-thread-private.h"
#include "fc-waitfor-private.h"

G_BEGIN_DECLS

extern const FcLockKind fc_lock_kind;

FcLockCore *fc_lock_get_core         (FcLock   *self);
FcThread   *fc_lock_get_owner_thread (FcLock   *self);

/* Takes @self for @thread (recursively if it already owns it). Returns FALSE
 * if it could not be taken before @deadline, or at once if @deadline is NULL.
 * @stamp caches the coarse clock across the locks of one call: 0 until read
 * (see fc_stamp()). */
gboolean fc_lock_acquire_internal (FcLock     *self,
                                   FcThread   *thread,
                                   FcDeadline *deadline,
                                   gint64     *stamp);
/* Sets FC_ERROR_TIMEOUT for @self, explaining who blocked @thread; every
 * failed blocking acquire_internal() must end with it (it also takes
 * @thread off the wait-for graph). */
void     fc_lock_set_timeout_error (FcLock     *self,
                                    FcThread   *thread,
                                    GError    **error);

/* Undoes one acquire_internal() by @thread, which must own @self. */
void     fc_lock_release_internal (FcLock     *self,
                                   FcThread   *thread,
                                   gint64     *stamp);

G_END_DECLS
