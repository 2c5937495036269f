/* test-lock-regressions.c — one test per correctness finding of issue 10
 * (and issue 16) in the thread-side locks: lifetimes of held locks,
 * guards finalized on the wrong thread, unlock misuse, threads exiting
 * with locks held, and where lock-order reports are published.
 *
 * Run them under ASan or valgrind too: several of the bugs were reads of
 * freed memory that a plain build may not notice.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE   /* RTLD_NEXT */

#include <dlfcn.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <foundation-concurrency.h>

#include "fc-mutex-private.h"

#define DOMAIN "FoundationConcurrency"

static FcLockManager *
make_manager (void)
{
  FcLockManager *manager = fc_lock_manager_new ();

  g_assert_nonnull (fc_lock_manager_register_lock (manager, "a", 10, NULL, NULL, NULL));
  g_assert_nonnull (fc_lock_manager_register_lock (manager, "b", 20, NULL, NULL, NULL));
  return manager;
}

static FcLock *
get (FcLockManager *manager,
     const char    *name)
{
  return fc_lock_manager_get_lock (manager, name, NULL);
}

/* Sets *@data to TRUE when the object it is attached to is finalized
 * (qdata outlives dispose, unlike weak references). */
static void
set_true (gpointer data)
{
  g_atomic_int_set ((int *) data, TRUE);
}

static void
watch_finalize (gpointer  object,
                int      *finalized)
{
  *finalized = FALSE;
  g_object_set_data_full (object, "test-finalized", finalized, set_true);
}

static gpointer
unref_in_thread (gpointer guard)
{
  fc_lock_guard_unref (guard);
  return NULL;
}

/* ---- Finding 2: a guard finalized on another thread -------------------- */

/* The guard's locks stay alive and held (even once their manager is gone)
 * until the owning thread's next call, which releases them. */
static void
test_guard_finalized_on_other_thread (void)
{
  if (g_test_subprocess ())
    {
      FcLockManager *manager = make_manager ();
      FcLockManager *alive = manager;
      FcLock *a = get (manager, "a");
      g_autoptr(FcLockManager) other = fc_lock_manager_new ();
      const char *a_b[] = { "a", "b", NULL };
      const char *x[] = { "x", NULL };
      FcLockGuard *held;
      FcLockGuard *guard;
      int a_finalized;
      char *dot;

      fc_lock_manager_register_lock (other, "x", 1, NULL, NULL, NULL);
      watch_finalize (get (manager, "a"), &a_finalized);
      g_object_add_weak_pointer (G_OBJECT (manager), (gpointer *) &alive);
      guard = fc_lock_manager_acquire (manager, a_b, 1.0, TRUE, NULL);
      g_assert_nonnull (guard);
      g_object_unref (manager);   /* its held locks outlive it */
      g_assert_null (alive);

      g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL, "*thread*acquired it*");
      g_thread_join (g_thread_new ("collector", unref_in_thread, guard));
      g_test_assert_expected_messages ();

      /* Still held by this thread, so still alive. */
      g_assert_false (g_atomic_int_get (&a_finalized));
      g_assert_true (fc_lock_is_locked (a));

      /* This thread's next acquisition releases them first. */
      held = fc_lock_manager_acquire (other, x, 1.0, TRUE, NULL);
      g_assert_nonnull (held);
      g_assert_true (g_atomic_int_get (&a_finalized));
      dot = fc_lock_manager_dump_order_graph (other);
      g_free (dot);
      fc_lock_guard_unref (held);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The same, without looking: the next nested acquisition and the graph
 * read no freed lock (ASan, valgrind). */
static void
test_guard_finalized_on_other_thread_next_acquisition (void)
{
  if (g_test_subprocess ())
    {
      FcLockManager *manager = make_manager ();
      g_autoptr(FcLockManager) other = fc_lock_manager_new ();
      const char *a_b[] = { "a", "b", NULL };
      const char *x_y[] = { "x", "y", NULL };
      FcLockGuard *outer, *inner;
      FcLockGuard *guard;
      char *dot;

      fc_lock_manager_register_lock (other, "x", 1, NULL, NULL, NULL);
      fc_lock_manager_register_lock (other, "y", 2, NULL, NULL, NULL);
      guard = fc_lock_manager_acquire (manager, a_b, 1.0, TRUE, NULL);
      g_object_unref (manager);

      g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL, "*thread*acquired it*");
      g_thread_join (g_thread_new ("collector", unref_in_thread, guard));
      g_test_assert_expected_messages ();

      outer = fc_lock_manager_acquire (other, x_y, 1.0, TRUE, NULL);
      g_assert_nonnull (outer);
      inner = fc_lock_manager_acquire (other, x_y + 1, 1.0, TRUE, NULL);
      g_assert_nonnull (inner);
      dot = fc_lock_manager_dump_order_graph (other);
      g_assert_null (strstr (dot, "\"a\""));
      g_free (dot);
      fc_lock_guard_unref (inner);
      fc_lock_guard_unref (outer);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Issue 16, finding 1: whatever holds locks keeps what it holds alive (it
 * was found with the former FcLockManagerLocker, whose place the guard
 * took: the guard does not keep the manager alive either). */
static void
test_guard_outlives_manager (void)
{
  FcLockManager *manager = make_manager ();
  const char *a[] = { "a", NULL };
  FcLockGuard *held;
  int a_finalized;

  watch_finalize (get (manager, "a"), &a_finalized);
  held = fc_lock_manager_acquire (manager, a, 1.0, TRUE, NULL);
  g_assert_nonnull (held);
  g_object_unref (manager);
  g_assert_false (g_atomic_int_get (&a_finalized));

  fc_lock_guard_unref (held);
  g_assert_true (g_atomic_int_get (&a_finalized));

  /* Released explicitly, the guard still names what it held. */
  manager = make_manager ();
  watch_finalize (get (manager, "a"), &a_finalized);
  held = fc_lock_manager_acquire (manager, a, 1.0, TRUE, NULL);
  g_object_unref (manager);
  fc_lock_guard_release (held);
  g_assert_false (g_atomic_int_get (&a_finalized));
  {
    g_auto(GStrv) names = fc_lock_guard_dup_names (held);

    g_assert_cmpstrv (names, a);
  }
  fc_lock_guard_unref (held);
  g_assert_true (g_atomic_int_get (&a_finalized));
}

/* A lock taken directly and dropped while held lives until it is free. */
static void
test_lock_unreffed_while_held (void)
{
  FcLock *lock = fc_lock_new ();
  int finalized;

  watch_finalize (lock, &finalized);
  g_assert_true (fc_lock_lock (lock, 1.0, NULL));
  g_assert_true (fc_lock_lock (lock, 1.0, NULL));
  g_object_unref (lock);
  g_assert_false (g_atomic_int_get (&finalized));
  fc_lock_unlock (lock);
  g_assert_false (g_atomic_int_get (&finalized));
  g_assert_cmpuint (fc_lock_get_depth (lock), ==, 1);
  fc_lock_unlock (lock);
  g_assert_true (g_atomic_int_get (&finalized));
}

/* Issue 16, finding 9: an abandoned guard's locks are released when the
 * owning thread exits, even if it makes no further call. */
typedef struct
{
  FcLockManager *manager;
  GMutex         mutex;
  GCond          cond;
  FcLockGuard   *guard;
  gboolean       collected;
  gboolean       call_again;
  gboolean       b_free_after_call;
} Owner;

static gpointer
owner_thread (gpointer data)
{
  Owner *owner = data;
  const char *a[] = { "a", NULL };
  const char *b[] = { "b", NULL };

  fc_mutex_lock (&owner->mutex);
  owner->guard = fc_lock_manager_acquire (owner->manager, a, 1.0, TRUE, NULL);
  g_cond_broadcast (&owner->cond);
  while (!owner->collected)
    fc_cond_wait (&owner->cond, &owner->mutex);
  fc_mutex_unlock (&owner->mutex);

  if (owner->call_again)
    {
      /* b is above a: were a still held, this would fail. */
      FcLockGuard *held = fc_lock_manager_acquire (owner->manager, b, 1.0, TRUE, NULL);

      owner->b_free_after_call = held != NULL && !fc_lock_is_locked (get (owner->manager, "a"));
      if (held != NULL)
        fc_lock_guard_unref (held);
    }
  return NULL;
}

static void
run_abandoning (gboolean call_again)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  Owner owner = { manager, };
  GThread *thread;

  owner.call_again = call_again;
  g_mutex_init (&owner.mutex);
  g_cond_init (&owner.cond);
  thread = g_thread_new ("owner", owner_thread, &owner);

  fc_mutex_lock (&owner.mutex);
  while (owner.guard == NULL)
    fc_cond_wait (&owner.cond, &owner.mutex);
  g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL, "*thread*acquired it*");
  fc_lock_guard_unref (owner.guard);
  g_test_assert_expected_messages ();
  g_assert_true (fc_lock_is_locked (get (manager, "a")));
  owner.collected = TRUE;
  g_cond_broadcast (&owner.cond);
  fc_mutex_unlock (&owner.mutex);

  g_thread_join (thread);
  g_assert_false (fc_lock_is_locked (get (manager, "a")));
  if (call_again)
    g_assert_true (owner.b_free_after_call);
  g_mutex_clear (&owner.mutex);
  g_cond_clear (&owner.cond);
}

static void
test_abandoned_guard_released_at_next_call (void)
{
  if (g_test_subprocess ())
    {
      run_abandoning (TRUE);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_abandoned_guard_released_at_thread_exit (void)
{
  if (g_test_subprocess ())
    {
      run_abandoning (FALSE);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- Finding 5: fc_lock_unlock() of a guard's lock ---------------------- */

static void
test_unlock_of_guard_held_lock (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLockManager) manager = make_manager ();
      FcLock *a = get (manager, "a");
      const char *names[] = { "a", NULL };
      FcLockGuard *guard;
      FcLockGuard *held;

      /* Refused; the guard's release then works. */
      guard = fc_lock_manager_acquire (manager, names, 1.0, TRUE, NULL);
      g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL, "*held through a lock guard*");
      fc_lock_unlock (a);
      g_test_assert_expected_messages ();
      g_assert_true (fc_lock_is_locked (a));
      fc_lock_guard_release (guard);
      g_assert_false (fc_lock_is_locked (a));
      fc_lock_guard_unref (guard);

      /* Refused, then taken again directly: the guard's release gives up
       * its own hold only, the direct one stays. */
      guard = fc_lock_manager_acquire (manager, names, 1.0, TRUE, NULL);
      g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL, "*held through a lock guard*");
      fc_lock_unlock (a);
      g_test_assert_expected_messages ();
      g_assert_true (fc_lock_lock (a, 1.0, NULL));
      g_assert_cmpuint (fc_lock_get_depth (a), ==, 2);
      fc_lock_unlock (a);   /* the direct hold, on top */
      g_assert_true (fc_lock_lock (a, 1.0, NULL));
      fc_lock_guard_release (guard);
      g_assert_true (fc_lock_is_locked (a));
      g_assert_cmpuint (fc_lock_get_depth (a), ==, 1);
      fc_lock_unlock (a);
      g_assert_false (fc_lock_is_locked (a));
      fc_lock_guard_unref (guard);

      /* The same scoped by the last reference. */
      held = fc_lock_manager_acquire (manager, names, 1.0, TRUE, NULL);
      g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL, "*held through a lock guard*");
      fc_lock_unlock (a);
      g_test_assert_expected_messages ();
      g_assert_true (fc_lock_is_locked (a));
      fc_lock_guard_unref (held);
      g_assert_false (fc_lock_is_locked (a));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- Finding 11: last one out frees the lock ---------------------------- */

/* The window to widen is inside fc_lock_unlock(), between publishing the
 * lock free and waking its waiter. No public hook reaches it, so this test
 * interposes syscall() (the executable's own definition comes before the C
 * library's): when the unlocking thread wakes the lock's sleeper (the
 * futex is the lock's word), it first waits until the waiter has taken the
 * lock (it wakes itself up after a millisecond to ask for a hand-off),
 * released it and dropped the last reference. Then it checks that the lock
 * was not finalized under it. */
static struct
{
  gpointer   lock;          /* atomic: the FcLock watched, NULL when done */
  gsize      size;
  pthread_t  unlocker;
  int        waiter_sleeping;
  int        waiter_done;
  int        finalized;
  int        touched_after_free;
  int        triggered;
} window;

static gboolean
in_watched_lock (gpointer address)
{
  char *lock = g_atomic_pointer_get (&window.lock);

  return lock != NULL && (char *) address >= lock && (char *) address < lock + window.size;
}

long syscall (long number, ...);

long
syscall (long number,
         ...)
{
  static gpointer real;
  long (*real_syscall) (long, ...);
  long args[6];
  va_list ap;

  va_start (ap, number);
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    args[i] = va_arg (ap, long);
  va_end (ap);

  if (g_atomic_pointer_get (&real) == NULL)
    g_atomic_pointer_set (&real, dlsym (RTLD_NEXT, "syscall"));
  real_syscall = (long (*) (long, ...)) g_atomic_pointer_get (&real);

  if (number == SYS_futex && in_watched_lock ((gpointer) args[0]))
    {
      int op = (int) args[1] & FUTEX_CMD_MASK;

      if (op == FUTEX_WAIT)
        g_atomic_int_set (&window.waiter_sleeping, TRUE);
      else if (op == FUTEX_WAKE && pthread_equal (pthread_self (), window.unlocker))
        {
          /* Up to 5 s. */
          for (int i = 0; i < 500 && !g_atomic_int_get (&window.waiter_done); i++)
            g_usleep (10000);
          g_atomic_int_set (&window.triggered, TRUE);
          g_atomic_pointer_set (&window.lock, NULL);
          if (g_atomic_int_get (&window.finalized))
            {
              g_atomic_int_set (&window.touched_after_free, TRUE);
              g_printerr ("# the lock was finalized while fc_lock_unlock() still used it\n");
              _exit (1);
            }
        }
    }

  return real_syscall (number, args[0], args[1], args[2], args[3], args[4], args[5]);
}

static gpointer
last_one_out (gpointer lock)
{
  g_assert_true (fc_lock_lock (lock, FC_TIMEOUT_INFINITE, NULL));
  fc_lock_unlock (lock);
  g_object_unref (lock);   /* the last reference */
  g_atomic_int_set (&window.waiter_done, TRUE);
  return NULL;
}

static void
test_unlock_last_one_out (void)
{
  FcLock *lock;
  GTypeQuery query;
  GThread *waiter;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  lock = fc_lock_new ();

  g_type_query (FC_TYPE_LOCK, &query);
  window.size = query.instance_size;
  window.unlocker = pthread_self ();
  g_object_set_data_full (G_OBJECT (lock), "test-finalized", &window.finalized, set_true);

  g_assert_true (fc_lock_lock (lock, 1.0, NULL));
  g_atomic_pointer_set (&window.lock, lock);
  /* The waiter owns the only reference from now on. */
  waiter = g_thread_new ("waiter", last_one_out, lock);
  while (!g_atomic_int_get (&window.waiter_sleeping))
    g_usleep (1000);

  fc_lock_unlock (lock);
  g_thread_join (waiter);

  g_assert_true (g_atomic_int_get (&window.triggered));
  g_assert_false (g_atomic_int_get (&window.touched_after_free));
  g_assert_true (g_atomic_int_get (&window.finalized));
}

/* ---- Finding 15: a thread that exits holding locks ---------------------- */

typedef struct
{
  FcLockManager *manager;
  FcLockGuard   *guard;
} Leaver;

static gpointer
leave_holding (gpointer data)
{
  Leaver *leaver = data;
  const char *b[] = { "b", NULL };

  g_assert_true (fc_lock_lock (get (leaver->manager, "a"), 1.0, NULL));
  g_assert_true (fc_lock_lock (get (leaver->manager, "a"), 1.0, NULL));
  leaver->guard = fc_lock_manager_acquire (leaver->manager, b, 1.0, TRUE, NULL);
  return NULL;
}

static gpointer
wait_for_a (gpointer manager)
{
  gboolean taken = fc_lock_lock (get (manager, "a"), 10.0, NULL);

  if (taken)
    fc_lock_unlock (get (manager, "a"));
  return GINT_TO_POINTER (taken);
}

static void
test_thread_exit_holding_locks (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLockManager) manager = make_manager ();
      Leaver leaver = { manager, NULL };
      GThread *waiter;

      g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL,
                             "*Thread 'leaver' exited holding 'a', 'b'*released*");
      g_thread_join (g_thread_new ("leaver", leave_holding, &leaver));
      g_test_assert_expected_messages ();

      g_assert_false (fc_lock_is_locked (get (manager, "a")));
      g_assert_false (fc_lock_is_locked (get (manager, "b")));
      waiter = g_thread_new ("waiter", wait_for_a, manager);
      g_assert_true (GPOINTER_TO_INT (g_thread_join (waiter)));

      /* The guard it left behind holds nothing any more. */
      g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL, "*thread*acquired it*");
      fc_lock_guard_unref (leaver.guard);
      g_test_assert_expected_messages ();
      g_assert_true (fc_lock_lock (get (manager, "b"), 0, NULL));
      fc_lock_unlock (get (manager, "b"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A waiter blocked for ever when the owner exits gets the lock. */
static gpointer
hold_a_briefly (gpointer manager)
{
  g_assert_true (fc_lock_lock (get (manager, "a"), 1.0, NULL));
  g_usleep (G_USEC_PER_SEC / 20);
  return NULL;
}

static gpointer
wait_for_a_forever (gpointer manager)
{
  g_assert_true (fc_lock_lock (get (manager, "a"), FC_TIMEOUT_INFINITE, NULL));
  fc_lock_unlock (get (manager, "a"));
  return NULL;
}

static void
test_thread_exit_wakes_waiters (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLockManager) manager = make_manager ();
      GThread *holder, *waiter;

      g_test_expect_message (DOMAIN, G_LOG_LEVEL_CRITICAL, "*exited holding 'a'*");
      holder = g_thread_new ("holder", hold_a_briefly, manager);
      while (!fc_lock_is_locked (get (manager, "a")))
        g_usleep (1000);
      waiter = g_thread_new ("waiter", wait_for_a_forever, manager);
      g_thread_join (holder);
      g_thread_join (waiter);
      g_test_assert_expected_messages ();
      g_assert_false (fc_lock_is_locked (get (manager, "a")));
      return;
    }

  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- Finding 17: where the sync path publishes order reports ------------ */

static FcLockManager *log_manager;
static int log_reports;
static int log_violations;

/* Takes 'log' (order 15) through the manager for every report. */
static GLogWriterOutput
writer_takes_lock (GLogLevelFlags   log_level,
                   const GLogField *fields,
                   gsize            n_fields,
                   gpointer         user_data)
{
  const char *log_name[] = { "log", NULL };
  g_autoptr(GError) error = NULL;
  FcLockGuard *held;
  gboolean is_report = FALSE;

  for (gsize i = 0; i < n_fields; i++)
    is_report |= g_strcmp0 (fields[i].key, "FC_REPORT_KIND") == 0;
  if (!is_report)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  held = fc_lock_manager_acquire (log_manager, log_name, 1.0, TRUE, &error);
  if (g_error_matches (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION))
    g_atomic_int_inc (&log_violations);
  if (held != NULL)
    fc_lock_guard_unref (held);
  g_atomic_int_inc (&log_reports);
  return G_LOG_WRITER_HANDLED;
}

static void
test_report_published_outside_lock (void)
{
  if (g_test_subprocess ())
    {
      const char *c_e_d[] = { "c", "e", "d", NULL };
      FcLockGuard *held;

      log_manager = make_manager ();   /* a 10, b 20 */
      fc_lock_manager_register_lock (log_manager, "c", 11, NULL, NULL, NULL);
      fc_lock_manager_register_lock (log_manager, "log", 15, NULL, NULL, NULL);
      fc_lock_manager_register_lock (log_manager, "e", 16, NULL, NULL, NULL);
      fc_lock_manager_register_lock (log_manager, "d", 21, NULL, NULL, NULL);
      g_log_set_writer_func (writer_takes_lock, NULL, NULL);

      /* b -> a, then a -> b closes a cycle, through fc_lock_lock(). */
      g_assert_true (fc_lock_lock (get (log_manager, "b"), 1.0, NULL));
      g_assert_true (fc_lock_lock (get (log_manager, "a"), 1.0, NULL));
      fc_lock_unlock (get (log_manager, "a"));
      fc_lock_unlock (get (log_manager, "b"));
      g_assert_cmpint (g_atomic_int_get (&log_reports), ==, 0);
      g_assert_true (fc_lock_lock (get (log_manager, "a"), 1.0, NULL));
      g_assert_true (fc_lock_lock (get (log_manager, "b"), 1.0, NULL));
      fc_lock_unlock (get (log_manager, "b"));
      fc_lock_unlock (get (log_manager, "a"));
      g_assert_cmpint (g_atomic_int_get (&log_reports), ==, 1);
      g_assert_cmpint (g_atomic_int_get (&log_violations), ==, 0);

      /* d -> c, then c -> e -> d through the manager: the cycle closes
       * when d is taken, after c and e (above 'log'). The report must not
       * wait for them. */
      g_assert_true (fc_lock_lock (get (log_manager, "d"), 1.0, NULL));
      g_assert_true (fc_lock_lock (get (log_manager, "c"), 1.0, NULL));
      fc_lock_unlock (get (log_manager, "c"));
      fc_lock_unlock (get (log_manager, "d"));
      held = fc_lock_manager_acquire (log_manager, c_e_d, 1.0, TRUE, NULL);
      g_assert_nonnull (held);
      fc_lock_guard_unref (held);
      g_assert_cmpint (g_atomic_int_get (&log_reports), ==, 3);   /* c -> d -> c, c -> e -> d -> c */
      g_assert_cmpint (g_atomic_int_get (&log_violations), ==, 0);

      g_clear_object (&log_manager);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/regression/guard-finalized-on-other-thread",
                   test_guard_finalized_on_other_thread);
  g_test_add_func ("/regression/guard-finalized-on-other-thread/next-acquisition",
                   test_guard_finalized_on_other_thread_next_acquisition);
  g_test_add_func ("/regression/guard-outlives-manager", test_guard_outlives_manager);
  g_test_add_func ("/regression/lock-unreffed-while-held", test_lock_unreffed_while_held);
  g_test_add_func ("/regression/abandoned-guard/released-at-next-call",
                   test_abandoned_guard_released_at_next_call);
  g_test_add_func ("/regression/abandoned-guard/released-at-thread-exit",
                   test_abandoned_guard_released_at_thread_exit);
  g_test_add_func ("/regression/unlock-of-guard-held-lock", test_unlock_of_guard_held_lock);
  g_test_add_func ("/regression/unlock-last-one-out", test_unlock_last_one_out);
  g_test_add_func ("/regression/thread-exit-holding-locks", test_thread_exit_holding_locks);
  g_test_add_func ("/regression/thread-exit-wakes-waiters", test_thread_exit_wakes_waiters);
  g_test_add_func ("/regression/report-published-outside-lock",
                   test_report_published_outside_lock);

  return g_test_run ();
}
