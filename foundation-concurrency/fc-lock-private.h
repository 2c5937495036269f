/* fc-lock-private.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-lock.h"
#include "fc-lock-hold-private.h"

G_BEGIN_DECLS

/* Everything the other modules use of FcLock is in fc-lock-hold-private.h. */

G_END_DECLS
