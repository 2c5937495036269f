/* fc-registry-private.h — what FcLockManager and FcAsyncLockManager share:
 * the name/order registry, resolving and ordering a set of names, the order
 * rule, lock status and hold-time diagnostics. Never installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "fc-lockdep-private.h"

G_BEGIN_DECLS

/* Contention statistics of one lock, in microseconds. Each field is written
 * by one party at a time (the owner, or a waiter under the lock's internal
 * mutex) and read with relaxed atomics by status. */
typedef struct
{
  guint64  acquisitions;
  guint64  contentions;
  gint64   wait_total;
  gint64   wait_max;
  gint64   hold_max;
} FcLockStats;

/* Identity of a registered lock, embedded in FcLock and FcAsyncLock.
 * name, description and order are written once, under the registry's
 * mutex, before the lock is published; read-only afterwards. */
struct _FcLockCore
{
  FcLockdepLink lockdep;   /* first: see fc-lockdep-private.h */
  char        *name;
  char        *description;
  int          order;
  gpointer     registry;   /* the FcRegistry it belongs to, NULL if unregistered */
  FcLockStats  stats;
};

#define FC_STAT_GET(field) __atomic_load_n (&(field), __ATOMIC_RELAXED)
#define FC_STAT_SET(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELAXED)

/* The owner took the lock (first take, not a recursive one). */
static inline void
fc_lock_stats_took (FcLockCore *core)
{
  FC_STAT_SET (core->stats.acquisitions, FC_STAT_GET (core->stats.acquisitions) + 1);
}

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
  gpointer  owner_id;       /* identity of the owner (thread, guard chain) */
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

FcRegistry *fc_registry_new   (const FcLockKind *kind);
void        fc_registry_free  (FcRegistry       *self);

gpointer  fc_registry_register   (FcRegistry   *self,
                                  const char   *name,
                                  int           order,
                                  const char   *description,
                                  gpointer      lock,
                                  GError      **error);
gboolean  fc_registry_register_foundation (FcRegistry  *self,
                                           gboolean     async,
                                           GError     **error);
gpointer  fc_registry_lookup     (FcRegistry   *self,
                                  const char   *name,
                                  GError      **error);

/* Looks every name up, sorts by ascending order and drops duplicates.
 * @names may be NULL (no locks). On error @out is left empty. */
gboolean  fc_registry_resolve    (FcRegistry         *self,
                                  const char * const *names,
                                  FcLockVec          *out,
                                  GError            **error);

/* The order rule: every lock of @sorted that @is_held does not claim must
 * have an order above @max_held (when @holds_any). Fails with
 * FC_ERROR_ORDER_VIOLATION naming the first offender. */
gboolean  fc_registry_check_order (FcRegistry   *self,
                                   FcLockVec    *sorted,
                                   gboolean    (*is_held) (gpointer lock,
                                                           gpointer user_data),
                                   gpointer      user_data,
                                   gboolean      holds_any,
                                   int           max_held,
                                   GError      **error);

GVariant *fc_registry_get_status (FcRegistry   *self);

/* Diagnostics: long holds, order cycles, live deadlocks. */
char    **fc_registry_detect              (FcRegistry   *self);
GVariant *fc_registry_get_deadlock_report (FcRegistry   *self);
char     *fc_registry_dump_order_graph    (FcRegistry   *self);

double    fc_registry_get_hold_warning_threshold (FcRegistry *self);
void      fc_registry_set_hold_warning_threshold (FcRegistry *self,
                                                  double      threshold);

/* What both managers' classes have: the hold-warning-threshold and
 * watchdog-interval properties (at these ids) and the potential-deadlock
 * signal. Installed once per class, handled by the registry. */
enum
{
  FC_REGISTRY_PROP_0,
  FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD,
  FC_REGISTRY_PROP_WATCHDOG_INTERVAL,
  FC_REGISTRY_N_PROPS
};

void      fc_registry_install_class  (GObjectClass *klass,
                                      GParamSpec  **pspecs,
                                      guint        *potential_deadlock_signal);
void      fc_registry_get_property   (FcRegistry   *self,
                                      guint         prop_id,
                                      GValue       *value,
                                      GParamSpec   *pspec);
/* Sets a property and notifies @owner if it changed. */
void      fc_registry_set_double     (FcRegistry   *self,
                                      GObject      *owner,
                                      GParamSpec   *pspec,
                                      double        value);

/* Every registered lock, sorted by order, a ref each. */
GPtrArray *fc_registry_dup_locks     (FcRegistry   *self);

/* Delivers every new report touching this registry as @signal_id on
 * @owner (signature: const char *message, GVariant *report), emitted in the
 * thread-default main context of the caller of this function. */
void      fc_registry_attach_owner        (FcRegistry   *self,
                                           GObject      *owner,
                                           guint         signal_id);

/* Runs the checks every @interval seconds on a thread of its own (0 stops
 * it), publishing new findings. */
double    fc_registry_get_watchdog_interval (FcRegistry *self);
void      fc_registry_set_watchdog_interval (FcRegistry *self,
                                             double      interval);

/* The live deadlocks among owners of locks of @kind, as new reports. */
GPtrArray *fc_waitfor_find_deadlocks (const FcLockKind *kind,
                                      FcRegistry       *registry);

/* Why @lock is not free: "held by 'x' for 1.2s, which waits for 'b' held
 * by 'y'", or NULL if it is free. @self_id: the owner asking. */
char      *fc_waitfor_explain        (const FcLockKind *kind,
                                      FcRegistry       *registry,
                                      gpointer          lock,
                                      gpointer          self_id);

/* Sets a FC_ERROR_TIMEOUT error for @lock, explained when possible. */
void       fc_set_timeout_error      (GError          **error,
                                      const FcLockKind *kind,
                                      FcRegistry       *registry,
                                      gpointer          lock,
                                      gpointer          self_id);

static inline FcLockCore *
fc_registry_core (FcRegistry *self,
                  gpointer    lock);

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

/* The registry's index of names, private to fc-registry-private.c. */
typedef struct _FcNameTable FcNameTable;

struct _FcRegistry
{
  const FcLockKind *kind;
  guint64           id;         /* unique in the process, never reused */
  GMutex            mutex;      /* serialises registration; guards the fields below */
  double            hold_warning_threshold;
  GWeakRef          owner;      /* the manager, for signals */
  GMainContext     *owner_context;
  guint             signal_id;
  GThread          *watchdog;
  GCond             watchdog_cond;
  double            watchdog_interval;
  gboolean          watchdog_stop;
  GPtrArray        *locks;      /* every registered lock, a ref each (under mutex) */
  FcNameTable      *by_name;    /* published snapshot, read without locking */
  GSList           *retired;    /* earlier snapshots, freed with the registry */
  /* For lock kinds that keep the run-time state of all the locks of one
   * manager under a single mutex (FcAsyncLock): a lock reaches it through
   * its FcLockCore.registry. FcLock synchronises per lock and ignores it. */
  GMutex            state_mutex;
};

static inline FcLockCore *
fc_registry_core (FcRegistry *self,
                  gpointer    lock)
{
  return self->kind->get_core (lock);
}

G_END_DECLS
