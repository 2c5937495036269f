/* fc-version.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-private.h"
#include "fc-version.h"

/**
 * fc_get_major_version:
 *
 * Returns the major version of the foundation-concurrency library the
 * program runs against (1 for 1.2.3). %FC_MAJOR_VERSION is the version it
 * was compiled against, which may differ.
 *
 * Returns: the major version of the running library
 *
 * Since: 1.0
 */
guint
fc_get_major_version (void)
{
  return FC_MAJOR_VERSION;
}

/**
 * fc_get_minor_version:
 *
 * Returns the minor version of the foundation-concurrency library the
 * program runs against (2 for 1.2.3). %FC_MINOR_VERSION is the version it
 * was compiled against, which may differ.
 *
 * Returns: the minor version of the running library
 *
 * Since: 1.0
 */
guint
fc_get_minor_version (void)
{
  return FC_MINOR_VERSION;
}

/**
 * fc_get_micro_version:
 *
 * Returns the micro version of the foundation-concurrency library the
 * program runs against (3 for 1.2.3). %FC_MICRO_VERSION is the version it
 * was compiled against, which may differ.
 *
 * Returns: the micro version of the running library
 *
 * Since: 1.0
 */
guint
fc_get_micro_version (void)
{
  return FC_MICRO_VERSION;
}

/**
 * fc_check_version:
 * @required_major: the required major version
 * @required_minor: the required minor version
 * @required_micro: the required micro version
 *
 * Checks that the foundation-concurrency library the program runs against
 * is compatible with the given version: it has the same major version, and
 * a minor.micro version at least @required_minor.@required_micro. A newer
 * major version is not compatible, since it may change the API.
 *
 * Compare FC_CHECK_VERSION(), which checks at compile time the version the
 * program is compiled against.
 *
 * Returns: (nullable) (transfer none): %NULL if the library is compatible,
 *   otherwise a string describing the mismatch, owned by the library
 *
 * Since: 1.0
 */
const char *
fc_check_version (guint required_major,
                  guint required_minor,
                  guint required_micro)
{
  if (required_major > FC_MAJOR_VERSION)
    return _("foundation-concurrency version too old (major mismatch)");
  if (required_major < FC_MAJOR_VERSION)
    return _("foundation-concurrency version too new (major mismatch)");
  if (required_minor > FC_MINOR_VERSION)
    return _("foundation-concurrency version too old (minor mismatch)");
  if (required_minor == FC_MINOR_VERSION && required_micro > FC_MICRO_VERSION)
    return _("foundation-concurrency version too old (micro mismatch)");
  return NULL;
}
