/* fc-cluster-keys-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "fc-cluster-keys-private.h"

static char *
escape (const char *name)
{
  return g_uri_escape_string (name, NULL, TRUE);
}

char *
fc_cluster_key_name (const char *prefix,
                     const char *name)
{
  g_autofree char *e = escape (name);

  return g_strconcat (prefix, "names/", e, NULL);
}

char *
fc_cluster_key_names (const char *prefix)
{
  return g_strconcat (prefix, "names/", NULL);
}

char *
fc_cluster_key_order (const char *prefix,
                      int         order)
{
  return g_strdup_printf ("%sorders/%d", prefix, order);
}

char *
fc_cluster_key_locks (const char *prefix)
{
  return g_strconcat (prefix, "locks/", NULL);
}

char *
fc_cluster_key_lock (const char *prefix,
                     const char *name)
{
  g_autofree char *e = escape (name);

  return g_strconcat (prefix, "locks/", e, "/", NULL);
}

char *
fc_cluster_key_waiter (const char *prefix,
                       const char *name,
                       gint64      lease)
{
  static guint64 last;
  g_autofree char *lock = fc_cluster_key_lock (prefix, name);

  return g_strdup_printf ("%s%016" G_GINT64_MODIFIER "x-%" G_GUINT64_FORMAT, lock, lease,
                          __atomic_add_fetch (&last, 1, __ATOMIC_RELAXED));
}

char *
fc_cluster_key_edges (const char *prefix)
{
  return g_strconcat (prefix, "edges/", NULL);
}

char *
fc_cluster_key_edge (const char *prefix,
                     const char *from,
                     const char *to)
{
  g_autofree char *a = escape (from);
  g_autofree char *b = escape (to);

  return g_strconcat (prefix, "edges/", a, "/", b, NULL);
}

static char *
unescape_valid (const char *start,
                const char *end)
{
  char *name = g_uri_unescape_segment (start, end, NULL);

  if (name == NULL || name[0] == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_free (name);
      return NULL;
    }
  return name;
}

char *
fc_cluster_key_parse_name (const char *prefix,
                           const char *dir,
                           const char *key)
{
  gsize plen = strlen (prefix);
  gsize dlen = strlen (dir);
  const char *start;
  const char *end;

  if (strncmp (key, prefix, plen) != 0 || strncmp (key + plen, dir, dlen) != 0)
    return NULL;
  start = key + plen + dlen;
  end = strchr (start, '/');
  if (end == NULL)
    end = start + strlen (start);
  return unescape_valid (start, end);
}

gboolean
fc_cluster_key_parse_edge (const char  *prefix,
                           const char  *key,
                           char       **from,
                           char       **to)
{
  gsize plen = strlen (prefix);
  const char *start = key + plen + strlen ("edges/");
  const char *slash;

  *from = *to = NULL;
  if (strncmp (key, prefix, plen) != 0 || strncmp (key + plen, "edges/", 6) != 0)
    return FALSE;
  slash = strchr (start, '/');
  if (slash == NULL)
    return FALSE;
  *from = unescape_valid (start, slash);
  *to = unescape_valid (slash + 1, slash + 1 + strlen (slash + 1));
  if (*from == NULL || *to == NULL)
    {
      g_clear_pointer (from, g_free);
      g_clear_pointer (to, g_free);
      return FALSE;
    }
  return TRUE;
}

char *
fc_cluster_waiter_to_json (const char         *owner,
                           const char * const *holds,
                           gint64              since)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, owner);
  json_builder_set_member_name (builder, "holds");
  json_builder_begin_array (builder);
  for (guint i = 0; holds != NULL && holds[i] != NULL; i++)
    json_builder_add_string_value (builder, holds[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "since");
  json_builder_add_int_value (builder, since);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

FcClusterWaiter *
fc_cluster_waiter_parse (const char *json)
{
  FcClusterWaiter *waiter = g_new0 (FcClusterWaiter, 1);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GStrvBuilder) holds = g_strv_builder_new ();
  JsonObject *object;
  JsonNode *node;

  if (json != NULL && json_parser_load_from_data (parser, json, -1, NULL)
      && json_parser_get_root (parser) != NULL
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      object = json_node_get_object (json_parser_get_root (parser));
      node = json_object_get_member (object, "owner");
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        waiter->owner = g_strdup (json_node_get_string (node));
      node = json_object_get_member (object, "since");
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
        waiter->since = json_node_get_int (node);
      node = json_object_get_member (object, "holds");
      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *e = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
                g_strv_builder_add (holds, json_node_get_string (e));
            }
        }
    }
  waiter->holds = g_strv_builder_end (holds);
  return waiter;
}

void
fc_cluster_waiter_free (FcClusterWaiter *waiter)
{
  if (waiter == NULL)
    return;
  g_free (waiter->owner);
  g_strfreev (waiter->holds);
  g_free (waiter);
}
