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

/* Shared by fc-lock.c (the type and its public API) and
 * fc-lock-hold-private.c (its holds). */
struct _FcLock
{
  GObject     parent_instance;

  /* Ends with the statistics the owner writes on every acquisition, so
   * that they share a cache line with the word the owner just took. */
  FcLockCore  core;

  /* The owning FcThread * (NULL while free), with FC_LOCK_WORD_* flags in
   * its low bits (records are 8-byte aligned): fc-lock-word-private.c. */
  FcLockWord  word;
  guint       depth;        /* written by the owner only; read relaxed */
  gint64      acquired_at;  /* coarse monotonic µs; written by the owner only */
  /* The FcLockGuard whose hold is the owner's first, NULL if it was
   * fc_lock_lock(). Owner only. */
  gpointer    holder;
};

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

FcLockCore *fc_lock_get_core         (FcLock   *self);
FcThread   *fc_lock_get_owner_thread (FcLock   *self);

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
  __atomic_store_n (&self->depth, 1, __ATOMIC_RELAXED);
  __atomic_store_n (&self->acquired_at, fc_stamp (stamp), __ATOMIC_RELAXED);
  self->holder = holder;
  fc_lock_stats_took (&self->core);
  fc_thread_push_held (thread, self);
}

static inline gboolean
fc_lock_acquire_internal (FcLock     *self,
                          FcThread   *thread,
                          FcDeadline *deadline,
                          gpointer    holder,
                          gint64     *stamp)
{
  if (fc_lock_owner_of (fc_lock_word_get (&self->word)) == thread)
    {
      /* Only the owner writes depth; others read it relaxed. */
      __atomic_store_n (&self->depth, self->depth + 1, __ATOMIC_RELAXED);
      return TRUE;
    }

  /* The clock is read before the compare-and-swap, not while holding
   * the lock: what others wait for stays as short as it can be. */
  fc_stamp (stamp);
  if (G_LIKELY (fc_lock_word_try_fast (&self->word, thread)))
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
  fc_thread_remove_held (thread, self);
  fc_lock_stats_held (&self->core, fc_stamp (stamp) - self->acquired_at);
  __atomic_store_n (&self->depth, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&self->acquired_at, 0, __ATOMIC_RELAXED);
  self->holder = NULL;

  /* Nothing of @self may be touched after this, unless flags say so. */
  if (!fc_lock_word_release_fast (&self->word, thread))
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
  guint depth = self->depth;

  if (holder != NULL)
    {
      /* The holder's hold is the first one; what the thread took with
       * fc_lock_lock() since then stays. */
      if (G_UNLIKELY (self->holder != holder))
        return FALSE;
      self->holder = NULL;
    }
  else if (G_UNLIKELY (depth == 1 && self->holder != NULL))
    return FALSE;

  if (depth > 1)
    {
      __atomic_store_n (&self->depth, depth - 1, __ATOMIC_RELAXED);
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
  if (G_UNLIKELY (fc_lock_owner_of (fc_lock_word_get (&self->word)) != thread))
    return FALSE;

  return fc_lock_release_hold (self, thread, holder, stamp);
}

G_END_DECLS
