/* fc-async-lock.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-async-engine-private.h"
#include "fc-async-waitfor-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"

/**
 * SECTION:fc-async-lock
 * @title: FcAsyncLock
 * @short_description: a named, ordered lock for code on a main loop
 *
 * #FcAsyncLock is the main-loop counterpart of #FcLock: waiting for it
 * never blocks a thread. It has no lock or unlock function of its own; it is
 * registered with an #FcAsyncLockManager and taken, alone or with others,
 * through fc_async_lock_manager_acquire_async() or
 * fc_async_lock_guard_acquire_async(), which give an #FcAsyncLockGuard.
 *
 * An async lock is owned by a guard, not by a thread: #FcAsyncLock:owner is
 * the label of the holding guard. Waiters are served first come, first
 * served: a released lock is handed directly to the oldest waiter.
 *
 * Since: 1.0
 */

/**
 * FcAsyncLock:
 *
 * A named, ordered lock for code on a main loop, owned by a guard rather
 * than a thread. Its fields are private.
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (FcAsyncLock, fc_async_lock, G_TYPE_OBJECT)

/* name, order, description, locked and owner are shared with the other
 * lock type (fc-lock-core-private.h); documented here. */
enum {
  PROP_WAITERS = FC_LOCK_N_COMMON_PROPS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fc_async_lock_finalize (GObject *object)
{
  FcAsyncLock *self = (FcAsyncLock *) object;

  fc_lockdep_forget (&self->core);
  g_clear_pointer (&self->state, fc_async_state_unref);
  g_free (self->core.name);
  g_free (self->core.description);

  G_OBJECT_CLASS (fc_async_lock_parent_class)->finalize (object);
}

static void
fc_async_lock_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FcAsyncLock *self = FC_ASYNC_LOCK (object);

  if (fc_lock_core_get_property (&fc_async_lock_kind, object, prop_id, value))
    return;

  switch (prop_id)
    {
    case PROP_WAITERS:
      g_value_set_uint (value, fc_async_lock_get_waiters (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fc_async_lock_class_init (FcAsyncLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fc_async_lock_finalize;
  object_class->get_property = fc_async_lock_get_property;

  /**
   * FcAsyncLock:name:
   *
   * The name the lock was registered under, or %NULL before registration.
   *
   * Since: 1.0
   */

  /**
   * FcAsyncLock:order:
   *
   * The lock's order: locks are taken in ascending order.
   *
   * Since: 1.0
   */

  /**
   * FcAsyncLock:description:
   *
   * A human-readable description of what the lock protects.
   *
   * Since: 1.0
   */

  /**
   * FcAsyncLock:locked:
   *
   * Whether some guard holds the lock. It changes without notification.
   *
   * Since: 1.0
   */

  /**
   * FcAsyncLock:owner:
   *
   * The label of the guard holding the lock (see
   * fc_async_lock_guard_set_label()), or %NULL while it is free. It changes
   * without notification.
   *
   * Since: 1.0
   */

  /**
   * FcAsyncLock:waiters:
   *
   * How many acquisitions are queued waiting for the lock. It changes
   * without notification.
   *
   * Since: 1.0
   */
  fc_lock_core_make_properties (properties);
  properties[PROP_WAITERS] =
    g_param_spec_uint ("waiters", "Waiters", "How many guards wait for the lock", 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fc_async_lock_init (FcAsyncLock *self)
{
  g_queue_init (&self->waiters);
}

/**
 * fc_async_lock_new:
 *
 * Creates a lock that is not yet registered; hand it to
 * fc_async_lock_manager_register_lock() to give it a name and an order.
 *
 * Returns: (transfer full): a new #FcAsyncLock
 *
 * Since: 1.0
 */
FcAsyncLock *
fc_async_lock_new (void)
{
  return g_object_new (FC_TYPE_ASYNC_LOCK, NULL);
}

/**
 * fc_async_lock_get_name:
 * @self: a #FcAsyncLock
 *
 * Gets the name the lock was registered under.
 *
 * Returns: (nullable): the name, or %NULL if the lock is not registered
 *
 * Since: 1.0
 */
const char *
fc_async_lock_get_name (FcAsyncLock *self)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK (self), NULL);

  return self->core.name;
}

/**
 * fc_async_lock_get_order:
 * @self: a #FcAsyncLock
 *
 * Gets the lock's order.
 *
 * Returns: the order, 0 if the lock is not registered
 *
 * Since: 1.0
 */
int
fc_async_lock_get_order (FcAsyncLock *self)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK (self), 0);

  return self->core.order;
}

/**
 * fc_async_lock_get_description:
 * @self: a #FcAsyncLock
 *
 * Gets the lock's description.
 *
 * Returns: (nullable): the description, or %NULL if the lock is not registered
 *
 * Since: 1.0
 */
const char *
fc_async_lock_get_description (FcAsyncLock *self)
{
  g_return_val_if_fail (FC_IS_ASYNC_LOCK (self), NULL);

  return self->core.description;
}

/* A snapshot of the lock's state, taken under the state mutex of its
 * manager, which the lock holds a reference to from its first grant on
 * (the manager may be gone since). A lock never granted, registered or
 * not, is free and has no waiter. */
static void
fc_async_lock_kind_get_state (gpointer     lock,
                              FcLockState *state)
{
  FcAsyncLock *self = lock;
  FcAsyncState *async_state = g_atomic_pointer_get (&self->state);
  GMutex *mutex;

  if (async_state == NULL)
    return;

  mutex = &async_state->mutex;
  fc_mutex_lock (mutex);
  state->locked = self->holder != NULL;
  state->owner = self->holder != NULL ? g_strdup (fc_async_lock_guard_label_locked (self->holder)) : NULL;
  state->acquired_at = self->acquired_at;
  state->depth = self->holder != NULL ? 1 : 0;
  state->waiters = self->waiters.length;
  state->owner_id = self->holder;  /* the guard: see fc-async-waitfor-private.h */
  state->acquisitions = self->acquisitions;
  fc_mutex_unlock (mutex);
}

/**
 * fc_async_lock_is_locked:
 * @self: a #FcAsyncLock
 *
 * Checks whether some guard holds the lock. The answer may be stale as soon
 * as it is returned.
 *
 * Returns: %TRUE if the lock is held
 *
 * Since: 1.0
 */
gboolean
fc_async_lock_is_locked (FcAsyncLock *self)
{
  FcLockState state = { 0, };

  g_return_val_if_fail (FC_IS_ASYNC_LOCK (self), FALSE);

  fc_async_lock_kind_get_state (self, &state);
  g_free (state.owner);
  return state.locked;
}

/**
 * fc_async_lock_dup_owner:
 * @self: a #FcAsyncLock
 *
 * Gets the label of the guard that holds the lock (see
 * fc_async_lock_guard_get_label()).
 *
 * Returns: (transfer full) (nullable): the owner's label, or %NULL while the
 *   lock is free
 *
 * Since: 1.0
 */
char *
fc_async_lock_dup_owner (FcAsyncLock *self)
{
  FcLockState state = { 0, };

  g_return_val_if_fail (FC_IS_ASYNC_LOCK (self), NULL);

  fc_async_lock_kind_get_state (self, &state);
  return state.owner;
}

/**
 * fc_async_lock_get_waiters:
 * @self: a #FcAsyncLock
 *
 * Gets how many acquisitions are queued, waiting for the lock.
 *
 * Returns: the length of the lock's queue
 *
 * Since: 1.0
 */
guint
fc_async_lock_get_waiters (FcAsyncLock *self)
{
  FcLockState state = { 0, };

  g_return_val_if_fail (FC_IS_ASYNC_LOCK (self), 0);

  fc_async_lock_kind_get_state (self, &state);
  g_free (state.owner);
  return state.waiters;
}

static FcLockCore *
fc_async_lock_kind_get_core (gpointer lock)
{
  return &((FcAsyncLock *) lock)->core;
}

static gpointer
fc_async_lock_kind_new_lock (void)
{
  return fc_async_lock_new ();
}

const FcLockKind fc_async_lock_kind = {
  .new_lock = fc_async_lock_kind_new_lock,
  .get_core = fc_async_lock_kind_get_core,
  .get_state = fc_async_lock_kind_get_state,
  .collect_waits = fc_async_lock_manager_collect_waits,
};
