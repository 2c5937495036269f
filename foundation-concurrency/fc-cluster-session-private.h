/* fc-cluster-session-private.h — a cluster lock manager's session: the
 * thread that talks to etcd, the lease every key of the process is attached
 * to, its keep-alive, and noticing that it is lost. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fc-etcd-private.h"

G_BEGIN_DECLS

typedef struct _FcClusterSession FcClusterSession;

/* Called on the session's thread when the lease is lost (it expired, or
 * the cluster stayed unreachable longer than its TTL). */
typedef void (*FcClusterLostFunc) (gpointer user_data);

/* Validates @endpoints (FC_ERROR_INVALID_ARGUMENT) and starts the thread;
 * no lease yet (fc_cluster_session_grant_async()). */
FcClusterSession *fc_cluster_session_new     (const char * const  *endpoints,
                                              double               ttl,
                                              FcClusterLostFunc    lost,
                                              gpointer             lost_data,
                                              GError             **error);
/* Stops the keep-alive and the thread (not from the session's thread);
 * the lost function is not called after this returns. */
void              fc_cluster_session_free    (FcClusterSession    *self);

/* Whether the caller runs on the session's thread. */
gboolean          fc_cluster_session_is_current (FcClusterSession *self);

/* Runs @func on the session's thread. */
void              fc_cluster_session_run     (FcClusterSession    *self,
                                              GSourceFunc          func,
                                              gpointer             data,
                                              GDestroyNotify       notify);

/* On the session's thread only, from here on. */
FcEtcd           *fc_cluster_session_get_etcd  (FcClusterSession  *self);
double            fc_cluster_session_get_ttl   (FcClusterSession  *self);
/* The live lease and its generation (one per lease granted): a guard whose
 * generation is not the current one lost its locks. FALSE with
 * FC_ERROR_UNAVAILABLE when there is no live lease. */
gboolean          fc_cluster_session_get_lease (FcClusterSession  *self,
                                                gint64            *lease,
                                                guint             *generation,
                                                GError           **error);
guint             fc_cluster_session_get_generation (FcClusterSession *self);
/* etcd answered that @lease is not known (fc_etcd_error_is_lease_not_found()):
 * if it is the live lease, it is lost now, and the next one is asked for
 * at once. */
void              fc_cluster_session_lease_gone (FcClusterSession *self,
                                                 gint64            lease);
/* Whether the lease is lost and the session asks for the next one (it is
 * neither closed nor stopping). */
gboolean          fc_cluster_session_regaining  (FcClusterSession *self);
/* Waits for a live lease: TRUE at once if there is one; else once the next
 * is granted. FC_ERROR_UNAVAILABLE at once if none will be asked for or
 * @deadline is 0, else when @deadline (monotonic µs, -1 never) passes or
 * the session closes or stops; G_IO_ERROR_CANCELLED if @cancellable is. */
void              fc_cluster_session_wait_lease_async  (FcClusterSession    *self,
                                                        gint64               deadline,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean          fc_cluster_session_wait_lease_finish (FcClusterSession    *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* Grants the lease and starts keeping it alive; revokes it. The tasks
 * complete on the session's thread. */
void              fc_cluster_session_grant_async  (FcClusterSession    *self,
                                                   gint64               deadline,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean          fc_cluster_session_grant_finish (FcClusterSession    *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void              fc_cluster_session_revoke_async  (FcClusterSession    *self,
                                                    gint64               deadline,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean          fc_cluster_session_revoke_finish (FcClusterSession    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* Completing a caller's task from the session's thread: the outcome is
 * handed to the task's own context, which returns it and drops the
 * session's reference there. Each takes @task (and @error, @result). */
void fc_cluster_task_return_error   (GTask          *task,
                                     GError         *error);
void fc_cluster_task_return_boolean (GTask          *task);
void fc_cluster_task_return_pointer (GTask          *task,
                                     gpointer        result,
                                     GDestroyNotify  result_destroy);

/* Blocking on an async call from a thread that is not the session's: a
 * private main context, pushed for the call and iterated until its result
 * arrives. */
typedef struct
{
  GMainContext *context;
  GAsyncResult *result;
} FcClusterSync;

void          fc_cluster_sync_begin    (FcClusterSync *sync);
void          fc_cluster_sync_callback (GObject       *source,
                                        GAsyncResult  *result,
                                        gpointer       sync);
/* Returns the result (transfer full) and pops the context. */
GAsyncResult *fc_cluster_sync_end      (FcClusterSync *sync);

G_END_DECLS
