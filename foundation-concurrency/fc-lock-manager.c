/* fc-lock-manager.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-error.h"
#include "fc-lock-guard-private.h"
#include "fc-lock-manager.h"
#include "fc-lock-private.h"
#include "fc-manager-private.h"
#include "fc-private.h"

/**
 * SECTION:fc-lock-manager
 * @title: FcLockManager
 * @short_description: ordered acquisition of named locks across threads
 *
 * #FcLockManager prevents lock-order deadlocks between threads. Every lock
 * is registered under a unique name with a unique numeric order, and
 * fc_lock_manager_acquire() takes any set of them in ascending order, under
 * one timeout for the whole set. A thread that holds locks of a manager may
 * only take further locks of a higher order; trying otherwise fails with
 * %FC_ERROR_ORDER_VIOLATION before anything is taken, instead of risking a
 * deadlock. Names the thread already holds are skipped, so a function that
 * acquires a lock can be called by one that holds it already.
 *
 * <!-- snippet: fragment -->
 * |[<!-- language="C" -->
 * g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
 * const char *names[] = { "accounts", "ledger", NULL };
 * g_autoptr(GError) error = NULL;
 * g_autoptr(FcLockGuard) guard = NULL;
 *
 * fc_lock_manager_register_lock (manager, "ledger", 310, "The ledger", NULL, NULL);
 * fc_lock_manager_register_lock (manager, "accounts", 300, "Accounts", NULL, NULL);
 *
 * guard = fc_lock_manager_acquire (manager, names, 5.0, TRUE, &error);
 * if (guard == NULL)
 *   g_warning ("%s", error->message);
 * ]|
 *
 * fc_lock_manager_get_lock_status() and
 * fc_lock_manager_detect_potential_deadlocks() tell who holds what, for
 * how long.
 *
 * Since: 1.0
 */

/**
 * FcLockManager:
 *
 * A set of named, ordered locks for threads, taken in ascending order.
 * Its fields are private.
 *
 * Since: 1.0
 */
struct _FcLockManager
{
  GObject      parent_instance;

  FcRegistry  *registry;
};

G_DEFINE_FINAL_TYPE (FcLockManager, fc_lock_manager, G_TYPE_OBJECT)

/* The properties and the signal are the registry's (shared with
 * FcAsyncLockManager); documented here. */
static GParamSpec *properties[FC_REGISTRY_N_PROPS];
static guint potential_deadlock_signal;

static void
fc_lock_manager_finalize (GObject *object)
{
  FcLockManager *self = (FcLockManager *) object;

  fc_registry_free (self->registry);

  G_OBJECT_CLASS (fc_lock_manager_parent_class)->finalize (object);
}

static void
fc_lock_manager_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  fc_registry_get_property (FC_LOCK_MANAGER (object)->registry, prop_id, value, pspec);
}

static void
fc_lock_manager_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FcLockManager *self = FC_LOCK_MANAGER (object);

  fc_registry_set_property (self->registry, object, pspec, value);
}

static void
fc_lock_manager_class_init (FcLockManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fc_lock_manager_finalize;
  object_class->get_property = fc_lock_manager_get_property;
  object_class->set_property = fc_lock_manager_set_property;

  /**
   * FcLockManager:hold-warning-threshold:
   *
   * How long, in seconds, a lock may be held before
   * fc_lock_manager_detect_potential_deadlocks() warns about it.
   *
   * Since: 1.0
   */
  /**
   * FcLockManager:watchdog-interval:
   *
   * How often, in seconds, a background thread looks for deadlocks and
   * long-held locks and reports new findings (through
   * #FcLockManager::potential-deadlock and the log); 0 turns it off. The
   * default managers start with 5 seconds when `FC_DEBUG` contains
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
   * FcLockManager::potential-deadlock:
   * @self: the manager
   * @message: the finding, as fc_lock_manager_detect_potential_deadlocks()
   *   words it
   * @report: the finding as a dictionary (`a{sv}`), as in
   *   fc_lock_manager_get_deadlock_report()
   *
   * Emitted once for each new finding that involves a lock of this manager:
   * a lock-order cycle as soon as it is learned, a live deadlock once a
   * waiter has waited a moment, and what the watchdog finds. It is emitted
   * in the thread-default main context of the thread that created the
   * manager (never from a thread that holds or waits for a lock), so that
   * context must be running for handlers to be called.
   *
   * Since: 1.0
   */
  /**
   * FcLockManager:name:
   *
   * The manager's name in diagnostics: reports of lock-order cycles name
   * it whenever a lock name alone could belong to another manager (more
   * than one manager is alive, or a cycle spans several), and structured
   * reports give it for each lock (`managers`). It may be set at
   * construction or at any time; %NULL restores the default, `manager-N`
   * (N unique in the process). The default manager is named `default`.
   * A name must be non-empty, valid UTF-8.
   *
   * Since: 1.0
   */
  /**
   * FcLockManager:log-reports:
   *
   * Whether this manager's reports (lock-order cycles, deadlocks, long
   * holds) are logged, at %G_LOG_LEVEL_WARNING in the
   * `FoundationConcurrency` domain. %FALSE silences them in the log only:
   * #FcLockManager::potential-deadlock is still emitted and
   * fc_lock_manager_detect_potential_deadlocks() still finds them, so a
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
fc_lock_manager_init (FcLockManager *self)
{
  self->registry = fc_registry_new (&fc_lock_kind);
  fc_registry_attach_owner (self->registry, G_OBJECT (self), potential_deadlock_signal);
}

/**
 * fc_lock_manager_new:
 *
 * Creates a manager with no locks registered.
 *
 * Returns: (transfer full): a new #FcLockManager
 *
 * Since: 1.0
 */
FcLockManager *
fc_lock_manager_new (void)
{
  return g_object_new (FC_TYPE_LOCK_MANAGER, NULL);
}

/**
 * fc_lock_manager_get_default:
 *
 * Gets the process-wide manager, created on first use (thread-safely) with
 * the foundation locks registered (see
 * fc_lock_manager_register_foundation_locks()).
 *
 * Returns: (transfer none): the default #FcLockManager
 *
 * Since: 1.0
 */
FcLockManager *
fc_lock_manager_get_default (void)
{
  static gsize default_manager;

  if (g_once_init_enter (&default_manager))
    {
      FcLockManager *manager = g_object_new (FC_TYPE_LOCK_MANAGER, "name", "default", NULL);
      g_autoptr(GError) error = NULL;

      if (!fc_lock_manager_register_foundation_locks (manager, &error))
        g_error ("Could not register the foundation locks: %s", error->message);
      if (fc_debug_flags () & FC_DEBUG_WATCHDOG)
        fc_lock_manager_set_watchdog_interval (manager, 5.0);
      g_once_init_leave (&default_manager, (gsize) manager);
    }

  return (FcLockManager *) default_manager;
}

/**
 * fc_lock_manager_register_foundation_locks:
 * @self: a #FcLockManager
 * @error: return location for a #GError
 *
 * Registers the foundation's standard locks: `foundation.hub.init` (0),
 * `foundation.init.coordinator` (10), `foundation.stream` (20),
 * `foundation.logger.lazy` (100), `foundation.logger.setup` (110),
 * `foundation.config` (200), `foundation.registry` (210) and
 * `foundation.hub.components` (220). Orders 0–99 are for orchestration,
 * 100–199 for early subsystems, 200–299 for core infrastructure; 300 and up
 * are free for applications.
 *
 * Returns: %TRUE on success; %FALSE if one of them (or its order) is
 *   already registered
 *
 * Since: 1.0
 */
gboolean
fc_lock_manager_register_foundation_locks (FcLockManager  *self,
                                           GError        **error)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return fc_registry_register_foundation (self->registry, FALSE, error);
}

/**
 * fc_lock_manager_register_lock:
 * @self: a #FcLockManager
 * @name: a unique, non-empty name for the lock
 * @order: a unique order: locks are acquired in ascending order
 * @description: (nullable): what the lock protects
 * @lock: (nullable): an unregistered lock to register, or %NULL to create one
 * @error: return location for a #GError
 *
 * Registers a lock under @name with @order.
 *
 * Returns: (transfer none): the registered lock, or %NULL with
 *   %FC_ERROR_ALREADY_REGISTERED, %FC_ERROR_ORDER_CONFLICT or
 *   %FC_ERROR_INVALID_ARGUMENT (empty name, or @lock registered already)
 *
 * Since: 1.0
 */
FcLock *
fc_lock_manager_register_lock (FcLockManager  *self,
                               const char     *name,
                               int             order,
                               const char     *description,
                               FcLock         *lock,
                               GError        **error)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (lock == NULL || FC_IS_LOCK (lock), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fc_registry_register (self->registry, name, order, description, lock, error);
}

/**
 * fc_lock_manager_get_lock:
 * @self: a #FcLockManager
 * @name: the lock's name
 * @error: return location for a #GError
 *
 * Looks a registered lock up by name.
 *
 * Returns: (transfer none): the lock, or %NULL with %FC_ERROR_NOT_REGISTERED
 *
 * Since: 1.0
 */
FcLock *
fc_lock_manager_get_lock (FcLockManager  *self,
                          const char     *name,
                          GError        **error)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fc_registry_lookup (self->registry, name, error);
}

/**
 * fc_lock_manager_acquire:
 * @self: a #FcLockManager
 * @names: (array zero-terminated=1) (nullable): the names of the locks to
 *   take, in any order; duplicates are allowed
 * @timeout: seconds to wait at most for the whole set, 0 to try once, or
 *   %FC_TIMEOUT_INFINITE
 * @blocking: %FALSE to fail at once, instead of waiting, if a lock is taken
 * @error: return location for a #GError
 *
 * Takes every named lock for the calling thread, in ascending order. Names
 * the thread already holds are skipped: the returned guard does not release
 * them. A name whose order is not above every order the thread holds in
 * this manager fails with %FC_ERROR_ORDER_VIOLATION before anything is
 * taken. If a lock cannot be taken (%FC_ERROR_TIMEOUT, or
 * %FC_ERROR_WOULD_BLOCK when @blocking is %FALSE), the locks taken so far
 * are released, in reverse order, before the error is returned.
 *
 * With @timeout 0 the call succeeds when every lock is free at once.
 *
 * The guard is recycled within the thread: once the thread is warm,
 * acquiring and releasing allocate nothing. Scope it with
 * `g_autoptr (FcLockGuard)`.
 *
 * Returns: (transfer full): a guard for the locks taken (possibly none), or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
FcLockGuard *
fc_lock_manager_acquire (FcLockManager       *self,
                         const char * const  *names,
                         double               timeout,
                         gboolean             blocking,
                         GError             **error)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return fc_lock_guard_acquire (self->registry, names, timeout, blocking, error);
}

/**
 * fc_lock_manager_get_lock_status:
 * @self: a #FcLockManager
 *
 * Describes every registered lock, as a dictionary of type `a{sa{sv}}` keyed
 * by lock name. Each entry has `order` (i), `description` (s), `is_locked`
 * (b), `owner` (ms: the owning thread's name, nothing while free),
 * `acquired_at` (md: wall-clock seconds since the epoch, nothing while free),
 * `depth` (u: recursion depth) and `waiters` (u: threads waiting), and the
 * lock's statistics since it was registered: `acquisitions` (t),
 * `contentions` (t: acquisitions that had to wait), `wait_time_total`,
 * `wait_time_max` and `hold_time_max` (d: seconds).
 *
 * Returns: (transfer full): the status, a #GVariant of type `a{sa{sv}}`
 *
 * Since: 1.0
 */
GVariant *
fc_lock_manager_get_lock_status (FcLockManager *self)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), NULL);

  return fc_registry_get_status (self->registry);
}

/**
 * fc_lock_manager_detect_potential_deadlocks:
 * @self: a #FcLockManager
 *
 * Looks for signs of trouble among this manager's locks, one line each:
 *
 * - every lock held longer than #FcLockManager:hold-warning-threshold:
 *   `Lock 'a' held by 'worker' for 31.0s - potential deadlock or resource leak`;
 * - every cycle in the learned lock-order graph, an order in which threads
 *   could deadlock even if they never did:
 *   `Potential deadlock: lock order cycle a -> b -> a (…)`;
 * - every deadlock happening now, found in the wait-for graph:
 *   `Deadlock: 'worker-1' holds 'a' and waits for 'b'; 'worker-2' holds 'b' and waits for 'a'`.
 *
 * The order graph is learned from every blocking acquisition, through
 * fc_lock_manager_acquire() and fc_lock_lock(): an edge from each lock the
 * thread holds to the lock it takes, learned before the lock is taken, so
 * that a new cycle is logged (and #FcLockManager::potential-deadlock
 * queued) while the thread holds only what it held before the call: a log
 * writer may take locks of its own. Each edge keeps the distinct ways it
 * was made (by whom, holding which other locks); a cycle is reported only
 * if one way per edge can be chosen so that no two of them held a common
 * outer lock (such a lock serialises them), and names the owners of the
 * ways chosen. Locks are told apart by identity, not name: two managers
 * with the same lock names report their cycles apart, each naming its
 * manager when more than one manager is alive. `FC_DEBUG=nolockdep` turns
 * the learning off; `FC_DEBUG=backtrace` keeps where each edge was made.
 *
 * Returns: (transfer full) (array zero-terminated=1): the warnings, possibly
 *   none
 *
 * Since: 1.0
 */
char **
fc_lock_manager_detect_potential_deadlocks (FcLockManager *self)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), NULL);

  return fc_registry_detect (self->registry);
}

/**
 * fc_lock_manager_get_deadlock_report:
 * @self: a #FcLockManager
 *
 * The findings of fc_lock_manager_detect_potential_deadlocks() as data: an
 * array (`aa{sv}`) with one dictionary per finding, with `kind` (s:
 * `long-hold`, `order-cycle`, `order-limit` or `deadlock`), `message` (s),
 * `locks` (as: the locks, in cycle order), `owners` (as: for a cycle, the
 * thread whose acquisition of each edge makes the cycle possible; for a
 * deadlock, the thread holding each lock), `orders` (ai), `managers` (as:
 * the #FcLockManager:name of each lock's manager), `tids` (at: each owner's
 * thread id, 0 if not known) and, with `FC_DEBUG=backtrace`, `stacks` (as:
 * where each edge was first made, one frame a line). A long cycle's message
 * lists its first edges only; the arrays keep them all. An `order-limit`
 * finding says that a search for a cycle gave up (a cycle through the
 * locks named may be missed).
 *
 * Returns: (transfer full): the report, a #GVariant of type `aa{sv}`
 *
 * Since: 1.0
 */
GVariant *
fc_lock_manager_get_deadlock_report (FcLockManager *self)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), NULL);

  return fc_registry_get_deadlock_report (self->registry);
}

/**
 * fc_lock_manager_dump_order_graph:
 * @self: a #FcLockManager
 *
 * The learned lock-order graph among this manager's locks, in Graphviz DOT:
 * one node per lock (name and order), one edge per order learned, labelled
 * with the thread that first took it. Edges of a reported cycle are red;
 * edges always taken under an outer lock are dashed.
 *
 * Returns: (transfer full): the graph, for `dot -Tsvg`
 *
 * Since: 1.0
 */
char *
fc_lock_manager_dump_order_graph (FcLockManager *self)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), NULL);

  return fc_registry_dump_order_graph (self->registry);
}

/**
 * fc_lock_manager_get_hold_warning_threshold:
 * @self: a #FcLockManager
 *
 * Gets #FcLockManager:hold-warning-threshold.
 *
 * Returns: the threshold in seconds
 *
 * Since: 1.0
 */
double
fc_lock_manager_get_hold_warning_threshold (FcLockManager *self)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), 0.0);

  return fc_registry_get_hold_warning_threshold (self->registry);
}

/**
 * fc_lock_manager_set_hold_warning_threshold:
 * @self: a #FcLockManager
 * @threshold: seconds, non-negative
 *
 * Sets #FcLockManager:hold-warning-threshold.
 *
 * Since: 1.0
 */
void
fc_lock_manager_set_hold_warning_threshold (FcLockManager *self,
                                            double         threshold)
{
  g_return_if_fail (FC_IS_LOCK_MANAGER (self));
  g_return_if_fail (threshold >= 0.0);

  fc_registry_set_double (self->registry, G_OBJECT (self),
                          properties[FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD], threshold);
}

/**
 * fc_lock_manager_get_watchdog_interval:
 * @self: a #FcLockManager
 *
 * Gets #FcLockManager:watchdog-interval.
 *
 * Returns: the interval in seconds, 0 when the watchdog is off
 *
 * Since: 1.0
 */
double
fc_lock_manager_get_watchdog_interval (FcLockManager *self)
{
  g_return_val_if_fail (FC_IS_LOCK_MANAGER (self), 0.0);

  return fc_registry_get_watchdog_interval (self->registry);
}

/**
 * fc_lock_manager_set_watchdog_interval:
 * @self: a #FcLockManager
 * @interval: seconds between checks (finite, non-negative), 0 to stop the
 *   watchdog
 *
 * Sets #FcLockManager:watchdog-interval.
 *
 * Since: 1.0
 */
void
fc_lock_manager_set_watchdog_interval (FcLockManager *self,
                                       double         interval)
{
  g_return_if_fail (FC_IS_LOCK_MANAGER (self));
  g_return_if_fail (interval >= 0.0);

  fc_registry_set_double (self->registry, G_OBJECT (self),
                          properties[FC_REGISTRY_PROP_WATCHDOG_INTERVAL], interval);
}
