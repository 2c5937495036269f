/* fc-async-engine-private.h — the queueing engine of FcAsyncLockManager
 * and the state of async locks, guards and managers it works on directly.
 * Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every field marked "under the state mutex" is protected by the mutex of
 * the FcAsyncState the lock (or the guard) refers to: one state per
 * manager, whose mutex guards all of its locks, queues and guards. A lock
 * and a guard hold a reference to it, so it outlives the manager.
 */

#pragma once

#include "fc-async-lock.h"
#include "fc-async-lock-guard.h"
#include "fc-async-lock-manager.h"
#include "fc-lock-core-private.h"
#include "fc-lockdep-private.h"

G_BEGIN_DECLS

#define FC_ASYNC_GUARD_INLINE 1

/* What the queueing engine of one manager works on, refcounted: the
 * manager, every lock it has granted, every guard and every deadline
 * source hold a reference, so that a lock or a dispatching deadline source
 * that outlives its manager still has a valid mutex. The last reference is
 * never dropped under the mutex: whoever runs under it holds a reference
 * of its own (the manager, a guard, or a dispatching source). */
typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           mutex;             /* the state mutex */
  FcLockdepCache   lockdep;           /* known order edges, under the state mutex */
  GHashTable      *deadline_sources;  /* GMainContext → FcDeadlineSource (ref), under
                                       * the state mutex; only contexts with a
                                       * deadline pending */
  GQueue           undelivered;       /* granted requests whose completion has not
                                       * run yet, oldest first, under the state mutex */
} FcAsyncState;

struct _FcAsyncLock
{
  GObject            parent_instance;

  FcLockCore         core;

  /* Its manager's state (ref), set (atomically, under the state mutex) when
   * the lock is first granted; never changes afterwards. NULL: never held,
   * so free and without waiters. */
  FcAsyncState      *state;

  /* Under the state mutex. Invariant: holder == NULL implies no waiter,
   * since a release hands the lock straight to the head of the queue. */
  FcAsyncLockGuard  *holder;       /* not a ref: a guard releases before it dies */
  gint64             acquired_at;  /* coarse monotonic µs; 0 while free */
  guint64            acquisitions; /* that succeeded (FcLockState.acquisitions) */
  GQueue             waiters;      /* FIFO of request links (see the manager) */
};

struct _FcAsyncLockGuard
{
  GObject             parent_instance;

  FcAsyncLockManager *manager;     /* ref */
  FcAsyncLockGuard   *parent;      /* ref; NULL for a top-level guard */
  FcAsyncState       *state;       /* ref: the manager's */

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
  GList              *pending;     /* child requests not decided yet (weak:
                                    * each refs us); failed when we are released */
  FcAsyncLock        *inline_locks[FC_ASYNC_GUARD_INLINE];
};

typedef struct _FcDeadlineSource FcDeadlineSource;

struct _FcAsyncLockManager
{
  GObject      parent_instance;

  FcRegistry  *registry;
  FcAsyncState *state;                  /* ref; its mutex guards every lock, queue
                                         * and guard of this manager */
};

/* One source per main context runs the deadlines of every request queued
 * from that context, and their deadlock checks: a GSource per waiter would
 * make each iteration of a context with many waiters walk them all. The
 * requests sit in a binary min-heap on their deadline, and in a queue for
 * their check (100 ms after they first queued: oldest first, so a FIFO
 * is ordered); the source's ready time is the earliest of both. A check
 * looks at the whole manager, so one runs per 100 ms at most, for every
 * request due by then: each is checked once, 100 to 200 ms after it
 * queued, and a context with many waiters does not check for each. */
struct _FcDeadlineSource
{
  GSource             source;
  FcAsyncState       *state;     /* ref: a dispatch may outlive the manager */
  GMainContext       *context;   /* our key in state->deadline_sources; not a ref */
  GPtrArray          *heap;      /* FcAsyncRequest, under the state mutex */
  GQueue              checks;    /* FcAsyncRequest (check_link) whose check is
                                  * due, by check_at; under the state mutex */
  gint64              checked_at; /* when a check last ran (monotonic µs), under
                                   * the state mutex: one per FC_ASYNC_CHECK_DELAY_US
                                   * at most, covering every request then due */
  gboolean            pruned;    /* destroyed and out of the table, under the
                                  * state mutex */
};

/* One acquisition in progress: the task data of its GTask. */
typedef struct _FcAsyncRequest FcAsyncRequest;
/* One per acquisition, queued by the 100,000 at times: what only a
 * waiting request needs shares its room with what only a decided one does
 * (the union below). */
struct _FcAsyncRequest
{
  GTask            *task;          /* not a ref: we are its task data */
  FcAsyncLockGuard *guard;         /* ref; the guard being filled */

  /* Under the state mutex. */
  FcAsyncLock      *waiting_on;    /* while queued: the lock whose queue holds
                                    * link; after a timeout: the lock given up on */
  GList             link;          /* data = this request */
  FcDeadlineSource *source;        /* its context's, while in_heap or in_checks */
  gulong            cancelled_id;
  gint64            deadline;      /* monotonic µs; -1 for none */
  gint64            queued_at;     /* monotonic µs, when it last queued */
  guint             heap_index;
  guint             queued : 1;    /* link is in waiting_on's queue */
  guint             try_once : 1;  /* timeout 0: never queue */
  guint             started : 1;   /* set up; a cancellation can act now */
  guint             cancel_requested : 1;
  guint             check_due : 1; /* its deadlock check was scheduled once */
  guint             done : 1;      /* the outcome is decided */
  guint             in_heap : 1;   /* in source's deadline heap */
  guint             in_checks : 1; /* in source's checks queue, by check_link */
  guint             undelivered : 1; /* in state->undelivered, by undelivered_link */
  union
  {
    /* Until the outcome is decided (done 0). */
    struct
    {
      GList         pending_link;  /* in guard->parent->pending while a child
                                    * request is undecided; data = this
                                    * request, NULL when not there */
      GList         check_link;    /* data = this request */
      gint64        check_at;      /* monotonic µs: when to look for a deadlock */
    };
    /* From the decision on (request_decide_locked()). */
    struct
    {
      GError         *error;       /* the outcome: NULL for success */
      FcAsyncRequest *next_done;   /* in a list of requests to complete */
      GList           undelivered_link; /* data = this request */
      gint64          granted_at;  /* monotonic µs, once granted */
    };
  };
};

/* With the GTask (184 bytes in GLib 2.74) and the guard (128), a queued
 * waiter costs under 512 bytes (benchmarks/bench-async-lock-manager.c): a
 * request of 152 bytes or less takes a 160-byte malloc chunk. */
G_STATIC_ASSERT (sizeof (FcAsyncRequest) <= 152);

extern const FcLockKind fc_async_lock_kind;

/* The guard's label, made on first use. Under the state mutex. */
static inline const char *
fc_async_lock_guard_label_locked (FcAsyncLockGuard *guard)
{
  if (guard->label == NULL)
    guard->label = g_strdup_printf ("guard-%u", guard->id);
  return guard->label;
}

/* fc-async-engine-private.c */
GMutex           *fc_async_lock_manager_get_mutex       (FcAsyncLockManager  *self);
FcAsyncState     *fc_async_state_new                    (void);
FcAsyncState     *fc_async_state_ref                    (FcAsyncState        *state);
/* Never under the state mutex, if it may be the last reference. */
void              fc_async_state_unref                  (FcAsyncState        *state);
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
/* Releases @guard (pending children failed, live children released, then
 * its locks in reverse order, each handed to its next waiter). With @warn,
 * says so in a g_warning if the guard was not released yet. Must not be
 * called under the state mutex. */
void              fc_async_lock_guard_release_internal   (FcAsyncLockGuard    *guard,
                                                          gboolean             warn);

/* fc-async-engine-deadlines-private.c: the deadlines of every request
 * queued from one main context, in one source. */
void              deadline_source_add_locked             (FcAsyncLockManager  *self,
                                                          FcAsyncRequest      *req);
void              deadline_source_remove_locked          (FcAsyncRequest      *req);

/* A request that queues has its deadlock check scheduled, once, for
 * FC_ASYNC_CHECK_DELAY_US later, in its context's source; a decided one
 * leaves the queue. */
#define FC_ASYNC_CHECK_DELAY_US (G_USEC_PER_SEC / 10)   /* as for threads */
void              request_watch_locked                   (FcAsyncLockManager  *self,
                                                          FcAsyncRequest      *req);
void              request_unwatch_locked                 (FcAsyncRequest      *req);

/* fc-async-engine-watch-private.c: what a request that has waited 100 ms
 * looks for, once (a live deadlock or a stuck grant), announced. Never
 * under the state mutex. */
void              fc_async_lock_manager_check            (FcAsyncLockManager  *self);
/* Adds a report (FC_REPORT_UNDELIVERED) to @reports for every lock handed
 * to a request whose completion has waited more than @threshold seconds
 * to be dispatched in its main context; with @stuck_only, only for locks
 * somebody waits for, handed to a request whose context nobody iterates
 * now. Takes the state mutex. */
void              fc_async_state_find_undelivered        (FcAsyncState        *state,
                                                          double               threshold,
                                                          gboolean             stuck_only,
                                                          GPtrArray           *reports);

/* fc-async-engine-private.c, for the deadlines. */
void              request_fail_locked                    (FcAsyncRequest     *req,
                                                          GError             *error,
                                                          FcAsyncRequest    **done);
void              requests_complete_later                (FcAsyncRequest     *done);

/* Provided by the public types, which the engine uses but does not
 * include: fc-async-lock-guard.c (and fc_async_lock_kind, fc-async-lock.c). */
FcAsyncLockGuard *fc_async_lock_guard_new_internal       (FcAsyncLockManager  *manager,
                                                          FcAsyncLockGuard    *parent);

G_END_DECLS
