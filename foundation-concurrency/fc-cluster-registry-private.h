/* fc-cluster-registry-private.h — the cluster-wide registry of lock names
 * and orders in etcd (first registration wins), resolving a set of names,
 * and the status of every lock. Runs on the session's thread. Never
 * installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fc-cluster-session-private.h"

G_BEGIN_DECLS

typedef struct _FcClusterRegistry FcClusterRegistry;

FcClusterRegistry *fc_cluster_registry_new  (FcClusterSession  *session,
                                              const char        *prefix);
void               fc_cluster_registry_free (FcClusterRegistry *self);

/* Checks what can be checked without the cluster: the name. */
gboolean  fc_cluster_registry_validate        (const char          *name,
                                               const char          *description,
                                               GError             **error);

void      fc_cluster_registry_register_async  (FcClusterRegistry   *self,
                                               const char          *name,
                                               int                  order,
                                               const char          *description,
                                               gint64               deadline,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean  fc_cluster_registry_register_finish (GAsyncResult        *result,
                                               GError             **error);

/* The FcClusterHold of every name (no key yet), ascending, duplicates
 * dropped; FC_ERROR_NOT_REGISTERED for a name nobody registered. Orders
 * never change once registered: they are cached. */
void       fc_cluster_registry_resolve_async  (FcClusterRegistry   *self,
                                               const char * const  *names,
                                               gint64               deadline,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray *fc_cluster_registry_resolve_finish (GAsyncResult        *result,
                                               GError             **error);

/* Everything under the prefix at one revision. */
typedef struct
{
  gint64      revision;
  GHashTable *orders;        /* name → GINT_TO_POINTER (order) */
  GHashTable *descriptions;  /* name → char * */
  GHashTable *waiters;       /* name → GPtrArray of FcEtcdKv, by create revision */
  GPtrArray  *edges;         /* char *from, char *to, char *owner, … (triples) */
} FcClusterSnapshot;

void               fc_cluster_snapshot_free          (FcClusterSnapshot   *snapshot);
void               fc_cluster_registry_snapshot_async (FcClusterRegistry  *self,
                                                       gint64              deadline,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
FcClusterSnapshot *fc_cluster_registry_snapshot_finish (GAsyncResult      *result,
                                                        GError           **error);
const char        *fc_cluster_registry_get_prefix     (FcClusterRegistry  *self);
FcClusterSession  *fc_cluster_registry_get_session    (FcClusterRegistry  *self);

/* a{sa{sv}}: every registered lock with order, description, is_locked,
 * owner (ms), acquired_at (md), depth (u), waiters (u), fencing_token (t),
 * and from @stats (name → FcClusterStats *: this process's) acquisitions,
 * contentions (t), wait_time_total, wait_time_max, hold_time_max (d). */
GVariant  *fc_cluster_snapshot_to_status      (FcClusterSnapshot   *snapshot,
                                               GHashTable          *stats);

G_END_DECLS
