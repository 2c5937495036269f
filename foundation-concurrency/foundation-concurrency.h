/* foundation-concurrency.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FC_INSIDE
# include "fc-version.h"
# include "fc-version-macros.h"
# include "fc-enums.h"
# include "fc-error.h"
# include "fc-lock.h"
# include "fc-lock-guard.h"
# include "fc-lock-manager.h"
# include "fc-outcome.h"
# include "fc-gather.h"
# include "fc-sleep.h"
# include "fc-run.h"
# include "fc-thread-name.h"
# include "fc-async-lock.h"
# include "fc-async-lock-guard.h"
# include "fc-async-lock-manager.h"
# if FC_HAVE_CLUSTER
#  include "fc-cluster-lock-guard.h"
#  include "fc-cluster-lock-manager.h"
# endif
#undef FC_INSIDE

G_END_DECLS
