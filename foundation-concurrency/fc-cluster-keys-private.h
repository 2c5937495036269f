/* fc-cluster-keys-private.h — where the cluster lock managers keep things
 * in etcd, under their prefix, and what the values say:
 *
 *   names/<name>           {"order": N, "description": "…"}  registrations
 *   orders/<N>             <name>                            (orders taken)
 *   locks/<name>/<lease>-<n> {"owner", "holds", "since"}     waiter keys
 *   edges/<a>/<b>          {"owner"}                          order edges
 *
 * <name> is the lock name with every byte outside [A-Za-z0-9-._~] and
 * non-ASCII UTF-8 percent-encoded ('/' is %2F), so that a lock's keys never
 * share a prefix with another lock's. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char  *fc_cluster_key_name        (const char *prefix,
                                   const char *name);
char  *fc_cluster_key_names       (const char *prefix);
char  *fc_cluster_key_order       (const char *prefix,
                                   int         order);
char  *fc_cluster_key_locks       (const char *prefix);
/* The prefix of the waiter keys of lock @name. */
char  *fc_cluster_key_lock        (const char *prefix,
                                   const char *name);
/* A new waiter key of @lease for lock @name, unique in the process. */
char  *fc_cluster_key_waiter      (const char *prefix,
                                   const char *name,
                                   gint64      lease);
char  *fc_cluster_key_edges       (const char *prefix);
char  *fc_cluster_key_edge        (const char *prefix,
                                   const char *from,
                                   const char *to);

/* The lock name of a key under names/ (@dir "names/") or locks/ ("locks/");
 * NULL for a key that is not one. */
char  *fc_cluster_key_parse_name  (const char *prefix,
                                   const char *dir,
                                   const char *key);
/* The two names of an edge key; FALSE for a key that is not one. */
gboolean fc_cluster_key_parse_edge (const char  *prefix,
                                    const char  *key,
                                    char       **from,
                                    char       **to);

/* What a waiter key says: who, holding what, since when (wall-clock µs:
 * when it started waiting, then when it was granted). */
typedef struct
{
  char   *owner;
  char  **holds;
  gint64  since;
} FcClusterWaiter;

char            *fc_cluster_waiter_to_json (const char         *owner,
                                            const char * const *holds,
                                            gint64              since);
/* Never fails: what cannot be read is left empty (owner NULL). */
FcClusterWaiter *fc_cluster_waiter_parse   (const char         *json);
void             fc_cluster_waiter_free    (FcClusterWaiter    *waiter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FcClusterWaiter, fc_cluster_waiter_free)

G_END_DECLS
