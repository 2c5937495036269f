/* fc-gather-slots-private.c — the numbered slots of an FcGather
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-gather-slots-private.h"

static void
fc_gather_outcome_free (gpointer outcome)
{
  if (outcome != NULL)
    fc_outcome_unref (outcome);
}

void
fc_gather_slots_init (FcGatherSlots *self)
{
  *self = (FcGatherSlots) { 0 };
  self->outcomes = g_ptr_array_new_with_free_func (fc_gather_outcome_free);
}

void
fc_gather_slots_clear (FcGatherSlots *self)
{
  g_clear_pointer (&self->outcomes, g_ptr_array_unref);
  g_clear_pointer (&self->first_failure, fc_outcome_unref);
}

guint
fc_gather_slots_add (FcGatherSlots *self)
{
  guint slot = self->outcomes->len;

  g_ptr_array_add (self->outcomes, NULL);
  return slot;
}

FcGatherSlotReport
fc_gather_slots_report (FcGatherSlots *self,
                        guint          slot,
                        FcOutcome     *outcome)
{
  if (slot >= self->outcomes->len)
    {
      fc_outcome_unref (outcome);
      return FC_GATHER_SLOT_OUT_OF_RANGE;
    }
  if (g_ptr_array_index (self->outcomes, slot) != NULL)
    {
      fc_outcome_unref (outcome);
      return FC_GATHER_SLOT_ALREADY_REPORTED;
    }

  g_ptr_array_index (self->outcomes, slot) = outcome;
  self->n_reported++;

  if (!fc_outcome_is_error (outcome))
    return FC_GATHER_SLOT_REPORTED;

  self->n_failed++;
  if (self->first_failure != NULL)
    return FC_GATHER_SLOT_REPORTED;

  self->first_failure = fc_outcome_ref (outcome);
  return FC_GATHER_SLOT_FIRST_FAILURE;
}

FcOutcome *
fc_gather_slots_get (const FcGatherSlots *self,
                     guint                slot)
{
  if (slot >= self->outcomes->len)
    return NULL;
  return g_ptr_array_index (self->outcomes, slot);
}

FcGatherVerdict
fc_gather_slots_judge (const FcGatherSlots *self,
                       gboolean             fail_fast,
                       gboolean             timed_out)
{
  gboolean all_reported = self->n_reported == self->outcomes->len;

  if (timed_out)
    {
      if (!all_reported)
        return FC_GATHER_PENDING;
      return self->n_failed > 0 ? FC_GATHER_TIMED_OUT : FC_GATHER_COMPLETE;
    }
  if (fail_fast && self->first_failure != NULL)
    return FC_GATHER_FAILED;
  return all_reported ? FC_GATHER_COMPLETE : FC_GATHER_PENDING;
}

GPtrArray *
fc_gather_slots_collect (const FcGatherSlots *self,
                         guint                first,
                         guint                n)
{
  GPtrArray *result = g_ptr_array_new_full (n, (GDestroyNotify) fc_outcome_unref);

  g_assert (first <= self->outcomes->len && n <= self->outcomes->len - first);

  for (guint i = first; i < first + n; i++)
    g_ptr_array_add (result, fc_outcome_ref (g_ptr_array_index (self->outcomes, i)));
  return result;
}
