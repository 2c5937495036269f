/* fc-version-macros.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib.h>

/* fc-version.h gives the version numbers, then includes this header again
 * to declare its functions with the macros below: hence a guard that starts
 * only after that include, rather than #pragma once. */
#include "fc-version.h"

#ifndef __FC_VERSION_MACROS_H__
#define __FC_VERSION_MACROS_H__

/**
 * SECTION:fc-version-macros
 * @title: API versioning
 * @short_description: compile-time control over which API a program uses
 *
 * Like GLib, foundation-concurrency marks every public symbol with the
 * version that added it (`FC_AVAILABLE_IN_1_0`) and, once it is deprecated,
 * with the version that deprecated it (`FC_DEPRECATED_IN_1_2`, say). Two
 * macros, defined before including <filename>foundation-concurrency.h</filename>
 * (usually with `-D` on the compiler's command line), turn these marks into
 * compiler warnings:
 *
 * - %FC_VERSION_MIN_REQUIRED: the oldest version the program must build
 *   against; symbols deprecated in that version or before warn.
 * - %FC_VERSION_MAX_ALLOWED: the newest version whose API the program may
 *   use; symbols added after it warn.
 *
 * <!-- snippet: fragment -->
 * |[<!-- language="C" -->
 * // Build against any 1.x, and use nothing newer than 1.0.
 * #define FC_VERSION_MIN_REQUIRED FC_VERSION_1_0
 * #define FC_VERSION_MAX_ALLOWED FC_VERSION_1_0
 * #include <foundation-concurrency.h>
 * ]|
 *
 * Since: 1.0
 */

#ifndef _FC_EXTERN
# define _FC_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * FC_VERSION_1_0:
 *
 * A value for %FC_VERSION_MIN_REQUIRED and %FC_VERSION_MAX_ALLOWED: the 1.0
 * API.
 *
 * Since: 1.0
 */
#define FC_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

/* The stable series this header belongs to: an odd (development) minor
 * version counts as the next stable one, as in GLib. */
#if (FC_MINOR_VERSION % 2)
# define FC_VERSION_CUR_STABLE (G_ENCODE_VERSION (FC_MAJOR_VERSION, FC_MINOR_VERSION + 1))
#else
# define FC_VERSION_CUR_STABLE (G_ENCODE_VERSION (FC_MAJOR_VERSION, FC_MINOR_VERSION))
#endif

/* The stable series before it (for 1.0, 1.0 itself). */
#if FC_MINOR_VERSION == 0
# define FC_VERSION_PREV_STABLE (FC_VERSION_CUR_STABLE)
#elif (FC_MINOR_VERSION % 2)
# define FC_VERSION_PREV_STABLE (G_ENCODE_VERSION (FC_MAJOR_VERSION, FC_MINOR_VERSION - 1))
#else
# define FC_VERSION_PREV_STABLE (G_ENCODE_VERSION (FC_MAJOR_VERSION, FC_MINOR_VERSION - 2))
#endif

/**
 * FC_VERSION_MIN_REQUIRED:
 *
 * The oldest version of foundation-concurrency the program must build
 * against, one of the `FC_VERSION_X_Y` values such as %FC_VERSION_1_0.
 * Defined by the program before including the header; it defaults to the
 * current stable series. Using a symbol deprecated in this version or an
 * earlier one gives a compiler warning.
 *
 * Since: 1.0
 */
#ifndef FC_VERSION_MIN_REQUIRED
# define FC_VERSION_MIN_REQUIRED (FC_VERSION_CUR_STABLE)
#endif

/**
 * FC_VERSION_MAX_ALLOWED:
 *
 * The newest version of foundation-concurrency whose API the program may
 * use, one of the `FC_VERSION_X_Y` values such as %FC_VERSION_1_0. Defined by
 * the program before including the header; it defaults to
 * %FC_VERSION_MIN_REQUIRED when that was set to a version after the previous
 * stable series, and to the current stable series otherwise. Using a symbol
 * added after this version gives a compiler warning.
 *
 * Since: 1.0
 */
#ifndef FC_VERSION_MAX_ALLOWED
# if FC_VERSION_MIN_REQUIRED > FC_VERSION_PREV_STABLE
#  define FC_VERSION_MAX_ALLOWED (FC_VERSION_MIN_REQUIRED)
# else
#  define FC_VERSION_MAX_ALLOWED (FC_VERSION_CUR_STABLE)
# endif
#endif

#if FC_VERSION_MAX_ALLOWED < FC_VERSION_MIN_REQUIRED
# error "FC_VERSION_MAX_ALLOWED must be >= FC_VERSION_MIN_REQUIRED"
#endif
#if FC_VERSION_MIN_REQUIRED < FC_VERSION_1_0
# error "FC_VERSION_MIN_REQUIRED must be >= FC_VERSION_1_0"
#endif

/**
 * FC_AVAILABLE_IN_ALL:
 *
 * Marks a symbol available in every version of the library.
 *
 * Since: 1.0
 */
#define FC_AVAILABLE_IN_ALL _FC_EXTERN

/**
 * FC_DEPRECATED:
 *
 * Marks a deprecated symbol.
 *
 * Since: 1.0
 */
#define FC_DEPRECATED G_DEPRECATED _FC_EXTERN

/**
 * FC_DEPRECATED_FOR:
 * @f: the symbol to use instead
 *
 * Marks a deprecated symbol, naming its replacement.
 *
 * Since: 1.0
 */
#define FC_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _FC_EXTERN

/**
 * FC_UNAVAILABLE:
 * @maj: the major version that added the symbol
 * @min: the minor version that added the symbol
 *
 * Marks a symbol that is newer than %FC_VERSION_MAX_ALLOWED.
 *
 * Since: 1.0
 */
#define FC_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _FC_EXTERN

/**
 * FC_AVAILABLE_IN_1_0:
 *
 * Marks a symbol added in 1.0: it warns when %FC_VERSION_MAX_ALLOWED is
 * older.
 *
 * Since: 1.0
 */
#if FC_VERSION_MAX_ALLOWED < FC_VERSION_1_0
# define FC_AVAILABLE_IN_1_0 FC_UNAVAILABLE (1, 0)
#else
# define FC_AVAILABLE_IN_1_0 _FC_EXTERN
#endif

/**
 * FC_DEPRECATED_IN_1_0:
 *
 * Marks a symbol deprecated in 1.0: it warns when %FC_VERSION_MIN_REQUIRED
 * is 1.0 or newer.
 *
 * Since: 1.0
 */
/**
 * FC_DEPRECATED_IN_1_0_FOR:
 * @f: the symbol to use instead
 *
 * Marks a symbol deprecated in 1.0 in favour of @f: it warns when
 * %FC_VERSION_MIN_REQUIRED is 1.0 or newer.
 *
 * Since: 1.0
 */
#if FC_VERSION_MIN_REQUIRED >= FC_VERSION_1_0
# define FC_DEPRECATED_IN_1_0 FC_DEPRECATED
# define FC_DEPRECATED_IN_1_0_FOR(f) FC_DEPRECATED_FOR (f)
#else
# define FC_DEPRECATED_IN_1_0 _FC_EXTERN
# define FC_DEPRECATED_IN_1_0_FOR(f) _FC_EXTERN
#endif

#endif /* __FC_VERSION_MACROS_H__ */
