/* fc-async-lock-manager.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-async-private.h"
#include "fc-error.h"
#include "fc-mutex-private.h"
#include "fc-private.h"

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
 *   ... both locks are held until the guard is released ...
 *   fc_async_lock_guard_release (guard);
 * }
 *
 * const char *names[] = { "accounts", "ledger", NULL };
 *
 * fc_async_lock_manager_acquire_async (manager, names, 5.0, NULL,
 *                                      on_locked, NULL);
 * ]|
 *
 * Locks are registered, looked up, described and diagnosed exactly as with
 * #FcLockManager; these calls are synchronous, since none of them waits.
 *
 * Since: 1.0
 */

struct _FcAsyncLockManager
{
  GObject      parent_instance;

  FcRegistry  *registry;                /* its state mutex guards every lock,
                                         * queue and guard of this manager */
  FcLockdepCache lockdep;               /* known order edges, under the state mutex */
  GHashTable  *deadline_sources;        /* GMainContext → FcDeadlineSource (ref),
                                         * under the state mutex */
};

/* One source per main context runs the deadlines of every request queued
 * from that context: a GSource per waiter would make each iteration of a
 * context with many waiters walk them all. The requests sit in a binary
 * min-heap on their deadline; the source's ready time is the earliest. */
typedef struct
{
  GSource             source;
  FcAsyncLockManager *manager;   /* not a ref: the manager destroys us */
  GPtrArray          *heap;      /* FcAsyncRequest, under the state mutex */
} FcDeadlineSource;

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

/* One acquisition in progress: the task data of its GTask. */
typedef struct _FcAsyncRequest FcAsyncRequest;
struct _FcAsyncRequest
{
  GTask            *task;          /* not a ref: we are its task data */
  FcAsyncLockGuard *guard;         /* ref; the guard being filled */

  /* Under the state mutex. */
  FcAsyncLock      *waiting_on;    /* while queued: the lock whose queue holds
                                    * link; after a timeout: the lock given up on */
  GList             link;          /* data = this request */
  FcDeadlineSource *deadlines;    /* holding us in its heap, or NULL */
  gulong            cancelled_id;
  gint64            deadline;      /* monotonic µs; -1 for none */
  gint64            queued_at;     /* monotonic µs, when it last queued */
  guint             heap_index;
  guint             queued : 1;    /* link is in waiting_on's queue */
  guint             try_once : 1;  /* timeout 0: never queue */
  guint             started : 1;   /* set up; a cancellation can act now */
  guint             cancel_requested : 1;
  guint             done : 1;      /* the outcome is decided */
  GError           *error;         /* the outcome: NULL for success */
  FcAsyncRequest   *next_done;     /* in a list of requests to complete */
};

static void
fc_async_lock_manager_finalize (GObject *object)
{
  FcAsyncLockManager *self = (FcAsyncLockManager *) object;

  GHashTableIter iter;
  gpointer source;

  /* No request is pending (each refs us): the sources are idle. */
  g_hash_table_iter_init (&iter, self->deadline_sources);
  while (g_hash_table_iter_next (&iter, NULL, &source))
    g_source_destroy (source);
  g_hash_table_unref (self->deadline_sources);
  fc_registry_free (self->registry);

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

  fc_registry_set_double (self->registry, object, pspec, g_value_get_double (value));
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
   * (a lock-order cycle as soon as it is learned, and what the watchdog
   * finds), in the thread-default main context of the thread that created
   * the manager.
   *
   * Since: 1.0
   */
  fc_registry_install_class (object_class, properties, &potential_deadlock_signal);
}

static void
fc_async_lock_manager_init (FcAsyncLockManager *self)
{
  self->registry = fc_registry_new (&fc_async_lock_kind);
  fc_registry_attach_owner (self->registry, G_OBJECT (self), potential_deadlock_signal);
  self->deadline_sources = g_hash_table_new_full (NULL, NULL, NULL,
                                                  (GDestroyNotify) g_source_unref);
}

GMutex *
fc_async_lock_manager_get_mutex (FcAsyncLockManager *self)
{
  return fc_async_state_mutex (self->registry);
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
      FcAsyncLockManager *manager = fc_async_lock_manager_new ();
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
 *   already registered
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
 * Returns: (transfer none): the registered lock, or %NULL with
 *   %FC_ERROR_ALREADY_REGISTERED, %FC_ERROR_ORDER_CONFLICT or
 *   %FC_ERROR_INVALID_ARGUMENT (empty name, or @lock registered already)
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
 * 0), per guard chain; and live deadlocks in the wait-for graph, where a
 * guard chain (a guard and its nested guards) waits for a lock held by
 * another chain that waits back.
 *
 * Returns: (transfer full) (array zero-terminated=1): the warnings, possibly
 *   none
 *
 * Since: 1.0
 */
char **
fc_async_lock_manager_detect_potential_deadlocks (FcAsyncLockManager *self)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);

  return fc_registry_detect (self->registry);
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
  g_return_val_if_fail (FC_IS_ASYNC_LOCK_MANAGER (self), NULL);

  return fc_registry_get_deadlock_report (self->registry);
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
 * @interval: seconds between checks, 0 to stop the watchdog
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

/* --- The queueing engine -------------------------------------------------
 *
 * Everything below named *_locked runs under the state mutex and never
 * calls out: requests whose outcome it decides are chained on a `done`
 * list, completed by the caller once it has unlocked. Nothing is unreffed
 * under the mutex either, since a finalizing guard takes it. */

static gint64
heap_deadline (GPtrArray *heap,
               guint      i)
{
  return ((FcAsyncRequest *) g_ptr_array_index (heap, i))->deadline;
}

static void
heap_set (GPtrArray      *heap,
          guint           i,
          FcAsyncRequest *req)
{
  g_ptr_array_index (heap, i) = req;
  req->heap_index = i;
}

static void
heap_sift (GPtrArray *heap,
           guint      i)
{
  FcAsyncRequest *req = g_ptr_array_index (heap, i);

  while (i > 0 && heap_deadline (heap, (i - 1) / 2) > req->deadline)
    {
      heap_set (heap, i, g_ptr_array_index (heap, (i - 1) / 2));
      i = (i - 1) / 2;
    }
  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && heap_deadline (heap, child + 1) < heap_deadline (heap, child))
        child++;
      if (heap_deadline (heap, child) >= req->deadline)
        break;
      heap_set (heap, i, g_ptr_array_index (heap, child));
      i = child;
    }
  heap_set (heap, i, req);
}

static void
deadline_source_update (FcDeadlineSource *ds)
{
  g_source_set_ready_time (&ds->source, ds->heap->len > 0 ? heap_deadline (ds->heap, 0) : -1);
}

static void
deadline_source_add_locked (FcAsyncLockManager *self,
                            FcAsyncRequest     *req);
static void
deadline_source_remove_locked (FcAsyncRequest *req)
{
  FcDeadlineSource *ds = req->deadlines;
  GPtrArray *heap = ds->heap;
  guint i = req->heap_index;
  FcAsyncRequest *last = g_ptr_array_steal_index_fast (heap, heap->len - 1);

  if (last != req)
    {
      heap_set (heap, i, last);
      heap_sift (heap, i);
    }
  req->deadlines = NULL;
  if (i == 0)
    deadline_source_update (ds);
}

static void request_fail_locked (FcAsyncRequest  *req,
                                 GError          *error,
                                 FcAsyncRequest **done);
static void requests_complete_later (FcAsyncRequest *done);

static gboolean
deadline_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  FcDeadlineSource *ds = (FcDeadlineSource *) source;
  GMutex *mutex = fc_async_lock_manager_get_mutex (ds->manager);
  FcAsyncRequest *done = NULL;
  gint64 now = g_get_monotonic_time ();

  fc_mutex_lock (mutex);
  while (ds->heap->len > 0 && heap_deadline (ds->heap, 0) <= now)
    {
      FcAsyncRequest *req = g_ptr_array_index (ds->heap, 0);

      request_fail_locked (req,
                           g_error_new (FC_ERROR, FC_ERROR_TIMEOUT,
                                        _("Timeout acquiring lock '%s'"),
                                        req->waiting_on->core.name),
                           &done);
    }
  deadline_source_update (ds);
  fc_mutex_unlock (mutex);

  requests_complete_later (done);
  return G_SOURCE_CONTINUE;
}

static void
deadline_source_finalize (GSource *source)
{
  g_ptr_array_unref (((FcDeadlineSource *) source)->heap);
}

static GSourceFuncs deadline_source_funcs = {
  .dispatch = deadline_source_dispatch,
  .finalize = deadline_source_finalize,
};

static void
deadline_source_add_locked (FcAsyncLockManager *self,
                            FcAsyncRequest     *req)
{
  GMainContext *context = g_task_get_context (req->task);
  FcDeadlineSource *ds = g_hash_table_lookup (self->deadline_sources, context);

  /* A source found destroyed belonged to a finalized context whose address
   * was reused: it holds nothing and no context any more. */
  if (ds == NULL || g_source_is_destroyed (&ds->source))
    {
      ds = (FcDeadlineSource *) g_source_new (&deadline_source_funcs, sizeof (FcDeadlineSource));
      ds->manager = self;
      ds->heap = g_ptr_array_new ();
      g_source_set_static_name (&ds->source, "[foundation-concurrency] lock deadlines");
      /* Attaching takes the context's lock, never the other way round. */
      g_source_attach (&ds->source, context);
      g_hash_table_replace (self->deadline_sources, context, ds);
    }

  req->deadlines = ds;
  g_ptr_array_add (ds->heap, req);
  heap_sift (ds->heap, ds->heap->len - 1);
  if (req->heap_index == 0)
    deadline_source_update (ds);
}

static void
request_decide_locked (FcAsyncRequest  *req,
                       GError          *error,
                       FcAsyncRequest **done)
{
  FcAsyncLockGuard *guard = req->guard;

  req->done = TRUE;
  req->error = error;
  if (req->deadlines != NULL)
    deadline_source_remove_locked (req);
  req->next_done = *done;
  *done = req;

  /* A child is live, and released with its parent, from its success on. */
  if (error == NULL && guard->parent != NULL && !guard->parent->released)
    {
      guard->sibling.data = guard;
      guard->parent->children = g_list_concat (&guard->sibling, guard->parent->children);
    }
}

static void
request_enqueue_locked (FcAsyncLockManager *self,
                        FcAsyncRequest     *req,
                        FcAsyncLock        *lock)
{
  req->waiting_on = lock;
  req->queued = TRUE;
  req->queued_at = g_get_monotonic_time ();
  g_queue_push_tail_link (&lock->waiters, &req->link);

  if (req->deadline >= 0 && req->deadlines == NULL)
    deadline_source_add_locked (self, req);
}

/* How many of the locks a chain holds take part in order learning. */
#define FC_LOCKDEP_MAX_HELD 16

/* Learns the order edges from what @guard's chain holds to @lock. */
static void
chain_note_order_locked (FcAsyncLockGuard *guard,
                         FcAsyncLock      *lock)
{
  FcLockCore *held[FC_LOCKDEP_MAX_HELD];
  guint n = 0;

  for (FcAsyncLockGuard *g = guard; g != NULL; g = g->parent)
    for (guint i = 0; !g->released && i < g->n_held && n < FC_LOCKDEP_MAX_HELD; i++)
      held[n++] = &g->locks[i]->core;
  if (n == 0)
    return;  /* nothing to learn; and no label to make */

  /* Reports wait for fc_lockdep_flush(), once the state mutex is released. */
  fc_lockdep_note_acquire (&guard->manager->lockdep, &lock->core, held, n,
                           fc_async_lock_guard_label_locked (guard), TRUE);
}

/* @learn: the acquisition could wait (not a try), so it teaches the order. */
static void
lock_grant_locked (FcAsyncLock      *lock,
                   FcAsyncLockGuard *guard,
                   gboolean          learn)
{
  g_assert (guard->locks[guard->n_held] == lock);

  if (learn)
    chain_note_order_locked (guard, lock);
  lock->holder = guard;
  lock->acquired_at = fc_coarse_monotonic_time ();
  fc_lock_stats_took (&lock->core);
  guard->n_held++;
}

/* Takes the request's next locks in order, while they are free and nobody
 * queues for them; queues on the first one it cannot get. Never releases
 * anything unless the request only tries once, and then only its own locks
 * to requests that are already queued: the hand-off chain stops there. */
static void
request_advance_locked (FcAsyncRequest  *req,
                        FcAsyncRequest **done)
{
  FcAsyncLockGuard *guard = req->guard;

  while (guard->n_held < guard->n_locks)
    {
      FcAsyncLock *lock = guard->locks[guard->n_held];

      if (lock->holder != NULL || lock->waiters.length > 0)
        {
          if (req->try_once)
            {
              req->waiting_on = lock;  /* for the explanation */
              request_fail_locked (req,
                                 g_error_new (FC_ERROR, FC_ERROR_TIMEOUT,
                                              _("Timeout acquiring lock '%s'"),
                                              lock->core.name),
                                 done);
            }
          else
            request_enqueue_locked (guard->manager, req, lock);
          return;
        }

      lock_grant_locked (lock, guard, !req->try_once);
    }

  request_decide_locked (req, NULL, done);
}

/* Frees @lock, or hands it straight to the head of its queue. */
static void
lock_release_locked (FcAsyncLock     *lock,
                     FcAsyncRequest **done)
{
  GList *link = g_queue_pop_head_link (&lock->waiters);
  FcAsyncRequest *next;

  fc_lock_stats_held (&lock->core, fc_coarse_monotonic_time () - lock->acquired_at);
  if (link == NULL)
    {
      lock->holder = NULL;
      lock->acquired_at = 0;
      return;
    }

  next = link->data;
  next->queued = FALSE;
  fc_lock_stats_waited (&lock->core, g_get_monotonic_time () - next->queued_at);
  lock_grant_locked (lock, next->guard, TRUE);
  request_advance_locked (next, done);
}

static void
guard_release_locked (FcAsyncLockGuard  *guard,
                      FcAsyncRequest   **done)
{
  GList *child;

  /* Children first, newest first; each unlinks itself. */
  while ((child = guard->children) != NULL)
    guard_release_locked (child->data, done);

  guard->released = TRUE;
  for (guint i = guard->n_held; i > 0; i--)
    lock_release_locked (guard->locks[i - 1], done);

  if (guard->sibling.data != NULL)
    {
      guard->parent->children = g_list_remove_link (guard->parent->children, &guard->sibling);
      guard->sibling.data = NULL;
    }
}

/* Gives up: leaves the queue, rolls back what was taken, reports @error. */
static void
request_fail_locked (FcAsyncRequest  *req,
                     GError          *error,
                     FcAsyncRequest **done)
{
  if (req->queued)
    {
      fc_lock_stats_waited (&req->waiting_on->core, g_get_monotonic_time () - req->queued_at);
      g_queue_unlink (&req->waiting_on->waiters, &req->link);
      req->queued = FALSE;
    }

  guard_release_locked (req->guard, done);
  request_decide_locked (req, error, done);
}

static void
guard_result_free (gpointer data)
{
  FcAsyncLockGuard *guard = data;

  /* A result nobody finished: release quietly, nobody could have. */
  fc_async_lock_guard_release_internal (guard, FALSE);
  g_object_unref (guard);
}

/* Returns the decided outcome through the task, outside the state mutex,
 * and drops the reference that kept the task alive while it was pending. */
static void
request_complete (FcAsyncRequest *req)
{
  GTask *task = req->task;
  FcAsyncLockManager *manager = req->guard->manager;
  GMutex *mutex = fc_async_lock_manager_get_mutex (manager);
  FcAsyncLock *timed_out_on;
  gulong cancelled_id;
  GError *error;

  fc_mutex_lock (mutex);
  g_assert (req->done);
  cancelled_id = req->cancelled_id;
  req->cancelled_id = 0;
  error = g_steal_pointer (&req->error);
  timed_out_on = req->waiting_on;
  fc_mutex_unlock (mutex);

  /* Explain the timeout: who holds the lock, and what they wait for. */
  if (timed_out_on != NULL && g_error_matches (error, FC_ERROR, FC_ERROR_TIMEOUT))
    {
      g_clear_error (&error);
      fc_set_timeout_error (&error, &fc_async_lock_kind, manager->registry, timed_out_on,
                            fc_async_lock_guard_chain_root (req->guard));
    }

  if (cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), cancelled_id);
      fc_tsan_acquire (req);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (req->guard), guard_result_free);

  g_object_unref (task);
}

static gboolean
request_complete_idle_cb (gpointer data)
{
  FcAsyncRequest *req = g_task_get_task_data (data);

  fc_tsan_acquire (req);
  request_complete (req);
  return G_SOURCE_REMOVE;
}

/* Completes every request of @done in its task's context, from a fresh
 * dispatch: a release never runs a waiter's callback inside itself, so a
 * chain of callbacks that release does not grow the stack. */
static void
requests_complete_later (FcAsyncRequest *done)
{
  FcAsyncRequest *in_order = NULL;

  /* Order cycles learned by the grants that led here. */
  fc_lockdep_flush ();

  /* The list is newest first; complete in the order of the decisions. */
  while (done != NULL)
    {
      FcAsyncRequest *next = done->next_done;

      done->next_done = in_order;
      in_order = done;
      done = next;
    }
  done = in_order;

  while (done != NULL)
    {
      FcAsyncRequest *next = done->next_done;
      GTask *task = done->task;
      GMainContext *context = g_task_get_context (task);
      GSource *idle = g_idle_source_new ();

      g_source_set_static_name (idle, "[foundation-concurrency] lock granted");
      g_source_set_priority (idle, g_task_get_priority (task));
      g_source_set_callback (idle, request_complete_idle_cb, task, NULL);
      /* Attaching hands the request over under the context's futex mutex,
       * which ThreadSanitizer cannot see; say so (see fc-mutex-private.h).
       * Nothing of the request is touched after this. */
      fc_tsan_release (done);
      g_source_attach (idle, context);
      g_source_unref (idle);
      done = next;
    }
}

static void
request_cancelled_cb (GCancellable *cancellable,
                      gpointer      data)
{
  FcAsyncRequest *req = g_task_get_task_data (data);
  GMutex *mutex = fc_async_lock_manager_get_mutex (req->guard->manager);
  FcAsyncRequest *done = NULL;

  fc_mutex_lock (mutex);
  if (!req->started)
    req->cancel_requested = TRUE;  /* acquire_internal() acts on it */
  else if (!req->done)
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (cancellable, &error);
      request_fail_locked (req, error, &done);
    }
  fc_mutex_unlock (mutex);
  /* Our last touch of the request: g_cancellable_disconnect() in
   * request_complete() waits for this handler under GCancellable's futex
   * mutex, which ThreadSanitizer cannot see. */
  fc_tsan_release (req);

  /* Never complete from the handler itself: it could not disconnect. */
  requests_complete_later (done);
}

static void
request_free (gpointer data)
{
  FcAsyncRequest *req = data;

  g_clear_error (&req->error);
  g_clear_object (&req->guard);
  g_free (req);
}

/* Guards whose locks are held by the chain of @guard and its ancestors. */
static gboolean
held_by_chain (gpointer lock,
               gpointer guard)
{
  FcAsyncLockGuard *holder = ((FcAsyncLock *) lock)->holder;

  for (FcAsyncLockGuard *g = guard; g != NULL; g = g->parent)
    if (!g->released && holder == g)
      return TRUE;
  return FALSE;
}

/* The order rule for a child of @parent (NULL for a top-level request),
 * then what is left to take once the chain's locks are skipped. */
static gboolean
request_prepare_locked (FcAsyncLockManager  *self,
                        FcAsyncRequest      *req,
                        FcAsyncLockGuard    *parent,
                        FcLockVec           *locks,
                        GError             **error)
{
  FcAsyncLockGuard *guard = req->guard;
  gboolean holds_any = FALSE;
  int max_held = G_MININT;

  for (FcAsyncLockGuard *g = parent; g != NULL; g = g->parent)
    {
      if (g->released)
        continue;
      for (guint i = 0; i < g->n_held; i++)
        {
          holds_any = TRUE;
          max_held = MAX (max_held, g->locks[i]->core.order);
        }
    }

  if (!fc_registry_check_order (self->registry, locks, held_by_chain, parent,
                                holds_any, max_held, error))
    return FALSE;

  if (parent != NULL)
    guard->label = g_strdup (fc_async_lock_guard_label_locked (parent));

  if (locks->len > FC_ASYNC_GUARD_INLINE)
    guard->locks = g_new (FcAsyncLock *, locks->len);
  for (guint i = 0; i < locks->len; i++)
    if (!holds_any || !held_by_chain (locks->items[i], parent))
      guard->locks[guard->n_locks++] = locks->items[i];

  return TRUE;
}

void
fc_async_lock_manager_acquire_internal (FcAsyncLockManager  *self,
                                        FcAsyncLockGuard    *parent,
                                        gpointer             source_tag,
                                        const char * const  *names,
                                        double               timeout,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GMutex *mutex = fc_async_lock_manager_get_mutex (self);
  FcAsyncRequest *req;
  FcAsyncRequest *done = NULL;
  GError *error = NULL;
  gulong cancelled_id = 0;
  gint64 deadline;
  FcLockVec locks;

  task = g_task_new (parent != NULL ? (gpointer) parent : (gpointer) self,
                     cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, parent != NULL ? "fc_async_lock_guard_acquire_async"
                                        : "fc_async_lock_manager_acquire_async");
  /* We decide between a grant and a cancellation ourselves, under the
   * state mutex: a granted guard must reach the caller. */
  g_task_set_check_cancellable (task, FALSE);

  if (!fc_timeout_to_deadline (timeout, &deadline, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  fc_lock_vec_init (&locks);
  if (!fc_registry_resolve (self->registry, names, &locks, &error))
    {
      fc_lock_vec_clear (&locks);
      g_task_return_error (task, error);
      return;
    }

  req = g_new0 (FcAsyncRequest, 1);
  req->task = task;
  req->guard = fc_async_lock_guard_new_internal (self, parent);
  req->link.data = req;
  req->deadline = deadline;
  req->try_once = timeout == 0;
  g_task_set_task_data (task, req, request_free);

  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (request_cancelled_cb),
                                          g_object_ref (task), g_object_unref);

  /* This reference keeps the task alive while it is pending; whoever
   * completes the request drops it. */
  g_object_ref (task);

  fc_mutex_lock (mutex);
  req->cancelled_id = cancelled_id;
  req->started = TRUE;
  if (!request_prepare_locked (self, req, parent, &locks, &error))
    request_fail_locked (req, error, &done);
  else if (req->cancel_requested)
    {
      g_cancellable_set_error_if_cancelled (cancellable, &error);
      request_fail_locked (req, error, &done);
    }
  else
    request_advance_locked (req, &done);
  fc_mutex_unlock (mutex);
  fc_lockdep_flush ();

  fc_lock_vec_clear (&locks);

  /* Our own request, if decided already, heads the list: it is completed
   * directly (GTask defers the callback to a later iteration); whatever its
   * rollback handed on is completed in its own context. */
  if (done != NULL)
    {
      g_assert (done == req);
      requests_complete_later (done->next_done);
      request_complete (req);
    }
}

FcAsyncLockGuard *
fc_async_lock_manager_finish_internal (gpointer       source_object,
                                       gpointer       source_tag,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source_object), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
fc_async_lock_guard_release_internal (FcAsyncLockGuard *guard,
                                      gboolean          warn)
{
  GMutex *mutex = fc_async_lock_manager_get_mutex (guard->manager);
  FcAsyncRequest *done = NULL;
  gboolean was_released;

  fc_mutex_lock (mutex);
  was_released = guard->released;
  if (!was_released)
    guard_release_locked (guard, &done);
  if (!was_released && warn)
    fc_async_lock_guard_label_locked (guard);
  fc_mutex_unlock (mutex);

  /* g_log() rather than g_warning(): under G_LOG_USE_STRUCTURED the latter
   * bypasses g_test_expect_message() in GLib 2.74. */
  if (!was_released && warn)
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
           "Async lock guard '%s' was finalized without being released; releasing it",
           guard->label);

  requests_complete_later (done);
}

/* The wait-for graph: every queued request waits for one lock; its chain
 * (the root of its guard) is who waits. */
void
fc_async_lock_manager_collect_waits (FcRegistry *registry,
                                     GArray     *waits)
{
  g_autoptr(GPtrArray) locks = NULL;
  GMutex *mutex;

  if (registry == NULL)
    return;

  locks = fc_registry_dup_locks (registry);
  mutex = fc_async_state_mutex (registry);
  fc_mutex_lock (mutex);
  for (guint i = 0; i < locks->len; i++)
    {
      FcAsyncLock *lock = g_ptr_array_index (locks, i);

      for (GList *l = lock->waiters.head; l != NULL; l = l->next)
        {
          FcAsyncRequest *req = l->data;
          FcWait wait;

          wait.who = fc_async_lock_guard_chain_root (req->guard);
          wait.label = g_strdup (fc_async_lock_guard_label_locked (req->guard));
          wait.lock = lock;
          g_array_append_val (waits, wait);
        }
    }
  fc_mutex_unlock (mutex);
}
