/* fc-cluster-lock-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-cluster-keys-private.h"
#include "fc-cluster-lock-private.h"
#include "fc-private.h"
#include "fc-waitfor-private.h"

/* What a rollback is given past the call's deadline. */
#define FC_CLUSTER_ROLLBACK_GRACE_USEC (500 * 1000)

FcClusterHold *
fc_cluster_hold_new (const char *name,
                     int         order)
{
  FcClusterHold *hold = g_new0 (FcClusterHold, 1);

  hold->name = g_strdup (name);
  hold->order = order;
  return hold;
}

void
fc_cluster_hold_free (FcClusterHold *hold)
{
  if (hold == NULL)
    return;
  g_free (hold->name);
  g_free (hold->key);
  g_free (hold);
}

gint64
fc_cluster_now (void)
{
  return g_get_real_time ();
}

typedef struct
{
  FcClusterSession *session;
  FcEtcd           *etcd;
  char             *prefix;
  char             *identity;
  GPtrArray        *wanted;
  GStrv             chain;        /* what the guard chain held before */
  GStrvBuilder     *held;
  gint64            deadline;
  gint64            lease;
  guint             generation;
  guint             index;
  gint64            my_revision;  /* create revision of the current key */
  char             *lock_prefix;  /* of the current lock */
  char             *lock_end;
  GError           *error;        /* what to return after the rollback */
  gboolean          restart;      /* after the rollback: again, with the next lease */
} Acquire;

static void
acquire_free (gpointer data)
{
  Acquire *a = data;

  g_ptr_array_unref (a->wanted);
  g_strfreev (a->chain);
  g_strv_builder_unref (a->held);
  g_free (a->prefix);
  g_free (a->identity);
  g_free (a->lock_prefix);
  g_free (a->lock_end);
  g_clear_error (&a->error);
  g_free (a);
}

static FcClusterHold *
acquire_current (Acquire *a)
{
  return g_ptr_array_index (a->wanted, a->index);
}

/* Requests are bounded by the call's deadline; trying once still allows
 * the round trips (the request timeout bounds them). */
static gint64
acquire_request_deadline (Acquire *a)
{
  return a->deadline == 0 ? -1 : a->deadline;
}

/* The queue of the current lock. */
static void
acquire_set_current (Acquire *a)
{
  g_free (a->lock_prefix);
  g_free (a->lock_end);
  a->lock_prefix = fc_cluster_key_lock (a->prefix, acquire_current (a)->name);
  a->lock_end = fc_etcd_prefix_end (a->lock_prefix);
}

static void acquire_batch (GTask *task);
static void acquire_complete (GTask *task);
static void acquire_look (GTask *task);
static void acquire_start (GTask *task);
static gboolean acquire_past_deadline (Acquire *a);

/* Back to where the attempt began: nothing taken, no key written. */
static void
acquire_reset (Acquire *a)
{
  a->index = 0;
  a->my_revision = 0;
  g_strv_builder_unref (a->held);
  a->held = g_strv_builder_new ();
  g_strv_builder_addv (a->held, (const char **) a->chain);
  for (guint i = 0; i < a->wanted->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (a->wanted, i);

      hold->token = 0;
      hold->granted_at = 0;
    }
}

/* The rollback is over: the failure is returned, or the attempt made
 * again (acquire_fail()). */
static void
acquire_rolled_back (GTask *task)
{
  Acquire *a = g_task_get_task_data (task);

  if (a->restart)
    {
      a->restart = FALSE;
      g_clear_error (&a->error);
      acquire_reset (a);
      acquire_start (task);
      return;
    }
  g_task_return_error (task, g_steal_pointer (&a->error));
  g_object_unref (task);
}

static void
rollback_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  /* The call's own failure says more than a failed clean-up, whose keys
   * the lease removes anyway. */
  fc_cluster_release_finish (result, NULL);
  acquire_rolled_back (data);
}

/* Whether @error says that the lease of the attempt is gone (etcd does
 * not know it, or the session has had a new one since): then so is
 * everything the attempt took, and it can be made again with the next. */
static gboolean
acquire_lease_gone (Acquire      *a,
                    const GError *error)
{
  return fc_etcd_error_is_lease_not_found (error) ||
         (g_error_matches (error, FC_ERROR, FC_ERROR_UNAVAILABLE) &&
          fc_cluster_session_get_generation (a->session) != a->generation);
}

/* Fails the attempt with @error, once every key of it is deleted; or, if
 * its lease is gone and there is time left, makes it again with the next
 * lease: the caller asked for the locks within its timeout, and an
 * expired lease (the cluster was slow to answer for a while) is no reason
 * to give up sooner. */
static void
acquire_fail (GTask  *task,
              GError *error)
{
  Acquire *a = g_task_get_task_data (task);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();

  a->error = error;
  if (acquire_lease_gone (a, error))
    {
      fc_cluster_session_lease_gone (a->session, a->lease);
      a->restart = !acquire_past_deadline (a);
    }
  for (guint i = 0; i < a->wanted->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (a->wanted, i);

      if (hold->key != NULL)
        g_ptr_array_add (keys, hold->key);
    }
  if (keys->len == 0)
    {
      acquire_rolled_back (task);
      return;
    }
  /* Within the call's timeout, so that a cluster without quorum still
   * fails in time (the lease removes what could not be deleted), with a
   * moment for the deletes when the deadline has just passed. */
  fc_cluster_release_async (a->session, keys,
                            a->deadline > 0 ? MAX (a->deadline, g_get_monotonic_time () + FC_CLUSTER_ROLLBACK_GRACE_USEC) : -1,
                            rollback_cb, task);
  for (guint i = 0; i < a->wanted->len; i++)
    g_clear_pointer (&((FcClusterHold *) g_ptr_array_index (a->wanted, i))->key, g_free);
}

static void
acquire_mark_granted (Acquire       *a,
                      FcClusterHold *hold,
                      gint64         token)
{
  hold->token = token;
  hold->granted_at = g_get_monotonic_time ();
  g_strv_builder_add (a->held, hold->name);
}

static void
acquire_granted (GTask  *task,
                 gint64  token)
{
  Acquire *a = g_task_get_task_data (task);

  acquire_mark_granted (a, acquire_current (a), token);
  a->index++;
  if (a->index < a->wanted->len)
    {
      acquire_batch (task);
      return;
    }
  acquire_complete (task);
}

/* Every lock granted. */
static void
acquire_complete (GTask *task)
{
  Acquire *a = g_task_get_task_data (task);

  if (fc_cluster_session_get_generation (a->session) != a->generation)
    {
      acquire_fail (task, g_error_new (FC_ERROR, FC_ERROR_UNAVAILABLE,
                                       _("Lock cluster unavailable: %s"),
                                       _("the session's lease was lost")));
      return;
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* The timeout's error, naming who holds the lock (@holder: its first key,
 * NULL if none was seen) and for how long. */
static GError *
acquire_timeout_error (Acquire  *a,
                       FcEtcdKv *holder)
{
  GError *error = NULL;
  g_autoptr(GString) why = NULL;

  if (holder != NULL)
    {
      g_autoptr(FcClusterWaiter) waiter = fc_cluster_waiter_parse (holder->value);
      double seconds = waiter->since > 0 ? (double) (fc_cluster_now () - waiter->since) / G_USEC_PER_SEC : 0;

      why = g_string_new (NULL);
      fc_waitfor_append_held_by (why, waiter->owner, MAX (seconds, 0.0));
    }
  fc_set_timeout_error_why (&error, acquire_current (a)->name, why != NULL ? why->str : NULL);
  return error;
}

static void
explain_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask *task = data;
  Acquire *a = g_task_get_task_data (task);
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (a->etcd, result, NULL);
  g_autoptr(GPtrArray) kvs = reply != NULL ? fc_etcd_get_kvs (reply, NULL) : NULL;

  acquire_fail (task, acquire_timeout_error (a, kvs != NULL && kvs->len > 0 ? g_ptr_array_index (kvs, 0) : NULL));
}

/* Timed out waiting: who holds it, then the rollback. */
static void
acquire_timed_out (GTask *task)
{
  Acquire *a = g_task_get_task_data (task);

  fc_etcd_call_async (a->etcd, "/v3/kv/range",
                      fc_etcd_range_request (a->lock_prefix, a->lock_end, 0, 1, 1),
                      g_get_monotonic_time () + FC_CLUSTER_ROLLBACK_GRACE_USEC, NULL, explain_cb, task);
}

static gboolean
acquire_past_deadline (Acquire *a)
{
  return a->deadline >= 0 && g_get_monotonic_time () >= a->deadline;
}

static void
watch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  GTask *task = data;
  Acquire *a = g_task_get_task_data (task);
  GError *error = NULL;

  if (fc_etcd_watch_delete_finish (a->etcd, result, &error))
    {
      acquire_look (task);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_clear_error (&error);
      if (acquire_past_deadline (a))
        acquire_timed_out (task);
      else
        acquire_look (task);  /* a periodic look, should a member have hung */
      return;
    }
  acquire_fail (task, error);
}

static void
update_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GTask *task = data;
  Acquire *a = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (a->etcd, result, &error);
  gint64 revision = 0;

  if (reply == NULL || !fc_etcd_get_revision (reply, &revision, &error))
    {
      acquire_fail (task, error);
      return;
    }
  /* The token: the revision of this write, after the deletion of every
   * earlier holder's key, and kept as the key's mod revision. */
  acquire_granted (task, revision);
}

static void
look_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  GTask *task = data;
  Acquire *a = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (a->etcd, result, &error);
  g_autoptr(GPtrArray) kvs = NULL;
  gint64 revision = 0;
  gint64 watch_deadline;
  FcEtcdKv *before;

  if (reply == NULL || !fc_etcd_get_revision (reply, &revision, &error)
      || (kvs = fc_etcd_get_kvs (reply, &error)) == NULL)
    {
      acquire_fail (task, error);
      return;
    }

  if (kvs->len == 0)
    {
      /* Ours now: the key says since when. */
      FcClusterHold *hold = acquire_current (a);
      g_auto(GStrv) held = g_strv_builder_end (a->held);
      g_autofree char *value = NULL;

      g_strv_builder_addv (a->held, (const char **) held);
      value = fc_cluster_waiter_to_json (a->identity, (const char * const *) held, fc_cluster_now ());
      fc_etcd_call_async (a->etcd, "/v3/kv/put", fc_etcd_put_request (hold->key, value, a->lease),
                          acquire_request_deadline (a), g_task_get_cancellable (task), update_cb, task);
      return;
    }

  if (acquire_past_deadline (a))
    {
      acquire_timed_out (task);
      return;
    }

  before = g_ptr_array_index (kvs, 0);
  watch_deadline = g_get_monotonic_time () + (gint64) (fc_cluster_session_get_ttl (a->session) * G_USEC_PER_SEC);
  if (a->deadline >= 0 && a->deadline < watch_deadline)
    watch_deadline = a->deadline;
  fc_etcd_watch_delete_async (a->etcd, before->key, revision + 1, watch_deadline,
                              g_task_get_cancellable (task), watch_cb, task);
}

/* Is any key of the current lock older than ours? */
static void
acquire_look (GTask *task)
{
  Acquire *a = g_task_get_task_data (task);

  fc_etcd_call_async (a->etcd, "/v3/kv/range",
                      fc_etcd_range_request (a->lock_prefix, a->lock_end, a->my_revision - 1, -1, 1),
                      acquire_request_deadline (a), g_task_get_cancellable (task), look_cb, task);
}

static void
trimmed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask *task = data;
  GError *error = NULL;

  if (!fc_cluster_release_finish (result, &error))
    acquire_fail (task, error);
  else
    acquire_look (task);
}

static void
batch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  GTask *task = data;
  Acquire *a = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (a->etcd, result, &error);
  g_autoptr(GPtrArray) later = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) blocker = NULL;
  gint64 revision = 0;
  guint n = a->wanted->len;
  guint first = a->index;
  guint j;

  if (reply == NULL || !fc_etcd_get_revision (reply, &revision, &error))
    {
      acquire_fail (task, error);
      return;
    }
  /* The first lock whose queue has a key older than ours. */
  for (j = first; j < n; j++)
    {
      JsonObject *range = fc_etcd_get_txn_response (reply, (n - first) + (j - first), &error);
      g_autoptr(GPtrArray) kvs = range != NULL ? fc_etcd_get_kvs (range, &error) : NULL;

      if (kvs == NULL || kvs->len == 0)
        {
          if (error == NULL)
            fc_etcd_set_malformed (&error, _("malformed reply: the key just written is missing"));
          acquire_fail (task, error);
          return;
        }
      if (((FcEtcdKv *) g_ptr_array_index (kvs, 0))->create_revision != revision)
        {
          blocker = g_steal_pointer (&kvs);
          break;
        }
    }

  for (guint i = first; i < j; i++)
    acquire_mark_granted (a, g_ptr_array_index (a->wanted, i), revision);
  a->index = j;
  if (j == n)
    {
      acquire_complete (task);
      return;
    }

  a->my_revision = revision;
  acquire_set_current (a);
  acquire_current (a)->contended = TRUE;
  if (a->deadline == 0)
    {
      acquire_fail (task, acquire_timeout_error (a, g_ptr_array_index (blocker, 0)));
      return;
    }
  /* The keys after the one that waits would hold places in queues out of
   * order: deleted before waiting, written again in turn. */
  for (guint i = j + 1; i < n; i++)
    g_ptr_array_add (later, g_steal_pointer (&((FcClusterHold *) g_ptr_array_index (a->wanted, i))->key));
  fc_cluster_release_async (a->session, later, acquire_request_deadline (a), trimmed_cb, task);
}

/* Writes the waiter keys of every lock from the current one on and reads
 * their queues, in one transaction: uncontended, any number of locks take
 * one round trip. The locks up to the first contended one are ours at
 * once (nobody before us: granted at the revision that created the keys);
 * the keys after it are deleted before it waits (they would hold queue
 * places out of order), and written again once it is granted. */
static void
acquire_batch (GTask *task)
{
  Acquire *a = g_task_get_task_data (task);
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) ranges = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) chain = g_strv_builder_end (a->held);
  g_autoptr(GStrvBuilder) held = g_strv_builder_new ();
  gint64 now = fc_cluster_now ();

  g_strv_builder_addv (a->held, (const char **) chain);
  g_strv_builder_addv (held, (const char **) chain);
  for (guint i = a->index; i < a->wanted->len; i++)
    {
      FcClusterHold *hold = g_ptr_array_index (a->wanted, i);
      g_auto(GStrv) before = g_strv_builder_end (held);
      g_autofree char *value = fc_cluster_waiter_to_json (a->identity, (const char * const *) before, now);
      g_autofree char *lock = fc_cluster_key_lock (a->prefix, hold->name);
      g_autofree char *end = fc_etcd_prefix_end (lock);

      g_strv_builder_addv (held, (const char **) before);
      g_strv_builder_add (held, hold->name);
      hold->key = fc_cluster_key_waiter (a->prefix, hold->name, a->lease);
      hold->asked_at = g_get_monotonic_time ();
      g_ptr_array_add (ops, fc_etcd_txn_op ("put", fc_etcd_put_request (hold->key, value, a->lease)));
      g_ptr_array_add (ranges, fc_etcd_txn_op ("range", fc_etcd_range_request (lock, end, 0, 1, 1)));
    }
  for (guint i = 0; i < ranges->len; i++)
    g_ptr_array_add (ops, json_node_ref (g_ptr_array_index (ranges, i)));
  fc_etcd_call_async (a->etcd, "/v3/kv/txn", fc_etcd_txn_request (NULL, ops, NULL),
                      acquire_request_deadline (a), g_task_get_cancellable (task), batch_cb, task);
}

void
fc_cluster_acquire_async (FcClusterSession    *session,
                          const char          *prefix,
                          const char          *identity,
                          GPtrArray           *wanted,
                          const char * const  *held,
                          gint64               deadline,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Acquire *a = g_new0 (Acquire, 1);

  g_task_set_source_tag (task, fc_cluster_acquire_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, a, acquire_free);
  a->session = session;
  a->etcd = fc_cluster_session_get_etcd (session);
  a->prefix = g_strdup (prefix);
  a->identity = g_strdup (identity);
  a->wanted = g_ptr_array_ref (wanted);
  a->chain = held != NULL ? g_strdupv ((char **) held) : g_new0 (char *, 1);
  a->held = g_strv_builder_new ();
  g_strv_builder_addv (a->held, (const char **) a->chain);
  a->deadline = deadline;
  acquire_start (task);
}

static void
lease_waited_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  GTask *task = data;
  Acquire *a = g_task_get_task_data (task);
  GError *error = NULL;

  if (!fc_cluster_session_wait_lease_finish (a->session, result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  acquire_start (task);
}

/* With the live lease; while it is lost (and being replaced), once the
 * next is granted, within the deadline. */
static void
acquire_start (GTask *task)
{
  Acquire *a = g_task_get_task_data (task);

  if (!fc_cluster_session_get_lease (a->session, &a->lease, &a->generation, NULL))
    {
      fc_cluster_session_wait_lease_async (a->session, acquire_past_deadline (a) ? 0 : a->deadline,
                                           g_task_get_cancellable (task), lease_waited_cb, task);
      return;
    }
  if (a->wanted->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  acquire_batch (task);
}

gboolean
fc_cluster_acquire_finish (GAsyncResult  *result,
                           guint         *generation,
                           GError       **error)
{
  Acquire *a = g_task_get_task_data (G_TASK (result));

  if (generation != NULL)
    *generation = a->generation;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Release --------------------------------------------------------------- */

static void
release_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask *task = data;
  FcEtcd *etcd = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonObject) reply = fc_etcd_call_finish (etcd, result, &error);

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
fc_cluster_release_async (FcClusterSession    *session,
                          GPtrArray           *keys,
                          gint64               deadline,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  FcEtcd *etcd = fc_cluster_session_get_etcd (session);

  g_task_set_task_data (task, etcd, NULL);
  if (etcd == NULL || keys->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < keys->len; i++)
    g_ptr_array_add (ops, fc_etcd_txn_op ("delete_range",
                                          fc_etcd_delete_request (g_ptr_array_index (keys, i), NULL)));
  /* Not cancellable: a release is never given up early. */
  fc_etcd_call_async (etcd, "/v3/kv/txn", fc_etcd_txn_request (NULL, ops, NULL), deadline, NULL,
                      release_cb, task);
}

gboolean
fc_cluster_release_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
