/* fc-error.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib.h>

#include "fc-version-macros.h"

G_BEGIN_DECLS

/**
 * FC_ERROR:
 *
 * The error domain of foundation-concurrency. Errors in this domain are
 * from the #FcError enumeration.
 *
 * Since: 1.0
 */
#define FC_ERROR (fc_error_quark ())

/**
 * FC_TIMEOUT_INFINITE: (value -1.0)
 *
 * A timeout, in seconds, that waits forever.
 *
 * (The `value` annotation gives bindings the value: g-ir-scanner 1.74
 * drops the sign of a negative floating-point define.)
 *
 * Since: 1.0
 */
#define FC_TIMEOUT_INFINITE (-1.0)

/**
 * FcError:
 * @FC_ERROR_INVALID_ARGUMENT: an argument was out of range or malformed
 * @FC_ERROR_ALREADY_REGISTERED: a lock of that name is already registered
 * @FC_ERROR_ORDER_CONFLICT: a lock with that order is already registered
 * @FC_ERROR_NOT_REGISTERED: no lock of that name is registered
 * @FC_ERROR_ORDER_VIOLATION: the acquisition would break the lock order
 * @FC_ERROR_WOULD_BLOCK: a non-blocking acquisition found a lock taken
 * @FC_ERROR_TIMEOUT: the operation did not complete in time
 * @FC_ERROR_UNAVAILABLE: the lock cluster (etcd) did not answer: no
 *   endpoint answered, or no quorum, or the session's lease was lost
 *
 * Error codes in the %FC_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum
{
  FC_ERROR_INVALID_ARGUMENT,
  FC_ERROR_ALREADY_REGISTERED,
  FC_ERROR_ORDER_CONFLICT,
  FC_ERROR_NOT_REGISTERED,
  FC_ERROR_ORDER_VIOLATION,
  FC_ERROR_WOULD_BLOCK,
  FC_ERROR_TIMEOUT,
  FC_ERROR_UNAVAILABLE,
} FcError;

FC_AVAILABLE_IN_ALL
GQuark fc_error_quark (void);

G_END_DECLS
