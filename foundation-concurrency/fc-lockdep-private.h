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

/* A direct-mapped cache of edges known to need no more bookkeeping, kept by
 * each owner (thread, or async guard chain) and only touched by it. */
#define FC_LOCKDEP_CACHE_SIZE 64
typedef struct
{
  int           generation;   /* the graph's, when the entries were made */
  gconstpointer from[FC_LOCKDEP_CACHE_SIZE];
  gconstpointer to[FC_LOCKDEP_CACHE_SIZE];
  /* For an edge with gates, the signature of the held set it was taken
   * under (the same set cannot narrow its gates); 0 for an edge without. */
  guint64       held[FC_LOCKDEP_CACHE_SIZE];
} FcLockdepCache;

/* Bumped (atomically) when a lock leaves the graph: caches made before
 * then may name a freed lock. */
extern int fc_lockdep_generation;

static inline guint
fc_lockdep_cache_slot (gconstpointer from,
                       gconstpointer to)
{
  gsize h = ((gsize) from >> 4) * 31u ^ ((gsize) to >> 4);

  return (guint) (h ^ (h >> 7)) & (FC_LOCKDEP_CACHE_SIZE - 1);
}

/* A (never zero) signature of the held set, for cached edges with gates. */
static inline guint64
fc_lockdep_held_signature (gconstpointer const *held,
                           guint                n_held)
{
  guint64 sig = n_held;

  for (guint i = 0; i < n_held; i++)
    sig = (sig ^ (guint64) (gsize) held[i]) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  return sig | 1;
}

void       fc_lockdep_note_acquire_slow (FcLockdepCache     *cache,
                                         FcLockCore         *taken,
                                         FcLockCore * const *held,
                                         guint               n_held,
                                         const char         *owner,
                                         gboolean            defer);

/* Records, after a blocking acquisition of @taken, an edge from every lock
 * in @held (those the owner held before, as FcLockCore*) to @taken. A known
 * edge costs a probe of @cache, inline. A new cycle is published as a
 * report. */
static inline void
fc_lockdep_note_acquire (FcLockdepCache     *cache,
                         FcLockCore         *taken,
                         FcLockCore * const *held,
                         guint               n_held,
                         const char         *owner,
                         gboolean            defer)
{
  guint64 sig = 0;

  /* The cache stays empty with FC_DEBUG=nolockdep: no need to look. */
  if (cache->generation != g_atomic_int_get (&fc_lockdep_generation))
    goto slow;

  for (guint i = 0; i < n_held; i++)
    {
      guint slot = fc_lockdep_cache_slot (held[i], taken);

      if (held[i] == taken)
        continue;
      if (cache->from[slot] != held[i] || cache->to[slot] != taken)
        goto slow;
      if (cache->held[slot] != 0)
        {
          if (sig == 0)
            sig = fc_lockdep_held_signature ((gconstpointer const *) held, n_held);
          if (cache->held[slot] != sig)
            goto slow;
        }
    }
  return;

slow:
  if (n_held > 0)
    fc_lockdep_note_acquire_slow (cache, taken, held, n_held, owner, defer);
}

/* With @defer, new reports wait on the calling thread until this is called
 * (the caller holds a mutex of its own and must not log under it). */
void       fc_lockdep_flush        (void);

/* Removes a lock from the graph (the lock is being finalized). */
void       fc_lockdep_forget       (FcLockCore         *lock);

/* The order-cycle reports found so far that involve @registry_id. */
GPtrArray *fc_lockdep_dup_reports  (guint64             registry_id);

/* The learned graph among the locks of @registry_id, in Graphviz DOT. */
char      *fc_lockdep_dump_dot     (guint64             registry_id);

G_END_DECLS
