/* fc-etcd-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <libsoup/soup.h>

#include "fc-etcd-private.h"
#include "fc-private.h"

/* Between two rounds over every endpoint. */
#define FC_ETCD_BACKOFF_USEC (100 * 1000)
/* The least an endpoint is given to answer before the next is tried (a
 * third of the request timeout when that is longer): a member that is
 * stopped or cut off keeps the connection open and never answers. */
#define FC_ETCD_ATTEMPT_MIN_USEC (1000 * 1000)

struct _FcEtcd
{
  SoupSession  *session;
  GMainContext *context;
  GPtrArray    *endpoints;      /* char *, without a trailing slash */
  guint         current;        /* the member that answered last */
  gint64        request_timeout;  /* µs */
  GQueue        calls;          /* Call *: in flight */
  gboolean      closing;
};

void
fc_etcd_set_malformed (GError    **error,
                       const char *what)
{
  g_set_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE,
               /* TRANSLATORS: %s says what was wrong with etcd's reply */
               _("Lock cluster unavailable: %s"), what);
}

/* etcd's answer to a request made with a lease it does not know (any
 * more): it expired, or was revoked. Not a member's failure: every member
 * applies leases in the log's order, so every member answers the same. */
#define FC_ETCD_LEASE_NOT_FOUND "etcdserver: requested lease not found"

gboolean
fc_etcd_error_is_lease_not_found (const GError *error)
{
  return g_error_matches (error, FC_ERROR, FC_ERROR_UNAVAILABLE) &&
         g_str_has_suffix (error->message, FC_ETCD_LEASE_NOT_FOUND);
}

static void
fc_etcd_set_unavailable (GError    **error,
                         const char *reason)
{
  g_set_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE,
               _("Lock cluster unavailable: %s"), reason);
}

static gboolean
fc_etcd_endpoint_valid (const char *endpoint)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;

  if (endpoint == NULL)
    return FALSE;
  uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  path = g_uri_get_path (uri);
  return (g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0)
         && g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0'
         && g_uri_get_port (uri) > 0
         && (path[0] == '\0' || strcmp (path, "/") == 0)
         && g_uri_get_query (uri) == NULL && g_uri_get_userinfo (uri) == NULL;
}

FcEtcd *
fc_etcd_new (const char * const  *endpoints,
             double               request_timeout,
             GError             **error)
{
  FcEtcd *self;

  if (endpoints == NULL || endpoints[0] == NULL)
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("At least one etcd endpoint must be given"));
      return NULL;
    }
  for (guint i = 0; endpoints[i] != NULL; i++)
    if (!fc_etcd_endpoint_valid (endpoints[i]))
      {
        /* Cut short: no message quotes a megabyte. */
        g_autofree char *shown = fc_owner_name_dup (endpoints[i]);

        if (g_utf8_validate (endpoints[i], -1, NULL))
          g_set_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                       /* TRANSLATORS: %s is what was given as an etcd endpoint */
                       _("Invalid etcd endpoint '%s': expected http://host:port"),
                       shown);
        else
          g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                               _("Invalid etcd endpoint: not valid UTF-8"));
        return NULL;
      }

  self = g_new0 (FcEtcd, 1);
  self->session = soup_session_new_with_options ("max-conns-per-host", 32, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->endpoints = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; endpoints[i] != NULL; i++)
    {
      char *e = g_strdup (endpoints[i]);
      gsize len = strlen (e);

      if (len > 0 && e[len - 1] == '/')
        e[len - 1] = '\0';
      g_ptr_array_add (self->endpoints, e);
    }
  self->request_timeout = (gint64) (request_timeout * G_USEC_PER_SEC);
  return self;
}

static void call_cancel (gpointer call, gpointer user_data);

void
fc_etcd_free (FcEtcd *self)
{
  if (self == NULL)
    return;
  /* Every call in flight fails, its callbacks run, and only then does
   * the client go. */
  self->closing = TRUE;
  g_queue_foreach (&self->calls, call_cancel, NULL);
  soup_session_abort (self->session);
  while (self->calls.length > 0)
    g_main_context_iteration (self->context, TRUE);
  g_object_unref (self->session);
  g_ptr_array_unref (self->endpoints);
  g_main_context_unref (self->context);
  g_free (self);
}

/* ---- Calls -------------------------------------------------------------- */

typedef struct
{
  FcEtcd           *etcd;
  char             *path;
  GBytes           *body;
  gint64            deadline;        /* the effective one, -1 none */
  gboolean          watch;
  char             *watch_key;       /* encoded */
  GCancellable     *attempt;         /* the call is over: cancelled at the deadline, by the caller, at close */
  GCancellable     *try_cancel;      /* this try on one endpoint */
  GSource          *try_timer;
  gboolean          try_expired;
  FcTaskSources     sources;
  GSource          *backoff;
  gboolean          timed_out;
  guint             tried;           /* endpoints tried this round */
  char             *last_error;
  SoupMessage      *message;
  GDataInputStream *lines;
  GList             link;
} Call;

/* Ends the call: its try, and any later one. */
static void
call_stop (Call *call)
{
  g_cancellable_cancel (call->attempt);
  if (call->try_cancel != NULL)
    g_cancellable_cancel (call->try_cancel);
}

static void
call_cancel (gpointer call,
             gpointer user_data)
{
  call_stop (call);
}

static void
call_free (gpointer data)
{
  Call *call = data;

  g_queue_unlink (&call->etcd->calls, &call->link);
  fc_task_sources_clear (&call->sources);
  fc_clear_source (&call->backoff);
  fc_clear_source (&call->try_timer);
  g_clear_object (&call->attempt);
  g_clear_object (&call->try_cancel);
  g_clear_object (&call->message);
  g_clear_object (&call->lines);
  g_bytes_unref (call->body);
  g_free (call->path);
  g_free (call->watch_key);
  g_free (call->last_error);
  g_free (call);
}

static void call_attempt (GTask *task);

static gboolean
call_deadline_cb (gpointer data)
{
  Call *call = g_task_get_task_data (data);

  call->timed_out = TRUE;
  call_stop (call);
  fc_clear_source (&call->sources.timer);
  return G_SOURCE_REMOVE;
}

static gboolean
call_cancelled_cb (GCancellable *cancellable,
                   gpointer      data)
{
  Call *call = g_task_get_task_data (data);

  call_stop (call);
  return G_SOURCE_REMOVE;
}

static gboolean
call_try_expired_cb (gpointer data)
{
  Call *call = g_task_get_task_data (data);

  call->try_expired = TRUE;
  g_cancellable_cancel (call->try_cancel);
  fc_clear_source (&call->try_timer);
  return G_SOURCE_REMOVE;
}

static void
call_return_error (GTask  *task,
                   GError *error)
{
  Call *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  fc_task_sources_clear (&call->sources);
  fc_clear_source (&call->backoff);
  g_clear_error (&error);
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "%s", _("Operation was cancelled"));
  else if (call->watch && call->timed_out)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "watch deadline");
  else
    {
      GError *out = NULL;

      fc_etcd_set_unavailable (&out, call->last_error != NULL
                                       ? call->last_error
                                       : _("no endpoint answered in time"));
      g_task_return_error (task, out);
    }
  g_object_unref (task);
}

static gboolean
call_backoff_cb (gpointer data)
{
  Call *call = g_task_get_task_data (data);

  fc_clear_source (&call->backoff);
  call_attempt (g_object_ref (data));
  return G_SOURCE_REMOVE;
}

/* The attempt on the current endpoint is over, for @reason. */
static void
call_attempt_end (Call       *call,
                  const char *reason)
{
  FcEtcd *etcd = call->etcd;

  fc_clear_source (&call->try_timer);
  /* Cut short by the deadline: the reason of the attempt before says more. */
  if (!g_cancellable_is_cancelled (call->attempt) || call->last_error == NULL)
    {
      g_free (call->last_error);
      call->last_error = g_strdup_printf ("%s: %s", (char *) g_ptr_array_index (etcd->endpoints, etcd->current),
                                          reason);
    }
  g_clear_object (&call->message);
  g_clear_object (&call->lines);
}

/* The attempt on the current endpoint failed for @reason: the next one,
 * after a pause once every endpoint was tried. Takes @task. */
static void
call_failed (GTask      *task,
             const char *reason)
{
  Call *call = g_task_get_task_data (task);
  FcEtcd *etcd = call->etcd;

  call_attempt_end (call, call->try_expired ? _("no answer in time") : reason);
  etcd->current = (etcd->current + 1) % etcd->endpoints->len;

  if (g_cancellable_is_cancelled (call->attempt))
    {
      call_return_error (task, NULL);
      return;
    }

  if (++call->tried >= etcd->endpoints->len)
    {
      call->tried = 0;
      call->backoff = fc_task_attach_source (task, fc_deadline_source_new (g_get_monotonic_time () + FC_ETCD_BACKOFF_USEC),
                                             call_backoff_cb);
      g_object_unref (task);
      return;
    }
  call_attempt (task);
}

/* @error: the reason alone, for the endpoint's failure. */
static JsonObject *
parse_object (const char  *data,
              gssize       length,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, length, &local))
    {
      g_set_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE, _("malformed reply: %s"), local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_UNAVAILABLE, _("malformed reply: not a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* The gateway's own error object: {"error": …, "code": …}. */
static char *
reply_error_message (JsonObject *reply)
{
  JsonNode *node = json_object_get_member (reply, "error");

  if (node == NULL)
    node = json_object_get_member (reply, "message");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return NULL;
}

static void
call_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GTask *task = data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *server_error = NULL;
  guint status;
  gsize length;
  const char *text;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      call_failed (task, error->message);
      return;
    }
  status = soup_message_get_status (call->message);
  text = g_bytes_get_data (bytes, &length);
  reply = parse_object (text, length, &error);

  if (reply != NULL && (status < 200 || status >= 300))
    server_error = reply_error_message (reply);
  if (reply == NULL || status < 200 || status >= 300)
    {
      g_autofree char *why = NULL;

      if (server_error != NULL)
        why = g_strdup (server_error);
      else if (status < 200 || status >= 300)
        why = g_strdup_printf ("HTTP %u %s", status, soup_message_get_reason_phrase (call->message));
      else
        why = g_strdup (error->message);
      if (server_error != NULL && g_str_equal (server_error, FC_ETCD_LEASE_NOT_FOUND))
        {
          /* The cluster's answer: no other member would give another. */
          call_attempt_end (call, why);
          call_return_error (task, NULL);
          return;
        }
      call_failed (task, why);
      return;
    }

  fc_task_sources_clear (&call->sources);
  fc_clear_source (&call->try_timer);
  g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify) json_object_unref);
  g_object_unref (task);
}

/* ---- Watches -------------------------------------------------------------- */

static void watch_next_line (GTask *task);

/* A member's failure: the reason alone, prefixed when the call gives up. */
static void
set_reason (GError    **error,
            const char *reason)
{
  g_set_error_literal (error, FC_ERROR, FC_ERROR_UNAVAILABLE, reason);
}

/* One line of the watch stream: TRUE when it reports the deletion. */
static gboolean
watch_line_deletes (Call        *call,
                    const char  *line,
                    GError     **error)
{
  g_autoptr(JsonObject) object = parse_object (line, -1, error);
  JsonObject *result;
  JsonArray *events;
  JsonNode *node;
  gboolean canceled = FALSE;

  if (object == NULL)
    return FALSE;
  node = json_object_get_member (object, "result");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *why = reply_error_message (object);

      set_reason (error, why != NULL ? why : _("malformed reply: watch result missing"));
      return FALSE;
    }
  result = json_node_get_object (node);
  if (!fc_etcd_get_boolean (result, "canceled", &canceled, error))
    return FALSE;
  if (canceled)
    {
      set_reason (error, _("the watch was cancelled by the server"));
      return FALSE;
    }
  node = json_object_get_member (result, "events");
  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_reason (error, _("malformed reply: events is not an array"));
      return FALSE;
    }
  events = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonNode *event = json_array_get_element (events, i);
      JsonNode *type;

      if (!JSON_NODE_HOLDS_OBJECT (event))
        {
          set_reason (error, _("malformed reply: an event is not an object"));
          return FALSE;
        }
      type = json_object_get_member (json_node_get_object (event), "type");
      if (type != NULL && JSON_NODE_HOLDS_VALUE (type)
          && g_strcmp0 (json_node_get_string (type), "DELETE") == 0)
        return TRUE;
    }
  return FALSE;
}

static void
watch_line_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GTask *task = data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, &length, &error);
  if (line == NULL)
    {
      call_failed (task, error != NULL ? error->message : _("the watch stream ended"));
      return;
    }
  if (length == 0)
    {
      watch_next_line (task);
      return;
    }
  if (watch_line_deletes (call, line, &error))
    {
      fc_task_sources_clear (&call->sources);
      call_stop (call);  /* closes the stream */
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (error != NULL)
    {
      call_failed (task, error->message);
      return;
    }
  watch_next_line (task);
}

static void
watch_next_line (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  g_data_input_stream_read_line_async (call->lines, G_PRIORITY_DEFAULT, call->try_cancel,
                                       watch_line_cb, task);
}

static void
watch_send_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GTask *task = data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL)
    {
      call_failed (task, error->message);
      return;
    }
  status = soup_message_get_status (call->message);
  if (status < 200 || status >= 300)
    {
      g_autofree char *why = g_strdup_printf ("HTTP %u %s", status,
                                              soup_message_get_reason_phrase (call->message));
      call_failed (task, why);
      return;
    }
  call->lines = g_data_input_stream_new (stream);
  /* A line is one message; a member that sends an endless one is broken. */
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (call->lines), 64 * 1024);
  watch_next_line (task);
}

/* Takes @task. */
static void
call_attempt (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  FcEtcd *etcd = call->etcd;
  g_autofree char *url = NULL;

  if (g_cancellable_is_cancelled (call->attempt))
    {
      call_return_error (task, NULL);
      return;
    }

  g_clear_object (&call->try_cancel);
  call->try_cancel = g_cancellable_new ();
  call->try_expired = FALSE;
  if (!call->watch)
    {
      gint64 end = g_get_monotonic_time () + MAX (FC_ETCD_ATTEMPT_MIN_USEC, etcd->request_timeout / 3);

      if (call->deadline >= 0 && call->deadline < end)
        end = call->deadline;
      fc_clear_source (&call->try_timer);
      call->try_timer = fc_task_attach_source (task, fc_deadline_source_new (end), call_try_expired_cb);
    }

  url = g_strconcat (g_ptr_array_index (etcd->endpoints, etcd->current), call->path, NULL);
  g_clear_object (&call->message);
  call->message = soup_message_new ("POST", url);
  if (call->message == NULL)
    {
      call_failed (task, _("invalid URL"));
      return;
    }
  soup_message_set_request_body_from_bytes (call->message, "application/json", call->body);
  if (call->watch)
    soup_session_send_async (etcd->session, call->message, G_PRIORITY_DEFAULT, call->try_cancel,
                             watch_send_cb, task);
  else
    soup_session_send_and_read_async (etcd->session, call->message, G_PRIORITY_DEFAULT,
                                      call->try_cancel, call_read_cb, task);
}

static void
call_start (FcEtcd              *self,
            const char          *path,
            JsonNode            *body,
            gint64               deadline,
            gboolean             watch,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);
  char *text = json_to_string (body, FALSE);
  gsize length = strlen (text);
  gint64 cap;

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  json_node_unref (body);
  call->etcd = self;
  call->path = g_strdup (path);
  call->body = g_bytes_new_take (text, length);
  g_task_set_task_data (task, call, call_free);
  call->watch = watch;
  call->attempt = g_cancellable_new ();
  call->link.data = call;
  g_queue_push_tail_link (&self->calls, &call->link);
  if (self->closing)
    call_stop (call);

  cap = watch ? -1 : g_get_monotonic_time () + self->request_timeout;
  call->deadline = deadline;
  if (cap >= 0 && (deadline < 0 || cap < deadline))
    call->deadline = cap;
  if (call->deadline >= 0)
    call->sources.timer = fc_task_attach_source (task, fc_deadline_source_new (call->deadline),
                                                 call_deadline_cb);
  if (cancellable != NULL &&
      !fc_task_sources_watch_cancellable (&call->sources, task, cancellable, call_cancelled_cb))
    call_stop (call);
  call_attempt (task);
}

void
fc_etcd_call_async (FcEtcd              *self,
                    const char          *path,
                    JsonNode            *body,
                    gint64               deadline,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  call_start (self, path, body, deadline, FALSE, cancellable, callback, user_data,
              fc_etcd_call_async);
}

JsonObject *
fc_etcd_call_finish (FcEtcd        *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
fc_etcd_watch_delete_async (FcEtcd              *self,
                            const char          *key,
                            gint64               start_revision,
                            gint64               deadline,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *encoded = fc_etcd_encode (key);
  g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, start_revision);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "create_request");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, encoded);
  json_builder_set_member_name (builder, "start_revision");
  json_builder_add_string_value (builder, revision);
  json_builder_set_member_name (builder, "filters");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "NOPUT");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  call_start (self, "/v3/watch", json_builder_get_root (builder), deadline, TRUE, cancellable,
              callback, user_data, fc_etcd_watch_delete_async);
}

gboolean
fc_etcd_watch_delete_finish (FcEtcd        *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Requests ------------------------------------------------------------ */

char *
fc_etcd_encode (const char *bytes)
{
  return g_base64_encode ((const guchar *) bytes, strlen (bytes));
}

char *
fc_etcd_prefix_end (const char *prefix)
{
  char *end = g_strdup (prefix);
  gsize len = strlen (end);

  /* Prefixes end in '/', never in 0xff. */
  g_assert (len > 0 && (guchar) end[len - 1] < 0xff);
  end[len - 1]++;
  return end;
}

void
fc_etcd_kv_free (FcEtcdKv *kv)
{
  if (kv == NULL)
    return;
  g_free (kv->key);
  g_free (kv->value);
  g_free (kv);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
add_encoded (JsonBuilder *builder,
             const char  *member,
             const char  *bytes)
{
  g_autofree char *encoded = fc_etcd_encode (bytes);

  add_string (builder, member, encoded);
}

static void
add_int64 (JsonBuilder *builder,
           const char  *member,
           gint64       value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  /* int64 as a string, as the gateway writes them: no precision lost. */
  add_string (builder, member, text);
}

JsonNode *
fc_etcd_range_request (const char *key,
                       const char *range_end,
                       gint64      max_create_revision,
                       int         sort_create,
                       gint64      limit)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  add_encoded (builder, "key", key);
  if (range_end != NULL)
    add_encoded (builder, "range_end", range_end);
  if (max_create_revision > 0)
    add_int64 (builder, "max_create_revision", max_create_revision);
  if (sort_create != 0)
    {
      add_string (builder, "sort_target", "CREATE");
      add_string (builder, "sort_order", sort_create > 0 ? "ASCEND" : "DESCEND");
    }
  if (limit > 0)
    add_int64 (builder, "limit", limit);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
fc_etcd_put_request (const char *key,
                     const char *value,
                     gint64      lease)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  add_encoded (builder, "key", key);
  add_encoded (builder, "value", value);
  if (lease != 0)
    add_int64 (builder, "lease", lease);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
fc_etcd_delete_request (const char *key,
                        const char *range_end)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  add_encoded (builder, "key", key);
  if (range_end != NULL)
    add_encoded (builder, "range_end", range_end);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
fc_etcd_txn_op (const char *kind,
                JsonNode   *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *member = g_strconcat ("request_", kind, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, member);
  json_builder_add_value (builder, request);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
fc_etcd_compare_absent (const char *key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  add_encoded (builder, "key", key);
  add_string (builder, "target", "CREATE");
  add_string (builder, "result", "EQUAL");
  add_int64 (builder, "create_revision", 0);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
add_array (JsonBuilder *builder,
           const char  *member,
           GPtrArray   *nodes)
{
  if (nodes == NULL || nodes->len == 0)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < nodes->len; i++)
    json_builder_add_value (builder, json_node_ref (g_ptr_array_index (nodes, i)));
  json_builder_end_array (builder);
}

JsonNode *
fc_etcd_txn_request (GPtrArray *compares,
                     GPtrArray *success,
                     GPtrArray *failure)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  add_array (builder, "compare", compares);
  add_array (builder, "success", success);
  add_array (builder, "failure", failure);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- Replies ------------------------------------------------------------- */

gboolean
fc_etcd_get_int64 (JsonObject  *object,
                   const char  *member,
                   gint64      *out,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = 0;
  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_INT64)
        {
          *out = json_node_get_int (node);
          return TRUE;
        }
      if (type == G_TYPE_STRING)
        {
          const char *text = json_node_get_string (node);
          char *end = NULL;
          gint64 value;

          errno = 0;
          value = g_ascii_strtoll (text, &end, 10);
          if (text[0] != '\0' && end != NULL && *end == '\0' && errno == 0)
            {
              *out = value;
              return TRUE;
            }
        }
    }
  {
    g_autofree char *what = g_strdup_printf (_("malformed reply: '%s' is not an integer"), member);

    fc_etcd_set_malformed (error, what);
  }
  return FALSE;
}

gboolean
fc_etcd_get_boolean (JsonObject  *object,
                     const char  *member,
                     gboolean    *out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = FALSE;
  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      *out = json_node_get_boolean (node);
      return TRUE;
    }
  {
    g_autofree char *what = g_strdup_printf (_("malformed reply: '%s' is not a boolean"), member);

    fc_etcd_set_malformed (error, what);
  }
  return FALSE;
}

static JsonObject *
get_object (JsonObject  *object,
            const char  *member,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *what = g_strdup_printf (_("malformed reply: '%s' missing"), member);

      fc_etcd_set_malformed (error, what);
      return NULL;
    }
  return json_node_get_object (node);
}

gboolean
fc_etcd_get_revision (JsonObject  *reply,
                      gint64      *revision,
                      GError     **error)
{
  JsonObject *header = get_object (reply, "header", error);

  if (header == NULL || !fc_etcd_get_int64 (header, "revision", revision, error))
    return FALSE;
  if (*revision <= 0)
    {
      fc_etcd_set_malformed (error, _("malformed reply: no revision"));
      return FALSE;
    }
  return TRUE;
}

/* A base64 member, decoded to a string. */
static char *
get_decoded (JsonObject  *object,
             const char  *member,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;
  guchar *bytes;
  gsize length;

  if (node == NULL)
    return g_strdup ("");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    goto malformed;
  text = json_node_get_string (node);
  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/' && *c != '=')
      goto malformed;
  if (strlen (text) % 4 != 0)
    goto malformed;
  bytes = g_base64_decode (text, &length);
  /* NUL-terminated; keys and values are text here. */
  bytes = g_realloc (bytes, length + 1);
  bytes[length] = '\0';
  if (memchr (bytes, '\0', length) != NULL || !g_utf8_validate ((char *) bytes, length, NULL))
    {
      g_free (bytes);
      goto malformed;
    }
  return (char *) bytes;

malformed:
  {
    g_autofree char *what = g_strdup_printf (_("malformed reply: '%s' is not base64 text"), member);

    fc_etcd_set_malformed (error, what);
  }
  return NULL;
}

GPtrArray *
fc_etcd_get_kvs (JsonObject  *range_reply,
                 GError     **error)
{
  g_autoptr(GPtrArray) kvs = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_etcd_kv_free);
  JsonNode *node = json_object_get_member (range_reply, "kvs");
  JsonArray *array;

  if (node == NULL)
    return g_steal_pointer (&kvs);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fc_etcd_set_malformed (error, _("malformed reply: 'kvs' is not an array"));
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object;
      FcEtcdKv *kv;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          fc_etcd_set_malformed (error, _("malformed reply: a key-value is not an object"));
          return NULL;
        }
      object = json_node_get_object (element);
      kv = g_new0 (FcEtcdKv, 1);
      g_ptr_array_add (kvs, kv);
      kv->key = get_decoded (object, "key", error);
      if (kv->key == NULL)
        return NULL;
      kv->value = get_decoded (object, "value", error);
      if (kv->value == NULL
          || !fc_etcd_get_int64 (object, "create_revision", &kv->create_revision, error)
          || !fc_etcd_get_int64 (object, "mod_revision", &kv->mod_revision, error)
          || !fc_etcd_get_int64 (object, "lease", &kv->lease, error))
        return NULL;
    }
  return g_steal_pointer (&kvs);
}

JsonObject *
fc_etcd_get_txn_response (JsonObject  *txn_reply,
                          guint        index,
                          GError     **error)
{
  JsonNode *node = json_object_get_member (txn_reply, "responses");
  JsonNode *element;
  JsonObject *wrapper;
  GList *members;
  JsonNode *inner = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || index >= json_array_get_length (json_node_get_array (node)))
    goto malformed;
  element = json_array_get_element (json_node_get_array (node), index);
  if (!JSON_NODE_HOLDS_OBJECT (element))
    goto malformed;
  wrapper = json_node_get_object (element);
  members = json_object_get_members (wrapper);
  if (members != NULL && members->next == NULL)
    inner = json_object_get_member (wrapper, members->data);
  g_list_free (members);
  if (inner == NULL || !JSON_NODE_HOLDS_OBJECT (inner))
    goto malformed;
  return json_node_get_object (inner);

malformed:
  fc_etcd_set_malformed (error, _("malformed reply: a transaction response is missing"));
  return NULL;
}
