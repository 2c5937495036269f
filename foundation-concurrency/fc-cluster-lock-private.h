/* fc-cluster-lock-private.h — the lock recipe on etcd, as etcd's own client
 * does it: a waiter key under the lock's prefix, attached to the session's
 * lease; the lock is ours when no key of it has a lower create revision;
 * until then a watch on the deletion of the key just before ours (no
 * polling, no herd). Several locks in ascending order, one deadline, and
 * every key of a failed attempt deleted before it returns. Runs on the
 * session's thread. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fc-cluster-session-private.h"

G_BEGIN_DECLS

/* One lock of a guard. */
typedef struct
{
  char   *name;
  int     order;
  char   *key;        /* the waiter key; NULL when held by an outer guard */
  gint64  token;      /* the fencing token: the mod revision of the key once
                       * granted (its create revision when nobody was before) */
  gint64  asked_at;   /* monotonic µs: when its key was written */
  gint64  granted_at; /* monotonic µs */
  gboolean contended; /* had to wait behind another key */
} FcClusterHold;

/* What this process saw of one lock, for the status. */
typedef struct
{
  guint64 acquisitions;
  guint64 contentions;
  gint64  wait_total;   /* µs */
  gint64  wait_max;
  gint64  hold_max;
} FcClusterStats;

FcClusterHold *fc_cluster_hold_new  (const char    *name,
                                     int            order);
void           fc_cluster_hold_free (FcClusterHold *hold);

/* Takes every lock of @wanted (FcClusterHold *, ascending order, no key
 * yet) in turn, filling in key and token. @held: what the guard chain
 * already holds, written in the waiter keys for the diagnostics. @deadline:
 * monotonic µs, -1 forever, 0 try once. */
void      fc_cluster_acquire_async   (FcClusterSession    *session,
                                      const char          *prefix,
                                      const char          *identity,
                                      GPtrArray           *wanted,
                                      const char * const  *held,
                                      gint64               deadline,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* @generation: the session's lease generation the keys belong to. */
gboolean  fc_cluster_acquire_finish  (GAsyncResult        *result,
                                      guint               *generation,
                                      GError             **error);

/* Deletes @keys (char *) in one transaction, trying until @deadline
 * (monotonic µs; -1: the request timeout). */
void      fc_cluster_release_async   (FcClusterSession    *session,
                                      GPtrArray           *keys,
                                      gint64               deadline,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean  fc_cluster_release_finish  (GAsyncResult        *result,
                                      GError             **error);

/* Wall-clock microseconds, as the waiter keys keep them. */
gint64    fc_cluster_now             (void);

G_END_DECLS
