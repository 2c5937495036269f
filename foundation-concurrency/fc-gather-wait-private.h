/* fc-gather-wait-private.h — the waits of an FcGather: queueing, timeouts,
 * cancellation and completion in the waiter's context; never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fc-gather-slots-private.h"

G_BEGIN_DECLS

/* The slot of a wait on every slot. */
#define FC_GATHER_EVERY_SLOT G_MAXUINT

/* Embedded in the FcGather; every GTask of a wait has that gather as its
 * source object, which keeps this alive while a wait is pending. */
typedef struct
{
  gboolean      fail_fast;    /* set once, at construction */
  GCancellable *cancellable;  /* the group's, a ref; set once, at init */
  GMutex        mutex;        /* guards everything below (fc_mutex_*) */
  FcGatherSlots slots;
  GQueue        waiters;      /* pending GTasks, each holding a reference */
} FcGatherWaits;

void               fc_gather_waits_init   (FcGatherWaits *self);
void               fc_gather_waits_clear  (FcGatherWaits *self);

/* The number of slots; adds one and returns its index. */
guint              fc_gather_waits_count  (FcGatherWaits *self);
guint              fc_gather_waits_add    (FcGatherWaits *self);

/* Stores @outcome (transfer full) in @slot and completes the waits that
 * are over; cancels the group on the first failure when failing fast.
 * Refuses (changing nothing) a slot out of range or already reported;
 * *@n_slots is then the number of slots. Any thread. */
FcGatherSlotReport fc_gather_waits_report (FcGatherWaits *self,
                                           guint          slot,
                                           FcOutcome     *outcome,
                                           guint         *n_slots);

/* Starts the wait of @task (transfer full; its source object is the
 * gather, its cancellable the wait's) for @slot (or FC_GATHER_EVERY_SLOT)
 * until @deadline (monotonic µs, -1 never). The gather has a slot. The
 * task completes on a later iteration of its context with a GPtrArray of
 * FcOutcome or an error. */
void               fc_gather_waits_start  (FcGatherWaits *self,
                                           GTask         *task,
                                           guint          slot,
                                           gint64         deadline);

G_END_DECLS
