/* fc-lockdep-private.h — the learned lock-order graph (as Linux lockdep),
 * shared by both managers. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "fc-lock-core-private.h"
#include "fc-report-private.h"

G_BEGIN_DECLS

/* FcLockdepLink, a lock's place in the graph, is defined with FcLockCore. */
#define FC_LOCKDEP_LINK(core) (&((FcLockCore *) (core))->lockdep)

static inline guint64
fc_lockdep_id (FcLockCore *core)
{
  return __atomic_load_n (&FC_LOCKDEP_LINK (core)->id, __ATOMIC_RELAXED);
}

/* A direct-mapped cache of edges known to need no more bookkeeping, kept by
 * each owner (thread, or async manager) and only touched by it. Entries
 * name locks by id: they never need invalidating. */
#define FC_LOCKDEP_CACHE_BITS 6
#define FC_LOCKDEP_CACHE_SIZE (1 << FC_LOCKDEP_CACHE_BITS)
typedef struct
{
  guint64       from[FC_LOCKDEP_CACHE_SIZE];
  guint64       to[FC_LOCKDEP_CACHE_SIZE];
  /* For an edge with gates, the signature of the held set it was taken
   * under (the same set cannot narrow its gates); 0 for an edge without. */
  guint64       held[FC_LOCKDEP_CACHE_SIZE];
} FcLockdepCache;

static inline guint
fc_lockdep_cache_slot (guint64 from,
                       guint64 to)
{
  guint64 h = from * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^
              to * G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f);

  return (guint) (h >> (64 - FC_LOCKDEP_CACHE_BITS));
}

/* A (never zero) signature of the held set (by ids), for cached edges
 * with gates. */
static inline guint64
fc_lockdep_held_signature (FcLockCore * const *held,
                           guint               n_held)
{
  guint64 sig = n_held;

  for (guint i = 0; i < n_held; i++)
    sig = (sig ^ fc_lockdep_id (held[i])) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  return sig | 1;
}

void       fc_lockdep_note_acquire_slow (FcLockdepCache     *cache,
                                         FcLockCore         *taken,
                                         FcLockCore * const *held,
                                         guint               n_held,
                                         const char         *owner,
                                         gboolean            defer);

/* Records, after a blocking acquisition of @taken, an edge from every lock
 * in @held (those the owner held before, as FcLockCore*) to @taken. The
 * owner must hold every lock of @held (the graph reads their edges without
 * its mutex on that ground). A known edge costs a probe of @cache, inline,
 * or on a miss a lock-free look at the held lock's edges. A new cycle is
 * published as a report. */
static inline void
fc_lockdep_note_acquire (FcLockdepCache     *cache,
                         FcLockCore         *taken,
                         FcLockCore * const *held,
                         guint               n_held,
                         const char         *owner,
                         gboolean            defer)
{
  guint64 to = fc_lockdep_id (taken);
  guint64 sig = 0;

  /* No id yet (always so with FC_DEBUG=nolockdep): nothing is known, and
   * an empty slot must not match. */
  if (to == 0)
    goto slow;

  for (guint i = 0; i < n_held; i++)
    {
      guint64 from = fc_lockdep_id (held[i]);
      guint slot = fc_lockdep_cache_slot (from, to);

      if (held[i] == taken)
        continue;
      if (cache->from[slot] != from || cache->to[slot] != to)
        goto slow;
      if (cache->held[slot] != 0)
        {
          if (sig == 0)
            sig = fc_lockdep_held_signature (held, n_held);
          if (cache->held[slot] != sig)
            goto slow;
        }
    }
  return;

slow:
  if (n_held > 0)
    fc_lockdep_note_acquire_slow (cache, taken, held, n_held, owner, defer);
}

/* The caller could not give every lock its owner holds to
 * fc_lockdep_note_acquire() (it had @n_held, passed the @n_used most
 * recent) before taking @taken: edges from the older ones are not learned.
 * Says so, once per manager, in the log and that manager's reports: a
 * limit is never hit silently. With @defer, as for
 * fc_lockdep_note_acquire(), the log waits for fc_lockdep_flush(). */
void       fc_lockdep_note_held_limit (FcLockCore       *taken,
                                       guint             n_held,
                                       guint             n_used,
                                       gboolean          defer);

/* With @defer, new reports wait on the calling thread until this is called
 * (the caller holds a mutex of its own and must not log under it). */
void       fc_lockdep_flush        (void);

/* Removes a lock from the graph (the lock is being finalized): its edges
 * in and out, and it from the gates of the edges it gates. */
void       fc_lockdep_forget       (FcLockCore         *lock);

/* The order-cycle reports found so far that involve @registry_id. */
GPtrArray *fc_lockdep_dup_reports  (guint64             registry_id);

/* The registry @registry_id is being freed: drops the cycle reports that
 * involve only it, and their keys (nobody can ask for them any more). */
void       fc_lockdep_forget_registry (guint64          registry_id);

/* How many order-cycle reports are kept (for the tests). */
guint      fc_lockdep_n_cycle_reports (void);

/* The learned graph among the locks of @registry_id, in Graphviz DOT,
 * with a node declared for each of @nodes (edges name their ends exactly
 * as nodes are declared: one quoting for both). */
char      *fc_lockdep_dump_dot     (guint64             registry_id,
                                    FcLockCore * const *nodes,
                                    guint               n_nodes);

/* For tests (tests/test-lockdep-regressions.c, built against the library's
 * objects): what the graph did so far and holds now. */
typedef struct
{
  guint64 mutex_entries;   /* acquisitions that took the graph's mutex */
  guint64 forget_steps;    /* edges fc_lockdep_forget() visited */
  guint64 order_steps;     /* components the online order visited */
  guint   search_limits;   /* feasibility searches that gave up */
  guint   n_nodes;
  guint   n_edges;
  guint   n_dead_gates;    /* nodes of finalized locks kept as gates */
} FcLockdepCounters;

void       fc_lockdep_get_counters (FcLockdepCounters  *counters);

G_END_DECLS
