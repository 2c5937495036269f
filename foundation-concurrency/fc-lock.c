/* fc-lock.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fc-error.h"
#include "fc-lock-private.h"

/**
 * SECTION:fc-lock
 * @title: FcLock
 * @short_description: a named, ordered, recursive lock with a timeout
 *
 * #FcLock is a recursive mutual-exclusion lock whose acquisition can time
 * out. GLib has no timed mutex; #FcLock provides one, and also knows which
 * thread owns it, how deep the owner has recursed and since when it is held,
 * which #FcLockManager reports in its status and diagnostics.
 *
 * Locks are normally created and named by fc_lock_manager_register_lock() and
 * taken in order, several at once, with fc_lock_manager_acquire(). They can
 * also be used directly with fc_lock_lock(), fc_lock_try_lock() and
 * fc_lock_unlock(), as the reference allows through its `get_lock` method.
 *
 * An uncontended acquisition is a single atomic compare-and-swap of the
 * lock's word; a thread that has to wait sleeps on that word (a futex)
 * until a release wakes it (one waiter at a time: no other until the
 * woken one has run), and a woken waiter watches the word briefly before
 * it sleeps again. Threads that arrive while the lock is free may
 * take it before a woken waiter (which keeps it fast under contention),
 * but a waiter that has waited about a millisecond is handed the lock
 * directly (one such waiter at a time, at most once a millisecond), so no
 * thread starves.
 *
 * Whoever holds a lock keeps it alive: if its last reference is dropped
 * while it is held (its manager was finalized, say), it is finalized only
 * once it is free. A thread may drop its last reference to a lock as soon
 * as it has unlocked it, even while the thread that unlocked it before is
 * still returning from fc_lock_unlock() (the POSIX "last one out frees it"
 * pattern).
 *
 * A thread that exits while holding locks cannot release them any more:
 * a critical names the thread and the locks, and they are released, their
 * waiters proceeding (as with a robust mutex, the data they protect may be
 * inconsistent). The same happens to the locks of its unreleased guards
 * (#FcLockGuard), which then hold nothing.
 *
 * Since: 1.0
 */

/**
 * FcLock:
 *
 * A named, ordered, recursive lock whose acquisition can time out. Its
 * fields are private.
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (FcLock, fc_lock, G_TYPE_OBJECT)

/* name, order, description, locked and owner are shared with the other
 * lock type (fc-registry-private.h); documented here. */
enum {
  PROP_DEPTH = FC_LOCK_N_COMMON_PROPS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Whoever holds a lock keeps it alive, without a reference of its own
 * (that would cost every acquisition two more atomic operations): when the
 * last reference goes while the lock is held (its manager was finalized
 * under a guard, say), the lock takes one back and hands it to its owner,
 * which drops it with its last release (fc_lock_release_slow()). */
static void
fc_lock_dispose (GObject *object)
{
  FcLock *self = (FcLock *) object;
  FcLockWord *lock_word = &fc_lock_lines (self)->word;

  for (;;)
    {
      gpointer word = fc_lock_word_get (lock_word);

      if (fc_lock_owner_of (word) == NULL || (fc_lock_word_flags (word) & FC_LOCK_ORPHAN))
        break;
      if (g_atomic_pointer_compare_and_exchange (&lock_word->word, word,
                                                 (gpointer) ((guintptr) word | FC_LOCK_ORPHAN)))
        {
          g_object_ref (self);
          break;
        }
    }

  G_OBJECT_CLASS (fc_lock_parent_class)->dispose (object);
}

static void
fc_lock_finalize (GObject *object)
{
  FcLock *self = (FcLock *) object;
  FcLockCore *core = fc_lock_get_core (self);
  FcThread *owner = fc_lock_get_owner_thread (self);

  /* Only a reference dropped twice gets here with an owner. */
  if (owner != NULL)
    g_critical ("%s: lock '%s' finalized while thread '%s' holds it",
                G_STRFUNC, fc_lock_core_display_name (core),
                g_atomic_pointer_get (&owner->name));

  fc_lockdep_forget (core);
  g_free (core->name);
  g_free (core->description);

  G_OBJECT_CLASS (fc_lock_parent_class)->finalize (object);
}

static void
fc_lock_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  FcLock *self = FC_LOCK (object);

  if (fc_lock_core_get_property (&fc_lock_kind, object, prop_id, value))
    return;

  switch (prop_id)
    {
    case PROP_DEPTH:
      g_value_set_uint (value, fc_lock_get_depth (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fc_lock_class_init (FcLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fc_lock_dispose;
  object_class->finalize = fc_lock_finalize;
  object_class->get_property = fc_lock_get_property;

  /**
   * FcLock:name:
   *
   * The name the lock was registered under, or %NULL before registration.
   *
   * Since: 1.0
   */

  /**
   * FcLock:order:
   *
   * The lock's order: locks are taken in ascending order.
   *
   * Since: 1.0
   */

  /**
   * FcLock:description:
   *
   * A human-readable description of what the lock protects.
   *
   * Since: 1.0
   */

  /**
   * FcLock:locked:
   *
   * Whether some thread holds the lock. It changes without notification.
   *
   * Since: 1.0
   */

  /**
   * FcLock:owner:
   *
   * The name of the thread holding the lock, or %NULL while it is free.
   * It changes without notification.
   *
   * Since: 1.0
   */

  /**
   * FcLock:depth:
   *
   * How many times the owning thread holds the lock (0 while it is free).
   * It changes without notification.
   *
   * Since: 1.0
   */
  fc_lock_core_make_properties (properties);
  fc_thread_exit_hook = fc_lock_thread_exit;
  properties[PROP_DEPTH] =
    g_param_spec_uint ("depth", "Depth", "How many times the owner holds the lock", 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fc_lock_init (FcLock *self)
{
}

/**
 * fc_lock_new:
 *
 * Creates a lock that is not yet registered; hand it to
 * fc_lock_manager_register_lock() to give it a name and an order.
 *
 * Returns: (transfer full): a new #FcLock
 *
 * Since: 1.0
 */
FcLock *
fc_lock_new (void)
{
  return g_object_new (FC_TYPE_LOCK, NULL);
}

/**
 * fc_lock_get_name:
 * @self: a #FcLock
 *
 * Gets the name the lock was registered under.
 *
 * Returns: (nullable): the name, or %NULL if the lock is not registered
 *
 * Since: 1.0
 */
const char *
fc_lock_get_name (FcLock *self)
{
  g_return_val_if_fail (FC_IS_LOCK (self), NULL);

  return fc_lock_get_core (self)->name;
}

/**
 * fc_lock_get_order:
 * @self: a #FcLock
 *
 * Gets the lock's order.
 *
 * Returns: the order, 0 if the lock is not registered
 *
 * Since: 1.0
 */
int
fc_lock_get_order (FcLock *self)
{
  g_return_val_if_fail (FC_IS_LOCK (self), 0);

  return fc_lock_get_core (self)->order;
}

/**
 * fc_lock_get_description:
 * @self: a #FcLock
 *
 * Gets the lock's description.
 *
 * Returns: (nullable): the description, or %NULL if the lock is not registered
 *
 * Since: 1.0
 */
const char *
fc_lock_get_description (FcLock *self)
{
  g_return_val_if_fail (FC_IS_LOCK (self), NULL);

  return fc_lock_get_core (self)->description;
}

/**
 * fc_lock_is_locked:
 * @self: a #FcLock
 *
 * Checks whether some thread holds the lock. The answer may be stale as soon
 * as it is returned.
 *
 * Returns: %TRUE if the lock is held
 *
 * Since: 1.0
 */
gboolean
fc_lock_is_locked (FcLock *self)
{
  g_return_val_if_fail (FC_IS_LOCK (self), FALSE);

  return fc_lock_get_owner_thread (self) != NULL;
}

/**
 * fc_lock_dup_owner:
 * @self: a #FcLock
 *
 * Gets the name of the thread that holds the lock: the name given to
 * g_thread_new() (as the kernel keeps it, at most 15 bytes), or `main` for
 * the process's main thread.
 *
 * Returns: (transfer full) (nullable): the owner's name, or %NULL while the
 *   lock is free
 *
 * Since: 1.0
 */
char *
fc_lock_dup_owner (FcLock *self)
{
  FcThread *owner;

  g_return_val_if_fail (FC_IS_LOCK (self), NULL);

  owner = fc_lock_get_owner_thread (self);
  return owner != NULL ? g_strdup (g_atomic_pointer_get (&owner->name)) : NULL;
}

/**
 * fc_lock_get_depth:
 * @self: a #FcLock
 *
 * Gets how many times the owning thread holds the lock.
 *
 * Returns: the recursion depth, 0 while the lock is free
 *
 * Since: 1.0
 */
guint
fc_lock_get_depth (FcLock *self)
{
  g_return_val_if_fail (FC_IS_LOCK (self), 0);

  return __atomic_load_n (&fc_lock_lines (self)->depth, __ATOMIC_RELAXED);
}

/**
 * fc_lock_lock:
 * @self: a #FcLock
 * @timeout: seconds to wait at most, 0 to try once, or %FC_TIMEOUT_INFINITE
 * @error: return location for a #GError
 *
 * Takes the lock for the calling thread, waiting at most @timeout seconds
 * for another thread to release it. A thread that already holds the lock
 * takes it again at once (the lock is recursive); it must then call
 * fc_lock_unlock() once per successful fc_lock_lock().
 *
 * Unlike fc_lock_manager_acquire(), this does not check the lock order.
 *
 * A thread that exits while holding the lock is a programming error: a
 * critical names the thread and what it held, and the lock is released
 * (its waiters proceed), as a robust mutex would be.
 *
 * When the calling thread holds other locks and @timeout is not 0, the
 * lock-order edges to this lock are learned (see
 * fc_lock_manager_detect_potential_deadlocks()) before it is taken.
 *
 * Returns: %TRUE if the lock was taken; %FALSE with %FC_ERROR_TIMEOUT if it
 *   was not free in time, or %FC_ERROR_INVALID_ARGUMENT for a negative
 *   (other than %FC_TIMEOUT_INFINITE), NaN or infinite @timeout
 *
 * Since: 1.0
 */
gboolean
fc_lock_lock (FcLock  *self,
              double   timeout,
              GError **error)
{
  FcDeadline deadline = FC_DEADLINE_INIT (timeout);
  FcThread *thread;
  gint64 stamp = 0;

  g_return_val_if_fail (FC_IS_LOCK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!fc_timeout_validate (timeout, error))
    return FALSE;

  thread = fc_thread_self ();
  fc_thread_drain_abandoned (thread);
  /* Only blocking acquisitions teach the order: a try cannot deadlock. */
  if (thread->held.len > 0 && timeout != 0)
    {
      FcLockVec one = { .items = (gpointer *) &self, .len = 1, .alloc = 1 };

      fc_lock_note_order (thread, &one);
    }

  if (!fc_lock_acquire_internal (self, thread, &deadline, NULL, &stamp))
    {
      fc_lock_set_timeout_error (self, thread, error);
      return FALSE;
    }

  return TRUE;
}

/**
 * fc_lock_try_lock:
 * @self: a #FcLock
 *
 * Takes the lock if that is possible without waiting.
 *
 * Returns: %TRUE if the calling thread now holds the lock
 *
 * Since: 1.0
 */
gboolean
fc_lock_try_lock (FcLock *self)
{
  FcThread *thread;
  gint64 stamp = 0;

  g_return_val_if_fail (FC_IS_LOCK (self), FALSE);

  thread = fc_thread_self ();
  fc_thread_drain_abandoned (thread);
  return fc_lock_acquire_internal (self, thread, NULL, NULL, &stamp);
}

/**
 * fc_lock_unlock:
 * @self: a #FcLock
 *
 * Releases the lock once. The lock becomes free when its owner has called
 * this as many times as it took the lock. Unlocking a lock the calling
 * thread does not hold, or whose remaining hold is a #FcLockGuard's
 * (release that instead), is a programming error: it emits a critical and
 * changes nothing.
 *
 * Once the lock is free, this touches nothing of it that another thread
 * may free: a thread that takes the lock next may release it and drop the
 * last reference to it while this call is still returning.
 *
 * Since: 1.0
 */
void
fc_lock_unlock (FcLock *self)
{
  FcThread *thread;
  gint64 stamp = 0;

  g_return_if_fail (FC_IS_LOCK (self));

  thread = fc_thread_self ();
  fc_thread_drain_abandoned (thread);
  if (fc_lock_get_owner_thread (self) != thread)
    {
      g_critical ("%s: lock '%s' is not held by the calling thread",
                  G_STRFUNC, fc_lock_core_display_name (fc_lock_get_core (self)));
      return;
    }

  /* The owner, checked just above. */
  if (!fc_lock_release_hold (self, thread, NULL, &stamp))
    g_critical ("%s: lock '%s' is held through a lock guard: "
                "release that instead", G_STRFUNC, fc_lock_core_display_name (fc_lock_get_core (self)));
}

static FcLockCore *
fc_lock_kind_get_core (gpointer lock)
{
  return fc_lock_get_core (lock);
}

static gpointer
fc_lock_kind_new_lock (void)
{
  return fc_lock_new ();
}

static void
fc_lock_kind_get_state (gpointer     lock,
                        FcLockState *state)
{
  FcLockLines *lines = fc_lock_lines (lock);
  FcThread *owner = fc_lock_owner_of (fc_lock_word_get (&lines->word));

  state->locked = owner != NULL;
  state->owner = owner != NULL ? g_strdup (g_atomic_pointer_get (&owner->name)) : NULL;
  state->acquired_at = __atomic_load_n (&lines->acquired_at, __ATOMIC_RELAXED);
  /* Caught between the owner's compare-and-swap and its clock reading. */
  if (state->locked && state->acquired_at == 0)
    state->acquired_at = fc_coarse_monotonic_time ();
  state->depth = __atomic_load_n (&lines->depth, __ATOMIC_RELAXED);
  state->waiters = (guint) g_atomic_int_get (&lines->word.waiters);
  state->owner_id = owner;
  state->acquisitions = FC_STAT_GET (lines->acquisitions);
}

static void
collect_thread_wait (FcThread *thread,
                     gpointer  user_data)
{
  gpointer lock = g_atomic_pointer_get (&thread->waiting_for);
  FcWait wait;

  if (lock == NULL)
    return;

  wait.who = thread;
  wait.label = g_strdup (g_atomic_pointer_get (&thread->name));
  wait.lock = lock;   /* may be freed by now: the wait-for graph only compares it */
  g_array_append_val ((GArray *) user_data, wait);
}

/* Thread records are never freed, so any owner's can be read. */
static gpointer
fc_lock_kind_get_waiting_for (gpointer who)
{
  return g_atomic_pointer_get (&((FcThread *) who)->waiting_for);
}

/* Threads wait for locks of any manager: the registry does not matter. */
static void
fc_lock_kind_collect_waits (FcRegistry *registry,
                            GArray     *waits)
{
  fc_thread_foreach (collect_thread_wait, waits);
}

const FcLockKind fc_lock_kind = {
  .new_lock = fc_lock_kind_new_lock,
  .get_core = fc_lock_kind_get_core,
  .get_state = fc_lock_kind_get_state,
  .collect_waits = fc_lock_kind_collect_waits,
  .get_waiting_for = fc_lock_kind_get_waiting_for,
};
