/* fc-lock-hold-private.h — taking, waiting for and giving up the holds of
 * an FcLock, for fc_lock_lock() and for lock guards. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-lock.h"
#include "fc-private.h"
#include "fc-lock-core-private.h"
#include "fc-lock-word-private.h"
#include "fc-lockdep-private.h"
#include "fc-report-private.h"
#include "fc-thread-private.h"
#include "fc-waitfor-private.h"

G_BEGIN_DECLS

/* An FcLock's fields, laid out on three cache lines that no other object
 * shares. The allocator aligns a GObject to 16 bytes at best, so where the
 * fields fell used to depend on the object's address: the word could share
 * a line with the identity that every acquirer reads, or a neighbour, or
 * have the owner's bookkeeping on the next line. A contended
 * fc_lock_lock() moved between 1.1x and 4.9x a raw GMutex from one run to
 * the next as the lock's address changed (where its lines fall in physical
 * memory moves it too, less: benchmarks/bench-contention.c). Now:
 *
 *   line 0  the identity (FcLockCore up to its statistics): read-mostly,
 *           read on every acquisition by the registry and order learning;
 *   line 1  the statistics of waits and holds: written by a waiter once it
 *           owns the lock, and when a hold beats the longest;
 *   line 2  what every acquisition and release writes: the word, the
 *           waiters' counters, the owner's bookkeeping and the count of
 *           acquisitions, so that the owner finds all of it in the line
 *           its compare-and-swap has just brought in.
 */
typedef struct
{
  /* Puts the core's statistics at the start of line 1. */
  char        before_core[FC_CACHE_LINE - G_STRUCT_OFFSET (FcLockCore, stats)];
  FcLockCore  core;

  /* The owning FcThread * (NULL while free), with FC_LOCK_WORD_* flags in
   * its low bits (records are 8-byte aligned): fc-lock-word-private.c. */
  FcLockWord  word __attribute__ ((aligned (FC_CACHE_LINE)));
  guint       depth;        /* written by the owner only; read relaxed */
  gint64      acquired_at;  /* coarse monotonic µs; written by the owner only */
  /* The FcLockGuard whose hold is the owner's first, NULL if it was
   * fc_lock_lock(). Owner only. */
  gpointer    holder;
  /* That succeeded; written by the owner only, read relaxed. */
  guint64     acquisitions;
} __attribute__ ((aligned (FC_CACHE_LINE))) FcLockLines;

G_STATIC_ASSERT (G_STRUCT_OFFSET (FcLockLines, core.stats) == FC_CACHE_LINE);
G_STATIC_ASSERT (G_STRUCT_OFFSET (FcLockLines, core) + sizeof (FcLockCore) <= 2 * FC_CACHE_LINE);
G_STATIC_ASSERT (sizeof (FcLockLines) == 3 * FC_CACHE_LINE);

/* Shared by fc-lock.c (the type and its public API) and
 * fc-lock-hold-private.c (its holds). */
struct _FcLock
{
  GObject     parent_instance;
  /* Holds an FcLockLines at its first line boundary: fc_lock_lines(). */
  char        room[sizeof (FcLockLines) + FC_CACHE_LINE - 1];
};

static inline FcLockLines *
fc_lock_lines (FcLock *self)
{
  return (FcLockLines *) (((guintptr) self->room + FC_CACHE_LINE - 1) &
                          ~(guintptr) (FC_CACHE_LINE - 1));
}

/* The last reference was dropped while the lock was held: the owner has
 * the reference dispose() took back, and drops it once it is done. */
#define FC_LOCK_ORPHAN  FC_LOCK_WORD_USER

/* The thread that owns a lock whose word is @word, NULL if free. */
static inline FcThread *
fc_lock_owner_of (gpointer word)
{
  return fc_lock_word_owner (word);
}


/* FcLock as the registry and diagnostics see it (fc-lock.c). */
extern const FcLockKind fc_lock_kind;

static inline FcLockCore *
fc_lock_get_core (FcLock *self)
{
  return &fc_lock_lines (self)->core;
}

static inline FcThread *
fc_lock_get_owner_thread (FcLock *self)
{
  return fc_lock_owner_of (fc_lock_word_get (&fc_lock_lines (self)->word));
}

/* Takes @self for @thread (recursively if it already owns it). Returns FALSE
 * if it could not be taken before @deadline, or at once if @deadline is NULL.
 * @holder: the FcLockGuard the hold is for, NULL for fc_lock_lock().
 * @stamp caches the coarse clock across the locks of one call: 0 until read
 * (see fc_stamp()). Order learning is the caller's (fc_lock_note_order()). */
static inline gboolean
fc_lock_acquire_internal (FcLock     *self,
                          FcThread   *thread,
                          FcDeadline *deadline,
                          gpointer    holder,
                          gint64     *stamp);
/* Learns, before a blocking acquisition, the order edges from what @thread
 * holds to each lock of @locks (FcLock *, in the order they will be taken)
 * it does not hold yet; publishes the cycles found. */
void     fc_lock_note_order       (FcThread   *thread,
                                   FcLockVec  *locks);
/* Sets FC_ERROR_TIMEOUT for @self, explaining who blocked @thread; every
 * failed blocking acquire_internal() must end with it (it also takes
 * @thread off the wait-for graph). */
void     fc_lock_set_timeout_error (FcLock     *self,
                                    FcThread   *thread,
                                    GError    **error);

/* Undoes one acquire_internal() by @thread with the same @holder. Returns
 * FALSE, changing nothing, if that hold is not there: @thread does not own
 * @self, @holder's hold was given up already (its thread exited), or (for
 * a NULL @holder) the only hold left is a guard's. */
static inline gboolean
fc_lock_release_internal (FcLock     *self,
                          FcThread   *thread,
                          gpointer    holder,
                          gint64     *stamp);

/* fc_thread_exit_hook: releases, with a critical, what @thread holds. */
void     fc_lock_thread_exit      (FcThread   *thread);

/* ---- Inline: the paths of an uncontended acquisition and release ------
 * fc_lock_lock(), fc_lock_unlock() and the guards (other files) take and
 * give up a free lock without a call; waiting and waking stay in
 * fc-lock-hold-private.c. */

/* The rest of acquire_internal() once the compare-and-swap of a free word
 * failed: another try, then waiting until @deadline. */
gboolean fc_lock_acquire_contended (FcLock     *self,
                                    FcThread   *thread,
                                    FcDeadline *deadline,
                                    gpointer    holder,
                                    gint64     *stamp);
/* The release of a lock whose word has flags (waiters, orphaned). */
void     fc_lock_release_slow      (FcLock     *self,
                                    FcThread   *thread);

static inline void
fc_lock_took (FcLock     *self,
              FcThread   *thread,
              gpointer    holder,
              gint64     *stamp)
{
  FcLockLines *lines = fc_lock_lines (self);

  __atomic_store_n (&lines->depth, 1, __ATOMIC_RELAXED);
  __atomic_store_n (&lines->acquired_at, fc_stamp (stamp), __ATOMIC_RELAXED);
  lines->holder = holder;
  FC_STAT_SET (lines->acquisitions, lines->acquisitions + 1);
  fc_thread_push_held (thread, self);
}

/* The owner gives back a lock it took for an acquisition that then fails
 * and rolls back: only acquisitions that succeed are counted, so that the
 * statistic matches what callers observe. Called while still owning it. */
static inline void
fc_lock_untook (FcLock *self)
{
  FcLockLines *lines = fc_lock_lines (self);

  FC_STAT_SET (lines->acquisitions, lines->acquisitions - 1);
}

static inline gboolean
fc_lock_acquire_internal (FcLock     *self,
                          FcThread   *thread,
                          FcDeadline *deadline,
                          gpointer    holder,
                          gint64     *stamp)
{
  FcLockLines *lines = fc_lock_lines (self);

  if (fc_lock_owner_of (fc_lock_word_get (&lines->word)) == thread)
    {
      /* Only the owner writes depth; others read it relaxed. */
      __atomic_store_n (&lines->depth, lines->depth + 1, __ATOMIC_RELAXED);
      return TRUE;
    }

  /* The clock is read before the compare-and-swap, not while holding
   * the lock: what others wait for stays as short as it can be. */
  fc_stamp (stamp);
  if (G_LIKELY (fc_lock_word_try_fast (&lines->word, thread)))
    {
      fc_lock_took (self, thread, holder, stamp);
      return TRUE;
    }
  return fc_lock_acquire_contended (self, thread, deadline, holder, stamp);
}

/* Gives up the hold @thread has on @self for good (depth 0). */
static inline void
fc_lock_release_all (FcLock   *self,
                     FcThread *thread,
                     gint64   *stamp)
{
  FcLockLines *lines = fc_lock_lines (self);

  fc_thread_remove_held (thread, self);
  fc_lock_stats_held (&lines->core, fc_stamp (stamp) - lines->acquired_at);
  __atomic_store_n (&lines->depth, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&lines->acquired_at, 0, __ATOMIC_RELAXED);
  lines->holder = NULL;

  /* Nothing of @self may be touched after this, unless flags say so. */
  if (!fc_lock_word_release_fast (&lines->word, thread))
    fc_lock_release_slow (self, thread);
}

/* Gives up one hold of @holder (NULL: fc_lock_lock()) by @thread, the
 * owner; FALSE if that hold is not there. */
static inline gboolean
fc_lock_release_hold (FcLock   *self,
                      FcThread *thread,
                      gpointer  holder,
                      gint64   *stamp)
{
  FcLockLines *lines = fc_lock_lines (self);
  guint depth = lines->depth;

  if (holder != NULL)
    {
      /* The holder's hold is the first one; what the thread took with
       * fc_lock_lock() since then stays. */
      if (G_UNLIKELY (lines->holder != holder))
        return FALSE;
      lines->holder = NULL;
    }
  else if (G_UNLIKELY (depth == 1 && lines->holder != NULL))
    return FALSE;

  if (depth > 1)
    {
      __atomic_store_n (&lines->depth, depth - 1, __ATOMIC_RELAXED);
      return TRUE;
    }

  fc_lock_release_all (self, thread, stamp);
  return TRUE;
}

static inline gboolean
fc_lock_release_internal (FcLock   *self,
                          FcThread *thread,
                          gpointer  holder,
                          gint64   *stamp)
{
  if (G_UNLIKELY (fc_lock_get_owner_thread (self) != thread))
    return FALSE;

  return fc_lock_release_hold (self, thread, holder, stamp);
}

G_END_DECLS
