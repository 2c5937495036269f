/* fc-error.c
 *
 * Copyright 2026 the foundation-concurrency authors
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
GQuark
fc_error_quark (void)
{
  /* Not G_DEFINE_QUARK: its unsynchronised cache is a (benign) data race
   * that ThreadSanitizer rightly reports when two threads fail at once. */
  static gsize quark = 0;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("fc-error-quark"));

  return (GQuark) quark;
}
