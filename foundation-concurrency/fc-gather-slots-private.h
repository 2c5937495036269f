/* fc-gather-slots-private.h — the numbered slots of an FcGather and what
 * was reported into them; never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "fc-outcome-private.h"

G_BEGIN_DECLS

/* The bookkeeping only: no locking (the gather's mutex guards it), no
 * waits, no messages. */
typedef struct
{
  GPtrArray *outcomes;       /* FcOutcome (a ref), NULL until reported */
  guint      n_reported;
  guint      n_failed;
  FcOutcome *first_failure;  /* the first error, in time (a ref) */
} FcGatherSlots;

/* What fc_gather_slots_report() did. */
typedef enum
{
  FC_GATHER_SLOT_REPORTED,          /* stored */
  FC_GATHER_SLOT_FIRST_FAILURE,     /* stored, and the first error */
  FC_GATHER_SLOT_OUT_OF_RANGE,      /* refused: never added */
  FC_GATHER_SLOT_ALREADY_REPORTED,  /* refused: reported before */
} FcGatherSlotReport;

/* Whether a wait on every slot is over, and how. */
typedef enum
{
  FC_GATHER_PENDING,    /* not yet */
  FC_GATHER_COMPLETE,   /* with every slot's outcome (fc_gather_slots_collect()) */
  FC_GATHER_FAILED,     /* with the first failure */
  FC_GATHER_TIMED_OUT,  /* timed out, and some slot failed */
} FcGatherVerdict;

void               fc_gather_slots_init    (FcGatherSlots       *self);
void               fc_gather_slots_clear   (FcGatherSlots       *self);

/* The number of slots added so far. */
static inline guint
fc_gather_slots_count (const FcGatherSlots *self)
{
  return self->outcomes->len;
}

/* Adds an empty slot; returns its index. */
guint              fc_gather_slots_add     (FcGatherSlots       *self);

/* Stores @outcome (transfer full, consumed on every path) in @slot. */
FcGatherSlotReport fc_gather_slots_report  (FcGatherSlots       *self,
                                            guint                slot,
                                            FcOutcome           *outcome);

/* The outcome of @slot (transfer none), NULL while unreported or out of
 * range. */
FcOutcome         *fc_gather_slots_get     (const FcGatherSlots *self,
                                            guint                slot);

/* Decides a wait on every slot: with @fail_fast the first failure ends it;
 * once @timed_out it ends when every slot has reported. */
FcGatherVerdict    fc_gather_slots_judge   (const FcGatherSlots *self,
                                            gboolean             fail_fast,
                                            gboolean             timed_out);

/* A new array holding a reference to the outcomes of slots @first to
 * @first + @n - 1, every one of them reported. */
GPtrArray         *fc_gather_slots_collect (const FcGatherSlots *self,
                                            guint                first,
                                            guint                n);

G_END_DECLS
