/* fc-lock.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fc-error.h"
#include "fc-lock-private.h"
#include "fc-lock-word-private.h"
#include "fc-private.h"

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
 * lock's word; a thread that has to wait spins briefly, then sleeps on
 * that word (a futex) until a release wakes it. Threads that arrive while
 * the lock is free may take it before a woken waiter (which keeps it fast
 * under contention), but a waiter that has waited about a millisecond is
 * handed the lock directly, so no thread starves.
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
struct _FcLock
{
  GObject     parent_instance;

  /* Ends with the statistics the owner writes on every acquisition, so
   * that they share a cache line with the word the owner just took. */
  FcLockCore  core;

  /* The owning FcThread * (NULL while free), with FC_LOCK_WORD_* flags in
   * its low bits (records are 8-byte aligned): fc-lock-word-private.c. */
  FcLockWord  word;
  guint       depth;        /* written by the owner only; read relaxed */
  gint64      acquired_at;  /* coarse monotonic µs; written by the owner only */
  /* The FcLockGuard whose hold is the owner's first, NULL if it was
   * fc_lock_lock(). Owner only. */
  gpointer    holder;
};

/* The last reference was dropped while the lock was held: the owner has
 * the reference dispose() took back, and drops it once it is done. */
#define FC_LOCK_ORPHAN  FC_LOCK_WORD_USER

static inline FcThread *
owner_thread (gpointer word)
{
  return fc_lock_word_owner (word);
}

static inline guintptr
owner_flags (gpointer word)
{
  return fc_lock_word_flags (word);
}

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

  for (;;)
    {
      gpointer word = fc_lock_word_get (&self->word);

      if (owner_thread (word) == NULL || (owner_flags (word) & FC_LOCK_ORPHAN))
        break;
      if (g_atomic_pointer_compare_and_exchange (&self->word.word, word,
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
  FcThread *owner = owner_thread (fc_lock_word_get (&self->word));

  /* Only a reference dropped twice gets here with an owner. */
  if (owner != NULL)
    g_critical ("%s: lock '%s' finalized while thread '%s' holds it",
                G_STRFUNC, fc_lock_core_display_name (&self->core),
                g_atomic_pointer_get (&owner->name));

  fc_lockdep_forget (&self->core);
  g_free (self->core.name);
  g_free (self->core.description);

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

  return self->core.name;
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

  return self->core.order;
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

  return self->core.description;
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

  return owner_thread (fc_lock_word_get (&self->word)) != NULL;
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

  owner = owner_thread (fc_lock_word_get (&self->word));
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

  return __atomic_load_n (&self->depth, __ATOMIC_RELAXED);
}

FcLockCore *
fc_lock_get_core (FcLock *self)
{
  return &self->core;
}

FcThread *
fc_lock_get_owner_thread (FcLock *self)
{
  return owner_thread (fc_lock_word_get (&self->word));
}

/* How long a waiter waits before it looks for a deadlock it may be in. */
#define FC_DEADLOCK_CHECK_DELAY (G_USEC_PER_SEC / 10)
/* How many of the locks a thread holds take part in order learning. */
#define FC_LOCKDEP_MAX_HELD 16

/* Order learning runs before a lock is taken (as Linux lockdep does), so
 * that a report is published, and a log writer runs, while the thread
 * holds only what it held before: never the lock that taught it, nor any
 * internal mutex. A cycle is then reported even if this very acquisition
 * is the one that deadlocks. */
void
fc_lock_note_order (FcThread  *thread,
                    FcLockVec *locks)
{
  FcLockCore *held[FC_LOCKDEP_MAX_HELD];
  guint n = MIN (thread->held.len, FC_LOCKDEP_MAX_HELD);
  guint first = thread->held.len - n;

  for (guint i = 0; i < n; i++)
    held[i] = &((FcLock *) thread->held.items[first + i])->core;

  for (guint i = 0; i < locks->len; i++)
    {
      FcLock *lock = locks->items[i];

      if (owner_thread (fc_lock_word_get (&lock->word)) == thread)
        continue;

      if (n > 0)
        fc_lockdep_note_acquire (&thread->lockdep, &lock->core, held, n,
                                 g_atomic_pointer_get (&thread->name), FALSE);
      if (n == FC_LOCKDEP_MAX_HELD)
        {
          memmove (held, held + 1, sizeof held[0] * (FC_LOCKDEP_MAX_HELD - 1));
          n--;
        }
      held[n++] = &lock->core;
    }
}

static inline void
fc_lock_took (FcLock     *self,
              FcThread   *thread,
              gpointer    holder,
              gint64     *stamp)
{
  __atomic_store_n (&self->depth, 1, __ATOMIC_RELAXED);
  __atomic_store_n (&self->acquired_at, fc_stamp (stamp), __ATOMIC_RELAXED);
  self->holder = holder;
  fc_lock_stats_took (&self->core);
  fc_thread_push_held (thread, self);
}

/* Called by a waiter that has waited a while: reports the deadlock it is
 * part of, if any (once), in the log and through the managers' signals. */
static void
fc_lock_check_deadlock (void)
{
  g_autoptr(GPtrArray) reports = fc_waitfor_find_deadlocks (&fc_lock_kind, NULL);

  for (guint i = 0; i < reports->len; i++)
    fc_report_publish_once (reports->pdata[i]);
}

/* Waits for the lock (fc-lock-word-private.c has the protocol): spins a
 * little, then sleeps until it is taken or @deadline passes, looking for a
 * deadlock once it has waited FC_DEADLOCK_CHECK_DELAY. */
static gboolean
fc_lock_acquire_slow (FcLock     *self,
                      FcThread   *thread,
                      gint64      deadline)
{
  FcLockWaiter waiter;
  gint64 check_at;
  gboolean taken;

  if (fc_lock_word_spin (&self->word, thread))
    {
      fc_lock_stats_waited (&self->core, 0);
      return TRUE;
    }

  /* ---- The acquisition starts to wait -------------------------------
   * The one place where a thread that has to wait for an FcLock shows
   * itself: on the wait-for graph (fc_lock_kind_get_waiting_for()), and
   * to anything else that wants to know who starts to wait (lock-order
   * learning may hook here). */
  g_atomic_pointer_set (&thread->waiting_for, self);
  fc_lock_word_wait_begin (&self->word, &waiter);
  /* ---- */

  check_at = waiter.since + FC_DEADLOCK_CHECK_DELAY;
  for (;;)
    {
      gboolean check = check_at >= 0 && (deadline < 0 || check_at < deadline);

      taken = fc_lock_word_wait (&self->word, &waiter, thread, check ? check_at : deadline);
      if (taken || !check)
        break;
      /* Waited long enough to look for a deadlock we may be part of. */
      check_at = -1;
      fc_lock_check_deadlock ();
    }

  fc_lock_word_wait_end (&self->word, &waiter);
  /* A thread that gave up still shows as waiting until its timeout error
   * is made (fc_lock_set_timeout_error()), so that two threads timing out
   * of one deadlock at once each see the other waiting. */
  if (taken)
    {
      /* We own the lock, and with it the statistics' cache line. */
      fc_lock_stats_waited (&self->core, g_get_monotonic_time () - waiter.since);
      g_atomic_pointer_set (&thread->waiting_for, NULL);
    }

  return taken;
}

gboolean
fc_lock_acquire_internal (FcLock     *self,
                          FcThread   *thread,
                          FcDeadline *deadline,
                          gpointer    holder,
                          gint64     *stamp)
{
  gint64 end;

  if (owner_thread (fc_lock_word_get (&self->word)) == thread)
    {
      /* Only the owner writes depth; others read it relaxed. */
      __atomic_store_n (&self->depth, self->depth + 1, __ATOMIC_RELAXED);
      return TRUE;
    }

  if (G_LIKELY (fc_lock_word_try_fast (&self->word, thread)) ||
      fc_lock_word_try (&self->word, thread))
    {
      fc_lock_took (self, thread, holder, stamp);
      return TRUE;
    }

  if (deadline != NULL &&
      ((end = fc_deadline_end (deadline)) < 0 || end > g_get_monotonic_time ()) &&
      fc_lock_acquire_slow (self, thread, end))
    {
      *stamp = 0;   /* time has passed: read the clock again */
      fc_lock_took (self, thread, holder, stamp);
      return TRUE;
    }

  return FALSE;
}

/* The release of a lock marked with flags. Once the lock is published
 * free, anyone may take it, release it and drop the last reference to it
 * ("last one out frees it"): so nothing of it is touched after the
 * compare-and-swap below, except under a reference taken before it. */
G_NO_INLINE static void
fc_lock_release_slow (FcLock   *self,
                      FcThread *thread)
{
  gpointer word;
  gboolean ref = FALSE;

  for (;;)
    {
      word = fc_lock_word_get (&self->word);
      /* We hold the lock, so it is alive; an orphan is kept alive by the
       * reference we drop last. The wake-up below only passes the word's
       * address to the kernel, but tools check it. */
      if (!ref && (owner_flags (word) & (FC_LOCK_WORD_PARKED | FC_LOCK_ORPHAN)) == FC_LOCK_WORD_PARKED)
        {
          g_object_ref (self);
          ref = TRUE;
        }
      if (fc_lock_word_release_from (&self->word, word))
        break;
    }

  if (owner_flags (word) & FC_LOCK_WORD_PARKED)
    fc_lock_word_wake (&self->word);

  if (owner_flags (word) & FC_LOCK_ORPHAN)
    g_object_unref (self);
  if (ref)
    g_object_unref (self);
}

/* Gives up the hold @thread has on @self for good (depth 0). */
static inline void
fc_lock_release_all (FcLock   *self,
                     FcThread *thread,
                     gint64   *stamp)
{
  fc_thread_remove_held (thread, self);
  fc_lock_stats_held (&self->core, fc_stamp (stamp) - self->acquired_at);
  __atomic_store_n (&self->depth, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&self->acquired_at, 0, __ATOMIC_RELAXED);
  self->holder = NULL;

  /* Nothing of @self may be touched after this, unless flags say so. */
  if (!fc_lock_word_release_fast (&self->word, thread))
    fc_lock_release_slow (self, thread);
}

/* Gives up one hold of @holder (NULL: fc_lock_lock()) by @thread, the
 * owner; FALSE if that hold is not there. */
static inline gboolean
fc_lock_release_hold (FcLock   *self,
                      FcThread *thread,
                      gpointer  holder,
                      gint64   *stamp)
{
  guint depth = self->depth;

  if (holder != NULL)
    {
      /* The holder's hold is the first one; what the thread took with
       * fc_lock_lock() since then stays. */
      if (G_UNLIKELY (self->holder != holder))
        return FALSE;
      self->holder = NULL;
    }
  else if (G_UNLIKELY (depth == 1 && self->holder != NULL))
    return FALSE;

  if (depth > 1)
    {
      __atomic_store_n (&self->depth, depth - 1, __ATOMIC_RELAXED);
      return TRUE;
    }

  fc_lock_release_all (self, thread, stamp);
  return TRUE;
}

gboolean
fc_lock_release_internal (FcLock   *self,
                          FcThread *thread,
                          gpointer  holder,
                          gint64   *stamp)
{
  if (G_UNLIKELY (owner_thread (fc_lock_word_get (&self->word)) != thread))
    return FALSE;

  return fc_lock_release_hold (self, thread, holder, stamp);
}

void
fc_lock_thread_exit (FcThread *thread)
{
  g_autoptr(GString) names = g_string_new (NULL);
  gint64 stamp = 0;

  for (guint i = 0; i < thread->held.len; i++)
    {
      FcLock *lock = thread->held.items[i];

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append_printf (names, "'%s'", fc_lock_core_display_name (&lock->core));
    }

  g_critical ("Thread '%s' exited holding %s: released, as nobody else could",
              g_atomic_pointer_get (&thread->name), names->str);

  /* In reverse order, as the thread would have. */
  while (thread->held.len > 0)
    fc_lock_release_all (thread->held.items[thread->held.len - 1], thread, &stamp);
}

void
fc_lock_set_timeout_error (FcLock    *self,
                           FcThread  *thread,
                           GError   **error)
{
  fc_set_timeout_error (error, &fc_lock_kind, g_atomic_pointer_get (&self->core.registry),
                        self, thread);
  g_atomic_pointer_set (&thread->waiting_for, NULL);
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
  if (owner_thread (fc_lock_word_get (&self->word)) != thread)
    {
      g_critical ("%s: lock '%s' is not held by the calling thread",
                  G_STRFUNC, fc_lock_core_display_name (&self->core));
      return;
    }

  if (!fc_lock_release_hold (self, thread, NULL, &stamp))
    g_critical ("%s: lock '%s' is held through a lock guard: "
                "release that instead", G_STRFUNC, fc_lock_core_display_name (&self->core));
}

static FcLockCore *
fc_lock_kind_get_core (gpointer lock)
{
  return &((FcLock *) lock)->core;
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
  FcLock *self = lock;
  FcThread *owner = owner_thread (fc_lock_word_get (&self->word));

  state->locked = owner != NULL;
  state->owner = owner != NULL ? g_strdup (g_atomic_pointer_get (&owner->name)) : NULL;
  state->acquired_at = __atomic_load_n (&self->acquired_at, __ATOMIC_RELAXED);
  /* Caught between the owner's compare-and-swap and its clock reading. */
  if (state->locked && state->acquired_at == 0)
    state->acquired_at = fc_coarse_monotonic_time ();
  state->depth = __atomic_load_n (&self->depth, __ATOMIC_RELAXED);
  state->waiters = (guint) g_atomic_int_get (&self->word.waiters);
  state->owner_id = owner;
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
