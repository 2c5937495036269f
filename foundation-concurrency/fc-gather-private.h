/* fc-gather-private.h — what fc_run() needs of FcGather; never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-gather.h"

G_BEGIN_DECLS

/* Like fc_gather_wait_async() without timeout or cancellable, but waits
 * for @slot only; fc_gather_wait_finish() then gives that slot's outcome
 * alone. */
void fc_gather_wait_slot_async (FcGather            *self,
                                guint                slot,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);

G_END_DECLS
