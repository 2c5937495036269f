/* fc-run.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-error.h"
#include "fc-gather-private.h"
#include "fc-outcome.h"
#include "fc-private.h"
#include "fc-run.h"

/**
 * SECTION:fc-run
 * @title: Running
 * @short_description: run asynchronous work to completion from synchronous code
 *
 * fc_run() is the reference's `async_run` function: it runs a main function on a
 * fresh main context until that function has reported its outcome, and
 * returns the outcome. It bridges synchronous code — a command-line tool's
 * `main()`, a worker thread, a test — and asynchronous APIs.
 *
 * Since: 1.0
 */

/* A dispatch longer than this is reported under FC_RUN_DEBUG. */
#define FC_RUN_SLOW_DISPATCH_USEC (100 * G_TIME_SPAN_MILLISECOND)

/* One iteration of @context, as g_main_context_iteration (context, TRUE)
 * does it, with the dispatch step timed. The caller owns @context. */
static void
fc_run_iterate_timed (GMainContext  *context,
                      GArray        *fds)
{
  GPollFunc poll_func = g_main_context_get_poll_func (context);
  int max_priority;
  int timeout;
  int n_fds;

  g_main_context_prepare (context, &max_priority);

  while ((n_fds = g_main_context_query (context, max_priority, &timeout,
                                        (GPollFD *) fds->data, fds->len)) > (int) fds->len)
    g_array_set_size (fds, n_fds);

  if (n_fds > 0 || timeout != 0)
    poll_func ((GPollFD *) fds->data, n_fds, timeout);

  if (g_main_context_check (context, max_priority, (GPollFD *) fds->data, n_fds))
    {
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed;

      g_main_context_dispatch (context);

      elapsed = g_get_monotonic_time () - start;
      if (elapsed > FC_RUN_SLOW_DISPATCH_USEC)
        /* g_log(), not the structured g_warning(), so that
         * g_test_expect_message() can check it. */
        g_log (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
               "fc_run: a main-loop dispatch took %.3f s (more than %.3f s): "
               "a callback is blocking the loop",
               (double) elapsed / G_USEC_PER_SEC,
               (double) FC_RUN_SLOW_DISPATCH_USEC / G_USEC_PER_SEC);
    }
}

static void
fc_run_wait_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GPtrArray **outcomes = user_data;
  g_autoptr(GError) error = NULL;

  *outcomes = fc_gather_wait_finish (FC_GATHER (source), result, &error);
  /* A wait for one slot, without timeout or cancellable, cannot fail. */
  g_assert_no_error (error);
}

/**
 * fc_run:
 * @main_func: (scope call) (not nullable): the function that starts the work
 * @user_data: (closure main_func): data for @main_func
 * @flags: #FcRunFlags
 * @result: (out caller-allocates) (optional): where to store the value
 *   @main_func reported; it must be zero-filled (%G_VALUE_INIT) or
 *   initialized, and is reset to the reported value's type (left unset if
 *   the work succeeded without a value). Untouched on error.
 * @error: return location for a #GError, or %NULL
 *
 * Runs asynchronous work to completion. fc_run() pushes a fresh
 * thread-default #GMainContext, creates an #FcGather (returning exceptions)
 * with one slot, calls @main_func with it, iterates the context until the
 * slot has been reported, pops the context and returns the outcome. Slots
 * that @main_func adds to the gather for work of its own are not waited for.
 *
 * fc_run() may be called from any thread, including from inside a callback
 * of a running main loop: the outer loop does not run meanwhile. Work that
 * is still pending when the slot is reported is abandoned with the
 * context, so @main_func should report only once its work is done (an
 * #FcGather helps).
 *
 * With %FC_RUN_DEBUG every dispatch of the context that takes longer than
 * 100 ms logs a warning.
 *
 * Returns: %TRUE if @main_func reported a value, %FALSE with @error set if
 *   it reported an error
 *
 * Since: 1.0
 */
gboolean
fc_run (FcRunFunc    main_func,
        gpointer     user_data,
        FcRunFlags   flags,
        GValue      *result,
        GError     **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(FcGather) gather = NULL;
  g_autoptr(GPtrArray) outcomes = NULL;
  g_autoptr(GArray) fds = NULL;
  FcOutcome *outcome;
  const GValue *value;
  guint slot;

  g_return_val_if_fail (main_func != NULL, FALSE);
  g_return_val_if_fail (result == NULL ||
                        G_VALUE_TYPE (result) == G_TYPE_INVALID ||
                        G_IS_VALUE (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  /* Ours for the whole run, so that no other thread iterates it. */
  g_main_context_acquire (context);

  gather = fc_gather_new (TRUE);
  slot = fc_gather_add (gather);
  main_func (gather, slot, user_data);
  /* Its own slot only: slots main_func adds are its own business. */
  fc_gather_wait_slot_async (gather, slot, fc_run_wait_cb, &outcomes);

  if (flags & FC_RUN_DEBUG)
    fds = g_array_sized_new (FALSE, TRUE, sizeof (GPollFD), 8);

  while (outcomes == NULL)
    {
      if (fds != NULL)
        fc_run_iterate_timed (context, fds);
      else
        g_main_context_iteration (context, TRUE);
    }

  g_main_context_release (context);
  g_main_context_pop_thread_default (context);

  outcome = g_ptr_array_index (outcomes, 0);
  if (fc_outcome_is_error (outcome))
    {
      g_propagate_error (error, g_error_copy (fc_outcome_get_error (outcome)));
      return FALSE;
    }

  value = fc_outcome_get_value (outcome);
  if (result != NULL)
    {
      if (G_IS_VALUE (result))
        g_value_unset (result);
      if (value != NULL)
        {
          g_value_init (result, G_VALUE_TYPE (value));
          g_value_copy (value, result);
        }
    }

  return TRUE;
}
