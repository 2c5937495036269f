/* fc-cluster-registry-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "fc-cluster-keys-private.h"
#include "fc-cluster-lock-private.h"
#include "fc-cluster-registry-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"

struct _FcClusterRegistry
{
  FcClusterSession *session;
  char             *prefix;
  GHashTable       *orders;   /* name → GINT_TO_POINTER (order): known registrations */
};

FcClusterRegistry *
fc_cluster_registry_new (FcClusterSession *session,
                         const char       *prefix)
{
  FcClusterRegistry *self = g_new0 (FcClusterRegistry, 1);

  self->session = session;
  self->prefix = g_strdup (prefix);
  self->orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
fc_cluster_registry_free (FcClusterRegistry *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->orders);
  g_free (self->prefix);
  g_free (self);
}

const char *
fc_cluster_registry_get_prefix (FcClusterRegistry *self)
{
  return self->prefix;
}

FcClusterSession *
fc_cluster_registry_get_session (FcClusterRegistry *self)
{
  return self->session;
}

gboolean
fc_cluster_registry_validate (const char  *name,
                              const char  *description,
                              GError     **error)
{
  if (!fc_registry_validate_name (name, error))
    return FALSE;
  if (description != NULL && !g_utf8_validate (description, -1, NULL))
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("Lock description must be valid UTF-8"));
      return FALSE;
    }
  return TRUE;
}

static char *
registration_to_json (int         order,
                      const char *description)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "order");
  json_builder_add_int_value (builder, order);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, description != NULL ? description : "");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* A registration's order and description; FALSE if unreadable. */
static gboolean
registration_parse (const char  *json,
                    int         *order,
                    char       **description)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  JsonNode *node;

  if (!json_parser_load_from_data (parser, json, -1, NULL)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  object = json_node_get_object (json_parser_get_root (parser));
  node = json_object_get_member (object, "order");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < G_MININT || json_node_get_int (node) > G_MAXINT)
    return FALSE;
  *order = (int) json_node_get_int (node);
  if (description != NULL)
    {
      node = json_object_get_member (object, "description");
      *description = g_strdup (node != NULL && JSON_NODE_HOLDS_VALUE (node)
                               && json_node_get_value_type (node) == G_TYPE_STRING
                               ? json_node_get_string (node) : "");
    }
  return TRUE;
}

static void
set_unreadable (GError    **error,
                const char *key)
{
  g_autofree char *what = g_strdup_printf (_("unreadable registration at '%s'"), key);

  fc_etcd_set_malformed (error, what);
}

/* ---- Registration ---------------------------------------------------------- */

typedef struct
{
  FcClusterRegistry *self;
  char              *name;
  int                order;
  char              *description;
  gint64             deadline;
  guint              tries;
} Register;

static void
register_free (gpointer data)
{
  Register *r = data;

  g_free (r->name);
  g_free (r->description);
  g_free (r);
}

static void register_try (GTask *task);

static void
register_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GTask *task = data;
  Register *r = g_task_get_task_data (task);
  FcEtcd *etcd = fc_cluster_session_get_etcd (r->self->session);
  GError *error = NULL;
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (etcd, result, &error);
  g_autoptr(GPtrArray) by_name = NULL;
  g_autoptr(GPtrArray) by_order = NULL;
  gboolean succeeded = FALSE;
  JsonObject *response;

  if (reply == NULL || !fc_etcd_get_boolean (reply, "succeeded", &succeeded, &error))
    goto fail;
  if (succeeded)
    goto registered;

  if ((response = fc_etcd_get_txn_response (reply, 0, &error)) == NULL
      || (by_name = fc_etcd_get_kvs (response, &error)) == NULL
      || (response = fc_etcd_get_txn_response (reply, 1, &error)) == NULL
      || (by_order = fc_etcd_get_kvs (response, &error)) == NULL)
    goto fail;

  if (by_name->len > 0)
    {
      FcEtcdKv *kv = g_ptr_array_index (by_name, 0);
      int order;

      if (!registration_parse (kv->value, &order, NULL))
        {
          set_unreadable (&error, kv->key);
          goto fail;
        }
      if (order == r->order)
        goto registered;  /* every process registers its locks at start */
      g_hash_table_replace (r->self->orders, g_strdup (r->name), GINT_TO_POINTER (order));
      fc_registry_set_already_registered (r->name, &error);
      goto fail;
    }
  if (by_order->len > 0)
    {
      FcEtcdKv *kv = g_ptr_array_index (by_order, 0);

      fc_registry_set_order_conflict (r->order, kv->value, &error);
      goto fail;
    }
  /* Neither exists any more: removed by hand meanwhile. Again. */
  if (++r->tries < 3)
    {
      register_try (task);
      return;
    }
  fc_etcd_set_malformed (&error, _("the registration keeps changing"));

fail:
  g_task_return_error (task, error);
  g_object_unref (task);
  return;

registered:
  g_hash_table_replace (r->self->orders, g_strdup (r->name), GINT_TO_POINTER (r->order));
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
register_try (GTask *task)
{
  Register *r = g_task_get_task_data (task);
  FcEtcd *etcd = fc_cluster_session_get_etcd (r->self->session);
  g_autofree char *name_key = fc_cluster_key_name (r->self->prefix, r->name);
  g_autofree char *order_key = fc_cluster_key_order (r->self->prefix, r->order);
  g_autofree char *value = registration_to_json (r->order, r->description);
  g_autoptr(GPtrArray) compares = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) success = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) failure = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  g_ptr_array_add (compares, fc_etcd_compare_absent (name_key));
  g_ptr_array_add (compares, fc_etcd_compare_absent (order_key));
  g_ptr_array_add (success, fc_etcd_txn_op ("put", fc_etcd_put_request (name_key, value, 0)));
  g_ptr_array_add (success, fc_etcd_txn_op ("put", fc_etcd_put_request (order_key, r->name, 0)));
  g_ptr_array_add (failure, fc_etcd_txn_op ("range", fc_etcd_range_request (name_key, NULL, 0, 0, 0)));
  g_ptr_array_add (failure, fc_etcd_txn_op ("range", fc_etcd_range_request (order_key, NULL, 0, 0, 0)));
  fc_etcd_call_async (etcd, "/v3/kv/txn", fc_etcd_txn_request (compares, success, failure),
                      r->deadline, g_task_get_cancellable (task), register_cb, task);
}

void
fc_cluster_registry_register_async (FcClusterRegistry   *self,
                                    const char          *name,
                                    int                  order,
                                    const char          *description,
                                    gint64               deadline,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Register *r = g_new0 (Register, 1);
  gint64 lease;
  GError *error = NULL;

  g_task_set_check_cancellable (task, FALSE);
  r->self = self;
  r->name = g_strdup (name);
  r->order = order;
  r->description = g_strdup (description);
  r->deadline = deadline;
  g_task_set_task_data (task, r, register_free);
  if (!fc_cluster_session_get_lease (self->session, &lease, NULL, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  register_try (task);
}

gboolean
fc_cluster_registry_register_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Resolving names ------------------------------------------------------- */

typedef struct
{
  FcClusterRegistry *self;
  char             **names;
} Resolve;

static void
resolve_free (gpointer data)
{
  Resolve *r = data;

  g_strfreev (r->names);
  g_free (r);
}

static int
compare_holds (gconstpointer a,
               gconstpointer b)
{
  const FcClusterHold *x = *(FcClusterHold **) a;
  const FcClusterHold *y = *(FcClusterHold **) b;

  return (x->order > y->order) - (x->order < y->order);
}

/* Every name known: the holds, or NOT_REGISTERED. */
static GPtrArray *
resolve_known (Resolve  *r,
               GError  **error)
{
  g_autoptr(GPtrArray) holds = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_cluster_hold_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; r->names[i] != NULL; i++)
    {
      gpointer order;

      if (g_hash_table_contains (seen, r->names[i]))
        continue;
      if (!g_hash_table_lookup_extended (r->self->orders, r->names[i], NULL, &order))
        {
          fc_registry_set_not_registered (r->names[i], error);
          return NULL;
        }
      g_hash_table_add (seen, r->names[i]);
      g_ptr_array_add (holds, fc_cluster_hold_new (r->names[i], GPOINTER_TO_INT (order)));
    }
  g_ptr_array_sort (holds, compare_holds);
  return g_steal_pointer (&holds);
}

static void
resolve_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask *task = data;
  Resolve *r = g_task_get_task_data (task);
  FcEtcd *etcd = fc_cluster_session_get_etcd (r->self->session);
  GError *error = NULL;
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (etcd, result, &error);
  GPtrArray *holds;

  for (guint i = 0; reply != NULL; i++)
    {
      JsonNode *responses = json_object_get_member (reply, "responses");
      g_autoptr(GPtrArray) kvs = NULL;
      JsonObject *response;

      if (responses == NULL || !JSON_NODE_HOLDS_ARRAY (responses)
          || i >= json_array_get_length (json_node_get_array (responses)))
        break;
      if ((response = fc_etcd_get_txn_response (reply, i, &error)) == NULL
          || (kvs = fc_etcd_get_kvs (response, &error)) == NULL)
        break;
      for (guint k = 0; k < kvs->len; k++)
        {
          FcEtcdKv *kv = g_ptr_array_index (kvs, k);
          g_autofree char *name = fc_cluster_key_parse_name (r->self->prefix, "names/", kv->key);
          int order;

          if (name == NULL || !registration_parse (kv->value, &order, NULL))
            {
              set_unreadable (&error, kv->key);
              break;
            }
          g_hash_table_replace (r->self->orders, g_steal_pointer (&name), GINT_TO_POINTER (order));
        }
      if (error != NULL)
        break;
    }

  if (error == NULL && (holds = resolve_known (r, &error)) != NULL)
    g_task_return_pointer (task, holds, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

void
fc_cluster_registry_resolve_async (FcClusterRegistry   *self,
                                   const char * const  *names,
                                   gint64               deadline,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Resolve *r = g_new0 (Resolve, 1);
  g_autoptr(GPtrArray) ranges = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  GError *error = NULL;
  GPtrArray *holds;

  g_task_set_check_cancellable (task, FALSE);
  r->self = self;
  r->names = g_strdupv ((char **) names);
  g_task_set_task_data (task, r, resolve_free);

  for (guint i = 0; r->names[i] != NULL; i++)
    {
      if (!fc_registry_validate_name (r->names[i], &error))
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      if (!g_hash_table_contains (self->orders, r->names[i]))
        {
          g_autofree char *key = fc_cluster_key_name (self->prefix, r->names[i]);

          g_ptr_array_add (ranges, fc_etcd_txn_op ("range", fc_etcd_range_request (key, NULL, 0, 0, 0)));
        }
    }

  if (ranges->len == 0)
    {
      holds = resolve_known (r, &error);
      if (holds != NULL)
        g_task_return_pointer (task, holds, (GDestroyNotify) g_ptr_array_unref);
      else
        g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  fc_etcd_call_async (fc_cluster_session_get_etcd (self->session), "/v3/kv/txn",
                      fc_etcd_txn_request (NULL, ranges, NULL), deadline, cancellable,
                      resolve_cb, task);
}

GPtrArray *
fc_cluster_registry_resolve_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Snapshots and status ------------------------------------------------- */

void
fc_cluster_snapshot_free (FcClusterSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_hash_table_unref (snapshot->orders);
  g_hash_table_unref (snapshot->descriptions);
  g_hash_table_unref (snapshot->waiters);
  g_ptr_array_unref (snapshot->edges);
  g_free (snapshot);
}

static int
compare_kvs (gconstpointer a,
             gconstpointer b)
{
  const FcEtcdKv *x = *(FcEtcdKv **) a;
  const FcEtcdKv *y = *(FcEtcdKv **) b;

  return (x->create_revision > y->create_revision) - (x->create_revision < y->create_revision);
}

static gboolean
snapshot_fill (FcClusterRegistry  *self,
               FcClusterSnapshot  *snapshot,
               JsonObject         *reply,
               GError            **error)
{
  GPtrArray *kvs[3] = { NULL, };
  gboolean ok = FALSE;

  if (!fc_etcd_get_revision (reply, &snapshot->revision, error))
    return FALSE;
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *response = fc_etcd_get_txn_response (reply, i, error);

      if (response == NULL || (kvs[i] = fc_etcd_get_kvs (response, error)) == NULL)
        goto out;
    }

  for (guint k = 0; k < kvs[0]->len; k++)
    {
      FcEtcdKv *kv = g_ptr_array_index (kvs[0], k);
      g_autofree char *name = fc_cluster_key_parse_name (self->prefix, "names/", kv->key);
      char *description = NULL;
      int order;

      if (name == NULL || !registration_parse (kv->value, &order, &description))
        continue;  /* not ours: nothing to show */
      g_hash_table_replace (self->orders, g_strdup (name), GINT_TO_POINTER (order));
      g_hash_table_replace (snapshot->orders, g_strdup (name), GINT_TO_POINTER (order));
      g_hash_table_replace (snapshot->descriptions, g_steal_pointer (&name), description);
    }

  for (guint k = 0; k < kvs[1]->len; k++)
    {
      FcEtcdKv *kv = g_ptr_array_index (kvs[1], k);
      char *name = fc_cluster_key_parse_name (self->prefix, "locks/", kv->key);
      GPtrArray *queue;

      if (name == NULL)
        continue;
      queue = g_hash_table_lookup (snapshot->waiters, name);
      if (queue == NULL)
        {
          queue = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_etcd_kv_free);
          g_hash_table_insert (snapshot->waiters, name, queue);
        }
      else
        g_free (name);
      g_ptr_array_add (queue, g_steal_pointer (&kvs[1]->pdata[k]));
    }
  {
    GHashTableIter iter;
    gpointer queue;

    g_hash_table_iter_init (&iter, snapshot->waiters);
    while (g_hash_table_iter_next (&iter, NULL, &queue))
      g_ptr_array_sort (queue, compare_kvs);
  }

  for (guint k = 0; k < kvs[2]->len; k++)
    {
      FcEtcdKv *kv = g_ptr_array_index (kvs[2], k);
      char *from, *to;

      if (!fc_cluster_key_parse_edge (self->prefix, kv->key, &from, &to))
        continue;
      g_ptr_array_add (snapshot->edges, from);
      g_ptr_array_add (snapshot->edges, to);
      g_ptr_array_add (snapshot->edges, g_strdup (kv->value));
    }
  ok = TRUE;

out:
  for (guint i = 0; i < 3; i++)
    if (kvs[i] != NULL)
      g_ptr_array_unref (kvs[i]);
  return ok;
}

static void
snapshot_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GTask *task = data;
  FcClusterRegistry *self = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (fc_cluster_session_get_etcd (self->session),
                                                     result, &error);
  FcClusterSnapshot *snapshot = g_new0 (FcClusterSnapshot, 1);

  snapshot->orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  snapshot->descriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  snapshot->waiters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
  snapshot->edges = g_ptr_array_new_with_free_func (g_free);

  if (reply != NULL && snapshot_fill (self, snapshot, reply, &error))
    g_task_return_pointer (task, snapshot, (GDestroyNotify) fc_cluster_snapshot_free);
  else
    {
      fc_cluster_snapshot_free (snapshot);
      g_task_return_error (task, error);
    }
  g_object_unref (task);
}

void
fc_cluster_registry_snapshot_async (FcClusterRegistry   *self,
                                    gint64               deadline,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GPtrArray) ranges = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  char *dirs[3] = {
    fc_cluster_key_names (self->prefix),
    fc_cluster_key_locks (self->prefix),
    fc_cluster_key_edges (self->prefix),
  };

  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, self, NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *end = fc_etcd_prefix_end (dirs[i]);

      g_ptr_array_add (ranges, fc_etcd_txn_op ("range", fc_etcd_range_request (dirs[i], end, 0, 0, 0)));
      g_free (dirs[i]);
    }
  fc_etcd_call_async (fc_cluster_session_get_etcd (self->session), "/v3/kv/txn",
                      fc_etcd_txn_request (NULL, ranges, NULL), deadline, cancellable,
                      snapshot_cb, task);
}

FcClusterSnapshot *
fc_cluster_registry_snapshot_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static int
compare_by_order (gconstpointer a,
                  gconstpointer b,
                  gpointer      orders)
{
  int x = GPOINTER_TO_INT (g_hash_table_lookup (orders, *(char **) a));
  int y = GPOINTER_TO_INT (g_hash_table_lookup (orders, *(char **) b));

  return (x > y) - (x < y);
}

GVariant *
fc_cluster_snapshot_to_status (FcClusterSnapshot *snapshot,
                               GHashTable        *stats)
{
  GVariantBuilder builder;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, snapshot->orders);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort_with_data (names, compare_by_order, snapshot->orders);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      GPtrArray *queue = g_hash_table_lookup (snapshot->waiters, name);
      FcEtcdKv *holder = queue != NULL && queue->len > 0 ? g_ptr_array_index (queue, 0) : NULL;
      g_autoptr(FcClusterWaiter) waiter = holder != NULL ? fc_cluster_waiter_parse (holder->value) : NULL;
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "order",
                             g_variant_new_int32 (GPOINTER_TO_INT (g_hash_table_lookup (snapshot->orders, name))));
      g_variant_builder_add (&entry, "{sv}", "description",
                             g_variant_new_string (g_hash_table_lookup (snapshot->descriptions, name)));
      g_variant_builder_add (&entry, "{sv}", "is_locked", g_variant_new_boolean (holder != NULL));
      g_variant_builder_add (&entry, "{sv}", "owner",
                             g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                                  waiter != NULL && waiter->owner != NULL
                                                  ? g_variant_new_string (waiter->owner) : NULL));
      g_variant_builder_add (&entry, "{sv}", "acquired_at",
                             g_variant_new_maybe (G_VARIANT_TYPE_DOUBLE,
                                                  waiter != NULL && waiter->since > 0
                                                  ? g_variant_new_double ((double) waiter->since / G_USEC_PER_SEC)
                                                  : NULL));
      g_variant_builder_add (&entry, "{sv}", "depth", g_variant_new_uint32 (holder != NULL ? 1 : 0));
      g_variant_builder_add (&entry, "{sv}", "waiters",
                             g_variant_new_uint32 (queue != NULL && queue->len > 0 ? queue->len - 1 : 0));
      g_variant_builder_add (&entry, "{sv}", "fencing_token",
                             g_variant_new_uint64 (holder != NULL ? (guint64) holder->mod_revision : 0));
      {
        FcClusterStats none = { 0, };
        FcClusterStats *mine = stats != NULL ? g_hash_table_lookup (stats, name) : NULL;

        if (mine == NULL)
          mine = &none;
        g_variant_builder_add (&entry, "{sv}", "acquisitions", g_variant_new_uint64 (mine->acquisitions));
        g_variant_builder_add (&entry, "{sv}", "contentions", g_variant_new_uint64 (mine->contentions));
        g_variant_builder_add (&entry, "{sv}", "wait_time_total",
                               g_variant_new_double ((double) mine->wait_total / G_USEC_PER_SEC));
        g_variant_builder_add (&entry, "{sv}", "wait_time_max",
                               g_variant_new_double ((double) mine->wait_max / G_USEC_PER_SEC));
        g_variant_builder_add (&entry, "{sv}", "hold_time_max",
                               g_variant_new_double ((double) mine->hold_max / G_USEC_PER_SEC));
      }
      g_variant_builder_add (&builder, "{sa{sv}}", name, &entry);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}
