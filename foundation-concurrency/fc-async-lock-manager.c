/* fc-async-lock-manager.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-async-engine-private.h"
#include "fc-error.h"
#include "fc-manager-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"
#include "fc-report-private.h"

/**
 * SECTION:fc-async-lock-manager
 * @title: FcAsyncLockManager
 * @short_description: ordered acquisition of named locks on a main loop
 *
 * #FcAsyncLockManager is #FcLockManager for code that runs on a
 * #GMainContext: fc_async_lock_manager_acquire_async() takes any set of
 * registered #FcAsyncLock<!-- -->s in ascending order, under one timeout for
 * the whole set, and never blocks a thread while it waits. The callback runs
 * in the caller's thread-default main context.
 *
 * Each lock has a queue: waiters are served first come, first served, by
 * direct hand-off, so a lock being released goes to the oldest waiter and
 * never to a newcomer. A request for several locks takes them one at a
 * time and queues on the first one it cannot get. A timeout
 * (%FC_ERROR_TIMEOUT) or a cancellation (%G_IO_ERROR_CANCELLED) removes the
 * request from its queue and releases, in reverse order, what it took so
 * far; once every lock is granted, success wins over a late timeout or
 * cancellation.
 *
 * A lock handed to a waiter is the waiter's at once, before its callback
 * runs in the waiter's main context. If that context is not iterated any
 * more (a thread that stopped running its loop, a context popped and
 * dropped with requests pending), the lock is never released and every
 * request queued behind it waits until its own timeout, or for ever:
 * first come, first served means nobody can overtake it. Keep a context
 * iterated while requests made from it are pending.
 * fc_async_lock_manager_detect_potential_deadlocks() reports such a lock
 * once its grant has waited longer than
 * #FcAsyncLockManager:hold-warning-threshold to be dispatched.
 *
 * <!-- snippet: fragment -->
 * |[<!-- language="C" -->
 * static void
 * on_locked (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autoptr(FcAsyncLockGuard) guard =
 *     fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source),
 *                                           result, &error);
 *
 *   if (guard == NULL)
 *     return;
 *   // ... both locks are held until the guard is released ...
 *   fc_async_lock_guard_release (guard);
 * }
 *
 * static void
 * take_both (FcAsyncLockManager *manager)
 * {
 *   const char *names[] = { "accounts", "ledger", NULL };
 *
 *   fc_async_lock_manager_acquire_async (manager, names, 5.0, NULL,
 *                                        on_locked, NULL);
 * }
 * ]|
 *
 * Locks are registered, looked up, described and diagnosed exactly as with
 * #FcLockManager; these calls are synchronous, since none of them waits.
 *
 * Since: 1.0
 */

/**
 * FcAsyncLockManager:
 *
 * Ordered acquisition of named locks on a #GMainContext. Its fields are
 * private.
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (FcAsyncLockManager, fc_async_lock_manager, G_TYPE_OBJECT)

/* The properties and the signal are the registry's (shared with
 * FcLockManager); documented here. */
static GParamSpec *properties[FC_REGISTRY_N_PROPS];
static guint potential_deadlock_signal;


static void
fc_async_lock_manager_finalize (GObject *object)
{
  FcAsyncLockManager *self = (FcAsyncLockManager *) object;

  GHashTableIter iter;
  gpointer source;
  GSList *sources = NULL;

  /* No request is pending (each refs us), so no context has a deadline
   * source left: each is pruned when its last deadline goes. Should one
   * remain, it is destroyed outside the state mutex. */
  fc_mutex_lock (&self->state->mutex);
  g_hash_table_iter_init (&iter, self->state->deadline_sources);
  while (g_hash_table_iter_next (&iter, NULL, &source))
    {
      ((FcDeadlineSource *) source)->pruned = TRUE;
      sources = g_slist_prepend (sources, source);
      g_hash_table_iter_steal (&iter);
    }
  fc_mutex_unlock (&self->state->mutex);
  for (GSList *l = sources; l != NULL; l = l->next)
    g_source_destroy (l->data);
  g_slist_free_full (sources, (GDestroyNotify) g_source_unref);
  fc_registry_free (self->registry);
  g_clear_pointer (&self->state, fc_async_state_unref);

  G_OBJECT_CLASS (fc_async_lock_manager_parent_class)->finalize (object);
}

static void
fc_async_lock_manager_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  fc_registry_get_property (FC_ASYNC_LOCK_MANAGER (object)->registry, prop_id, value, pspec);
}

static void
fc_async_lock_manager_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  FcAsyncLockManager *self = FC_ASYNC_LOCK_MANAGER (object);

  fc_registry_set_property (self->registry, object, pspec, value);
}

static void
fc_async_lock_manager_class_init (FcAsyncLockManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fc_async_lock_manager_finalize;
  object_class->get_property = fc_async_lock_manager_get_property;
  object_class->set_property = fc_async_lock_manager_set_property;

  /**
   * FcAsyncLockManager:hold-warning-threshold:
   *
   * How long, in seconds, a lock may be held before
   * fc_async_lock_manager_detect_potential_deadlocks() warns about it.
   *
   * Since: 1.0
   */
  /**
   * FcAsyncLockManager:watchdog-interval:
   *
   * How often, in seconds, a background thread looks for deadlocks and
   * long-held locks and reports new findings (through
   * #FcAsyncLockManager::potential-deadlock and the log); 0 turns it off.
   * The default managers start with 5 seconds when `FC_DEBUG` contains
   * `watchdog`.
   *
   * The interval must be finite: an infinite or NaN value is refused and
   * nothing changes (g_object_set() warns, as for any value outside a
   * property's range; the setter emits a critical). An interval too long to
   * wait for is clamped: the watchdog then never runs.
   *
   * Since: 1.0
   */
  /**
   * FcAsyncLockManager::potential-deadlock:
   * @self: the manager
   * @message: the finding, as
   *   fc_async_lock_manager_detect_potential_deadlocks() words it
   * @report: the finding as a dictionary (`a{sv}`), as in
   *   fc_async_lock_manager_get_deadlock_report()
   *
   * Emitted once for each new finding that involves a lock of this manager
   * (a lock-order cycle as soon as it is learned; what a request that has
   * waited 100 ms finds: a live deadlock, or a lock handed to a request
   * whose main context nobody iterates, of kind `undelivered-grant`; and
   * what the watchdog finds), in the thread-default main context of the
   * thread that created the manager. See the manual's "Async locks: which
   * deadlocks the wait-for graph can see".
   *
   * Since: 1.0
   */
  /**
   * FcAsyncLockManager:name:
   *
   * The manager's name in diagnostics: reports of lock-order cycles name
   * it whenever a lock name alone could belong to another manager (more
   * than one manager is alive, or a cycle spans several), and structured
   * reports give it for each lock (`managers`). It may be set at
   * construction or at any time; %NULL restores the default, `manager-N`
   * (N unique in the process). The default manager is named `async-default`.
   * A name must be non-empty, valid UTF-8.
   *
   * Since: 1.0
   */
  /**
   * FcAsyncLockManager:log-reports:
   *
   * Whether this manager's reports (lock-order cycles, deadlocks, long
   * holds) are logged, at %G_LOG_LEVEL_WARNING in the
   * `FoundationConcurrency` domain. %FALSE silences them in the log only:
   * #FcAsyncLockManager::potential-deadlock is still emitted and
   * fc_async_lock_manager_detect_potential_deadlocks() still finds them, so a
   * test that expects a report turns the log off and listens to the signal.
   * A report involving several managers is logged unless all of them have
   * turned their log off. `FC_DEBUG=fatal` aborts only after a report is
   * logged, never for a silenced one.
   *
   * Since: 1.0
   */
  fc_registry_install_class (object_class, properties, &potential_deadlock_signal);
}

static void
fc_async_lock_manager_init (FcAsyncLockManager *self)
{
  self->state = fc_async_state_new ();
  self->registry = fc_registry_new (&fc_async_lock_kind);
  fc_registry_attach_owner (self->registry, G_OBJECT (self), potential_deadlock_signal);
}


/**
 * fc_async_lock_manager_new:
 *
 * Creates a manager with no locks registered.
 *
 * Returns: (transfer full): a new #FcAsyncLockManager
 *
 * Since: 1.0
 */
FcAsyncLockManager *
fc_async_lock_manager_new (void)
{
  return g_object_new (FC_TYPE_ASYNC_LOCK_MANAGER, NULL);
}

/**
 * fc_async_lock_manager_get_default:
 *
 * Gets the process-wide async manager, created on first use
 * (thread-safely) with the foundation locks registered (see
 * fc_async_lock_manager_register_foundation_locks()).
 *
 * Returns: (transfer none): the default #FcAsyncLockManager
 *
 * Since: 1.0
 */
FcAsyncLockManager *
fc_async_lock_manager_get_default (void)
{
  static gsize default_manager;

  if (g_once_init_enter (&default_manager))
    {
      FcAsyncLockManager *manager = g_object_new (FC_TYPE_ASYNC_LOCK_MANAGER, "name", "async-default", NULL);
      g_autoptr(GError) error = NULL;

      if (!fc_async_lock_manager_register_foundation_locks (manager, &error))
        g_error ("Could not register the foundation locks: %s", error->message);
      if (fc_debug_flags () & FC_DEBUG_WATCHDOG)
        fc_async_lock_manager_set_watchdog_interval (manager, 5.0);
      g_once_init_leave (&default_manager, (gsize) manager);
    }

  return (FcAsyncLockManager *) default_manager;
}

/**
 * fc_async_lock_manager_register_foundation_locks:
 * @self: a #FcAsyncLockManager
 * @error: return location for a #GError
 *
 * Registers the foundation's standard async locks, with the orders of
 * their #FcLockManager counterparts and descriptions prefixed "Async ":
 * `foundation.async.hub.init` (0), `foundation.async.init.coordinator` (10),
 * `foundation.async.stream` (20), `foundation.async.logger.lazy` (100),
 * `foundation.async.logger.setup` (110), `foundation.async.config` (200),
 * `foundation.async.registry` (210) and `foundation.async.hub.components`
 * (220). Orders 300 and up are free for applications.
 *
 * Returns: %TRUE on success; %FALSE if one of them (or its order) is
 *   already registered, and then none of them is registered
 *
 * Since: 1.0
 */
gboolean
fc_async_lock_manager_register_foundation_locks (FcAsyncLockManager  *self,
                                                 GError             **error)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return fc_registry_register_foundation (self->registry, TRUE, error);
}

/**
 * fc_async_lock_manager_register_lock:
 * @self: a #FcAsyncLockManager
 * @name: a unique, non-empty name for the lock
 * @order: a unique order: locks are acquired in ascending order
 * @description: (nullable): what the lock protects
 * @lock: (nullable): an unregistered lock to register, or %NULL to create one
 * @error: return location for a #GError
 *
 * Registers a lock under @name with @order.
 *
 * @name must be valid UTF-8 of 1 to 1024 bytes, and @description, if
 * given, valid UTF-8: they are shown in status, reports and messages.
 *
 * Returns: (transfer none): the registered lock, or %NULL with
 *   %FC_ERROR_ALREADY_REGISTERED, %FC_ERROR_ORDER_CONFLICT or
 *   %FC_ERROR_INVALID_ARGUMENT (empty, too long or invalid UTF-8 name or
 *   description, or @lock registered already)
 *
 * Since: 1.0
 */
FcAsyncLock *
fc_async_lock_manager_register_lock (FcAsyncLockManager  *self,
                                     const char          *name,
                                     int                  order,
                                     const char          *description,
                                     FcAsyncLock         *lock,
                                     GError             **error)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (lock == NULL || FC_IS_ASYNC_LOCK (lock), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fc_registry_register (self->registry, name, order, description, lock, error);
}

/**
 * fc_async_lock_manager_get_lock:
 * @self: a #FcAsyncLockManager
 * @name: the lock's name
 * @error: return location for a #GError
 *
 * Looks a registered lock up by name.
 *
 * Returns: (transfer none): the lock, or %NULL with %FC_ERROR_NOT_REGISTERED
 *
 * Since: 1.0
 */
FcAsyncLock *
fc_async_lock_manager_get_lock (FcAsyncLockManager  *self,
                                const char          *name,
                                GError             **error)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fc_registry_lookup (self->registry, name, error);
}

/**
 * fc_async_lock_manager_acquire_async:
 * @self: a #FcAsyncLockManager
 * @names: (array zero-terminated=1) (nullable): the names of the locks to
 *   take, in any order; duplicates are allowed
 * @timeout: seconds to wait at most for the whole set, 0 to try once, or
 *   %FC_TIMEOUT_INFINITE
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called in the thread-default main context of
 *   the caller when the locks are taken or the acquisition failed
 * @user_data: (closure): data for @callback
 *
 * Takes every named lock for a new guard, in ascending order, without
 * blocking: the request queues on the first lock it cannot get and is
 * handed it, first come, first served, when it is released. @timeout covers
 * the whole set; with 0 the call succeeds only when every lock is free now.
 *
 * A lock handed over is held from then on, and @callback runs in the
 * caller's thread-default main context: keep that context iterated while
 * the request is pending. If it is not, the lock is never released and the
 * requests queued behind it wait until their own timeout, if any (the
 * manager's diagnostics report it: see
 * fc_async_lock_manager_detect_potential_deadlocks()).
 *
 * The arguments are checked before anything is taken: an invalid @timeout
 * gives %FC_ERROR_INVALID_ARGUMENT, an unknown name
 * %FC_ERROR_NOT_REGISTERED. On %FC_ERROR_TIMEOUT (naming the lock it was
 * waiting for) or %G_IO_ERROR_CANCELLED the request leaves its queue and
 * what it took is released, in reverse order. Once every lock is granted,
 * the acquisition succeeds even if @cancellable is cancelled or the
 * deadline passes before @callback runs. If the result is never finished,
 * the guard in it is released when the task is finalized.
 *
 * Use fc_async_lock_guard_acquire_async() to take more locks while holding
 * a guard. The #GTask's source object is @self. Call
 * fc_async_lock_manager_acquire_finish() from @callback.
 *
 * Since: 1.0
 */
void
fc_async_lock_manager_acquire_async (FcAsyncLockManager  *self,
                                     const char * const  *names,
                                     double               timeout,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  fc_async_lock_manager_acquire_internal (self, NULL, fc_async_lock_manager_acquire_async,
                                          names, timeout, cancellable,
                                          callback, user_data);
}

/**
 * fc_async_lock_manager_acquire_finish:
 * @self: a #FcAsyncLockManager
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes fc_async_lock_manager_acquire_async().
 *
 * Returns: (transfer full): a guard for the locks taken (possibly none), or
 *   %NULL with %FC_ERROR_INVALID_ARGUMENT, %FC_ERROR_NOT_REGISTERED,
 *   %FC_ERROR_TIMEOUT or %G_IO_ERROR_CANCELLED
 *
 * Since: 1.0
 */
FcAsyncLockGuard *
fc_async_lock_manager_acquire_finish (FcAsyncLockManager  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fc_async_lock_manager_finish_internal (self, fc_async_lock_manager_acquire_async,
                                                result, error);
}

/**
 * fc_async_lock_manager_get_lock_status:
 * @self: a #FcAsyncLockManager
 *
 * Describes every registered lock, as a dictionary of type `a{sa{sv}}` keyed
 * by lock name. Each entry has `order` (i), `description` (s), `is_locked`
 * (b), `owner` (ms: the label of the holding guard, nothing while free),
 * `acquired_at` (md: wall-clock seconds since the epoch, nothing while free),
 * `depth` (u: 1 while held, else 0) and `waiters` (u: queued acquisitions).
 *
 * Returns: (transfer full): the status, a #GVariant of type `a{sa{sv}}`
 *
 * Since: 1.0
 */
GVariant *
fc_async_lock_manager_get_lock_status (FcAsyncLockManager *self)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);

  return fc_registry_get_status (self->registry);
}

/**
 * fc_async_lock_manager_detect_potential_deadlocks:
 * @self: a #FcAsyncLockManager
 *
 * Looks for signs of trouble among this manager's locks, one line each, as
 * fc_lock_manager_detect_potential_deadlocks() does: locks held longer than
 * #FcAsyncLockManager:hold-warning-threshold; cycles in the lock-order
 * graph learned from every acquisition that could wait (timeout other than
 * 0), per guard chain; live deadlocks in the wait-for graph of guards,
 * where a waiting acquisition waits for the guard holding its lock, and a
 * guard waits for its pending nested acquisitions (not for its siblings':
 * a guard that waits for nothing will release), around a cycle — which
 * the order rule keeps from forming within one manager; and locks handed
 * to a waiter whose callback has waited longer than the threshold to be
 * dispatched, because its main context is not being iterated (see
 * fc_async_lock_manager_acquire_async()).
 *
 * Returns: (transfer full) (array zero-terminated=1): the warnings, possibly
 *   none
 *
 * Since: 1.0
 */
/* Everything the registry finds, and the grants stuck in contexts nobody
 * iterates. */
static GPtrArray *
find_all (FcAsyncLockManager *self)
{
  GPtrArray *reports = fc_registry_find_all (self->registry);

  fc_async_state_find_undelivered (self->state,
                                   fc_registry_get_hold_warning_threshold (self->registry),
                                   FALSE, reports);
  return reports;
}

char **
fc_async_lock_manager_detect_potential_deadlocks (FcAsyncLockManager *self)
{
  g_autoptr(GPtrArray) reports = NULL;

  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);

  reports = find_all (self);
  return fc_reports_to_strv (reports);
}

/**
 * fc_async_lock_manager_get_deadlock_report:
 * @self: a #FcAsyncLockManager
 *
 * The findings of fc_async_lock_manager_detect_potential_deadlocks() as
 * data, in the form fc_lock_manager_get_deadlock_report() gives (`aa{sv}`);
 * owners are guard labels.
 *
 * Returns: (transfer full): the report, a #GVariant of type `aa{sv}`
 *
 * Since: 1.0
 */
GVariant *
fc_async_lock_manager_get_deadlock_report (FcAsyncLockManager *self)
{
  g_autoptr(GPtrArray) reports = NULL;

  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);

  reports = find_all (self);
  return fc_reports_to_variant (reports);
}

/**
 * fc_async_lock_manager_dump_order_graph:
 * @self: a #FcAsyncLockManager
 *
 * The learned lock-order graph among this manager's locks, in Graphviz DOT,
 * as fc_lock_manager_dump_order_graph() gives it; edges are labelled with
 * the guard label that first took them.
 *
 * Returns: (transfer full): the graph, for `dot -Tsvg`
 *
 * Since: 1.0
 */
char *
fc_async_lock_manager_dump_order_graph (FcAsyncLockManager *self)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);

  return fc_registry_dump_order_graph (self->registry);
}

/**
 * fc_async_lock_manager_get_hold_warning_threshold:
 * @self: a #FcAsyncLockManager
 *
 * Gets #FcAsyncLockManager:hold-warning-threshold.
 *
 * Returns: the threshold in seconds
 *
 * Since: 1.0
 */
double
fc_async_lock_manager_get_hold_warning_threshold (FcAsyncLockManager *self)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), 0.0);

  return fc_registry_get_hold_warning_threshold (self->registry);
}

/**
 * fc_async_lock_manager_set_hold_warning_threshold:
 * @self: a #FcAsyncLockManager
 * @threshold: seconds, non-negative
 *
 * Sets #FcAsyncLockManager:hold-warning-threshold.
 *
 * Since: 1.0
 */
void
fc_async_lock_manager_set_hold_warning_threshold (FcAsyncLockManager *self,
                                                  double              threshold)
{
  g_return_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self));
  g_return_if_fail (threshold >= 0.0);

  fc_registry_set_double (self->registry, G_OBJECT (self),
                          properties[FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD], threshold);
}

/**
 * fc_async_lock_manager_get_watchdog_interval:
 * @self: a #FcAsyncLockManager
 *
 * Gets #FcAsyncLockManager:watchdog-interval.
 *
 * Returns: the interval in seconds, 0 when the watchdog is off
 *
 * Since: 1.0
 */
double
fc_async_lock_manager_get_watchdog_interval (FcAsyncLockManager *self)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), 0.0);

  return fc_registry_get_watchdog_interval (self->registry);
}

/**
 * fc_async_lock_manager_set_watchdog_interval:
 * @self: a #FcAsyncLockManager
 * @interval: seconds between checks (finite, non-negative), 0 to stop the
 *   watchdog
 *
 * Sets #FcAsyncLockManager:watchdog-interval.
 *
 * Since: 1.0
 */
void
fc_async_lock_manager_set_watchdog_interval (FcAsyncLockManager *self,
                                             double              interval)
{
  g_return_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self));
  g_return_if_fail (interval >= 0.0);

  fc_registry_set_double (self->registry, G_OBJECT (self),
                          properties[FC_REGISTRY_PROP_WATCHDOG_INTERVAL], interval);
}

