/* fc-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-error.h"

/**
 * SECTION:fc-error
 * @title: Errors
 * @short_description: the FC_ERROR error domain
 *
 * Every failure a caller can cause at run time is reported as a #GError in
 * the %FC_ERROR domain, except cancellation through a #GCancellable, which is
 * reported the GIO way, as %G_IO_ERROR_CANCELLED.
 */

/**
 * fc_error_quark:
 *
 * The quark of the %FC_ERROR domain.
 *
 * Returns: the error domain quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (fc-error-quark, fc_error)
