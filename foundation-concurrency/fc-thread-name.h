/* fc-thread-name.h
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

FC_AVAILABLE_IN_ALL
void fc_set_thread_name (const char *name);

G_END_DECLS
