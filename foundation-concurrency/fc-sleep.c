/* fc-sleep.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fc-error.h"
#include "fc-private.h"
#include "fc-sleep.h"

/**
 * SECTION:fc-sleep
 * @title: Sleeping
 * @short_description: an asynchronous, cancellable sleep
 *
 * fc_sleep_async() is the reference's `asyncio.sleep()` in GIO's idiom: it
 * completes after a delay without blocking the thread, through the caller's
 * thread-default #GMainContext, and stops early when its #GCancellable is
 * cancelled. It is the natural stand-in for I/O in tests and examples, and a
 * building block for retries and back-off.
 *
 * Since: 1.0
 */

static void
fc_sleep_data_free (FcTaskSources *data)
{
  fc_task_sources_clear (data);
  g_free (data);
}

/* Runs in the task's context; whichever source fires first completes the
 * task and destroys the other, so nothing stays attached afterwards. */
static void
fc_sleep_complete (GTask  *task,
                   GError *error)
{
  g_object_ref (task);
  fc_task_sources_clear (g_task_get_task_data (task));

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
fc_sleep_timer_cb (gpointer user_data)
{
  fc_sleep_complete (G_TASK (user_data), NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
fc_sleep_cancelled_cb (GCancellable *cancellable,
                       gpointer      user_data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  fc_sleep_complete (G_TASK (user_data), error);
  return G_SOURCE_REMOVE;
}

/**
 * fc_sleep_async:
 * @delay: how long to sleep, in seconds; `0` completes on a later main-loop
 *   iteration
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): a #GAsyncReadyCallback to call when the sleep is over
 * @user_data: (closure callback): data for @callback
 *
 * Sleeps for @delay seconds, measured on the monotonic clock, without
 * blocking the thread. @callback runs in the thread-default #GMainContext of
 * the caller; call fc_sleep_finish() from it.
 *
 * A negative, NaN or infinite @delay fails with %FC_ERROR_INVALID_ARGUMENT
 * before anything starts (still through @callback, on a later iteration).
 * Cancelling @cancellable ends the sleep promptly with
 * %G_IO_ERROR_CANCELLED; a cancelled sleep leaves no source attached to the
 * context.
 *
 * Since: 1.0
 */
void
fc_sleep_async (double               delay,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FcTaskSources *data;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fc_sleep_async);
  g_task_set_name (task, "fc_sleep_async");
  /* The sources below decide between success and cancellation. */
  g_task_set_check_cancellable (task, FALSE);

  if (isnan (delay) || isinf (delay) || delay < 0)
    {
      g_task_return_new_error (task, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                               "%s", _("Sleep delay must be non-negative"));
      return;
    }

  data = g_new0 (FcTaskSources, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) fc_sleep_data_free);

  data->timer =
    fc_task_attach_source (task, fc_deadline_source_new (fc_deadline_after (delay)),
                           fc_sleep_timer_cb);
  if (cancellable != NULL)
    data->cancel_source =
      fc_task_attach_source (task, g_cancellable_source_new (cancellable),
                             (GSourceFunc) G_CALLBACK (fc_sleep_cancelled_cb));
}

/**
 * fc_sleep_finish:
 * @result: the #GAsyncResult passed to the callback of fc_sleep_async()
 * @error: return location for a #GError, or %NULL
 *
 * Finishes a sleep started with fc_sleep_async().
 *
 * Returns: %TRUE once the full delay has passed; %FALSE with @error set when
 *   the delay was invalid (%FC_ERROR_INVALID_ARGUMENT) or the sleep was
 *   cancelled (%G_IO_ERROR_CANCELLED)
 *
 * Since: 1.0
 */
gboolean
fc_sleep_finish (GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fc_sleep_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
