/* fc-version-macros.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib.h>

#include "fc-version.h"

#ifndef _FC_EXTERN
# define _FC_EXTERN __attribute__((visibility ("default"))) extern
#endif

#define FC_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

#define FC_AVAILABLE_IN_ALL _FC_EXTERN
#define FC_AVAILABLE_IN_1_0 _FC_EXTERN
