/* test-async-lock-manager.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include "async-test-util.h"

static void
test_registration_errors (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcAsyncLockManager) other = fc_async_lock_manager_new ();
  g_autoptr(FcAsyncLock) lock = fc_async_lock_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (fc_async_lock_manager_register_lock (manager, "a", 99, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ALREADY_REGISTERED);
  g_assert_cmpstr (error->message, ==, "Lock 'a' already registered");
  g_clear_error (&error);

  g_assert_null (fc_async_lock_manager_register_lock (manager, "z", 10, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_CONFLICT);
  g_assert_cmpstr (error->message, ==,
                   "Lock order 10 already used by 'a'. Each lock must have a unique order.");
  g_clear_error (&error);

  g_assert_null (fc_async_lock_manager_register_lock (manager, "", 99, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* An unregistered lock is free, has no name and no waiter. */
  g_assert_null (fc_async_lock_get_name (lock));
  g_assert_false (fc_async_lock_is_locked (lock));
  g_assert_null (fc_async_lock_dup_owner (lock));
  g_assert_cmpuint (fc_async_lock_get_waiters (lock), ==, 0);

  g_assert_true (fc_async_lock_manager_register_lock (manager, "x", 500, "X", lock, &error) == lock);
  g_assert_no_error (error);
  g_assert_cmpstr (fc_async_lock_get_name (lock), ==, "x");
  g_assert_cmpint (fc_async_lock_get_order (lock), ==, 500);
  g_assert_cmpstr (fc_async_lock_get_description (lock), ==, "X");

  g_assert_null (fc_async_lock_manager_register_lock (other, "x", 500, NULL, lock, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fc_async_lock_manager_get_lock (manager, "nope", &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED);
  g_assert_cmpstr (error->message, ==, "Lock 'nope' not registered");
}

static void
test_acquire_errors (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *ab[] = { "a", "b", NULL };
  const char *unknown[] = { "a", "nope", NULL };
  const char *b[] = { "b", NULL };
  const char *a[] = { "a", NULL };
  Outcome o = { 0, }, holder = { 0, };

  /* Timeout is checked first, then names. */
  acquire_wait (manager, NULL, unknown, -2.0, NULL, &o);
  g_assert_error (o.error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (o.error->message, ==, "Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever");
  outcome_clear (&o);

  acquire_wait (manager, NULL, ab, NAN, NULL, &o);
  g_assert_error (o.error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  outcome_clear (&o);

  acquire_wait (manager, NULL, ab, INFINITY, NULL, &o);
  g_assert_error (o.error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  outcome_clear (&o);

  acquire_wait (manager, NULL, unknown, 1.0, NULL, &o);
  g_assert_error (o.error, FC_ERROR, FC_ERROR_NOT_REGISTERED);
  g_assert_cmpstr (o.error->message, ==, "Lock 'nope' not registered");
  outcome_clear (&o);
  assert_all_idle (manager);

  /* Order violation, through a guard: holding b, a is below. */
  acquire_wait (manager, NULL, b, 1.0, NULL, &holder);
  g_assert_no_error (holder.error);
  acquire_wait (manager, holder.guard, ab, 1.0, NULL, &o);
  g_assert_error (o.error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);
  g_assert_cmpstr (o.error->message, ==,
                   "Lock ordering violation: trying to acquire a (order 10) after "
                   "higher-order locks. Current max order: 20 (held: 'b')");
  outcome_clear (&o);
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "a")));

  /* Timeout 0 while b is held. */
  acquire_wait (manager, NULL, ab, 0, NULL, &o);
  g_assert_error (o.error, FC_ERROR, FC_ERROR_TIMEOUT);
  /* The contract's text, explained: which guard holds it, for how long. */
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'b': held by 'guard-*' for *s",
                                         o.error->message));
  outcome_clear (&o);
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "a")));

  /* Timeout 0 when everything is free succeeds. */
  acquire_wait (manager, NULL, a, 0, NULL, &o);
  g_assert_no_error (o.error);
  fc_async_lock_guard_release (o.guard);
  outcome_clear (&o);

  /* Cancelled before the start. */
  g_cancellable_cancel (cancellable);
  acquire_wait (manager, NULL, a, 1.0, cancellable, &o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_clear (&o);

  fc_async_lock_guard_release (holder.guard);
  outcome_clear (&holder);
  assert_all_idle (manager);
}

static void
test_empty (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *none[] = { NULL };
  const char *dups[] = { "b", "a", "b", "a", NULL };
  Outcome o = { 0, };
  g_auto(GStrv) names = NULL;

  acquire_wait (manager, NULL, NULL, 1.0, NULL, &o);
  g_assert_no_error (o.error);
  names = fc_async_lock_guard_dup_names (o.guard);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_clear_pointer (&names, g_strfreev);
  fc_async_lock_guard_release (o.guard);
  outcome_clear (&o);

  acquire_wait (manager, NULL, none, 1.0, NULL, &o);
  g_assert_no_error (o.error);
  fc_async_lock_guard_release (o.guard);
  outcome_clear (&o);

  acquire_wait (manager, NULL, dups, 1.0, NULL, &o);
  g_assert_no_error (o.error);
  names = fc_async_lock_guard_dup_names (o.guard);
  g_assert_cmpstrv (names, ((const char *[]) { "a", "b", NULL }));
  g_assert_false (fc_async_lock_guard_is_released (o.guard));
  fc_async_lock_guard_release (o.guard);
  g_assert_true (fc_async_lock_guard_is_released (o.guard));
  fc_async_lock_guard_release (o.guard);  /* idempotent */
  outcome_clear (&o);
  assert_all_idle (manager);
}

#define N_FIFO 1000

static void
test_fifo (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, };
  Outcome *waiters = g_new0 (Outcome, N_FIFO);
  guint counter = 0;

  acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
  for (guint i = 0; i < N_FIFO; i++)
    {
      waiters[i].counter = &counter;
      waiters[i].release = TRUE;
      acquire_start (manager, NULL, a, FC_TIMEOUT_INFINITE, NULL, &waiters[i]);
    }
  iterate_pending (NULL);
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "a")), ==, N_FIFO);

  fc_async_lock_guard_release (holder.guard);
  outcome_wait (&waiters[N_FIFO - 1]);

  for (guint i = 0; i < N_FIFO; i++)
    {
      g_assert_true (waiters[i].completed);
      g_assert_no_error (waiters[i].error);
      g_assert_cmpuint (waiters[i].seq, ==, i);
      outcome_clear (&waiters[i]);
    }
  outcome_clear (&holder);
  g_free (waiters);
  assert_all_idle (manager);
}

static void
test_no_barging (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, first = { 0, }, newcomer = { 0, };
  FcAsyncLock *lock = get_lock (manager, "a");
  g_autofree char *owner = NULL;

  acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
  acquire_start (manager, NULL, a, 5.0, NULL, &first);
  iterate_pending (NULL);
  g_assert_false (first.completed);

  /* Handed over: the lock now belongs to `first`, whose callback has not
   * run yet. A newcomer must queue behind, even with timeout 0 failing. */
  fc_async_lock_guard_release (holder.guard);
  g_assert_true (fc_async_lock_is_locked (lock));
  g_assert_cmpuint (fc_async_lock_get_waiters (lock), ==, 0);
  acquire_start (manager, NULL, a, 5.0, NULL, &newcomer);
  g_assert_cmpuint (fc_async_lock_get_waiters (lock), ==, 1);

  outcome_wait (&first);
  g_assert_no_error (first.error);
  owner = fc_async_lock_dup_owner (lock);
  g_assert_cmpstr (owner, ==, fc_async_lock_guard_get_label (first.guard));
  iterate_pending (NULL);
  g_assert_false (newcomer.completed);

  fc_async_lock_guard_release (first.guard);
  outcome_wait (&newcomer);
  g_assert_no_error (newcomer.error);
  fc_async_lock_guard_release (newcomer.guard);

  outcome_clear (&holder);
  outcome_clear (&first);
  outcome_clear (&newcomer);
  assert_all_idle (manager);
}

static void
test_timeout_partial (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *b[] = { "b", NULL };
  const char *abc[] = { "c", "a", "b", NULL };
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, o = { 0, }, behind = { 0, };
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) entry = NULL;
  g_autofree char *owner = NULL;

  acquire_wait (manager, NULL, b, 1.0, NULL, &holder);
  fc_async_lock_guard_set_label (holder.guard, "holder");

  acquire_start (manager, NULL, abc, 0.05, NULL, &o);
  /* `o` holds a and waits for b; `behind` queues on a. */
  g_assert_true (fc_async_lock_is_locked (get_lock (manager, "a")));
  acquire_start (manager, NULL, a, 5.0, NULL, &behind);
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "a")), ==, 1);
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "b")), ==, 1);

  outcome_wait (&o);
  g_assert_error (o.error, FC_ERROR, FC_ERROR_TIMEOUT);
  /* The contract's text, explained: which guard holds it, for how long. */
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'b': held by 'holder' for *s",
                                         o.error->message));

  /* The rollback handed a on to `behind`. */
  outcome_wait (&behind);
  g_assert_no_error (behind.error);
  fc_async_lock_guard_release (behind.guard);

  status = fc_async_lock_manager_get_lock_status (manager);
  entry = g_variant_lookup_value (status, "b", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (entry, "owner", "ms", &owner));
  g_assert_cmpstr (owner, ==, "holder");
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "a")));
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "c")));
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "b")), ==, 0);

  fc_async_lock_guard_release (holder.guard);
  outcome_clear (&holder);
  outcome_clear (&o);
  outcome_clear (&behind);
  assert_all_idle (manager);
}

static void
test_cancel_waiting (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *c[] = { "c", NULL };
  const char *abc[] = { "a", "b", "c", NULL };
  Outcome holder = { 0, }, o = { 0, };

  acquire_wait (manager, NULL, c, 1.0, NULL, &holder);
  acquire_start (manager, NULL, abc, FC_TIMEOUT_INFINITE, cancellable, &o);
  iterate_pending (NULL);
  g_assert_false (o.completed);
  g_assert_true (fc_async_lock_is_locked (get_lock (manager, "b")));

  g_cancellable_cancel (cancellable);
  outcome_wait (&o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "a")));
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "b")));
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "c")), ==, 0);

  fc_async_lock_guard_release (holder.guard);
  outcome_clear (&holder);
  outcome_clear (&o);
  assert_all_idle (manager);
}

static gpointer
cancel_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_from_thread (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, o = { 0, };

  acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
  acquire_start (manager, NULL, a, FC_TIMEOUT_INFINITE, cancellable, &o);
  g_thread_join (g_thread_new ("canceller", cancel_thread, cancellable));
  outcome_wait (&o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fc_async_lock_get_waiters (get_lock (manager, "a")), ==, 0);

  fc_async_lock_guard_release (holder.guard);
  outcome_clear (&holder);
  outcome_clear (&o);
  assert_all_idle (manager);
}

static void
test_cancel_races_grant (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(GCancellable) c1 = g_cancellable_new ();
  g_autoptr(GCancellable) c2 = g_cancellable_new ();
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, o = { 0, };

  /* Granted first, cancelled before the callback: success wins. */
  acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
  acquire_start (manager, NULL, a, 0.01, c1, &o);
  fc_async_lock_guard_release (holder.guard);
  g_cancellable_cancel (c1);
  g_usleep (20000);  /* and the deadline passes too */
  outcome_wait (&o);
  g_assert_no_error (o.error);
  g_assert_nonnull (o.guard);
  g_assert_true (fc_async_lock_is_locked (get_lock (manager, "a")));
  fc_async_lock_guard_release (o.guard);
  outcome_clear (&holder);
  outcome_clear (&o);

  /* Cancelled first, then released: the cancellation wins, the lock is free. */
  acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
  acquire_start (manager, NULL, a, FC_TIMEOUT_INFINITE, c2, &o);
  g_cancellable_cancel (c2);
  fc_async_lock_guard_release (holder.guard);
  outcome_wait (&o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_clear (&holder);
  outcome_clear (&o);
  assert_all_idle (manager);
}

static void
test_nested (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  const char *ac[] = { "c", "a", NULL };
  const char *b[] = { "b", NULL };
  const char *ad[] = { "a", "d", NULL };
  Outcome parent = { 0, }, child = { 0, }, grandchild = { 0, }, o = { 0, };
  g_auto(GStrv) names = NULL;

  acquire_wait (manager, NULL, a, 1.0, NULL, &parent);
  fc_async_lock_guard_set_label (parent.guard, "job");

  /* a is skipped (re-entrant), c is taken. */
  acquire_wait (manager, parent.guard, ac, 1.0, NULL, &child);
  g_assert_no_error (child.error);
  names = fc_async_lock_guard_dup_names (child.guard);
  g_assert_cmpstrv (names, ((const char *[]) { "c", NULL }));
  g_assert_cmpstr (fc_async_lock_guard_get_label (child.guard), ==, "job");

  /* Holding a and c in the chain, b is below c. */
  acquire_wait (manager, child.guard, b, 1.0, NULL, &o);
  g_assert_error (o.error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);
  g_assert_cmpstr (o.error->message, ==,
                   "Lock ordering violation: trying to acquire b (order 20) after "
                   "higher-order locks. Current max order: 30 (held: 'c')");
  outcome_clear (&o);
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "b")));

  /* The parent's own chain holds only a: b is fine there. */
  acquire_wait (manager, parent.guard, b, 1.0, NULL, &o);
  g_assert_no_error (o.error);

  /* Grandchild: a skipped (held by the grandparent), d taken. */
  acquire_wait (manager, child.guard, ad, 1.0, NULL, &grandchild);
  g_assert_no_error (grandchild.error);
  g_clear_pointer (&names, g_strfreev);
  names = fc_async_lock_guard_dup_names (grandchild.guard);
  g_assert_cmpstrv (names, ((const char *[]) { "d", NULL }));

  /* The child releases only what it took. */
  fc_async_lock_guard_release (grandchild.guard);
  g_assert_false (fc_async_lock_is_locked (get_lock (manager, "d")));
  g_assert_true (fc_async_lock_is_locked (get_lock (manager, "a")));
  g_assert_true (fc_async_lock_is_locked (get_lock (manager, "c")));

  fc_async_lock_guard_release (o.guard);
  fc_async_lock_guard_release (child.guard);
  g_assert_true (fc_async_lock_is_locked (get_lock (manager, "a")));
  fc_async_lock_guard_release (parent.guard);

  outcome_clear (&parent);
  outcome_clear (&child);
  outcome_clear (&grandchild);
  outcome_clear (&o);
  assert_all_idle (manager);
}

static void
test_parent_releases_children (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  const char *c[] = { "c", NULL };
  const char *d[] = { "d", NULL };
  Outcome parent = { 0, }, child = { 0, }, grandchild = { 0, }, wa = { 0, }, wc = { 0, }, wd = { 0, };
  guint counter = 0;

  acquire_wait (manager, NULL, a, 1.0, NULL, &parent);
  acquire_wait (manager, parent.guard, c, 1.0, NULL, &child);
  acquire_wait (manager, child.guard, d, 1.0, NULL, &grandchild);

  wa.counter = wc.counter = wd.counter = &counter;
  wa.release = wc.release = wd.release = TRUE;
  acquire_start (manager, NULL, a, 5.0, NULL, &wa);
  acquire_start (manager, NULL, c, 5.0, NULL, &wc);
  acquire_start (manager, NULL, d, 5.0, NULL, &wd);

  fc_async_lock_guard_release (parent.guard);
  g_assert_true (fc_async_lock_guard_is_released (child.guard));
  g_assert_true (fc_async_lock_guard_is_released (grandchild.guard));
  outcome_wait (&wa);
  outcome_wait (&wc);
  outcome_wait (&wd);

  /* Hand-offs happen in release order: grandchild, child, parent. */
  g_assert_cmpuint (wd.seq, ==, 0);
  g_assert_cmpuint (wc.seq, ==, 1);
  g_assert_cmpuint (wa.seq, ==, 2);

  fc_async_lock_guard_release (child.guard);  /* nothing left to do */
  outcome_clear (&parent);
  outcome_clear (&child);
  outcome_clear (&grandchild);
  outcome_clear (&wa);
  outcome_clear (&wc);
  outcome_clear (&wd);
  assert_all_idle (manager);
}

typedef struct
{
  FcAsyncLockManager *manager;
  GMainContext       *context;
  Outcome             outcome;
} ThreadCall;

static gpointer
acquire_in_thread (gpointer data)
{
  ThreadCall *call = data;
  const char *ab[] = { "a", "b", NULL };

  call->context = g_main_context_new ();
  g_main_context_push_thread_default (call->context);
  acquire_wait (call->manager, NULL, ab, FC_TIMEOUT_INFINITE, NULL, &call->outcome);
  g_main_context_pop_thread_default (call->context);
  return NULL;
}

static void
test_callback_context (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *b[] = { "b", NULL };
  Outcome holder = { 0, };
  ThreadCall call = { manager, NULL, { 0, } };
  GMainContext *main_context = g_main_context_ref_thread_default ();
  GThread *thread;

  acquire_wait (manager, NULL, b, 1.0, NULL, &holder);
  g_assert_true (holder.context == main_context);

  /* The worker queues in its own context; the main thread hands b over. */
  thread = g_thread_new ("worker", acquire_in_thread, &call);
  while (fc_async_lock_get_waiters (get_lock (manager, "b")) == 0)
    g_usleep (1000);
  fc_async_lock_guard_release (holder.guard);
  g_thread_join (thread);

  g_assert_true (call.outcome.completed);
  g_assert_no_error (call.outcome.error);
  g_assert_true (call.outcome.context == call.context);

  /* Released from another thread than the one that acquired it. */
  fc_async_lock_guard_release (call.outcome.guard);
  outcome_clear (&call.outcome);
  g_main_context_unref (call.context);
  outcome_clear (&holder);
  g_main_context_unref (main_context);
  assert_all_idle (manager);
}

static gpointer
release_thread (gpointer data)
{
  fc_async_lock_guard_release (data);
  return NULL;
}

static void
test_release_other_thread (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *ab[] = { "a", "b", NULL };
  Outcome holder = { 0, }, waiter = { 0, };

  acquire_wait (manager, NULL, ab, 1.0, NULL, &holder);
  acquire_start (manager, NULL, ab, 5.0, NULL, &waiter);
  g_thread_join (g_thread_new ("releaser", release_thread, holder.guard));
  g_assert_true (fc_async_lock_guard_is_released (holder.guard));
  outcome_wait (&waiter);
  g_assert_no_error (waiter.error);
  g_assert_true (waiter.context == holder.context);
  fc_async_lock_guard_release (waiter.guard);

  outcome_clear (&holder);
  outcome_clear (&waiter);
  assert_all_idle (manager);
}

static void
test_finalize_releases (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  Outcome o = { 0, };

  acquire_wait (manager, NULL, a, 1.0, NULL, &o);
  g_assert_true (fc_async_lock_is_locked (get_lock (manager, "a")));

  g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_WARNING,
                         "*finalized without being released*");
  g_clear_object (&o.guard);
  g_test_assert_expected_messages ();
  outcome_clear (&o);
  assert_all_idle (manager);

  /* A result that is never finished releases its guard quietly. */
  fc_async_lock_manager_acquire_async (manager, a, 1.0, NULL, NULL, NULL);
  g_assert_true (fc_async_lock_is_locked (get_lock (manager, "a")));
  while (fc_async_lock_is_locked (get_lock (manager, "a")))
    g_main_context_iteration (NULL, TRUE);
  assert_all_idle (manager);
}

static void
test_status (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, w1 = { 0, }, w2 = { 0, };
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) entry = NULL;
  g_autoptr(GVariant) free_entry = NULL;
  g_autoptr(FcAsyncLock) lock = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *prop_owner = NULL;
  g_autofree char *description = NULL;
  gboolean locked;
  guint waiters;
  double acquired_at;

  acquire_wait (manager, NULL, a, 1.0, NULL, &holder);
  fc_async_lock_guard_set_label (holder.guard, "main-job");
  acquire_start (manager, NULL, a, 5.0, NULL, &w1);
  acquire_start (manager, NULL, a, 5.0, NULL, &w2);

  status = fc_async_lock_manager_get_lock_status (manager);
  g_assert_true (g_variant_is_of_type (status, G_VARIANT_TYPE ("a{sa{sv}}")));
  g_assert_cmpuint (g_variant_n_children (status), ==, 4);

  entry = g_variant_lookup_value (status, "a", G_VARIANT_TYPE_VARDICT);
  g_assert_nonnull (entry);
  {
    g_autoptr(GVariant) order = g_variant_lookup_value (entry, "order", G_VARIANT_TYPE_INT32);
    g_assert_nonnull (order);
  }
  g_assert_true (g_variant_lookup (entry, "description", "s", &description));
  g_assert_true (g_variant_lookup (entry, "is_locked", "b", &locked));
  g_assert_true (locked);
  g_assert_true (g_variant_lookup (entry, "owner", "ms", &owner));
  g_assert_cmpstr (owner, ==, "main-job");
  {
    g_autoptr(GVariant) at = g_variant_lookup_value (entry, "acquired_at", G_VARIANT_TYPE ("md"));
    g_autoptr(GVariant) inner = g_variant_get_maybe (at);

    g_assert_nonnull (inner);
    acquired_at = g_variant_get_double (inner);
    g_assert_cmpfloat (fabs (acquired_at - g_get_real_time () / 1e6), <, 60.0);
  }
  g_assert_true (g_variant_lookup (entry, "waiters", "u", &waiters));
  g_assert_cmpuint (waiters, ==, 2);

  free_entry = g_variant_lookup_value (status, "b", G_VARIANT_TYPE_VARDICT);
  {
    g_autoptr(GVariant) o = g_variant_lookup_value (free_entry, "owner", G_VARIANT_TYPE ("ms"));
    g_autoptr(GVariant) at = g_variant_lookup_value (free_entry, "acquired_at", G_VARIANT_TYPE ("md"));

    g_assert_null (g_variant_get_maybe (o));
    g_assert_null (g_variant_get_maybe (at));
  }

  /* The properties say the same. */
  lock = g_object_ref (get_lock (manager, "a"));
  g_object_get (lock, "locked", &locked, "owner", &prop_owner, "waiters", &waiters, NULL);
  g_assert_true (locked);
  g_assert_cmpstr (prop_owner, ==, "main-job");
  g_assert_cmpuint (waiters, ==, 2);

  fc_async_lock_guard_release (holder.guard);
  outcome_wait (&w1);
  fc_async_lock_guard_release (w1.guard);
  outcome_wait (&w2);
  fc_async_lock_guard_release (w2.guard);
  g_assert_cmpuint (w1.seq, ==, 0);
  outcome_clear (&holder);
  outcome_clear (&w1);
  outcome_clear (&w2);
  assert_all_idle (manager);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_detect (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  const char *b[] = { "b", NULL };
  Outcome holder = { 0, };
  g_auto(GStrv) warnings = NULL;
  guint notified = 0;
  double threshold = 0;

  g_assert_cmpfloat (fc_async_lock_manager_get_hold_warning_threshold (manager), ==, 30.0);
  g_signal_connect (manager, "notify::hold-warning-threshold", G_CALLBACK (on_notify), &notified);

  acquire_wait (manager, NULL, b, 1.0, NULL, &holder);
  fc_async_lock_guard_set_label (holder.guard, "slow");

  warnings = fc_async_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (warnings), ==, 0);
  g_clear_pointer (&warnings, g_strfreev);

  g_object_set (manager, "hold-warning-threshold", 0.001, NULL);
  g_object_get (manager, "hold-warning-threshold", &threshold, NULL);
  g_assert_cmpfloat (threshold, ==, 0.001);
  g_assert_cmpuint (notified, ==, 1);
  fc_async_lock_manager_set_hold_warning_threshold (manager, 0.001);
  g_assert_cmpuint (notified, ==, 1);

  g_usleep (50000);
  warnings = fc_async_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (warnings), ==, 1);
  g_assert_true (g_str_has_prefix (warnings[0], "Lock 'b' held by 'slow' for "));
  g_assert_true (g_str_has_suffix (warnings[0], "s - potential deadlock or resource leak"));

  fc_async_lock_guard_release (holder.guard);
  outcome_clear (&holder);
  assert_all_idle (manager);
}

#define N_DEFAULT_THREADS 8

static gpointer
get_default_thread (gpointer data)
{
  return fc_async_lock_manager_get_default ();
}

static void
test_get_default (void)
{
  GThread *threads[N_DEFAULT_THREADS];
  gpointer seen[N_DEFAULT_THREADS];
  FcAsyncLockManager *manager;
  FcAsyncLock *lock;

  for (guint i = 0; i < N_DEFAULT_THREADS; i++)
    threads[i] = g_thread_new ("get-default", get_default_thread, NULL);
  for (guint i = 0; i < N_DEFAULT_THREADS; i++)
    seen[i] = g_thread_join (threads[i]);

  manager = fc_async_lock_manager_get_default ();
  for (guint i = 0; i < N_DEFAULT_THREADS; i++)
    g_assert_true (seen[i] == manager);

  lock = fc_async_lock_manager_get_lock (manager, "foundation.async.config", NULL);
  g_assert_nonnull (lock);
  g_assert_cmpint (fc_async_lock_get_order (lock), ==, 200);
  g_assert_cmpstr (fc_async_lock_get_description (lock), ==, "Async Configuration system lock");
  lock = fc_async_lock_manager_get_lock (manager, "foundation.async.hub.components", NULL);
  g_assert_cmpint (fc_async_lock_get_order (lock), ==, 220);
  assert_all_idle (manager);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/async-lock-manager/registration-errors", test_registration_errors);
  g_test_add_func ("/async-lock-manager/acquire-errors", test_acquire_errors);
  g_test_add_func ("/async-lock-manager/empty", test_empty);
  g_test_add_func ("/async-lock-manager/fifo", test_fifo);
  g_test_add_func ("/async-lock-manager/no-barging", test_no_barging);
  g_test_add_func ("/async-lock-manager/timeout-partial", test_timeout_partial);
  g_test_add_func ("/async-lock-manager/cancel-waiting", test_cancel_waiting);
  g_test_add_func ("/async-lock-manager/cancel-from-thread", test_cancel_from_thread);
  g_test_add_func ("/async-lock-manager/cancel-races-grant", test_cancel_races_grant);
  g_test_add_func ("/async-lock-manager/nested", test_nested);
  g_test_add_func ("/async-lock-manager/parent-releases-children", test_parent_releases_children);
  g_test_add_func ("/async-lock-manager/callback-context", test_callback_context);
  g_test_add_func ("/async-lock-manager/release-other-thread", test_release_other_thread);
  g_test_add_func ("/async-lock-manager/finalize-releases", test_finalize_releases);
  g_test_add_func ("/async-lock-manager/status", test_status);
  g_test_add_func ("/async-lock-manager/detect", test_detect);
  g_test_add_func ("/async-lock-manager/get-default", test_get_default);

  return g_test_run ();
}
