/* fc-cluster-client-private.h — what a cluster lock manager and its
 * guards share: the session, the registry, who we are, the live guards, and
 * the acquisition of a set of names for a guard chain (order rule,
 * re-entrancy). Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fc-cluster-lock-private.h"
#include "fc-cluster-registry-private.h"
#include "fc-cluster-session-private.h"

G_BEGIN_DECLS

typedef struct _FcClusterClient FcClusterClient;

/* Told, in the client's owner context, that the lease was lost. */
typedef void (*FcClusterGuardLost) (gpointer guard);

struct _FcClusterClient
{
  gint               ref_count;
  FcClusterSession  *session;
  FcClusterRegistry *registry;      /* the session's thread only */
  char              *prefix;
  char              *identity;
  GMainContext      *owner_context;
  FcClusterGuardLost guard_lost;

  GMutex             mutex;
  GPtrArray         *guards;        /* unreleased guards, not ref'd */
  GHashTable        *held;          /* name → count: what the process holds */
  GHashTable        *edges;         /* "from\nto": order edges published (session's thread) */
  GHashTable        *stats;         /* name → FcClusterStats: this process's (under mutex) */
  gboolean           closed;
};

/* @owner_context: where guards are told they are lost. */
FcClusterClient *fc_cluster_client_new   (const char * const  *endpoints,
                                          GMainContext        *owner_context,
                                          const char          *prefix,
                                          const char          *identity,
                                          double               ttl,
                                          FcClusterGuardLost   guard_lost,
                                          GError             **error);
FcClusterClient *fc_cluster_client_ref   (FcClusterClient     *self);
void             fc_cluster_client_unref (FcClusterClient     *self);

/* Marks the client closed; returns the guards that were live (a ref
 * each), forgotten by the client. */
GPtrArray       *fc_cluster_client_close      (FcClusterClient  *self);

/* FC_ERROR_UNAVAILABLE once closed. */
gboolean         fc_cluster_client_check_open (FcClusterClient  *self,
                                               GError          **error);

/* Runs @work (@task) on the session's thread. */
typedef void (*FcClusterWork) (FcClusterClient *self,
                               GTask           *task);
void             fc_cluster_client_run   (FcClusterClient     *self,
                                          GTask               *task,
                                          FcClusterWork        work);

void             fc_cluster_client_add_guard    (FcClusterClient *self,
                                                 gpointer         guard);
void             fc_cluster_client_remove_guard (FcClusterClient *self,
                                                 gpointer         guard);
/* Every unreleased guard, a ref each; empties the list if @take. */
GPtrArray       *fc_cluster_client_dup_guards   (FcClusterClient *self,
                                                 gboolean         take);

/* What the process holds, for the waiter keys (what a waiter holds while
 * it waits, whichever guard holds it): @holds (FcClusterHold *) with a key
 * are added (@delta 1) or removed (-1). */
void             fc_cluster_client_note_held    (FcClusterClient *self,
                                                 GPtrArray       *holds,
                                                 int              delta);

/* Counts the acquisitions of @holds (all with keys) in the process's
 * statistics; fc_cluster_client_note_held() (-1) counts their hold times. */
void             fc_cluster_client_note_granted (FcClusterClient *self,
                                                 GPtrArray       *holds);
/* A copy of the stats table (name → FcClusterStats *). */
GHashTable      *fc_cluster_client_dup_stats    (FcClusterClient *self);

/* What an acquisition gives its guard. */
typedef struct
{
  GPtrArray *holds;       /* FcClusterHold *: every lock asked, ascending */
  guint      generation;  /* of the lease the keys belong to */
} FcClusterAcquired;

void             fc_cluster_acquired_free (FcClusterAcquired *acquired);

/* The most distinct names one acquisition takes: each is a put and a range
 * in one transaction, and etcd refuses more than 128 operations in one by
 * default (--max-txn-ops). */
#define FC_CLUSTER_MAX_NAMES 64

/* Takes @names for a chain already holding @held (FcClusterHold *, may be
 * NULL): held names again are re-entrant (no key, the holder's token), new
 * ones must be above every order held. @timeout validated by the caller.
 * The result completes in the caller's thread-default context. */
void               fc_cluster_client_acquire_async  (FcClusterClient     *self,
                                                     gpointer             source_object,
                                                     GPtrArray           *held,
                                                     const char * const  *names,
                                                     double               timeout,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
FcClusterAcquired *fc_cluster_client_acquire_finish (GAsyncResult        *result,
                                                     GError             **error);

/* Deletes @holds' keys (those that have one); @task (may be NULL)
 * completes with the outcome. Takes @holds. */
void             fc_cluster_client_release (FcClusterClient *self,
                                            GPtrArray       *holds,
                                            GTask           *task);

/* Monotonic deadline of @timeout for the etcd calls: 0 means try once. */
gint64           fc_cluster_deadline       (double           timeout);

G_END_DECLS
