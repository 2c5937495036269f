/* fc-run.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib-object.h>

#include "fc-gather.h"
#include "fc-version-macros.h"

G_BEGIN_DECLS

/**
 * FcRunFlags:
 * @FC_RUN_NONE: no flags
 * @FC_RUN_DEBUG: log a warning for every main-loop dispatch that takes
 *   longer than 100 ms, like asyncio's debug mode
 *
 * Flags for fc_run().
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  FC_RUN_NONE  = 0,
  FC_RUN_DEBUG = 1 << 0,
} FcRunFlags;

/**
 * FcRunFunc:
 * @gather: the #FcGather to report into
 * @slot: the slot of @gather to report the outcome into
 * @user_data: (closure): the data passed to fc_run()
 *
 * The main function of fc_run(). It starts the work, in the thread-default
 * #GMainContext that fc_run() pushed, and arranges for its outcome to be
 * reported into @slot of @gather with fc_gather_return_value() or
 * fc_gather_return_error(), now or later, from any thread. Work started
 * with the gather's cancellable is cancelled if the outcome is an error.
 *
 * Since: 1.0
 */
typedef void (*FcRunFunc) (FcGather *gather,
                           guint     slot,
                           gpointer  user_data);

FC_AVAILABLE_IN_ALL
gboolean fc_run (FcRunFunc    main_func,
                 gpointer     user_data,
                 FcRunFlags   flags,
                 GValue      *result,
                 GError     **error);

G_END_DECLS
