/* fc-lock-core-private.h — what every lock type and every diagnostic
 * shares: the identity and statistics of a lock (FcLockCore), what the
 * library needs to know of a lock type (FcLockKind), a moment's view of a
 * lock, and the properties every lock type has. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _FcLockCore FcLockCore;

/* The cache line the layouts of locks and thread records are made for (as
 * on x86-64 and most ARM64 cores; a bigger line only costs sharing). */
#define FC_CACHE_LINE 64

/* Contention statistics of one lock, in microseconds. Each field is written
 * by one party at a time (the owner, or a waiter once it owns the lock) and
 * read with relaxed atomics by status. How many acquisitions were made is
 * each lock type's own count (FcLockState.acquisitions): FcLock keeps it
 * on the cache line of its word, which the owner has just taken. */
typedef struct
{
  guint64  contentions;
  gint64   wait_total;
  gint64   wait_max;
  gint64   hold_max;
} FcLockStats;

/* A lock's place in the learned order graph, owned by fc-lockdep-private.c:
 * the first member of every FcLockCore. Zero (as a new GObject's memory is)
 * until the lock's first ordered acquisition, and again once it is
 * forgotten. @id is never reused: a new lock at a freed lock's address
 * gets another, so no cache entry or edge naming the old lock can match. */
typedef struct
{
  gpointer  node;   /* atomic */
  guint64   id;     /* atomic; 0 = not in the graph */
} FcLockdepLink;

/* Identity of a registered lock, embedded in FcLock and FcAsyncLock.
 * name, description and order are written once, under the registry's
 * mutex, before the lock is published; read-only afterwards. */
struct _FcLockCore
{
  FcLockdepLink lockdep;   /* first: see FcLockdepLink */
  char        *name;
  char        *description;
  int          order;
  gpointer     registry;   /* the FcRegistry it belongs to, NULL if unregistered */
  /* FcRegistry.id of the registry it was registered with, 0 if never:
   * set once, atomically, at registration and never cleared (it survives
   * the registry, and ids are never reused). Read with __atomic_load_n. */
  guint64      registry_id;
  FcLockStats  stats;
};

#define FC_STAT_GET(field) __atomic_load_n (&(field), __ATOMIC_RELAXED)
#define FC_STAT_SET(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELAXED)

/* A waiter got the lock after waiting @waited µs. */
static inline void
fc_lock_stats_waited (FcLockCore *core,
                      gint64      waited)
{
  FC_STAT_SET (core->stats.contentions, FC_STAT_GET (core->stats.contentions) + 1);
  FC_STAT_SET (core->stats.wait_total, FC_STAT_GET (core->stats.wait_total) + waited);
  if (waited > FC_STAT_GET (core->stats.wait_max))
    FC_STAT_SET (core->stats.wait_max, waited);
}

/* The owner released the lock after holding it @held µs. */
static inline void
fc_lock_stats_held (FcLockCore *core,
                    gint64      held)
{
  if (held > FC_STAT_GET (core->stats.hold_max))
    FC_STAT_SET (core->stats.hold_max, held);
}

/* A moment's view of a lock, for status and diagnostics. */
typedef struct
{
  gboolean  locked;
  char     *owner;          /* owned; NULL while free */
  gint64    acquired_at;    /* coarse monotonic µs; 0 while free */
  guint     depth;
  guint     waiters;
  gpointer  owner_id;       /* identity of the owner (thread, async guard) */
  guint64   acquisitions;   /* that succeeded, since the lock was made */
} FcLockState;

/* One owner waiting for one lock, for the wait-for graph. */
typedef struct
{
  gpointer  who;            /* identity, as FcLockState.owner_id */
  char     *label;          /* owned */
  gpointer  lock;
} FcWait;

typedef struct _FcRegistry FcRegistry;

/* What the registry needs to know of a lock type. */
typedef struct
{
  gpointer     (*new_lock)  (void);
  FcLockCore  *(*get_core)  (gpointer lock);
  void         (*get_state) (gpointer lock,
                             FcLockState *state);
  /* Appends an FcWait for every owner now waiting for a lock of this kind
   * (of @registry where the kind keeps waiters per registry). */
  void         (*collect_waits) (FcRegistry *registry,
                                 GArray     *waits);
  /* Optional: the lock the owner @who (as FcLockState.owner_id) waits for
   * now, NULL if none, read without walking every waiter. The result may
   * already be freed: it is only ever compared, never dereferenced, until
   * found among a live registry's locks. */
  gpointer     (*get_waiting_for) (gpointer who);
} FcLockKind;

/* A small vector of locks that lives on the stack for the common case. */
#define FC_LOCK_VEC_INLINE 8
typedef struct
{
  gpointer *items;
  guint     len;
  guint     alloc;
  gpointer  inline_items[FC_LOCK_VEC_INLINE];
} FcLockVec;

void      fc_lock_vec_grow    (FcLockVec *vec);

static inline void
fc_lock_vec_init (FcLockVec *vec)
{
  vec->items = vec->inline_items;
  vec->len = 0;
  vec->alloc = FC_LOCK_VEC_INLINE;
}

static inline void
fc_lock_vec_append (FcLockVec *vec,
                    gpointer   item)
{
  if (G_UNLIKELY (vec->len == vec->alloc))
    fc_lock_vec_grow (vec);
  vec->items[vec->len++] = item;
}

static inline void
fc_lock_vec_clear (FcLockVec *vec)
{
  if (G_UNLIKELY (vec->items != vec->inline_items))
    g_free (vec->items);
  fc_lock_vec_init (vec);
}

/* The properties every lock type has, at these ids; a type adds its own
 * from FC_LOCK_N_COMMON_PROPS on. */
enum
{
  FC_LOCK_PROP_0,
  FC_LOCK_PROP_NAME,
  FC_LOCK_PROP_ORDER,
  FC_LOCK_PROP_DESCRIPTION,
  FC_LOCK_PROP_LOCKED,
  FC_LOCK_PROP_OWNER,
  FC_LOCK_N_COMMON_PROPS
};

/* Fills @pspecs[FC_LOCK_PROP_NAME .. FC_LOCK_PROP_OWNER]. */
void      fc_lock_core_make_properties (GParamSpec      **pspecs);
/* Gets a common property of @lock; FALSE if @prop_id is not one. */
gboolean  fc_lock_core_get_property    (const FcLockKind *kind,
                                        gpointer          lock,
                                        guint             prop_id,
                                        GValue           *value);

/* Name to show for a lock in messages. */
const char *fc_lock_core_display_name (const FcLockCore *core);

/* ---- The registry record --------------------------------------------
 * FcLockCore.registry leads here, so the record is defined at the bottom of
 * the graph; what each module may touch is marked. The modules below the
 * registry (reports, the order graph) read only the immutable id. */

/* The registry's index of names, private to fc-registry-private.c. */
typedef struct _FcNameTable FcNameTable;

struct _FcRegistry
{
  /* fc-registry-private.c: the name table and the order rule. */
  const FcLockKind *kind;
  guint64           id;         /* unique in the process, never reused */
  GMutex            mutex;      /* serialises registration; guards the fields below */
  /* fc-manager-private.c: properties, signal delivery, the watchdog. */
  double            hold_warning_threshold;
  GWeakRef          owner;      /* the manager, for signals */
  GMainContext     *owner_context;
  guint             signal_id;
  GThread          *watchdog;
  GCond             watchdog_cond;
  double            watchdog_interval;
  gpointer          watchdog_state; /* the running watchdog's own stop flag (Watchdog) */
  GHashTable       *long_hold_keys; /* keys of long holds last published (under mutex) */
  gpointer          emission;   /* the pending signal emissions (Emission) */
  /* Set by fc_registry_attach_owner(): tears the manager's part down
   * first thing in fc_registry_free(). */
  void            (*detach)     (FcRegistry *self);
  /* fc-registry-private.c again. */
  GPtrArray        *locks;      /* every registered lock, a ref each (under mutex) */
  GHashTable       *by_order;   /* order (GINT_TO_POINTER) → lock, not a ref (under mutex) */
  FcNameTable      *by_name;    /* published table, read without locking */
  GSList           *retired;    /* outgrown tables, freed with the registry */
};

G_END_DECLS
