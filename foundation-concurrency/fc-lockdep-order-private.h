/* fc-lockdep-order-private.h — keeps the order graph's strongly connected
 * components in an online topological order (Pearce–Kelly), so that a new
 * edge costs what it touches, and finds, exactly, a feasible cycle through
 * an edge that lies on one. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "fc-lockdep-graph-private.h"

G_BEGIN_DECLS

typedef enum
{
  FC_DEP_NO_CYCLE,       /* no feasible cycle goes through the edge */
  FC_DEP_CYCLE,          /* one does: in the path and choice arrays */
  FC_DEP_SEARCH_LIMIT,   /* gave up after FC_DEP_SEARCH_BUDGET steps */
} FcDepVerdict;

/* Steps (edges tried with an instance) a feasibility search may take
 * among gated edges before it gives up (and says so). */
#define FC_DEP_SEARCH_BUDGET 200000

/* All under the graph's mutex. */
void          fc_dep_order_add_node    (FcDepNode *node);
void          fc_dep_order_remove_node (FcDepNode *node);

/* @edge was just added (@is_new) or got a new instance. Puts a new edge in
 * the order (merging the components it closes a cycle through), then, if
 * the edge lies on a cycle, looks for one whose instances can be chosen so
 * that no two share a gate. On FC_DEP_CYCLE, @path holds the cycle's edges
 * from @edge on and @choice the instance chosen for each. */
FcDepVerdict  fc_dep_order_check       (FcDepEdge *edge,
                                        gboolean   is_new,
                                        GPtrArray *path,
                                        GPtrArray *choice);

/* Nodes and components visited while reordering, since the start (for the
 * tests and benchmarks). */
guint64       fc_dep_order_steps       (void);

G_END_DECLS
