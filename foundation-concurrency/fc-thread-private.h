/* fc-thread-private.h — what the library knows of each thread that uses a
 * FcLock. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <string.h>

#include <glib.h>

#include "fc-lockdep-private.h"

G_BEGIN_DECLS

typedef struct _FcThread FcThread;
typedef struct _FcAbandoned FcAbandoned;

/* Something another thread handed back to the thread it belongs to, for
 * that thread to release (a lock guard finalized on the wrong thread):
 * @release runs on the owning thread, at its next acquisition or release
 * and at its exit, and frees @self. */
struct _FcAbandoned
{
  FcAbandoned  *next;
  void        (*release) (FcAbandoned *self,
                          FcThread    *thread);
};

typedef struct
{
  gpointer *items;
  guint     len;
  guint     alloc;
} FcHeld;

/* Written by its thread on every acquisition and release (held), read by
 * others (name, waiting_for): records are aligned to cache lines and their
 * held arrays too, so that two threads' records never share a line (they
 * used to be plain allocations, one after the other in an arena). */
struct _FcThread
{
  /* Interned (never freed), so other threads may read it at any time. */
  const char *name;
  /* FcLock * this thread holds, in the order it took them (first take only,
   * not recursive re-takes). Only ever touched by the thread itself. */
  FcHeld      held;
  /* Records are recycled, never freed: a lock's owner pointer stays valid. */
  FcThread   *next_free;
  /* Every record ever made, for the wait-for graph. */
  FcThread   *next_all;
  /* The FcLock this thread is blocked on (atomic), NULL if none. */
  gpointer    waiting_for;
  /* Released FcLockGuards kept for the next acquisitions (and how many),
   * touched by this thread only. */
  gpointer    spare_guards;
  guint       n_spare_guards;
  /* Lock-order edges this thread knows need no more bookkeeping. */
  FcLockdepCache lockdep;
  /* FcAbandoned * pushed by other threads (atomic, a stack), released by
   * this thread (fc_thread_drain_abandoned()). */
  FcAbandoned *abandoned;
  /* Bumped (atomic) each time the thread that used the record exits. */
  guint        serial;
} __attribute__ ((aligned (FC_CACHE_LINE)));

/* Set by fc-lock.c: releases, with a critical, what an exiting thread
 * still holds. Called by the record's destructor, after the abandoned
 * items are released. */
extern void (*fc_thread_exit_hook) (FcThread *self);

/* Read on every acquisition: a plain TLS variable is cheaper than
 * g_private_get(), which fc-thread-private.c keeps for its destructor. */
extern __thread FcThread *fc_thread_current;

FcThread *fc_thread_self_slow (void);

/* The calling thread's record, created on first use. */
static inline FcThread *
fc_thread_self (void)
{
  FcThread *self = fc_thread_current;

  return G_LIKELY (self != NULL) ? self : fc_thread_self_slow ();
}

/* The calling thread's record, or NULL if it has none yet. */
static inline FcThread *
fc_thread_peek (void)
{
  return fc_thread_current;
}

void      fc_thread_grow_held   (FcThread *self);

/* Names @self (interned; %NULL: the system's name for the thread). */
void      fc_thread_set_name    (FcThread   *self,
                                 const char *name);

static inline void
fc_thread_push_held (FcThread *self,
                     gpointer  lock)
{
  if (G_UNLIKELY (self->held.len == self->held.alloc))
    fc_thread_grow_held (self);
  self->held.items[self->held.len++] = lock;
}

static inline void
fc_thread_remove_held (FcThread *self,
                       gpointer  lock)
{
  FcHeld *held = &self->held;

  /* Locks are nearly always released last-in first-out. */
  for (guint i = held->len; i > 0; i--)
    {
      if (held->items[i - 1] == lock)
        {
          if (i < held->len)
            memmove (&held->items[i - 1], &held->items[i], sizeof (gpointer) * (held->len - i));
          held->len--;
          return;
        }
    }
}

/* Hands @item to @thread, from any thread. */
void      fc_thread_abandon            (FcThread    *thread,
                                        FcAbandoned *item);
void      fc_thread_drain_abandoned_slow (FcThread  *self);

/* Releases what other threads handed back to @self, the calling thread. */
static inline void
fc_thread_drain_abandoned (FcThread *self)
{
  if (G_UNLIKELY (g_atomic_pointer_get (&self->abandoned) != NULL))
    fc_thread_drain_abandoned_slow (self);
}

typedef void (*FcThreadFunc) (FcThread *thread,
                              gpointer  user_data);

/* Calls @func for every thread record (including idle ones), under the
 * records' mutex: @func must not take locks of its own. */
void      fc_thread_foreach     (FcThreadFunc func,
                                 gpointer     user_data);

G_END_DECLS
