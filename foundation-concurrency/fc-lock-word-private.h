/* fc-lock-word-private.h — the lock word under every FcLock: who owns it,
 * who sleeps on it, and the protocol that hands it over. The protocol is
 * written down at the top of fc-lock-word-private.c. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The owner is a pointer aligned to 8 bytes (an FcThread record); these
 * flags live in its low bits. */
/* Somebody may sleep on the word: its release wakes one, if .parked says
 * one does. */
#define FC_LOCK_WORD_PARKED   ((guintptr) 1)
/* The user's own flag (FcLock: the lock was orphaned), kept while held. */
#define FC_LOCK_WORD_USER     ((guintptr) 2)
/* A waiter has waited too long: the lock goes to the starving waiter,
 * never to a newcomer. With no owner: free, but reserved for it. */
#define FC_LOCK_WORD_HANDOFF  ((guintptr) 4)
#define FC_LOCK_WORD_FLAGS    ((guintptr) 7)

typedef struct
{
  gpointer word;      /* owner | FC_LOCK_WORD_* (atomic) */
  gint     waiters;   /* threads between wait_begin() and wait_end() (atomic) */
  gint     handoff;   /* futex of the starving waiter: bumped at each hand-off (atomic) */
  gint     parked;    /* threads asleep on the word, or about to be (atomic) */
  gint16   starving;  /* 1 while a waiter starves, one at a time (atomic) */
  gint8    spins;     /* adaptive spin estimate of woken waiters (relaxed hint) */
  gint8    woken;     /* 1: a release woke a parked waiter that has not run yet (atomic) */
  gint64   fair_at;   /* monotonic µs before which nobody may start to starve (relaxed) */
} FcLockWord;

/* FcLock keeps the word and the owner's bookkeeping on one cache line. */
G_STATIC_ASSERT (sizeof (FcLockWord) <= 32);

/* A waiter's own state, on its stack. */
typedef struct
{
  gint64   since;     /* monotonic µs when it began to wait */
  gboolean starving;  /* has waited longer than FC_LOCK_WORD_STARVE_US */
  gboolean awoke;     /* woken by a wake-up since it last parked, took or left */
  guint    looks;     /* looks after yielding, since it began to wait or was last woken */
  gpointer owner;     /* whom it waits for the word for */
} FcLockWaiter;

static inline gpointer
fc_lock_word_owner (gpointer word)
{
  return (gpointer) ((guintptr) word & ~FC_LOCK_WORD_FLAGS);
}

static inline guintptr
fc_lock_word_flags (gpointer word)
{
  return (guintptr) word & FC_LOCK_WORD_FLAGS;
}

static inline gpointer
fc_lock_word_get (FcLockWord *self)
{
  return g_atomic_pointer_get (&self->word);
}

/* The fast paths: free to @owner, and @owner (no flag) to free. */
static inline gboolean
fc_lock_word_try_fast (FcLockWord *self,
                       gpointer    owner)
{
  return g_atomic_pointer_compare_and_exchange (&self->word, NULL, owner);
}

static inline gboolean
fc_lock_word_release_fast (FcLockWord *self,
                           gpointer    owner)
{
  return g_atomic_pointer_compare_and_exchange (&self->word, owner, NULL);
}

/* Takes a free word for @owner without waiting, also one reserved for
 * waiters when nobody waits any more. */
gboolean fc_lock_word_try        (FcLockWord   *self,
                                  gpointer      owner);
/* Joins the waiters (counted in FcLockWord.waiters). */
void     fc_lock_word_wait_begin (FcLockWord   *self,
                                  FcLockWaiter *waiter);
/* Waits (parked) until the word is taken for @owner (TRUE) or the
 * monotonic time @until passes (FALSE; -1 never): then it is still a
 * waiter, and may wait again. */
gboolean fc_lock_word_wait       (FcLockWord   *self,
                                  FcLockWaiter *waiter,
                                  gpointer      owner,
                                  gint64        until);
/* Leaves the waiters, taken or not. */
void     fc_lock_word_wait_end   (FcLockWord   *self,
                                  FcLockWaiter *waiter);
/* The release of a word with flags, by its owner: publishes it free (or
 * reserved for the starving waiter) if it is still @word, and says which
 * in @released; FALSE if it changed (read it again and retry). Afterwards,
 * if @word had FC_LOCK_WORD_PARKED, the releaser must call
 * fc_lock_word_wake() with @released, while @self is still alive. */
gboolean fc_lock_word_release_from (FcLockWord *self,
                                    gpointer    word,
                                    gpointer   *released);
/* Wakes the waiter that the word, just released as @released, is for: one
 * starving waiter if it is reserved, else one parked waiter, if one is
 * asleep and none woken before has run yet. Returns whether it made a
 * wake-up call (a system call) at all. */
gboolean fc_lock_word_wake       (FcLockWord   *self,
                                  gpointer      released);

G_END_DECLS
