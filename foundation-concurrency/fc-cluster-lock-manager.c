/* fc-cluster-lock-manager.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include <unistd.h>

#include "fc-cluster-diagnostics-private.h"
#include "fc-cluster-lock-guard-private.h"
#include "fc-cluster-lock-manager.h"
#include "fc-mutex-private.h"
#include "fc-private.h"

/**
 * SECTION:fc-cluster-lock-manager
 * @title: FcClusterLockManager
 * @short_description: named, ordered locks shared by processes through etcd
 *
 * The same named, ordered locks as #FcLockManager and #FcAsyncLockManager,
 * held in an etcd cluster (3.4 or later, through its v3 JSON gateway), so
 * that processes on any number of machines exclude each other.
 *
 * Making a manager grants the process a session lease (#FcClusterLockManager:lease-ttl
 * seconds) and keeps it alive in the background, at a third of its TTL.
 * Every key the manager writes is attached to it: a process that dies,
 * even by SIGKILL, loses its locks within the TTL. Registrations are
 * cluster-wide: the first registration of a name fixes its order for every
 * process.
 *
 * A lock is a queue of keys under `<prefix>locks/<name>/`: an acquisition
 * writes its key and owns the lock when no older key is left, waiting, as
 * etcd's own client recipe does, for the deletion of the key just before
 * its own (first come, first served, no herd). The locks of one call are
 * taken in ascending order under one deadline; on a timeout, a cancellation
 * or an error every key the call wrote is deleted before it returns.
 *
 * Several endpoints may be given: a request that fails on one member is
 * tried on the next within the call's deadline. When no member answers,
 * calls fail with %FC_ERROR_UNAVAILABLE within their timeout.
 *
 * If the lease expires all the same (the cluster answered no keep-alive
 * for longer than its TTL), the guards it held are lost (#FcClusterLockGuard::lost)
 * and the manager asks for a new lease at once. A call with time left
 * waits for it and makes its attempt again from the start (what it had
 * taken went with the old lease); a call tried once (timeout 0) fails
 * with %FC_ERROR_UNAVAILABLE.
 *
 * Since: 1.0
 */

struct _FcClusterLockManager
{
  GObject          parent_instance;
  char           **endpoints;
  char            *prefix;
  double           lease_ttl;
  char            *identity;
  FcClusterClient *client;
  gboolean         closed;
};

enum
{
  PROP_0,
  PROP_ENDPOINTS,
  PROP_PREFIX,
  PROP_LEASE_TTL,
  PROP_IDENTITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define FC_CLUSTER_DEFAULT_PREFIX "/foundation-concurrency/"

static void fc_cluster_lock_manager_initable_iface_init       (GInitableIface      *iface);
static void fc_cluster_lock_manager_async_initable_iface_init (GAsyncInitableIface *iface);

/**
 * FcClusterLockManager:
 *
 * Locks in an etcd cluster. Its fields are private.
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE_WITH_CODE (FcClusterLockManager, fc_cluster_lock_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      fc_cluster_lock_manager_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      fc_cluster_lock_manager_async_initable_iface_init))

typedef struct
{
  FcClusterClient *client;
  GMutex           mutex;
  GCond            cond;
  gboolean         done;
} FinalRevoke;

static void
final_revoked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  FinalRevoke *revoke = data;

  fc_cluster_session_revoke_finish (NULL, result, NULL);
  fc_mutex_lock (&revoke->mutex);
  revoke->done = TRUE;
  g_cond_signal (&revoke->cond);
  fc_mutex_unlock (&revoke->mutex);
}

static gboolean
final_revoke_work (gpointer data)
{
  FinalRevoke *revoke = data;

  fc_cluster_session_revoke_async (revoke->client->session,
                                   g_get_monotonic_time () + 2 * G_USEC_PER_SEC,
                                   final_revoked_cb, revoke);
  return G_SOURCE_REMOVE;
}

static void
fc_cluster_lock_manager_finalize (GObject *object)
{
  FcClusterLockManager *self = (FcClusterLockManager *) object;

  if (self->client != NULL && !self->closed)
    {
      /* Best effort: the lease is revoked (a couple of seconds at most), so
       * that what the process holds goes at once. */
      FinalRevoke revoke = { self->client, };

      g_mutex_init (&revoke.mutex);
      g_cond_init (&revoke.cond);
      fc_cluster_session_run (self->client->session, final_revoke_work, &revoke, NULL);
      fc_mutex_lock (&revoke.mutex);
      while (!revoke.done)
        fc_cond_wait (&revoke.cond, &revoke.mutex);
      fc_mutex_unlock (&revoke.mutex);
      g_mutex_clear (&revoke.mutex);
      g_cond_clear (&revoke.cond);
    }
  g_clear_pointer (&self->client, fc_cluster_client_unref);
  g_strfreev (self->endpoints);
  g_free (self->prefix);
  g_free (self->identity);
  G_OBJECT_CLASS (fc_cluster_lock_manager_parent_class)->finalize (object);
}

static void
fc_cluster_lock_manager_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  FcClusterLockManager *self = (FcClusterLockManager *) object;

  switch (prop_id)
    {
    case PROP_ENDPOINTS:
      g_value_set_boxed (value, self->endpoints);
      break;
    case PROP_PREFIX:
      g_value_set_string (value, self->prefix);
      break;
    case PROP_LEASE_TTL:
      g_value_set_double (value, self->lease_ttl);
      break;
    case PROP_IDENTITY:
      g_value_set_string (value, self->identity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fc_cluster_lock_manager_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  FcClusterLockManager *self = (FcClusterLockManager *) object;

  switch (prop_id)
    {
    case PROP_ENDPOINTS:
      g_strfreev (self->endpoints);
      self->endpoints = g_value_dup_boxed (value);
      break;
    case PROP_PREFIX:
      if (g_value_get_string (value) != NULL)
        {
          g_free (self->prefix);
          self->prefix = g_value_dup_string (value);
        }
      break;
    case PROP_LEASE_TTL:
      self->lease_ttl = g_value_get_double (value);
      break;
    case PROP_IDENTITY:
      if (g_value_get_string (value) != NULL)
        {
          g_free (self->identity);
          self->identity = g_value_dup_string (value);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fc_cluster_lock_manager_class_init (FcClusterLockManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fc_cluster_lock_manager_finalize;
  object_class->get_property = fc_cluster_lock_manager_get_property;
  object_class->set_property = fc_cluster_lock_manager_set_property;

  /**
   * FcClusterLockManager:endpoints:
   *
   * The client URLs of the etcd members, `http://host:port`.
   *
   * Since: 1.0
   */
  /**
   * FcClusterLockManager:prefix:
   *
   * Where in etcd's key space the locks live; every process sharing locks
   * uses the same one. A `/` is added if it does not end with one.
   *
   * Since: 1.0
   */
  /**
   * FcClusterLockManager:lease-ttl:
   *
   * The session lease's time to live, in seconds: how long the locks of a
   * process that died stay held, and how long the cluster may stay
   * unreachable before the guards are lost. From 1 to 86400: another
   * value makes initialization fail with %FC_ERROR_INVALID_ARGUMENT (NaN,
   * which no property range admits, gets GObject's warning and leaves the
   * default).
   *
   * Since: 1.0
   */
  /**
   * FcClusterLockManager:identity:
   *
   * Who this process is, as the status and the messages of other processes
   * show it as an owner; `hostname:pid` by default.
   *
   * Since: 1.0
   */
  properties[PROP_ENDPOINTS] =
    g_param_spec_boxed ("endpoints", "Endpoints", "The etcd members' client URLs", G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PREFIX] =
    g_param_spec_string ("prefix", "Prefix", "Where the locks live in etcd's key space", FC_CLUSTER_DEFAULT_PREFIX,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LEASE_TTL] =
    g_param_spec_double ("lease-ttl", "Lease TTL", "Seconds the session lease lives without keep-alive",
                         -INFINITY, INFINITY, 10.0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDENTITY] =
    g_param_spec_string ("identity", "Identity", "Who this process is, as owner", NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fc_cluster_lock_manager_init (FcClusterLockManager *self)
{
  self->prefix = g_strdup (FC_CLUSTER_DEFAULT_PREFIX);
  self->lease_ttl = 10.0;
  self->identity = g_strdup_printf ("%s:%d", g_get_host_name (), (int) getpid ());
}

/* ---- Initialization ------------------------------------------------------- */

/* What can be checked before talking to the cluster; makes the client. */
static gboolean
manager_prepare (FcClusterLockManager  *self,
                 GMainContext          *owner_context,
                 GError               **error)
{
  g_autofree char *prefix = NULL;

  if (self->client != NULL)
    return TRUE;
  if (self->prefix[0] == '\0' || !g_utf8_validate (self->prefix, -1, NULL))
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("The key prefix must be non-empty valid UTF-8"));
      return FALSE;
    }
  if (self->identity[0] == '\0' || !g_utf8_validate (self->identity, -1, NULL))
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("The identity must be non-empty valid UTF-8"));
      return FALSE;
    }
  if (!g_str_has_suffix (self->prefix, "/"))
    {
      prefix = g_strconcat (self->prefix, "/", NULL);
      g_free (self->prefix);
      self->prefix = g_steal_pointer (&prefix);
    }
  self->client = fc_cluster_client_new ((const char * const *) self->endpoints, owner_context, self->prefix,
                                        self->identity, self->lease_ttl,
                                        fc_cluster_lock_guard_mark_lost, error);
  return self->client != NULL;
}

static void
granted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask *task = data;
  GError *error = NULL;

  if (fc_cluster_session_grant_finish (NULL, result, &error))
    fc_cluster_task_return_boolean (task);
  else
    fc_cluster_task_return_error (task, error);
}

static void
grant_work (FcClusterClient *client,
            GTask           *task)
{
  FcClusterLockManager *self = g_task_get_source_object (task);

  fc_cluster_session_grant_async (client->session, fc_deadline_after (self->lease_ttl),
                                  g_task_get_cancellable (task), granted_cb, task);
}

static void
fc_cluster_lock_manager_init_async (GAsyncInitable      *initable,
                                    int                  io_priority,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  FcClusterLockManager *self = FC_CLUSTER_LOCK_MANAGER (initable);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, fc_cluster_lock_manager_init_async);
  g_task_set_name (task, "fc_cluster_lock_manager_init_async");
  if (!manager_prepare (self, NULL, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  fc_cluster_client_run (self->client, task, grant_work);
}

static gboolean
fc_cluster_lock_manager_init_finish (GAsyncInitable  *initable,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
fc_cluster_lock_manager_initable_init (GInitable     *initable,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  FcClusterSync sync;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GMainContext) owner_context = g_main_context_ref_thread_default ();

  /* Made here, so that the guards are told in the caller's context, not
   * in the private one of the wait. */
  if (!manager_prepare (FC_CLUSTER_LOCK_MANAGER (initable), owner_context, error))
    return FALSE;
  fc_cluster_sync_begin (&sync);
  fc_cluster_lock_manager_init_async (G_ASYNC_INITABLE (initable), G_PRIORITY_DEFAULT, cancellable,
                                      fc_cluster_sync_callback, &sync);
  result = fc_cluster_sync_end (&sync);
  return fc_cluster_lock_manager_init_finish (G_ASYNC_INITABLE (initable), result, error);
}

static void
fc_cluster_lock_manager_initable_iface_init (GInitableIface *iface)
{
  iface->init = fc_cluster_lock_manager_initable_init;
}

static void
fc_cluster_lock_manager_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = fc_cluster_lock_manager_init_async;
  iface->init_finish = fc_cluster_lock_manager_init_finish;
}

/**
 * fc_cluster_lock_manager_new_sync:
 * @endpoints: (array zero-terminated=1): etcd client URLs, `http://host:port`
 * @prefix: (nullable): where the locks live in etcd's key space, %NULL for
 *   `/foundation-concurrency/`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a manager and grants its session lease, blocking. Use
 * g_initable_new() for the other properties.
 *
 * Returns: (transfer full): the manager, or %NULL with
 *   %FC_ERROR_INVALID_ARGUMENT (bad endpoints or prefix) or
 *   %FC_ERROR_UNAVAILABLE (no endpoint answered)
 *
 * Since: 1.0
 */
FcClusterLockManager *
fc_cluster_lock_manager_new_sync (const char * const  *endpoints,
                                  const char          *prefix,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  return g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, cancellable, error,
                         "endpoints", endpoints, "prefix", prefix, NULL);
}

/**
 * fc_cluster_lock_manager_new_async:
 * @endpoints: (array zero-terminated=1): etcd client URLs, `http://host:port`
 * @prefix: (nullable): where the locks live, %NULL for the default
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the manager
 * @user_data: data for @callback
 *
 * Makes a manager and grants its session lease without blocking.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_manager_new_async (const char * const  *endpoints,
                                   const char          *prefix,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_async_initable_new_async (FC_TYPE_CLUSTER_LOCK_MANAGER, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data, "endpoints", endpoints, "prefix", prefix, NULL);
}

/**
 * fc_cluster_lock_manager_new_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_cluster_lock_manager_new_async().
 *
 * Returns: (transfer full): the manager, or %NULL with an error as
 *   fc_cluster_lock_manager_new_sync() gives
 *
 * Since: 1.0
 */
FcClusterLockManager *
fc_cluster_lock_manager_new_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_autoptr(GObject) source = NULL;
  GObject *object;

  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  source = g_async_result_get_source_object (result);
  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);

  return object != NULL ? FC_CLUSTER_LOCK_MANAGER (object) : NULL;
}

/* ---- Calls ------------------------------------------------------------------ */

/* A task of @self, or FALSE (and the task completed) if closed. */
static gboolean
manager_start (FcClusterLockManager *self,
               GTask                *task)
{
  GError *error = NULL;

  if (!fc_cluster_client_check_open (self->client, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char *name;
  int   order;
  char *description;
} RegisterArgs;

static void
register_args_free (gpointer data)
{
  RegisterArgs *args = data;

  g_free (args->name);
  g_free (args->description);
  g_free (args);
}

static void
registered_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GTask *task = data;
  GError *error = NULL;

  if (fc_cluster_registry_register_finish (result, &error))
    fc_cluster_task_return_boolean (task);
  else
    fc_cluster_task_return_error (task, error);
}

static void
register_work (FcClusterClient *client,
               GTask           *task)
{
  RegisterArgs *args = g_task_get_task_data (task);

  fc_cluster_registry_register_async (client->registry, args->name, args->order, args->description,
                                      fc_deadline_after (fc_cluster_session_get_ttl (client->session)),
                                      g_task_get_cancellable (task), registered_cb, task);
}

/**
 * fc_cluster_lock_manager_register_lock_async:
 * @self: a #FcClusterLockManager
 * @name: the lock's name (any UTF-8)
 * @order: its order: locks are taken in ascending order
 * @description: (nullable): what it protects
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the outcome
 * @user_data: data for @callback
 *
 * Registers a lock for the whole cluster. The first registration of a
 * name fixes its order; registering it again with the same order (as
 * every process does at start) succeeds.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_manager_register_lock_async (FcClusterLockManager *self,
                                             const char           *name,
                                             int                   order,
                                             const char           *description,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data)
{
  GTask *task;
  RegisterArgs *args;
  GError *error = NULL;

  g_return_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self));
  g_return_if_fail (self->client != NULL);  /* initialized (GInitable) */
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fc_cluster_lock_manager_register_lock_async);
  g_task_set_name (task, "fc_cluster_lock_manager_register_lock_async");
  if (!fc_cluster_registry_validate (name, description, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (!manager_start (self, task))
    return;
  args = g_new0 (RegisterArgs, 1);
  args->name = g_strdup (name);
  args->order = order;
  args->description = g_strdup (description);
  g_task_set_task_data (task, args, register_args_free);
  fc_cluster_client_run (self->client, task, register_work);
}

/**
 * fc_cluster_lock_manager_register_lock_finish:
 * @self: a #FcClusterLockManager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_cluster_lock_manager_register_lock_async().
 *
 * Returns: %TRUE if the name is registered with that order; %FALSE with
 *   %FC_ERROR_ALREADY_REGISTERED (another order), %FC_ERROR_ORDER_CONFLICT
 *   (the order is another name's), %FC_ERROR_INVALID_ARGUMENT,
 *   %FC_ERROR_UNAVAILABLE
 *
 * Since: 1.0
 */
gboolean
fc_cluster_lock_manager_register_lock_finish (FcClusterLockManager  *self,
                                              GAsyncResult          *result,
                                              GError               **error)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), FALSE);
  g_return_val_if_fail (self->client != NULL, FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * fc_cluster_lock_manager_register_lock_sync:
 * @self: a #FcClusterLockManager
 * @name: the lock's name
 * @order: its order
 * @description: (nullable): what it protects
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * fc_cluster_lock_manager_register_lock_async(), waiting for the outcome.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
fc_cluster_lock_manager_register_lock_sync (FcClusterLockManager  *self,
                                            const char            *name,
                                            int                    order,
                                            const char            *description,
                                            GCancellable          *cancellable,
                                            GError               **error)
{
  FcClusterSync sync;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), FALSE);
  g_return_val_if_fail (self->client != NULL, FALSE);

  fc_cluster_sync_begin (&sync);
  fc_cluster_lock_manager_register_lock_async (self, name, order, description, cancellable,
                                               fc_cluster_sync_callback, &sync);
  result = fc_cluster_sync_end (&sync);
  return fc_cluster_lock_manager_register_lock_finish (self, result, error);
}

/**
 * fc_cluster_lock_manager_acquire_async:
 * @self: a #FcClusterLockManager
 * @names: (array zero-terminated=1): lock names, in any order
 * @timeout: seconds for the whole call, 0 to try once, %FC_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the guard
 * @user_data: data for @callback
 *
 * Takes every lock of @names across the cluster, in ascending order, first
 * come first served for each. On failure nothing is left held: every key
 * the call wrote is deleted before it completes. One call takes at most 64
 * distinct names (etcd's default limit of 128 operations in a
 * transaction); more are %FC_ERROR_INVALID_ARGUMENT.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_manager_acquire_async (FcClusterLockManager *self,
                                       const char * const   *names,
                                       double                timeout,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data)
{
  GTask *task;

  g_return_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self));
  g_return_if_fail (self->client != NULL);  /* initialized (GInitable) */
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fc_cluster_lock_manager_acquire_async);
  g_task_set_name (task, "fc_cluster_lock_manager_acquire_async");
  fc_cluster_lock_guard_acquire_for (self->client, NULL, task, names, timeout);
}

/**
 * fc_cluster_lock_manager_acquire_finish:
 * @self: a #FcClusterLockManager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_cluster_lock_manager_acquire_async().
 *
 * Returns: (transfer full): the guard, or %NULL with
 *   %FC_ERROR_NOT_REGISTERED, %FC_ERROR_INVALID_ARGUMENT,
 *   %FC_ERROR_TIMEOUT (naming the lock, who holds it and for how long),
 *   %FC_ERROR_UNAVAILABLE or %G_IO_ERROR_CANCELLED
 *
 * Since: 1.0
 */
FcClusterLockGuard *
fc_cluster_lock_manager_acquire_finish (FcClusterLockManager  *self,
                                        GAsyncResult          *result,
                                        GError               **error)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * fc_cluster_lock_manager_acquire_sync:
 * @self: a #FcClusterLockManager
 * @names: (array zero-terminated=1): lock names, in any order
 * @timeout: seconds for the whole call, 0 to try once, %FC_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * fc_cluster_lock_manager_acquire_async(), blocking the calling thread.
 *
 * Returns: (transfer full): the guard, or %NULL with @error set
 *
 * Since: 1.0
 */
FcClusterLockGuard *
fc_cluster_lock_manager_acquire_sync (FcClusterLockManager  *self,
                                      const char * const    *names,
                                      double                 timeout,
                                      GCancellable          *cancellable,
                                      GError               **error)
{
  FcClusterSync sync;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (self->client != NULL, NULL);

  fc_cluster_sync_begin (&sync);
  fc_cluster_lock_manager_acquire_async (self, names, timeout, cancellable,
                                         fc_cluster_sync_callback, &sync);
  result = fc_cluster_sync_end (&sync);
  return fc_cluster_lock_manager_acquire_finish (self, result, error);
}

/* Status and diagnostics read one snapshot; @task's data says which. */
static void
snapshot_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GTask *task = data;
  FcClusterLockManager *self = g_task_get_source_object (task);
  GError *error = NULL;
  FcClusterSnapshot *snapshot = fc_cluster_registry_snapshot_finish (result, &error);

  if (snapshot == NULL)
    {
      fc_cluster_task_return_error (task, error);
      return;
    }
  if (g_task_get_source_tag (task) == fc_cluster_lock_manager_get_lock_status_async)
    {
      g_autoptr(GHashTable) stats = fc_cluster_client_dup_stats (self->client);

      fc_cluster_task_return_pointer (task, fc_cluster_snapshot_to_status (snapshot, stats),
                                      (GDestroyNotify) g_variant_unref);
    }
  else
    fc_cluster_task_return_pointer (task, fc_cluster_diagnose (snapshot, self->identity),
                                    (GDestroyNotify) g_strfreev);
  fc_cluster_snapshot_free (snapshot);
}

static void
snapshot_work (FcClusterClient *client,
               GTask           *task)
{
  fc_cluster_registry_snapshot_async (client->registry,
                                      fc_deadline_after (fc_cluster_session_get_ttl (client->session)),
                                      g_task_get_cancellable (task), snapshot_cb, task);
}

static void
snapshot_start (FcClusterLockManager *self,
                gpointer              tag,
                GCancellable         *cancellable,
                GAsyncReadyCallback   callback,
                gpointer              user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_name (task, tag == fc_cluster_lock_manager_get_lock_status_async
                         ? "fc_cluster_lock_manager_get_lock_status_async"
                         : "fc_cluster_lock_manager_detect_potential_deadlocks_async");
  if (manager_start (self, task))
    fc_cluster_client_run (self->client, task, snapshot_work);
}

/**
 * fc_cluster_lock_manager_get_lock_status_async:
 * @self: a #FcClusterLockManager
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the status
 * @user_data: data for @callback
 *
 * Reads the state of every lock registered in the cluster.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_manager_get_lock_status_async (FcClusterLockManager *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data)
{
  g_return_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self));
  g_return_if_fail (self->client != NULL);  /* initialized (GInitable) */
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  snapshot_start (self, fc_cluster_lock_manager_get_lock_status_async, cancellable, callback, user_data);
}

/**
 * fc_cluster_lock_manager_get_lock_status_finish:
 * @self: a #FcClusterLockManager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_cluster_lock_manager_get_lock_status_async().
 *
 * Returns: (transfer full): `a{sa{sv}}`: for each lock its `order` (i),
 *   `description` (s), `is_locked` (b), `owner` (ms: the holder's
 *   identity), `acquired_at` (md: wall-clock seconds), `depth` (u),
 *   `waiters` (u) and `fencing_token` (t: the holder's), and as the local
 *   managers' statistics, counted by this process: `acquisitions`,
 *   `contentions` (t), `wait_time_total`, `wait_time_max`,
 *   `hold_time_max` (d, seconds); %NULL with
 *   %FC_ERROR_UNAVAILABLE
 *
 * Since: 1.0
 */
GVariant *
fc_cluster_lock_manager_get_lock_status_finish (FcClusterLockManager  *self,
                                                GAsyncResult          *result,
                                                GError               **error)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * fc_cluster_lock_manager_get_lock_status_sync:
 * @self: a #FcClusterLockManager
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * fc_cluster_lock_manager_get_lock_status_async(), waiting for the outcome.
 *
 * Returns: (transfer full): the status, or %NULL with @error set
 *
 * Since: 1.0
 */
GVariant *
fc_cluster_lock_manager_get_lock_status_sync (FcClusterLockManager  *self,
                                              GCancellable          *cancellable,
                                              GError               **error)
{
  FcClusterSync sync;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (self->client != NULL, NULL);

  fc_cluster_sync_begin (&sync);
  fc_cluster_lock_manager_get_lock_status_async (self, cancellable, fc_cluster_sync_callback, &sync);
  result = fc_cluster_sync_end (&sync);
  return fc_cluster_lock_manager_get_lock_status_finish (self, result, error);
}

/**
 * fc_cluster_lock_manager_detect_potential_deadlocks_async:
 * @self: a #FcClusterLockManager
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the findings
 * @user_data: data for @callback
 *
 * Looks at the whole cluster: locks held too long, lock-order cycles made
 * by any of its processes (each publishes the order edges it learns), and
 * live deadlocks between processes.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_manager_detect_potential_deadlocks_async (FcClusterLockManager *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data)
{
  g_return_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self));
  g_return_if_fail (self->client != NULL);  /* initialized (GInitable) */
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  snapshot_start (self, fc_cluster_lock_manager_detect_potential_deadlocks_async, cancellable,
                  callback, user_data);
}

/**
 * fc_cluster_lock_manager_detect_potential_deadlocks_finish:
 * @self: a #FcClusterLockManager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_cluster_lock_manager_detect_potential_deadlocks_async().
 *
 * Returns: (transfer full) (array zero-terminated=1): one message per
 *   finding (empty if none), or %NULL with %FC_ERROR_UNAVAILABLE
 *
 * Since: 1.0
 */
char **
fc_cluster_lock_manager_detect_potential_deadlocks_finish (FcClusterLockManager  *self,
                                                           GAsyncResult          *result,
                                                           GError               **error)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * fc_cluster_lock_manager_detect_potential_deadlocks_sync:
 * @self: a #FcClusterLockManager
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * fc_cluster_lock_manager_detect_potential_deadlocks_async(), waiting for
 * the outcome.
 *
 * Returns: (transfer full) (array zero-terminated=1): the findings, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
char **
fc_cluster_lock_manager_detect_potential_deadlocks_sync (FcClusterLockManager  *self,
                                                         GCancellable          *cancellable,
                                                         GError               **error)
{
  FcClusterSync sync;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (self->client != NULL, NULL);

  fc_cluster_sync_begin (&sync);
  fc_cluster_lock_manager_detect_potential_deadlocks_async (self, cancellable,
                                                            fc_cluster_sync_callback, &sync);
  result = fc_cluster_sync_end (&sync);
  return fc_cluster_lock_manager_detect_potential_deadlocks_finish (self, result, error);
}

static void
revoked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask *task = data;
  GError *error = NULL;

  if (fc_cluster_session_revoke_finish (NULL, result, &error))
    fc_cluster_task_return_boolean (task);
  else
    fc_cluster_task_return_error (task, error);
}

static void
close_work (FcClusterClient *client,
            GTask           *task)
{
  fc_cluster_session_revoke_async (client->session,
                                   fc_deadline_after (fc_cluster_session_get_ttl (client->session)),
                                   revoked_cb, task);
}

/**
 * fc_cluster_lock_manager_close_async:
 * @self: a #FcClusterLockManager
 * @cancellable: (nullable): not used: closing is never given up
 * @callback: (scope async): called once the lease is revoked
 * @user_data: data for @callback
 *
 * Revokes the session lease: everything the process holds is released at
 * once, every guard is released, and later calls fail with
 * %FC_ERROR_UNAVAILABLE. Closing a closed manager succeeds.
 *
 * Since: 1.0
 */
void
fc_cluster_lock_manager_close_async (FcClusterLockManager *self,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  GTask *task;
  g_autoptr(GPtrArray) guards = NULL;

  g_return_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self));
  g_return_if_fail (self->client != NULL);  /* initialized (GInitable) */
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, fc_cluster_lock_manager_close_async);
  g_task_set_name (task, "fc_cluster_lock_manager_close_async");
  if (self->closed)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  self->closed = TRUE;
  guards = fc_cluster_client_close (self->client);
  for (guint i = 0; i < guards->len; i++)
    fc_cluster_lock_guard_mark_closed (g_ptr_array_index (guards, i));
  fc_cluster_client_run (self->client, task, close_work);
}

/**
 * fc_cluster_lock_manager_close_finish:
 * @self: a #FcClusterLockManager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_cluster_lock_manager_close_async().
 *
 * Returns: %TRUE once the lease is revoked; %FALSE with
 *   %FC_ERROR_UNAVAILABLE if the cluster did not answer (the locks then go
 *   when the lease expires)
 *
 * Since: 1.0
 */
gboolean
fc_cluster_lock_manager_close_finish (FcClusterLockManager  *self,
                                      GAsyncResult          *result,
                                      GError               **error)
{
  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * fc_cluster_lock_manager_close_sync:
 * @self: a #FcClusterLockManager
 * @cancellable: (nullable): not used
 * @error: return location for a #GError
 *
 * fc_cluster_lock_manager_close_async(), waiting for the outcome.
 *
 * Returns: %TRUE once the lease is revoked
 *
 * Since: 1.0
 */
gboolean
fc_cluster_lock_manager_close_sync (FcClusterLockManager  *self,
                                    GCancellable          *cancellable,
                                    GError               **error)
{
  FcClusterSync sync;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (FC_IS_CLUSTER_LOCK_MANAGER (self), FALSE);
  g_return_val_if_fail (self->client != NULL, FALSE);

  fc_cluster_sync_begin (&sync);
  fc_cluster_lock_manager_close_async (self, cancellable, fc_cluster_sync_callback, &sync);
  result = fc_cluster_sync_end (&sync);
  return fc_cluster_lock_manager_close_finish (self, result, error);
}
