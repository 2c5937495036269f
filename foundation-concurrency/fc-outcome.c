/* fc-outcome.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-outcome-private.h"

/**
 * SECTION:fc-outcome
 * @title: FcOutcome
 * @short_description: the value or error one operation reported
 *
 * An #FcOutcome is what one slot of an #FcGather received: either a value
 * (fc_outcome_get_value(), possibly none) or an error
 * (fc_outcome_get_error()). fc_gather_wait_finish() returns one per slot, in
 * slot order. Outcomes are immutable and reference counted, so they may be
 * shared between threads.
 *
 * Since: 1.0
 */

/**
 * FcOutcome:
 *
 * An immutable, reference-counted record of one operation's result: a value
 * or a #GError.
 *
 * Since: 1.0
 */
struct _FcOutcome
{
  int              ref_count;   /* g_atomic_int_*: inline atomics TSan can see */
  GValue           value;   /* G_VALUE_INIT when no value or an error */
  GError          *error;
};

G_DEFINE_BOXED_TYPE (FcOutcome, fc_outcome, fc_outcome_ref, fc_outcome_unref)

FcOutcome *
fc_outcome_new_value (const GValue *value)
{
  FcOutcome *self = g_new0 (FcOutcome, 1);

  self->ref_count = 1;
  if (value != NULL)
    {
      g_value_init (&self->value, G_VALUE_TYPE (value));
      g_value_copy (value, &self->value);
    }
  return self;
}

FcOutcome *
fc_outcome_new_error (const GError *error)
{
  FcOutcome *self = g_new0 (FcOutcome, 1);

  self->ref_count = 1;
  self->error = g_error_copy (error);
  return self;
}

/**
 * fc_outcome_ref:
 * @self: an #FcOutcome
 *
 * Takes a reference to @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
FcOutcome *
fc_outcome_ref (FcOutcome *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * fc_outcome_unref:
 * @self: (transfer full): an #FcOutcome
 *
 * Drops a reference to @self, freeing it when the last one goes.
 *
 * Since: 1.0
 */
void
fc_outcome_unref (FcOutcome *self)
{
  g_return_if_fail (self != NULL);

  /* Not g_atomic_ref_count_dec(): that is a function inside (uninstrumented)
   * GLib, so ThreadSanitizer would not see the last unref on one thread
   * synchronise with the earlier ones on others. */
  if (g_atomic_int_dec_and_test (&self->ref_count))
    {
      if (G_IS_VALUE (&self->value))
        g_value_unset (&self->value);
      g_clear_error (&self->error);
      g_free (self);
    }
}

/**
 * fc_outcome_is_error:
 * @self: an #FcOutcome
 *
 * Whether the operation failed.
 *
 * Returns: %TRUE if @self holds an error, %FALSE if it holds a value (or
 *   a success without one)
 *
 * Since: 1.0
 */
gboolean
fc_outcome_is_error (FcOutcome *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->error != NULL;
}

/**
 * fc_outcome_get_value:
 * @self: an #FcOutcome
 *
 * The value the operation reported.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if the
 *   operation failed or succeeded without a value
 *
 * Since: 1.0
 */
const GValue *
fc_outcome_get_value (FcOutcome *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return G_IS_VALUE (&self->value) ? &self->value : NULL;
}

/**
 * fc_outcome_get_error:
 * @self: an #FcOutcome
 *
 * The error the operation reported.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL if the
 *   operation succeeded
 *
 * Since: 1.0
 */
const GError *
fc_outcome_get_error (FcOutcome *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error;
}
