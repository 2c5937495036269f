/* fc-registry-private.h — what FcLockManager and FcAsyncLockManager share:
 * the name/order registry, resolving and ordering a set of names, the order
 * rule, lock status and hold-time diagnostics. Never installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Identity of a registered lock, embedded in FcLock and FcAsyncLock.
 * Written once, under the registry's mutex, before the lock is published;
 * read-only afterwards. */
typedef struct
{
  char     *name;
  char     *description;
  int       order;
  gpointer  registry;   /* the FcRegistry it belongs to, NULL if unregistered */
} FcLockCore;

/* A moment's view of a lock, for status and diagnostics. */
typedef struct
{
  gboolean  locked;
  char     *owner;          /* owned; NULL while free */
  gint64    acquired_at;    /* coarse monotonic µs; 0 while free */
  guint     depth;
  guint     waiters;
} FcLockState;

/* What the registry needs to know of a lock type. */
typedef struct
{
  gpointer     (*new_lock)  (void);
  FcLockCore  *(*get_core)  (gpointer lock);
  void         (*get_state) (gpointer lock,
                             FcLockState *state);
} FcLockKind;

typedef struct _FcRegistry FcRegistry;

/* A small vector of locks that lives on the stack for the common case. */
#define FC_LOCK_VEC_INLINE 8
typedef struct
{
  gpointer *items;
  guint     len;
  guint     alloc;
  gpointer  inline_items[FC_LOCK_VEC_INLINE];
} FcLockVec;

void      fc_lock_vec_init    (FcLockVec *vec);
void      fc_lock_vec_append  (FcLockVec *vec,
                               gpointer   item);
void      fc_lock_vec_clear   (FcLockVec *vec);

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
char    **fc_registry_detect     (FcRegistry   *self,
                                  double        hold_warning_threshold);

static inline FcLockCore *
fc_registry_core (FcRegistry *self,
                  gpointer    lock);

/* Name to show for a lock in messages. */
const char *fc_lock_core_display_name (const FcLockCore *core);

struct _FcRegistry
{
  const FcLockKind *kind;
  GMutex            mutex;      /* serialises registration */
  GPtrArray        *locks;      /* every registered lock, a ref each (under mutex) */
  GHashTable       *by_name;    /* published snapshot, read without locking */
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
