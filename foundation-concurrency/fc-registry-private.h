/* fc-registry-private.h — the name/order registry both managers keep:
 * registering, looking up and resolving a set of names, the order rule,
 * lock status. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "fc-lock-core-private.h"

G_BEGIN_DECLS

/* The longest lock name, in bytes (documented at register_lock). */
#define FC_LOCK_NAME_MAX 1024

/* A lock name must be non-empty valid UTF-8 of at most FC_LOCK_NAME_MAX
 * bytes: FC_ERROR_INVALID_ARGUMENT otherwise. */
gboolean    fc_registry_validate_name (const char  *name,
                                       GError     **error);

/* The registry's errors, for whoever keeps names and orders elsewhere
 * (the cluster manager): FC_ERROR_NOT_REGISTERED (or what is wrong with an
 * invalid @name), ALREADY_REGISTERED, ORDER_CONFLICT, ORDER_VIOLATION. */
void        fc_registry_set_not_registered     (const char  *name,
                                                GError     **error);
void        fc_registry_set_already_registered (const char  *name,
                                                GError     **error);
void        fc_registry_set_order_conflict     (int          order,
                                                const char  *other,
                                                GError     **error);
void        fc_registry_set_order_violation    (const char  *name,
                                                int          order,
                                                int          max_held,
                                                const char  *max_held_name,
                                                GError     **error);

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

/* For tests: the most slots a lookup of a registered name reads (1 when
 * every name is in the slot its hash picks). */
guint     fc_registry_longest_probe (FcRegistry *self);

/* The order rule: every lock of @sorted that @is_held does not claim must
 * have an order above @max_held (when @holds_any). Fails with
 * FC_ERROR_ORDER_VIOLATION naming the first offender and the held lock of
 * order @max_held. */
gboolean  fc_registry_check_order (FcRegistry   *self,
                                   FcLockVec    *sorted,
                                   gboolean    (*is_held) (gpointer lock,
                                                           gpointer user_data),
                                   gpointer      user_data,
                                   gboolean      holds_any,
                                   int           max_held,
                                   GError      **error);

GVariant *fc_registry_get_status (FcRegistry   *self);


/* Every registered lock, sorted by order, a ref each. */
GPtrArray *fc_registry_dup_locks     (FcRegistry   *self);

static inline FcLockCore *
fc_registry_core (FcRegistry *self,
                  gpointer    lock)
{
  return self->kind->get_core (lock);
}

G_END_DECLS
