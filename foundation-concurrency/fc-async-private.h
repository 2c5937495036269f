/* fc-async-private.h — the state of async locks and guards, which
 * FcAsyncLockManager's queueing engine works on directly. Never installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every field marked "under the state mutex" is protected by the state
 * mutex of the registry the lock (or the guard's manager) belongs to:
 * one mutex per manager guards all of its locks, queues and guards.
 */

#pragma once

#include "fc-async-lock.h"
#include "fc-async-lock-guard.h"
#include "fc-async-lock-manager.h"
#include "fc-registry-private.h"

G_BEGIN_DECLS

#define FC_ASYNC_GUARD_INLINE 1

struct _FcAsyncLock
{
  GObject            parent_instance;

  FcLockCore         core;

  /* Under the state mutex. Invariant: holder == NULL implies no waiter,
   * since a release hands the lock straight to the head of the queue. */
  FcAsyncLockGuard  *holder;       /* not a ref: a guard releases before it dies */
  gint64             acquired_at;  /* coarse monotonic µs; 0 while free */
  GQueue             waiters;      /* FIFO of request links (see the manager) */
};

struct _FcAsyncLockGuard
{
  GObject             parent_instance;

  FcAsyncLockManager *manager;     /* ref */
  FcAsyncLockGuard   *parent;      /* ref; NULL for a top-level guard */

  /* Under the state mutex. */
  FcAsyncLock       **locks;       /* what to take, ascending order; not refs:
                                    * the manager's registry keeps them */
  guint               n_locks;
  guint               n_held;      /* locks[0..n_held) are held */
  gboolean            released;
  guint               id;
  char               *label;       /* NULL until asked for: `guard-<id>` */
  GList              *children;    /* live children, newest first (weak:
                                    * each child refs us); their siblings */
  GList               sibling;     /* our link in parent->children */
  FcAsyncLock        *inline_locks[FC_ASYNC_GUARD_INLINE];
};

extern const FcLockKind fc_async_lock_kind;

/* The first guard of @guard's chain: who owns and waits, in the wait-for
 * graph. A guard's parent never changes. */
static inline FcAsyncLockGuard *
fc_async_lock_guard_chain_root (FcAsyncLockGuard *guard)
{
  while (guard->parent != NULL)
    guard = guard->parent;
  return guard;
}

static inline GMutex *
fc_async_state_mutex (FcRegistry *registry)
{
  return &registry->state_mutex;
}

/* The guard's label, made on first use. Under the state mutex. */
static inline const char *
fc_async_lock_guard_label_locked (FcAsyncLockGuard *guard)
{
  if (guard->label == NULL)
    guard->label = g_strdup_printf ("guard-%u", guard->id);
  return guard->label;
}

/* fc-async-lock-manager.c */
GMutex           *fc_async_lock_manager_get_mutex       (FcAsyncLockManager  *self);
void              fc_async_lock_manager_acquire_internal (FcAsyncLockManager  *self,
                                                          FcAsyncLockGuard    *parent,
                                                          gpointer             source_tag,
                                                          const char * const  *names,
                                                          double               timeout,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
FcAsyncLockGuard *fc_async_lock_manager_finish_internal  (gpointer             source_object,
                                                          gpointer             source_tag,
                                                          GAsyncResult        *result,
                                                          GError             **error);
/* Releases @guard (children first, then its locks in reverse order, each
 * handed to its next waiter). With @warn, says so in a g_warning if the
 * guard was not released yet. Must not be called under the state mutex. */
void              fc_async_lock_guard_release_internal   (FcAsyncLockGuard    *guard,
                                                          gboolean             warn);

void              fc_async_lock_manager_collect_waits    (FcRegistry          *registry,
                                                          GArray              *waits);

/* fc-async-lock-guard.c */
FcAsyncLockGuard *fc_async_lock_guard_new_internal       (FcAsyncLockManager  *manager,
                                                          FcAsyncLockGuard    *parent);

G_END_DECLS
