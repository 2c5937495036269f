/* fc-lockdep-render-private.h — the order graph in words: cycle reports
 * (messages and their structured form) and Graphviz DOT. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "fc-lockdep-graph-private.h"
#include "fc-report-private.h"

G_BEGIN_DECLS

/* How many edges of a cycle its message lists; the structured report
 * keeps them all. */
#define FC_DEP_EDGES_SHOWN 8

/* A report for the cycle @path (edges, closed) with the instance chosen
 * for each edge in @choice. Its key names the locks by identity. */
FcReport *fc_dep_render_cycle (GPtrArray  *path,
                               GPtrArray  *choice);

/* The message parts of a cycle, for whoever keeps edges elsewhere (the
 * cluster manager): one edge, "a (10) -> b (20) by 'x'"; the whole message
 * from the chain "a -> b -> a" and the edges joined by "; ". */
void      fc_dep_render_append_edge  (GString    *detail,
                                      const char *from,
                                      int         from_order,
                                      const char *to,
                                      int         to_order,
                                      const char *owner);
void      fc_dep_render_append_cycle (GString    *message,
                                      const char *chain,
                                      const char *detail);

/* A report saying that the search for a cycle through @edge gave up. */
FcReport *fc_dep_render_limit (FcDepEdge  *edge,
                               guint       budget);

/* Appends @name as a DOT quoted string: the one quoting used for every
 * node, edge end, label and tooltip, so that an edge names exactly the
 * node declared for its lock. */
void      fc_dep_render_dot_id (GString    *out,
                                const char *name);

/* Appends the declaration of the node of @core. */
void      fc_dep_render_dot_node (GString    *out,
                                  FcLockCore *core);

/* Appends @edge as a DOT edge statement. */
void      fc_dep_render_dot_edge (GString    *out,
                                  FcDepEdge  *edge);

G_END_DECLS
