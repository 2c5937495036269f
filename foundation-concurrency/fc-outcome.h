/* fc-outcome.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib-object.h>

#include "fc-version-macros.h"

G_BEGIN_DECLS

#define FC_TYPE_OUTCOME (fc_outcome_get_type ())

typedef struct _FcOutcome FcOutcome;

FC_AVAILABLE_IN_ALL
GType         fc_outcome_get_type  (void) G_GNUC_CONST;
FC_AVAILABLE_IN_ALL
FcOutcome    *fc_outcome_ref       (FcOutcome *self);
FC_AVAILABLE_IN_ALL
void          fc_outcome_unref     (FcOutcome *self);
FC_AVAILABLE_IN_ALL
gboolean      fc_outcome_is_error  (FcOutcome *self);
FC_AVAILABLE_IN_ALL
const GValue *fc_outcome_get_value (FcOutcome *self);
FC_AVAILABLE_IN_ALL
const GError *fc_outcome_get_error (FcOutcome *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FcOutcome, fc_outcome_unref)

G_END_DECLS
