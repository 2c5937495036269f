/* fc-cluster-client-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fc-cluster-client-private.h"
#include "fc-cluster-keys-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"

gint64
fc_cluster_deadline (double timeout)
{
  if (timeout == 0)
    return 0;
  if (timeout < 0)
    return -1;
  return fc_deadline_after (timeout);
}

/* A request's deadline: trying once still allows the round trips. */
static gint64
request_deadline (gint64 deadline)
{
  return deadline == 0 ? -1 : deadline;
}

static gboolean
client_lost_cb (gpointer data)
{
  FcClusterClient *self = data;
  g_autoptr(GPtrArray) guards = fc_cluster_client_dup_guards (self, FALSE);

  for (guint i = 0; i < guards->len; i++)
    self->guard_lost (g_ptr_array_index (guards, i));
  return G_SOURCE_REMOVE;
}

/* On the session's thread. */
static void
client_session_lost (gpointer data)
{
  FcClusterClient *self = data;

  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT, client_lost_cb,
                              fc_cluster_client_ref (self),
                              (GDestroyNotify) fc_cluster_client_unref);
}

FcClusterClient *
fc_cluster_client_new (const char * const  *endpoints,
                       GMainContext        *owner_context,
                       const char          *prefix,
                       const char          *identity,
                       double               ttl,
                       FcClusterGuardLost   guard_lost,
                       GError             **error)
{
  FcClusterClient *self = g_new0 (FcClusterClient, 1);

  self->ref_count = 1;
  self->prefix = g_strdup (prefix);
  self->identity = g_strdup (identity);
  self->owner_context = owner_context != NULL ? g_main_context_ref (owner_context)
                                              : g_main_context_ref_thread_default ();
  self->guard_lost = guard_lost;
  g_mutex_init (&self->mutex);
  self->guards = g_ptr_array_new ();
  self->held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->edges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->session = fc_cluster_session_new (endpoints, ttl, client_session_lost, self, error);
  if (self->session == NULL)
    {
      fc_cluster_client_unref (self);
      return NULL;
    }
  self->registry = fc_cluster_registry_new (self->session, prefix);
  return self;
}

FcClusterClient *
fc_cluster_client_ref (FcClusterClient *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

static void client_free (FcClusterClient *self);

static gpointer
client_reaper (gpointer data)
{
  client_free (data);
  return NULL;
}

void
fc_cluster_client_unref (FcClusterClient *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  /* The last reference went on the session's thread, which cannot join
   * itself: another thread frees it. */
  if (self->session != NULL && fc_cluster_session_is_current (self->session))
    {
      g_thread_unref (g_thread_new ("fc-cluster-reaper", client_reaper, self));
      return;
    }
  client_free (self);
}

static void
client_free (FcClusterClient *self)
{
  /* The session's thread is joined first: nothing of it runs after. */
  fc_cluster_session_free (self->session);
  fc_cluster_registry_free (self->registry);
  g_ptr_array_unref (self->guards);
  g_hash_table_unref (self->held);
  g_hash_table_unref (self->edges);
  g_hash_table_unref (self->stats);
  g_mutex_clear (&self->mutex);
  g_main_context_unref (self->owner_context);
  g_free (self->prefix);
  g_free (self->identity);
  g_free (self);
}

gboolean
fc_cluster_client_check_open (FcClusterClient  *self,
                              GError          **error)
{
  gboolean closed;

  fc_mutex_lock (&self->mutex);
  closed = self->closed;
  fc_mutex_unlock (&self->mutex);
  if (closed)
    {
      g_set_error (error, FC_ERROR, FC_ERROR_UNAVAILABLE, _("Lock cluster unavailable: %s"),
                   _("the manager is closed"));
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  FcClusterClient *self;
  GTask           *task;
  FcClusterWork    work;
} Work;

static gboolean
work_cb (gpointer data)
{
  Work *w = data;

  w->work (w->self, w->task);
  return G_SOURCE_REMOVE;
}

static void
work_free (gpointer data)
{
  Work *w = data;

  fc_cluster_client_unref (w->self);
  g_free (w);
}

void
fc_cluster_client_run (FcClusterClient *self,
                       GTask           *task,
                       FcClusterWork    work)
{
  Work *w = g_new0 (Work, 1);

  w->self = fc_cluster_client_ref (self);
  w->task = task;
  w->work = work;
  fc_cluster_session_run (self->session, work_cb, w, work_free);
}

void
fc_cluster_client_add_guard (FcClusterClient *self,
                             gpointer         guard)
{
  fc_mutex_lock (&self->mutex);
  g_ptr_array_add (self->guards, guard);
  fc_mutex_unlock (&self->mutex);
}

void
fc_cluster_client_remove_guard (FcClusterClient *self,
                                gpointer         guard)
{
  fc_mutex_lock (&self->mutex);
  g_ptr_array_remove_fast (self->guards, guard);
  fc_mutex_unlock (&self->mutex);
}

GPtrArray *
fc_cluster_client_close (FcClusterClient *self)
{
  fc_mutex_lock (&self->mutex);
  self->closed = TRUE;
  fc_mutex_unlock (&self->mutex);
  return fc_cluster_client_dup_guards (self, TRUE);
}

GPtrArray *
fc_cluster_client_dup_guards (FcClusterClient *self,
                              gboolean         take)
{
  GPtrArray *guards = g_ptr_array_new_with_free_func (g_object_unref);

  fc_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->guards->len; i++)
    {
      GObject *guard = g_ptr_array_index (self->guards, i);

      /* A guard being finalized removes itself under this mutex after
       * its count reached zero: skip it. */
      if (g_atomic_int_get (&guard->ref_count) > 0)
        g_ptr_array_add (guards, g_object_ref (guard));
    }
  if (take)
    g_ptr_array_set_size (self->guards, 0);
  fc_mutex_unlock (&self->mutex);
  return guards;
}

void
fc_cluster_client_note_held (FcClusterClient *self,
                             GPtrArray       *holds,
                             int              delta)
{
  fc_mutex_lock (&self->mutex);
  for (guint i = 0; holds != NULL && i < holds->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (holds, i);
      int count;

      if (hold->key == NULL)
        continue;
      if (delta < 0)
        {
          FcClusterStats *stats = g_hash_table_lookup (self->stats, hold->name);

          if (stats != NULL)
            stats->hold_max = MAX (stats->hold_max, g_get_monotonic_time () - hold->granted_at);
        }
      count = GPOINTER_TO_INT (g_hash_table_lookup (self->held, hold->name)) + delta;
      if (count > 0)
        g_hash_table_replace (self->held, g_strdup (hold->name), GINT_TO_POINTER (count));
      else
        g_hash_table_remove (self->held, hold->name);
    }
  fc_mutex_unlock (&self->mutex);
}

void
fc_cluster_client_note_granted (FcClusterClient *self,
                                GPtrArray       *holds)
{
  fc_mutex_lock (&self->mutex);
  for (guint i = 0; holds != NULL && i < holds->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (holds, i);
      FcClusterStats *stats = g_hash_table_lookup (self->stats, hold->name);
      gint64 waited = hold->granted_at - hold->asked_at;

      if (stats == NULL)
        {
          stats = g_new0 (FcClusterStats, 1);
          g_hash_table_insert (self->stats, g_strdup (hold->name), stats);
        }
      stats->acquisitions++;
      if (hold->contended)
        stats->contentions++;
      stats->wait_total += waited;
      stats->wait_max = MAX (stats->wait_max, waited);
    }
  fc_mutex_unlock (&self->mutex);
}

GHashTable *
fc_cluster_client_dup_stats (FcClusterClient *self)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer name, stats;

  fc_mutex_lock (&self->mutex);
  g_hash_table_iter_init (&iter, self->stats);
  while (g_hash_table_iter_next (&iter, &name, &stats))
    g_hash_table_insert (copy, g_strdup (name), g_memdup2 (stats, sizeof (FcClusterStats)));
  fc_mutex_unlock (&self->mutex);
  return copy;
}

/* ---- Acquisition ---------------------------------------------------------- */

void
fc_cluster_acquired_free (FcClusterAcquired *acquired)
{
  if (acquired == NULL)
    return;
  g_clear_pointer (&acquired->holds, g_ptr_array_unref);
  g_free (acquired);
}

typedef struct
{
  GPtrArray  *held;      /* FcClusterHold * of the chain, or NULL */
  char      **names;
  gint64      deadline;
  GPtrArray  *holds;     /* every lock asked */
  GPtrArray  *wanted;    /* those to take */
  char      **held_names;  /* what the process held when it started */
} Acquire;

static void
acquire_free (gpointer data)
{
  Acquire *a = data;

  g_clear_pointer (&a->held, g_ptr_array_unref);
  g_clear_pointer (&a->holds, g_ptr_array_unref);
  g_clear_pointer (&a->wanted, g_ptr_array_unref);
  g_strfreev (a->names);
  g_strfreev (a->held_names);
  g_free (a);
}

static void
edges_put_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (NULL, result, NULL);

  /* Best effort: diagnostics, not the acquisition's outcome. */
}

/* Publishes, once per manager, the order edges the acquisition made:
 * from every lock held to every lock taken after it. */
static void
publish_edges (FcClusterClient *self,
               Acquire         *a)
{
  g_autoptr(GPtrArray) puts = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) before = g_ptr_array_new ();
  FcEtcd *etcd = fc_cluster_session_get_etcd (self->session);

  for (guint i = 0; a->held_names != NULL && a->held_names[i] != NULL; i++)
    g_ptr_array_add (before, a->held_names[i]);
  for (guint i = 0; i < a->wanted->len; i++)
    {
      FcClusterHold *to = g_ptr_array_index (a->wanted, i);

      for (guint j = 0; j < before->len; j++)
        {
          const char *from = g_ptr_array_index (before, j);
          g_autofree char *key = NULL;

          if (strcmp (from, to->name) == 0
              || !g_hash_table_add (self->edges, g_strconcat (from, "\n", to->name, NULL)))
            continue;
          key = fc_cluster_key_edge (self->prefix, from, to->name);
          g_ptr_array_add (puts, fc_etcd_txn_op ("put", fc_etcd_put_request (key, self->identity, 0)));
        }
      g_ptr_array_add (before, to->name);
    }
  if (puts->len > 0 && etcd != NULL)
    fc_etcd_call_async (etcd, "/v3/kv/txn", fc_etcd_txn_request (NULL, puts, NULL), -1, NULL,
                        edges_put_cb, NULL);
}

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GTask *task = data;
  Acquire *a = g_task_get_task_data (task);
  FcClusterAcquired *acquired;
  GError *error = NULL;
  guint generation = 0;

  if (!fc_cluster_acquire_finish (result, &generation, &error))
    {
      fc_cluster_task_return_error (task, error);
      return;
    }
  publish_edges (g_object_get_data (G_OBJECT (task), "fc-cluster-client"), a);
  fc_cluster_client_note_granted (g_object_get_data (G_OBJECT (task), "fc-cluster-client"), a->wanted);
  acquired = g_new0 (FcClusterAcquired, 1);
  acquired->holds = g_steal_pointer (&a->holds);
  acquired->generation = generation;
  fc_cluster_task_return_pointer (task, acquired, (GDestroyNotify) fc_cluster_acquired_free);
}

static FcClusterHold *
chain_find (GPtrArray  *held,
            const char *name)
{
  for (guint i = 0; held != NULL && i < held->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (held, i);

      if (g_strcmp0 (hold->name, name) == 0)
        return hold;
    }
  return NULL;
}

static void
resolved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GTask *task = data;
  Acquire *a = g_task_get_task_data (task);
  FcClusterClient *self = g_object_get_data (G_OBJECT (task), "fc-cluster-client");
  g_autoptr(GStrvBuilder) held_names = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  GError *error = NULL;
  const FcClusterHold *max = NULL;

  a->holds = fc_cluster_registry_resolve_finish (result, &error);
  if (a->holds == NULL)
    {
      fc_cluster_task_return_error (task, error);
      return;
    }

  for (guint i = 0; a->held != NULL && i < a->held->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (a->held, i);

      if (max == NULL || hold->order > max->order)
        max = hold;
    }
  /* The waiter keys say what the process holds while it waits, for the
   * diagnostics: the chain's locks are among them. */
  {
    GHashTableIter iter;
    gpointer name;

    fc_mutex_lock (&self->mutex);
    g_hash_table_iter_init (&iter, self->held);
    while (g_hash_table_iter_next (&iter, &name, NULL))
      g_strv_builder_add (held_names, name);
    fc_mutex_unlock (&self->mutex);
  }

  a->wanted = g_ptr_array_new ();
  for (guint i = 0; i < a->holds->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (a->holds, i);
      FcClusterHold *outer = chain_find (a->held, hold->name);

      if (outer != NULL)
        {
          hold->token = outer->token;  /* re-entrant: no key of its own */
          continue;
        }
      if (max != NULL && hold->order <= max->order)
        {
          fc_registry_set_order_violation (hold->name, hold->order, max->order, max->name, &error);
          fc_cluster_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (a->wanted, hold);
    }

  names = g_strv_builder_end (held_names);
  a->held_names = g_strdupv (names);
  fc_cluster_acquire_async (self->session, self->prefix, self->identity, a->wanted,
                            (const char * const *) names, a->deadline,
                            g_task_get_cancellable (task), acquired_cb, task);
}

static void
acquire_work (FcClusterClient *self,
              GTask           *task)
{
  Acquire *a = g_task_get_task_data (task);

  g_object_set_data_full (G_OBJECT (task), "fc-cluster-client", fc_cluster_client_ref (self),
                          (GDestroyNotify) fc_cluster_client_unref);
  fc_cluster_registry_resolve_async (self->registry, (const char * const *) a->names,
                                     request_deadline (a->deadline), g_task_get_cancellable (task),
                                     resolved_cb, task);
}

/* Stops counting past FC_CLUSTER_MAX_NAMES. */
static guint
count_distinct (const char * const *names)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; names[i] != NULL && g_hash_table_size (seen) <= FC_CLUSTER_MAX_NAMES; i++)
    g_hash_table_add (seen, (gpointer) names[i]);
  return g_hash_table_size (seen);
}

void
fc_cluster_client_acquire_async (FcClusterClient     *self,
                                 gpointer             source_object,
                                 GPtrArray           *held,
                                 const char * const  *names,
                                 double               timeout,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (source_object, cancellable, callback, user_data);
  Acquire *a = g_new0 (Acquire, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, fc_cluster_client_acquire_async);
  g_task_set_check_cancellable (task, FALSE);
  a->held = held != NULL ? g_ptr_array_ref (held) : NULL;
  a->names = g_strdupv ((char **) names);
  a->deadline = fc_cluster_deadline (timeout);
  g_task_set_task_data (task, a, acquire_free);

  if (names == NULL || names[0] == NULL)
    {
      g_set_error_literal (&error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("At least one lock name must be given"));
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (count_distinct (names) > FC_CLUSTER_MAX_NAMES)
    {
      g_set_error (&error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                   _("At most %d locks can be taken in one call"), FC_CLUSTER_MAX_NAMES);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (!fc_cluster_client_check_open (self, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  fc_cluster_client_run (self, task, acquire_work);
}

FcClusterAcquired *
fc_cluster_client_acquire_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Release ----------------------------------------------------------------- */

static void
released_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GTask *task = data;
  GError *error = NULL;

  if (!fc_cluster_release_finish (result, &error))
    {
      if (task != NULL)
        fc_cluster_task_return_error (task, error);
      else
        g_clear_error (&error);  /* the lease removes them in the end */
    }
  else if (task != NULL)
    fc_cluster_task_return_boolean (task);
}

typedef struct
{
  FcClusterClient *self;
  GPtrArray       *holds;
  GTask           *task;    /* the caller's, or NULL */
} Release;

static gboolean
release_work_cb (gpointer data)
{
  Release *r = data;
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  for (guint i = 0; i < r->holds->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (r->holds, i);

      if (hold->key != NULL)
        g_ptr_array_add (keys, hold->key);
    }
  fc_cluster_release_async (r->self->session, keys, -1, released_cb, g_steal_pointer (&r->task));
  return G_SOURCE_REMOVE;
}

static void
release_free (gpointer data)
{
  Release *r = data;

  g_ptr_array_unref (r->holds);
  g_clear_object (&r->task);
  fc_cluster_client_unref (r->self);
  g_free (r);
}

void
fc_cluster_client_release (FcClusterClient *self,
                           GPtrArray       *holds,
                           GTask           *task)
{
  Release *r = g_new0 (Release, 1);

  r->self = fc_cluster_client_ref (self);
  r->holds = holds;
  r->task = task;
  fc_cluster_session_run (self->session, release_work_cb, r, release_free);
}
