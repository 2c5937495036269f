/* fc-cluster-session-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "fc-cluster-session-private.h"
#include "fc-handoff-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"

struct _FcClusterSession
{
  GThread           *thread;
  GMainContext      *context;
  GMainLoop         *loop;
  FcEtcd            *etcd;
  double             ttl;
  FcClusterLostFunc  lost;
  gpointer           lost_data;

  /* On the session's thread only. */
  gint64             lease;           /* 0: none */
  guint              generation;
  gint64             last_alive;      /* monotonic µs of the last good keep-alive */
  gboolean           lost_reported;
  gboolean           keeping;         /* a keep-alive or re-grant is in flight */
  GSource           *ticker;
  GCancellable      *stopping;
  GQueue             lease_waits;     /* GTask *: fc_cluster_session_wait_lease_async() */
};

static void lease_waits_complete (FcClusterSession *self, gboolean granted);

static gpointer
session_thread (gpointer data)
{
  FcClusterSession *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  /* What the stop left queued runs here, in the thread it belongs to. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

typedef struct
{
  FcClusterSession *self;
  const char * const *endpoints;
  GError **error;
  GMutex mutex;
  GCond cond;
  gboolean done;
} NewEtcd;

static gboolean
new_etcd_cb (gpointer data)
{
  NewEtcd *n = data;

  n->self->etcd = fc_etcd_new (n->endpoints, n->self->ttl, n->error);
  fc_mutex_lock (&n->mutex);
  n->done = TRUE;
  g_cond_signal (&n->cond);
  fc_mutex_unlock (&n->mutex);
  return G_SOURCE_REMOVE;
}

FcClusterSession *
fc_cluster_session_new (const char * const  *endpoints,
                        double               ttl,
                        FcClusterLostFunc    lost,
                        gpointer             lost_data,
                        GError             **error)
{
  FcClusterSession *self;
  NewEtcd n = { NULL, endpoints, error, };

  if (!(ttl >= 1.0 && ttl <= 3600.0 * 24))
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("Lease TTL must be between 1 second and one day"));
      return NULL;
    }

  self = g_new0 (FcClusterSession, 1);
  self->ttl = ttl;
  self->lost = lost;
  self->lost_data = lost_data;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->stopping = g_cancellable_new ();
  self->thread = g_thread_new ("fc-cluster", session_thread, self);

  /* The client belongs to the session's thread: made there. */
  n.self = self;
  g_mutex_init (&n.mutex);
  g_cond_init (&n.cond);
  fc_cluster_session_run (self, new_etcd_cb, &n, NULL);
  fc_mutex_lock (&n.mutex);
  while (!n.done)
    fc_cond_wait (&n.cond, &n.mutex);
  fc_mutex_unlock (&n.mutex);
  g_mutex_clear (&n.mutex);
  g_cond_clear (&n.cond);

  if (self->etcd == NULL)
    {
      fc_cluster_session_free (self);
      return NULL;
    }
  return self;
}

static gboolean
session_stop_cb (gpointer data)
{
  FcClusterSession *self = data;

  g_cancellable_cancel (self->stopping);
  fc_clear_source (&self->ticker);
  lease_waits_complete (self, FALSE);
  fc_etcd_free (self->etcd);
  self->etcd = NULL;
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

void
fc_cluster_session_free (FcClusterSession *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (g_thread_self () != self->thread);

  fc_cluster_session_run (self, session_stop_cb, self, NULL);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_object_unref (self->stopping);
  g_free (self);
}

gboolean
fc_cluster_session_is_current (FcClusterSession *self)
{
  return g_thread_self () == self->thread;
}

typedef struct
{
  GSourceFunc    func;
  gpointer       data;
  GDestroyNotify notify;
} Run;

static gboolean
run_cb (gpointer data)
{
  Run *run = data;

  /* Handed over through the context's lock, which ThreadSanitizer cannot
   * see (fc-mutex-private.h). */
  fc_tsan_acquire (run);
  return run->func (run->data);
}

static void
run_free (gpointer data)
{
  Run *run = data;

  if (run->notify != NULL)
    run->notify (run->data);
  g_free (run);
}

void
fc_cluster_session_run (FcClusterSession *self,
                        GSourceFunc       func,
                        gpointer          data,
                        GDestroyNotify    notify)
{
  GSource *source = g_idle_source_new ();
  Run *run = g_new0 (Run, 1);

  run->func = func;
  run->data = data;
  run->notify = notify;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, run_cb, run, run_free);
  fc_tsan_release (run);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

FcEtcd *
fc_cluster_session_get_etcd (FcClusterSession *self)
{
  return self->etcd;
}

double
fc_cluster_session_get_ttl (FcClusterSession *self)
{
  return self->ttl;
}

guint
fc_cluster_session_get_generation (FcClusterSession *self)
{
  return self->generation;
}

static void
set_lost_error (GError **error)
{
  g_set_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE, _("Lock cluster unavailable: %s"),
               _("the session's lease was lost"));
}

gboolean
fc_cluster_session_get_lease (FcClusterSession  *self,
                              gint64            *lease,
                              guint             *generation,
                              GError           **error)
{
  if (self->lease == 0 || self->etcd == NULL)
    {
      set_lost_error (error);
      return FALSE;
    }
  *lease = self->lease;
  if (generation != NULL)
    *generation = self->generation;
  return TRUE;
}

/* ---- Keep-alive ------------------------------------------------------------ */

static gint64
session_period (FcClusterSession *self)
{
  return (gint64) (self->ttl / 3 * G_USEC_PER_SEC);
}

static void
session_mark_lost (FcClusterSession *self)
{
  self->lease = 0;
  if (self->lost_reported)
    return;
  self->lost_reported = TRUE;
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE", "%s", _("etcd session lease lost: the locks of this process may belong to others now"));
  if (self->lost != NULL)
    self->lost (self->lost_data);
}

static JsonNode *
lease_request (const char *member,
               gint64      value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void session_regrant_cb (GObject *source, GAsyncResult *result, gpointer data);

static void
keepalive_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  FcClusterSession *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  gint64 ttl = 0;

  self->keeping = FALSE;
  if (g_cancellable_is_cancelled (self->stopping))
    return;
  reply = fc_etcd_call_finish (self->etcd, result, &error);
  if (reply != NULL)
    {
      JsonNode *node = json_object_get_member (reply, "result");

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)
          && fc_etcd_get_int64 (json_node_get_object (node), "TTL", &ttl, &error))
        {
          if (ttl > 0)
            self->last_alive = g_get_monotonic_time ();
          else
            session_mark_lost (self);  /* the lease expired */
          return;
        }
    }
  if (fc_etcd_error_is_lease_not_found (error) ||
      g_get_monotonic_time () - self->last_alive > (gint64) (self->ttl * G_USEC_PER_SEC))
    session_mark_lost (self);
}

static gboolean
session_tick_cb (gpointer data)
{
  FcClusterSession *self = data;
  gint64 deadline = g_get_monotonic_time () + session_period (self);

  if (self->keeping)
    return G_SOURCE_CONTINUE;
  self->keeping = TRUE;
  if (self->lease != 0)
    fc_etcd_call_async (self->etcd, "/v3/lease/keepalive", lease_request ("ID", self->lease),
                        deadline, self->stopping, keepalive_cb, self);
  else
    /* Lost: a new lease once the cluster answers again. */
    fc_etcd_call_async (self->etcd, "/v3/lease/grant",
                        lease_request ("TTL", (gint64) ceil (self->ttl)),
                        deadline, self->stopping, session_regrant_cb, self);
  return G_SOURCE_CONTINUE;
}

/* A grant's reply: the new lease, kept alive from now on. */
static gboolean
session_take_lease (FcClusterSession  *self,
                    GAsyncResult      *result,
                    GError           **error)
{
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (self->etcd, result, error);
  gint64 id = 0;
  gint64 ttl = 0;

  if (reply == NULL)
    return FALSE;
  if (!fc_etcd_get_int64 (reply, "ID", &id, error) || !fc_etcd_get_int64 (reply, "TTL", &ttl, error))
    return FALSE;
  if (id == 0 || ttl <= 0)
    {
      fc_etcd_set_malformed (error, _("malformed reply: no lease granted"));
      return FALSE;
    }
  self->lease = id;
  self->generation++;
  self->lost_reported = FALSE;
  self->last_alive = g_get_monotonic_time ();
  if (self->ticker == NULL)
    {
      self->ticker = g_timeout_source_new (MAX (1, (guint) (session_period (self) / 1000)));
      g_source_set_callback (self->ticker, session_tick_cb, self, NULL);
      g_source_attach (self->ticker, self->context);
    }
  lease_waits_complete (self, TRUE);
  return TRUE;
}

void
fc_cluster_session_lease_gone (FcClusterSession *self,
                               gint64            lease)
{
  if (lease == 0 || lease != self->lease)
    return;   /* known already, or replaced since */
  session_mark_lost (self);
  /* Ask for the next one now rather than at the next tick, unless a
   * keep-alive is in flight: its answer brings the next tick. */
  if (self->ticker != NULL && !self->keeping)
    session_tick_cb (self);
}

gboolean
fc_cluster_session_regaining (FcClusterSession *self)
{
  return self->lease == 0 && self->ticker != NULL && self->etcd != NULL;
}

/* ---- Waiting for the next lease ---------------------------------------------- */

/* A wait is queued on the session (holding a reference to its task) until
 * a lease is granted, its deadline passes, its cancellable is cancelled
 * (from the caller's thread: fc_task_sources_watch_cancellable()), or the
 * session closes or stops, whichever comes first; that one completes it
 * and destroys the sources of the others, so nothing is left attached. */
typedef struct
{
  FcClusterSession *self;
  GList            *link;     /* in self->lease_waits; NULL once completed */
  FcTaskSources     sources;
} LeaseWait;

static void
lease_wait_free (gpointer data)
{
  LeaseWait *w = data;

  fc_task_sources_clear (&w->sources);
  g_free (w);
}

/* Completes @task: TRUE, or @error (taken). */
static void
lease_wait_complete (GTask  *task,
                     GError *error)
{
  LeaseWait *w = g_task_get_task_data (task);

  if (w->link == NULL)
    {
      g_clear_error (&error);
      return;
    }
  fc_task_sources_clear (&w->sources);
  g_queue_delete_link (&w->self->lease_waits, g_steal_pointer (&w->link));
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);   /* the queue's */
}

/* @granted: a lease now; else the session closes or stops. */
static void
lease_waits_complete (FcClusterSession *self,
                      gboolean          granted)
{
  /* Only the waits queued now: a completed wait's caller may queue a new
   * one (had the lease gone again in between). */
  guint n = g_queue_get_length (&self->lease_waits);

  for (guint i = 0; i < n && !g_queue_is_empty (&self->lease_waits); i++)
    {
      GTask *task = g_queue_peek_head (&self->lease_waits);
      GError *error = NULL;

      if (!granted)
        set_lost_error (&error);
      g_object_ref (task);
      lease_wait_complete (task, error);
      g_object_unref (task);
    }
}

static gboolean
lease_wait_deadline_cb (gpointer data)
{
  GError *error = NULL;

  set_lost_error (&error);
  lease_wait_complete (data, error);
  return G_SOURCE_REMOVE;
}

static gboolean
lease_wait_cancelled_cb (GCancellable *cancellable,
                         gpointer      data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  lease_wait_complete (data, error);
  return G_SOURCE_REMOVE;
}

void
fc_cluster_session_wait_lease_async (FcClusterSession    *self,
                                     gint64               deadline,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LeaseWait *w = g_new0 (LeaseWait, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, fc_cluster_session_wait_lease_async);
  /* The sources below, or the grant, decide the outcome. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, w, lease_wait_free);
  w->self = self;

  if (self->lease != 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (!fc_cluster_session_regaining (self) || deadline == 0)
    {
      set_lost_error (&error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (cancellable != NULL &&
      !fc_task_sources_watch_cancellable (&w->sources, task, cancellable, lease_wait_cancelled_cb))
    {
      g_cancellable_set_error_if_cancelled (cancellable, &error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_queue_push_tail (&self->lease_waits, task);   /* the reference from g_task_new() */
  w->link = self->lease_waits.tail;
  if (deadline > 0)
    w->sources.timer = fc_task_attach_source (task, fc_deadline_source_new (deadline),
                                              lease_wait_deadline_cb);
}

gboolean
fc_cluster_session_wait_lease_finish (FcClusterSession  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
session_regrant_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  FcClusterSession *self = data;

  self->keeping = FALSE;
  if (!g_cancellable_is_cancelled (self->stopping))
    session_take_lease (self, result, NULL);
}

static void
session_grant_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  GTask *task = data;
  FcClusterSession *self = g_task_get_task_data (task);
  GError *error = NULL;

  if (session_take_lease (self, result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

void
fc_cluster_session_grant_async (FcClusterSession    *self,
                                gint64               deadline,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, self, NULL);
  fc_etcd_call_async (self->etcd, "/v3/lease/grant",
                      lease_request ("TTL", (gint64) ceil (self->ttl)),
                      deadline, cancellable, session_grant_cb, task);
}

gboolean
fc_cluster_session_grant_finish (FcClusterSession  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
session_revoke_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  GTask *task = data;
  FcClusterSession *self = g_task_get_task_data (task);
  g_autoptr(JsonObject) reply = NULL;
  GError *error = NULL;

  reply = fc_etcd_call_finish (self->etcd, result, &error);
  /* A lease etcd does not know any more is as good as revoked. */
  if (reply != NULL || fc_etcd_error_is_lease_not_found (error))
    {
      g_clear_error (&error);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

void
fc_cluster_session_revoke_async (FcClusterSession    *self,
                                 gint64               deadline,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  gint64 lease = self->lease;

  g_task_set_task_data (task, self, NULL);
  /* Nothing to keep alive any more, and nothing to report lost. */
  fc_clear_source (&self->ticker);
  self->lease = 0;
  self->lost_reported = TRUE;
  lease_waits_complete (self, FALSE);
  if (lease == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  fc_etcd_call_async (self->etcd, "/v3/lease/revoke", lease_request ("ID", lease),
                      deadline, NULL, session_revoke_cb, task);
}

gboolean
fc_cluster_session_revoke_finish (FcClusterSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Completing callers' tasks ----------------------------------------------- */

/* A caller's task belongs to the caller's context. Returned from the
 * session's thread, GTask would hand it over through an idle of its own
 * and this thread would then drop its reference: often the last one (the
 * caller has had its result and let go), so this thread would finalize
 * the task and, with it, the caller's context, whose memory the caller's
 * thread used (its poll array, its wakeup fd), with nothing between them
 * that ThreadSanitizer can see (GObject's and GMainContext's reference
 * counts are atomics inside GLib, which is not instrumented). Instead the
 * outcome and this reference go to the caller's context together: the
 * task is returned there (its callback runs at once) and the reference
 * dropped there, so the task and its context end in the caller's thread,
 * and the hand-off is one that fc_handoff_source_attach() annotates. */
typedef struct
{
  GTask          *task;
  GError         *error;
  gpointer        result;
  GDestroyNotify  result_destroy;
  gboolean        boolean;
} Completion;

static gboolean
completion_cb (gpointer data)
{
  Completion *c = data;

  /* Released in completion_hand_over(), before the attach. */
  fc_tsan_acquire (c);
  if (c->error != NULL)
    g_task_return_error (c->task, c->error);
  else if (c->boolean)
    g_task_return_boolean (c->task, TRUE);
  else
    g_task_return_pointer (c->task, c->result, c->result_destroy);
  g_clear_object (&c->task);
  return G_SOURCE_REMOVE;
}

static void
completion_free (gpointer data)
{
  Completion *c = data;

  /* Only if the context went without dispatching it (no caller waits any
   * more): the outcome is dropped with the task. */
  fc_tsan_acquire (c);
  if (c->task != NULL)
    {
      g_clear_error (&c->error);
      if (c->result_destroy != NULL && c->result != NULL)
        c->result_destroy (c->result);
      g_object_unref (c->task);
    }
  g_free (c);
}

static void
completion_hand_over (Completion *c)
{
  GMainContext *context = g_task_get_context (c->task);
  GSource *source = fc_handoff_source_new (completion_cb, c, completion_free);

  g_source_set_static_name (source, "[foundation-concurrency] cluster call done");
  g_source_set_priority (source, g_task_get_priority (c->task));
  /* Nothing of @c, nor of the task, is touched by this thread after this. */
  fc_tsan_release (c);
  fc_handoff_source_attach (source, context);
}

void
fc_cluster_task_return_error (GTask  *task,
                              GError *error)
{
  Completion *c = g_new0 (Completion, 1);

  c->task = task;
  c->error = error;
  completion_hand_over (c);
}

void
fc_cluster_task_return_boolean (GTask *task)
{
  Completion *c = g_new0 (Completion, 1);

  c->task = task;
  c->boolean = TRUE;
  completion_hand_over (c);
}

void
fc_cluster_task_return_pointer (GTask          *task,
                                gpointer        result,
                                GDestroyNotify  result_destroy)
{
  Completion *c = g_new0 (Completion, 1);

  c->task = task;
  c->result = result;
  c->result_destroy = result_destroy;
  completion_hand_over (c);
}

/* ---- Blocking calls ------------------------------------------------------- */

void
fc_cluster_sync_begin (FcClusterSync *sync)
{
  sync->context = g_main_context_new ();
  sync->result = NULL;
  g_main_context_push_thread_default (sync->context);
}

void
fc_cluster_sync_callback (GObject      *source,
                          GAsyncResult *result,
                          gpointer      data)
{
  FcClusterSync *sync = data;

  fc_tsan_acquire (result);
  sync->result = g_object_ref (result);
}

GAsyncResult *
fc_cluster_sync_end (FcClusterSync *sync)
{
  while (sync->result == NULL)
    g_main_context_iteration (sync->context, TRUE);
  g_main_context_pop_thread_default (sync->context);
  g_main_context_unref (sync->context);
  return sync->result;
}
