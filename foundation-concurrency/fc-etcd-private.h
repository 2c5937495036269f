/* fc-etcd-private.h — a client of etcd's v3 JSON gateway (etcd 3.4+): JSON
 * requests over libsoup with failover between endpoints, base64 keys and
 * values, replies checked field by field. Used from one thread only: the
 * thread whose thread-default main context was current at fc_etcd_new().
 * Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _FcEtcd FcEtcd;

/* @endpoints: http(s)://host:port client URLs, at least one;
 * FC_ERROR_INVALID_ARGUMENT otherwise. @request_timeout: seconds one request
 * may spend trying every endpoint, whatever its caller's deadline. */
FcEtcd     *fc_etcd_new            (const char * const  *endpoints,
                                    double               request_timeout,
                                    GError             **error);
void        fc_etcd_free           (FcEtcd              *self);

/* POSTs @body (transfer full) to @path (e.g. "/v3/kv/range") on the current
 * endpoint, and on the next ones when a member fails, until @deadline
 * (monotonic µs, -1: none but the request timeout). Returns the reply's
 * JSON object; FC_ERROR_UNAVAILABLE when no endpoint answered well in time
 * (with the last reason), G_IO_ERROR_CANCELLED. */
void        fc_etcd_call_async     (FcEtcd              *self,
                                    const char          *path,
                                    JsonNode            *body,
                                    gint64               deadline,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
JsonObject *fc_etcd_call_finish    (FcEtcd              *self,
                                    GAsyncResult        *result,
                                    GError             **error);

/* Waits for the deletion of @key at or after @start_revision (a watch).
 * TRUE once deleted; G_IO_ERROR_TIMED_OUT at @deadline (the caller then
 * looks again), FC_ERROR_UNAVAILABLE, G_IO_ERROR_CANCELLED. */
void        fc_etcd_watch_delete_async  (FcEtcd              *self,
                                         const char          *key,
                                         gint64               start_revision,
                                         gint64               deadline,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean    fc_etcd_watch_delete_finish (FcEtcd              *self,
                                         GAsyncResult        *result,
                                         GError             **error);

/* ---- Requests and replies --------------------------------------------- */

/* A key or value as the gateway wants it. */
char       *fc_etcd_encode         (const char          *bytes);
/* The end of the range of every key starting with @prefix. */
char       *fc_etcd_prefix_end     (const char          *prefix);

/* A key-value of a reply, decoded. */
typedef struct
{
  char   *key;
  char   *value;
  gint64  create_revision;
  gint64  mod_revision;
  gint64  lease;
} FcEtcdKv;

void        fc_etcd_kv_free        (FcEtcdKv            *kv);

/* Range, put and delete requests, as objects for /v3/kv/… or inside a txn.
 * @range_end may be NULL (one key); @max_create_revision 0 for no limit;
 * @sort_create: 0 none, 1 ascending, -1 descending create revision;
 * @limit 0 for all. */
JsonNode   *fc_etcd_range_request  (const char          *key,
                                    const char          *range_end,
                                    gint64               max_create_revision,
                                    int                  sort_create,
                                    gint64               limit);
JsonNode   *fc_etcd_put_request    (const char          *key,
                                    const char          *value,
                                    gint64               lease);
JsonNode   *fc_etcd_delete_request (const char          *key,
                                    const char          *range_end);
/* A txn: if every compare in @compares (JsonNode *, may be NULL) holds, the
 * @success requests (a JsonNode * each, "request_range" etc. given by @kinds,
 * NULL-terminated in step), else the @failure ones. */
JsonNode   *fc_etcd_txn_request    (GPtrArray           *compares,
                                    GPtrArray           *success,
                                    GPtrArray           *failure);
/* A txn request item: {"request_<kind>": @request}. Takes @request. */
JsonNode   *fc_etcd_txn_op         (const char          *kind,
                                    JsonNode            *request);
/* A compare that @key's create revision is 0 (the key does not exist). */
JsonNode   *fc_etcd_compare_absent (const char          *key);

/* Reading replies: a missing member is zero, as the gateway omits zeros;
 * anything of the wrong type is FC_ERROR_UNAVAILABLE ("malformed reply"). */
gboolean    fc_etcd_get_int64      (JsonObject          *object,
                                    const char          *member,
                                    gint64              *out,
                                    GError             **error);
gboolean    fc_etcd_get_revision   (JsonObject          *reply,
                                    gint64              *revision,
                                    GError             **error);
/* The kvs of a range reply, FcEtcdKv each. */
GPtrArray  *fc_etcd_get_kvs        (JsonObject          *range_reply,
                                    GError             **error);
/* The @index-th response of a txn reply, unwrapped ("response_range" etc.). */
JsonObject *fc_etcd_get_txn_response (JsonObject        *txn_reply,
                                      guint              index,
                                      GError           **error);
gboolean    fc_etcd_get_boolean    (JsonObject          *object,
                                    const char          *member,
                                    gboolean            *out,
                                    GError             **error);

/* Whether @error is etcd's answer to a request made with a lease it does
 * not know (any more): the lease expired or was revoked. Such a request
 * is not tried on the other members. */
gboolean    fc_etcd_error_is_lease_not_found (const GError *error);

/* FC_ERROR_UNAVAILABLE for a reply that does not say what it should. */
void        fc_etcd_set_malformed  (GError             **error,
                                    const char          *what);

G_END_DECLS
