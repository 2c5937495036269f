/* fc-sleep.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <gio/gio.h>

#include "fc-version-macros.h"

G_BEGIN_DECLS

FC_AVAILABLE_IN_ALL
void     fc_sleep_async  (double                delay,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data);
FC_AVAILABLE_IN_ALL
gboolean fc_sleep_finish (GAsyncResult         *result,
                          GError              **error);

G_END_DECLS
