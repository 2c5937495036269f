/* fc-gather.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-error.h"
#include "fc-gather-private.h"
#include "fc-gather-wait-private.h"
#include "fc-private.h"

/**
 * SECTION:fc-gather
 * @title: FcGather
 * @short_description: wait for several operations at once, with a timeout
 *
 * #FcGather gives the reference's `gather` and `wait_for` functions in GIO's idiom.
 * Reserve one slot per operation with fc_gather_add(), start the
 * operations with the gather's #GCancellable (fc_gather_get_cancellable()),
 * report each one's outcome into its slot with fc_gather_return_value() or
 * fc_gather_return_error(), and wait for all of them with
 * fc_gather_wait_async(). Slots may be reported from any thread, before or
 * after the wait starts.
 *
 * <!-- snippet: fragment -->
 * |[<!-- language="C" -->
 * typedef struct { FcGather *gather; guint slot; } Pending;
 *
 * static void
 * sleep_done (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   Pending *pending = user_data;
 *   g_autoptr(GError) error = NULL;
 *
 *   if (fc_sleep_finish (result, &error))
 *     fc_gather_return_value (pending->gather, pending->slot, NULL);
 *   else
 *     fc_gather_return_error (pending->gather, pending->slot, error);
 *   g_object_unref (pending->gather);
 *   g_free (pending);
 * }
 *
 * static void
 * start_sleep (FcGather *gather, double seconds)
 * {
 *   Pending *pending = g_new (Pending, 1);
 *
 *   pending->gather = g_object_ref (gather);
 *   pending->slot = fc_gather_add (gather);
 *   fc_sleep_async (seconds, fc_gather_get_cancellable (gather),
 *                   sleep_done, pending);
 * }
 * ]|
 *
 * How the wait ends:
 *
 * - With `return_exceptions` %TRUE it succeeds once every slot has
 *   reported, with every slot's value or error, in slot order.
 * - With `return_exceptions` %FALSE the first error (in time) fails the wait
 *   at once, with a copy of that error, and cancels the gather's
 *   cancellable so that the other operations stop. (asyncio leaves them
 *   running; stopping them is the structured choice.) Their later reports
 *   are accepted and ignored.
 * - When the wait's timeout expires, the gather's cancellable is cancelled
 *   and the wait goes on until every slot has reported; it then fails with
 *   %FC_ERROR_TIMEOUT, unless every slot succeeded meanwhile. Operations
 *   are expected to honour the cancellable: one that never reports keeps
 *   the wait pending.
 * - Cancelling the wait's own cancellable cancels the gather's cancellable
 *   too, and the wait fails promptly with %G_IO_ERROR_CANCELLED, as GIO
 *   operations do, without waiting for the operations to wind down (their
 *   reports are still accepted). A wait that has already completed is not
 *   affected.
 *
 * Reporting a slot twice, or a slot that was never added, is a programming
 * error: it logs a critical and changes nothing.
 *
 * Since: 1.0
 */

/**
 * FcGather:
 *
 * A group of operations whose outcomes are gathered into numbered slots.
 *
 * Since: 1.0
 */
struct _FcGather
{
  GObject        parent_instance;

  FcGatherWaits  waits;  /* the slots and the waits, under their own mutex */
};

G_DEFINE_FINAL_TYPE (FcGather, fc_gather, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RETURN_EXCEPTIONS,
  PROP_CANCELLABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fc_gather_finalize (GObject *object)
{
  FcGather *self = (FcGather *) object;

  fc_gather_waits_clear (&self->waits);

  G_OBJECT_CLASS (fc_gather_parent_class)->finalize (object);
}

static void
fc_gather_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FcGather *self = FC_GATHER (object);

  switch (prop_id)
    {
    case PROP_RETURN_EXCEPTIONS:
      g_value_set_boolean (value, !self->waits.fail_fast);
      break;

    case PROP_CANCELLABLE:
      g_value_set_object (value, self->waits.cancellable);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fc_gather_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  FcGather *self = FC_GATHER (object);

  switch (prop_id)
    {
    case PROP_RETURN_EXCEPTIONS:
      self->waits.fail_fast = !g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fc_gather_class_init (FcGatherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fc_gather_finalize;
  object_class->get_property = fc_gather_get_property;
  object_class->set_property = fc_gather_set_property;

  /**
   * FcGather:return-exceptions:
   *
   * Whether errors are returned in their slots (%TRUE) or the first error
   * fails the wait and cancels the other operations (%FALSE).
   *
   * Since: 1.0
   */
  properties[PROP_RETURN_EXCEPTIONS] =
    g_param_spec_boolean ("return-exceptions", "Return exceptions", "Whether errors are results rather than the end of the group",
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * FcGather:cancellable:
   *
   * The #GCancellable to hand to every operation of the group. It is
   * cancelled on the first error (unless #FcGather:return-exceptions), on
   * a timeout, and when a wait is cancelled.
   *
   * Since: 1.0
   */
  properties[PROP_CANCELLABLE] =
    g_param_spec_object ("cancellable", "Cancellable", "The cancellable handed to every operation",
                         G_TYPE_CANCELLABLE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fc_gather_init (FcGather *self)
{
  fc_gather_waits_init (&self->waits);
}

/**
 * fc_gather_new:
 * @return_exceptions: %TRUE to collect errors in their slots, %FALSE to
 *   fail the wait on the first error
 *
 * Creates a gather with no slots.
 *
 * Returns: (transfer full): a new #FcGather
 *
 * Since: 1.0
 */
FcGather *
fc_gather_new (gboolean return_exceptions)
{
  return g_object_new (FC_TYPE_GATHER,
                       "return-exceptions", !!return_exceptions,
                       NULL);
}

/**
 * fc_gather_get_return_exceptions:
 * @self: an #FcGather
 *
 * Gets the #FcGather:return-exceptions property.
 *
 * Returns: whether errors are returned in their slots
 *
 * Since: 1.0
 */
gboolean
fc_gather_get_return_exceptions (FcGather *self)
{
  g_return_val_if_fail (FC_IS_GATHER (self), FALSE);

  return !self->waits.fail_fast;
}

/**
 * fc_gather_add:
 * @self: an #FcGather
 *
 * Reserves the next slot for one operation. Slots are numbered from 0 in
 * the order they are added. Add every slot before the wait can complete:
 * a slot added later only counts for waits that are still pending.
 *
 * Returns: the new slot's index
 *
 * Since: 1.0
 */
guint
fc_gather_add (FcGather *self)
{
  g_return_val_if_fail (FC_IS_GATHER (self), 0);

  return fc_gather_waits_add (&self->waits);
}

/**
 * fc_gather_get_cancellable:
 * @self: an #FcGather
 *
 * Gets the cancellable to hand to every operation of the group; see
 * #FcGather:cancellable.
 *
 * Returns: (transfer none): the group's #GCancellable
 *
 * Since: 1.0
 */
GCancellable *
fc_gather_get_cancellable (FcGather *self)
{
  g_return_val_if_fail (FC_IS_GATHER (self), NULL);

  return self->waits.cancellable;
}

static void
fc_gather_report (FcGather   *self,
                  const char *function,
                  guint       slot,
                  FcOutcome  *outcome)
{
  guint n_slots;

  switch (fc_gather_waits_report (&self->waits, slot, outcome, &n_slots))
    {
    /* g_log() rather than g_critical(): with G_LOG_USE_STRUCTURED the
     * macro logs structured, which g_test_expect_message() cannot see. */
    case FC_GATHER_SLOT_OUT_OF_RANGE:
      g_log (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
             "%s: slot %u is out of range: the gather has %u slots",
             function, slot, n_slots);
      break;

    case FC_GATHER_SLOT_ALREADY_REPORTED:
      g_log (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
             "%s: slot %u was already reported", function, slot);
      break;

    case FC_GATHER_SLOT_REPORTED:
    case FC_GATHER_SLOT_FIRST_FAILURE:
    default:
      break;
    }
}

/**
 * fc_gather_return_value:
 * @self: an #FcGather
 * @slot: a slot returned by fc_gather_add()
 * @value: (nullable): the operation's value, copied; %NULL for an operation
 *   that succeeds without a value
 *
 * Reports that the operation of @slot succeeded. May be called from any
 * thread. Reporting a slot twice or one that was never added logs a
 * critical and changes nothing.
 *
 * Since: 1.0
 */
void
fc_gather_return_value (FcGather     *self,
                        guint         slot,
                        const GValue *value)
{
  g_return_if_fail (FC_IS_GATHER (self));
  g_return_if_fail (value == NULL || G_IS_VALUE (value));

  fc_gather_report (self, G_STRFUNC, slot, fc_outcome_new_value (value));
}

/**
 * fc_gather_return_error:
 * @self: an #FcGather
 * @slot: a slot returned by fc_gather_add()
 * @error: the operation's error, copied
 *
 * Reports that the operation of @slot failed. May be called from any
 * thread. Reporting a slot twice or one that was never added logs a
 * critical and changes nothing.
 *
 * Since: 1.0
 */
void
fc_gather_return_error (FcGather     *self,
                        guint         slot,
                        const GError *error)
{
  g_return_if_fail (FC_IS_GATHER (self));
  g_return_if_fail (error != NULL);

  fc_gather_report (self, G_STRFUNC, slot, fc_outcome_new_error (error));
}

static GTask *
fc_gather_wait_task_new (FcGather            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, fc_gather_wait_async);
  g_task_set_name (task, "fc_gather_wait_async");
  /* The wait decides between its outcome and cancellation itself. */
  g_task_set_check_cancellable (task, FALSE);
  return task;
}

/**
 * fc_gather_wait_async:
 * @self: an #FcGather
 * @timeout: how long to wait, in seconds, or %FC_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): a #GAsyncReadyCallback to call when the wait is over
 * @user_data: (closure callback): data for @callback
 *
 * Waits for the operations of every slot; see the description of #FcGather
 * for how the wait ends. @callback runs in the thread-default #GMainContext
 * of the caller, always on a later iteration, even when every slot has
 * already been reported; call fc_gather_wait_finish() from it.
 *
 * A gather without slots fails with %FC_ERROR_INVALID_ARGUMENT, as does a
 * negative (other than %FC_TIMEOUT_INFINITE), NaN or infinite @timeout,
 * before anything starts.
 *
 * Since: 1.0
 */
void
fc_gather_wait_async (FcGather            *self,
                      double               timeout,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  gint64 deadline;

  g_return_if_fail (FC_IS_GATHER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = fc_gather_wait_task_new (self, cancellable, callback, user_data);

  if (!fc_timeout_to_deadline (timeout, &deadline, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Slots are never removed: a gather with a slot keeps it. */
  if (fc_gather_waits_count (&self->waits) == 0)
    {
      g_task_return_new_error (task, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                               "%s", _("At least one operation must be provided"));
      return;
    }

  fc_gather_waits_start (&self->waits, g_steal_pointer (&task), FC_GATHER_EVERY_SLOT, deadline);
}

/* Waits for @slot only: fc_run()'s wait, which a main function adding slots
 * of its own must not prolong. No timeout, no cancellable; finished with
 * fc_gather_wait_finish(), with a single outcome. */
void
fc_gather_wait_slot_async (FcGather            *self,
                           guint                slot,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (FC_IS_GATHER (self));
  g_return_if_fail (slot < fc_gather_waits_count (&self->waits));

  fc_gather_waits_start (&self->waits, fc_gather_wait_task_new (self, NULL, callback, user_data),
                         slot, -1);
}

/**
 * fc_gather_wait_finish:
 * @self: an #FcGather
 * @result: the #GAsyncResult passed to the callback of fc_gather_wait_async()
 * @error: return location for a #GError, or %NULL
 *
 * Finishes a wait started with fc_gather_wait_async().
 *
 * Returns: (transfer container) (element-type FcOutcome): one #FcOutcome per
 *   slot, in slot order, freed with the array (g_ptr_array_unref()); or %NULL with @error set: the first error of an
 *   operation (without #FcGather:return-exceptions), %FC_ERROR_TIMEOUT,
 *   %G_IO_ERROR_CANCELLED or %FC_ERROR_INVALID_ARGUMENT
 *
 * Since: 1.0
 */
GPtrArray *
fc_gather_wait_finish (FcGather      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (FC_IS_GATHER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fc_gather_wait_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
