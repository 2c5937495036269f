/* fc-outcome-private.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-outcome.h"

G_BEGIN_DECLS

/* @value may be NULL: a success without a value. */
FcOutcome *fc_outcome_new_value (const GValue *value);
FcOutcome *fc_outcome_new_error (const GError *error);

G_END_DECLS
