/* fc-gather.h
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

#define FC_TYPE_GATHER (fc_gather_get_type ())

FC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (FcGather, fc_gather, FC, GATHER, GObject)

FC_AVAILABLE_IN_ALL
FcGather     *fc_gather_new                   (gboolean              return_exceptions);
FC_AVAILABLE_IN_ALL
gboolean      fc_gather_get_return_exceptions (FcGather             *self);
FC_AVAILABLE_IN_ALL
guint         fc_gather_add                   (FcGather             *self);
FC_AVAILABLE_IN_ALL
GCancellable *fc_gather_get_cancellable       (FcGather             *self);
FC_AVAILABLE_IN_ALL
void          fc_gather_return_value          (FcGather             *self,
                                               guint                 slot,
                                               const GValue         *value);
FC_AVAILABLE_IN_ALL
void          fc_gather_return_error          (FcGather             *self,
                                               guint                 slot,
                                               const GError         *error);
FC_AVAILABLE_IN_ALL
void          fc_gather_wait_async            (FcGather             *self,
                                               double                timeout,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
FC_AVAILABLE_IN_ALL
GPtrArray    *fc_gather_wait_finish           (FcGather             *self,
                                               GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
