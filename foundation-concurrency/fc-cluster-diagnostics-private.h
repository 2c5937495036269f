/* fc-cluster-diagnostics-private.h — what detect_potential_deadlocks()
 * finds in a snapshot of the cluster: long holds, lock-order cycles among
 * the edges every member published, and live deadlocks between processes,
 * read from the waiter keys (each says what its waiter holds). Never
 * installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-cluster-registry-private.h"

G_BEGIN_DECLS

/* A hold longer than this is reported, as the local managers' default. */
#define FC_CLUSTER_HOLD_WARNING_SECONDS 30.0

char **fc_cluster_diagnose (FcClusterSnapshot *snapshot,
                            const char        *identity);

G_END_DECLS
