/* fc-async-waitfor-private.h — what the async engine's state tells the
 * diagnostics: the async wait-for graph, made of guards (grants whose
 * completion waits for a main context nobody iterates are the engine's,
 * fc_async_state_find_undelivered()). Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The graph's owners are guards, not guard chains: a queued request waits
 * for the guard that holds its lock (FcLockState.owner_id of an async lock
 * is its holding guard), and a guard with a pending child request waits on
 * that request. A guard that waits for nothing will release, whatever its
 * siblings wait for: sibling guards are separate owners.
 */

#pragma once

#include "fc-async-engine-private.h"
#include "fc-lock-core-private.h"

G_BEGIN_DECLS

/* FcLockKind.collect_waits of async locks: appends an FcWait for every
 * queued request (who: its guard) and, for a pending child request, one
 * more for its parent (who: the parent). */
void fc_async_lock_manager_collect_waits (FcRegistry   *registry,
                                          GArray       *waits);

G_END_DECLS
