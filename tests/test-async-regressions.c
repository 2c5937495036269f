/* test-async-regressions.c — one test per finding of issue 10 in the async
 * queueing engine; each failed before its fix.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "async-test-util.h"

#define DEADLINE_SOURCE_NAME "[foundation-concurrency] lock deadlines"

static void
assert_owner (FcAsyncLockManager *manager,
              const char         *name,
              FcAsyncLockGuard   *guard)
{
  g_autofree char *owner = fc_async_lock_dup_owner (get_lock (manager, name));

  g_assert_nonnull (owner);
  g_assert_cmpstr (owner, ==, fc_async_lock_guard_get_label (guard));
}

/* Finding 1: P holds a, X holds b; P's child asks for {a, b}, skips a and
 * queues on b. P is released, Q takes a, X is released: the child used to
 * complete holding only b while Q owned a. A pending child of a released
 * parent now fails with G_IO_ERROR_CANCELLED, rolling back what it took. */
static void
test_child_of_released_parent (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  const char *b[] = { "b", NULL };
  const char *c[] = { "c", NULL };
  const char *ab[] = { "a", "b", NULL };
  const char *bc[] = { "b", "c", NULL };
  const char *d[] = { "d", NULL };
  Outcome p = { 0, }, x = { 0, }, q = { 0, }, child = { 0, };
  Outcome live = { 0, }, grandchild = { 0, };

  acquire_wait (manager, NULL, a, 1.0, NULL, &p);
  acquire_wait (manager, NULL, b, 1.0, NULL, &x);
  g_assert_no_error (p.error);
  g_assert_no_error (x.error);
  fc_async_lock_guard_set_label (p.guard, "P");
  fc_async_lock_guard_set_label (x.guard, "X");

  acquire_start (manager, p.guard, ab, FC_TIMEOUT_INFINITE, NULL, &child);
  iterate_pending (g_main_context_get_thread_default ());
  g_assert_false (child.completed);
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "b")), ==, 1);

  fc_async_lock_guard_release (p.guard);
  acquire_wait (manager, NULL, a, 1.0, NULL, &q);
  g_assert_no_error (q.error);
  fc_async_lock_guard_set_label (q.guard, "Q");
  fc_async_lock_guard_release (x.guard);
  outcome_wait (&child);

  g_assert_true (child.completed);
  g_assert_error (child.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (child.error->message, ==, "The parent guard was released");
  g_assert_null (child.guard);
  /* Exclusion holds: a is Q's, b went to nobody. */
  assert_owner (manager, "a", q.guard);
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "b")));
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "b")), ==, 0);
  fc_async_lock_guard_release (q.guard);
  outcome_clear (&x);
  outcome_clear (&q);
  outcome_clear (&child);
  assert_all_idle (manager);

  /* A child of a released guard fails at once. */
  acquire_wait (manager, p.guard, b, 1.0, NULL, &child);
  g_assert_true (child.completed);
  g_assert_error (child.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_clear (&child);
  outcome_clear (&p);
  assert_all_idle (manager);

  /* A child that took b before queueing on c gives b back. */
  acquire_wait (manager, NULL, a, 1.0, NULL, &p);
  acquire_wait (manager, NULL, c, 1.0, NULL, &x);
  acquire_start (manager, p.guard, bc, 30.0, NULL, &child);
  iterate_pending (g_main_context_get_thread_default ());
  g_assert_false (child.completed);
  assert_owner (manager, "b", p.guard);  /* the child's label is its parent's */
  fc_async_lock_guard_release (p.guard);
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "a")));
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "b")));
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "c")), ==, 0);
  outcome_wait (&child);
  g_assert_true (child.completed);
  g_assert_error (child.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fc_async_lock_guard_release (x.guard);
  outcome_clear (&p);
  outcome_clear (&x);
  outcome_clear (&child);
  assert_all_idle (manager);

  /* Two levels: P holds a, its live child holds b, the grandchild waits
   * for d (held by X). Releasing P releases the child, which cancels the
   * grandchild. */
  acquire_wait (manager, NULL, a, 1.0, NULL, &p);
  acquire_wait (manager, NULL, d, 1.0, NULL, &x);
  acquire_wait (manager, p.guard, b, 1.0, NULL, &live);
  g_assert_no_error (live.error);
  acquire_start (manager, live.guard, d, FC_TIMEOUT_INFINITE, NULL, &grandchild);
  iterate_pending (g_main_context_get_thread_default ());
  g_assert_false (grandchild.completed);
  fc_async_lock_guard_release (p.guard);
  g_assert_true (fc_async_lock_guard_is_released (live.guard));
  acquire_wait (manager, NULL, a, 1.0, NULL, &q);
  g_assert_no_error (q.error);
  fc_async_lock_guard_release (x.guard);
  outcome_wait (&grandchild);
  g_assert_true (grandchild.completed);
  g_assert_error (grandchild.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "d")));
  fc_async_lock_guard_release (q.guard);
  outcome_clear (&p);
  outcome_clear (&x);
  outcome_clear (&q);
  outcome_clear (&live);
  outcome_clear (&grandchild);
  assert_all_idle (manager);
}

/* The live deadline sources named DEADLINE_SOURCE_NAME attached to
 * @context. Source ids are allocated per context from 1, so probing the
 * first ids of a fresh context finds every source attached to it. */
static guint
count_deadline_sources (GMainContext *context)
{
  guint n = 0;

  for (guint id = 1; id < 256; id++)
    {
      GSource *source = g_main_context_find_source_by_id (context, id);

      if (source != NULL && g_strcmp0 (g_source_get_name (source), DEADLINE_SOURCE_NAME) == 0)
        n++;
    }
  return n;
}

/* Finding 16: the deadline source of a context used to stay attached (and
 * in the manager's table, with a reference) for the manager's lifetime,
 * so 100 fc_run()-style fresh contexts left 100 sources behind. A context's
 * source is now pruned as soon as it has no deadline left to run. */
static void
test_deadline_sources_pruned (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  guint retained = 0;

  for (guint i = 0; i < 100; i++)
    {
      GMainContext *context = g_main_context_new ();
      Outcome holder = { 0, }, waiter = { 0, };

      g_main_context_push_thread_default (context);
      acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
      g_assert_no_error (holder.error);
      acquire_start (manager, NULL, a, 60.0, NULL, &waiter);
      iterate_pending (context);
      g_assert_false (waiter.completed);
      g_assert_cmpuint (count_deadline_sources (context), ==, 1);

      fc_async_lock_guard_release (holder.guard);
      outcome_wait (&waiter);
      g_assert_true (waiter.completed);
      g_assert_no_error (waiter.error);
      fc_async_lock_guard_release (waiter.guard);
      iterate_pending (context);
      retained += count_deadline_sources (context);

      outcome_clear (&holder);
      outcome_clear (&waiter);
      g_main_context_pop_thread_default (context);
      g_main_context_unref (context);
    }

  g_assert_cmpuint (retained, ==, 0);
  assert_all_idle (manager);
}

/* A timed waiter that times out, then another: the source that ran the
 * deadline goes too, and a new one serves the next waiter. */
static void
test_deadline_source_after_timeout (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, waiter = { 0, };
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
  for (guint i = 0; i < 3; i++)
    {
      acquire_wait (manager, NULL, a, 0.01, NULL, &waiter);
      g_assert_true (waiter.completed);
      g_assert_error (waiter.error, FC_ERROR, FC_ERROR_TIMEOUT);
      outcome_clear (&waiter);
      iterate_pending (context);
      g_assert_cmpuint (count_deadline_sources (context), ==, 0);
    }
  fc_async_lock_guard_release (holder.guard);
  outcome_clear (&holder);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  assert_all_idle (manager);
}

typedef struct
{
  FcAsyncLock *lock;
  gint         stop;
  gint         started;
  guint        rounds;
} Reader;

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;

  g_atomic_int_set (&r->started, 1);
  while (!g_atomic_int_get (&r->stop))
    {
      g_free (fc_async_lock_dup_owner (r->lock));
      (void) fc_async_lock_is_locked (r->lock);
      (void) fc_async_lock_get_waiters (r->lock);
      r->rounds++;
    }
  return NULL;
}

/* Finding 10 (async part): a lock the user keeps a reference to outlives
 * its manager. Its getters used to reach the state mutex through the
 * manager's registry, which a concurrent last unref of the manager frees
 * (ASan: heap-use-after-free; or g_mutex_clear() of a locked mutex). The
 * lock now holds a reference to the state it shares with its manager. */
static void
test_lock_outlives_manager (void)
{
  const char *a[] = { "a", NULL };

  for (guint i = 0; i < 200; i++)
    {
      FcAsyncLockManager *manager = new_manager ();
      FcAsyncLock *lock = g_object_ref (get_lock (manager, "a"));
      Outcome o = { 0, };
      Reader reader = { lock, 0, 0, 0 };
      GThread *thread;

      /* Held and released once, so the lock has state to read. */
      acquire_wait (manager, NULL, a, 1.0, NULL, &o);
      g_assert_true (o.completed);
      g_assert_no_error (o.error);
      g_assert_true (fc_async_lock_is_locked (lock));
      fc_async_lock_guard_release (o.guard);
      outcome_clear (&o);

      thread = g_thread_new ("reader", reader_thread, &reader);
      while (!g_atomic_int_get (&reader.started))
        g_thread_yield ();
      g_object_unref (manager);   /* the last reference */
      g_atomic_int_set (&reader.stop, 1);
      g_thread_join (thread);

      g_assert_false (fc_async_lock_is_locked (lock));
      g_assert_null (fc_async_lock_dup_owner (lock));
      g_assert_cmpuint (fc_async_lock_get_waiters (lock), ==, 0);

      /* It keeps its manager's state: it cannot join another manager. */
      if (i == 0)
        {
          g_autoptr(FcAsyncLockManager) other = fc_async_lock_manager_new ();
          g_autoptr(GError) error = NULL;

          g_assert_null (fc_async_lock_manager_register_lock (other, "a2", 10, NULL, lock, &error));
          g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
        }
      g_object_unref (lock);
    }
}

static gboolean
strv_matches (char       **lines,
              const char  *pattern)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_pattern_match_simple (pattern, lines[i]))
      return TRUE;
  return FALSE;
}

/* Finding 18: a lock handed, first come first served, to a waiter whose
 * main context is not iterated stays taken, silently. The diagnostics now
 * say so once the grant has waited longer than the threshold. */
static void
test_handoff_to_idle_context (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, waiter = { 0, };
  GMainContext *idle_context = g_main_context_new ();
  g_autofree char *owner = NULL;
  g_autofree char *pattern = NULL;
  g_auto(GStrv) lines = NULL;

  acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
  g_main_context_push_thread_default (idle_context);
  acquire_start (manager, NULL, a, FC_TIMEOUT_INFINITE, NULL, &waiter);
  g_main_context_pop_thread_default (idle_context);
  g_assert_false (waiter.completed);

  /* The waiter holds a from the release on; its context is not iterated. */
  fc_async_lock_manager_set_hold_warning_threshold (manager, 0.01);
  fc_async_lock_guard_release (holder.guard);
  owner = fc_async_lock_dup_owner (get_lock (manager, "a"));
  g_assert_nonnull (owner);
  g_assert_cmpstr (owner, !=, fc_async_lock_guard_get_label (holder.guard));
  g_usleep (50 * 1000);

  pattern = g_strdup_printf ("Lock 'a' was handed to %s, whose main context is not running: "
                             "the grant has waited *s to be dispatched", owner);
  lines = fc_async_lock_manager_detect_potential_deadlocks (manager);
  if (!strv_matches (lines, pattern))
    g_error ("no line matches \"%s\"", pattern);
  g_clear_pointer (&lines, g_strfreev);

  /* Once its context runs, the grant is delivered and the line goes. */
  g_main_context_push_thread_default (idle_context);
  outcome_wait (&waiter);
  g_main_context_pop_thread_default (idle_context);
  g_assert_true (waiter.completed);
  g_assert_no_error (waiter.error);
  lines = fc_async_lock_manager_detect_potential_deadlocks (manager);
  g_assert_false (strv_matches (lines, "*was handed to*"));
  fc_async_lock_guard_release (waiter.guard);

  outcome_clear (&holder);
  outcome_clear (&waiter);
  g_main_context_unref (idle_context);
  assert_all_idle (manager);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/regression/async/child-of-released-parent", test_child_of_released_parent);
  g_test_add_func ("/regression/async/deadline-sources-pruned", test_deadline_sources_pruned);
  g_test_add_func ("/regression/async/deadline-source-after-timeout",
                   test_deadline_source_after_timeout);
  g_test_add_func ("/regression/async/lock-outlives-manager", test_lock_outlives_manager);
  g_test_add_func ("/regression/async/handoff-to-idle-context", test_handoff_to_idle_context);

  return g_test_run ();
}
