/* fc-lockdep-graph-private.h — the store of the learned lock-order graph:
 * nodes, edges, and each edge's instances (who made it, under which gates).
 * Used by the order module and the renderer; never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "fc-lock-core-private.h"

G_BEGIN_DECLS

typedef struct _FcDepNode FcDepNode;
typedef struct _FcDepEdge FcDepEdge;
typedef struct _FcDepComp FcDepComp;

/* One distinct way an edge was made: by whom, and which other locks
 * ("gates") were held at that moment. Two instances of one edge differ in
 * owner or gates. */
typedef struct
{
  char       *owner;      /* thread name or guard label */
  guint64     tid;        /* the owner thread's id, 0 for an async guard */
  FcDepNode **gates;      /* sorted by address; NULL if none */
  guint       n_gates;
  char       *stack;      /* where first made (FC_DEBUG=backtrace), or NULL */
} FcDepInstance;

/* Distinct instances kept per edge. Past this, a new instance is merged
 * into the last one (the intersection of their gates: never fewer cycles
 * found, maybe one too many), and the edge says so (`merged`). */
#define FC_DEP_MAX_INSTANCES 8

struct _FcDepEdge
{
  FcDepNode     *from;
  FcDepNode     *to;
  GPtrArray     *instances;   /* FcDepInstance *, in the order first made */
  gboolean       plain;       /* some instance has no gates */
  gboolean       merged;      /* FC_DEP_MAX_INSTANCES was reached */
  gboolean       in_cycle;    /* reported as part of a cycle */
};

/* One slot of a node's out-edge table (open addressing, linear probing). */
typedef struct
{
  guint64     key;        /* atomic: FC_DEP_KEY (target id, gated), or
                           * 0 (empty) or FC_DEP_REMOVED */
  FcDepEdge  *edge;       /* atomic; written before `key` */
} FcDepSlot;

#define FC_DEP_KEY(to, gated) (((to) << 1) | ((gated) ? 1 : 0))
#define FC_DEP_REMOVED 1    /* FC_DEP_KEY (0, TRUE): no lock has id 0 */

typedef struct
{
  guint       mask;       /* capacity - 1; a power of two minus one */
  guint       used;       /* slots not empty (edges and removed), under dep_mutex */
  guint       live;       /* edges, under dep_mutex */
  FcDepSlot   slots[];
} FcDepTable;

struct _FcDepNode
{
  guint64     id;         /* never reused; also in the lock's link */
  FcLockCore *core;       /* NULL once the lock is gone (a kept gate) */
  FcDepTable *out;        /* atomic; the edges from here (owned), NULL if none */
  GHashTable *in;         /* FcDepEdge * set: the edges to here */
  GHashTable *gating;     /* FcDepEdge * set: edges with an instance gated by
                           * this node; NULL if none */
  FcDepComp  *comp;       /* its strongly connected component (fc-lockdep-order) */
  guint       comp_index; /* its place among comp's members */
  guint       mark;       /* search marks of fc-lockdep-order */
};

/* Everything below runs under the graph's mutex (fc-lockdep-private.c). */

/* The slot of @table holding the edge to the lock @to, or NULL; its key in
 * *@key. Lock-free for the owner holding the table's lock. */
FcDepSlot  *fc_dep_table_find        (FcDepTable *table,
                                      guint64     to,
                                      guint64    *key);
FcDepEdge  *fc_dep_table_lookup      (FcDepNode  *node,
                                      guint64     to);
/* The @i-th slot's edge, or NULL if it holds none. */
FcDepEdge  *fc_dep_table_edge        (FcDepTable *table,
                                      guint       i);
/* Adds @edge (new) to its source's table (see the protocol in
 * fc-lockdep-private.c: called by the holder of the source's lock). */
void        fc_dep_table_insert      (FcDepEdge  *edge);
/* Marks the edge from @node to @to removed, in place. */
void        fc_dep_table_remove      (FcDepNode  *node,
                                      guint64     to);

FcDepEdge  *fc_dep_edge_new          (FcDepNode  *from,
                                      FcDepNode  *to);
/* Records an instance of @edge made by @owner (@tid) while every lock of
 * @gates (@n_gates nodes, any order) was also held. Returns whether it was
 * new (the edge may now close a cycle it did not before). @stack, if not
 * NULL, is taken. */
gboolean    fc_dep_edge_add_instance (FcDepEdge   *edge,
                                      const char  *owner,
                                      guint64      tid,
                                      FcDepNode  **gates,
                                      guint        n_gates,
                                      char        *stack);
/* Frees @node, whose lock is gone and whose own edges are freed; or, if
 * it still gates edges, keeps it (core NULL) until the last of them goes:
 * the instances it gated were serialised by it, and stay so (issue 12: a
 * gate that is gone must not ungate what it gated, which would report
 * cycles that could never form). */
void        fc_dep_node_free         (FcDepNode  *node);
/* How many gates fc_dep_node_free() keeps now. */
guint       fc_dep_n_dead_gates      (void);
/* Removes @edge from the gating index of each of its gates, and frees it. */
void        fc_dep_edge_free         (FcDepEdge  *edge);

/* A short backtrace of the caller's caller, one frame a line, or NULL when
 * FC_DEBUG does not contain `backtrace`. */
char       *fc_dep_capture_stack     (void);

G_END_DECLS
