/* test-async-diagnostics.c — the async wait-for graph of issue 12: a
 * waiting request points at the guard that holds its lock, and a guard
 * waits only through its own pending child requests, so sibling guards are
 * no longer counted as one owner.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "async-test-util.h"
#include "diagnostics-test-util.h"

static guint
count_prefixed (GPtrArray  *lines,
                const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    n += g_str_has_prefix (lines->pdata[i], prefix);
  return n;
}

static guint
count_prefixed_strv (char       **lines,
                     const char  *prefix)
{
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_test_message ("detect: %s", lines[i]);
      n += g_str_has_prefix (lines[i], prefix);
    }
  return n;
}

static void
on_signal (FcAsyncLockManager *manager,
           const char         *message,
           GVariant           *report,
           gpointer            user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

static FcAsyncLockManager *
new_heard_manager (GPtrArray *heard)
{
  FcAsyncLockManager *manager = fc_async_lock_manager_new ();
  static const struct { const char *name; int order; } locks[] = {
    { "a", 10 }, { "b", 20 }, { "c", 30 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    g_assert_nonnull (fc_async_lock_manager_register_lock (manager, locks[i].name, locks[i].order,
                                                           NULL, NULL, NULL));
  if (heard != NULL)
    g_signal_connect (manager, "potential-deadlock", G_CALLBACK (on_signal), heard);
  return manager;
}

/* Acquires @name (NULL: nothing) under @parent, which must succeed at once,
 * and labels the guard @label unless NULL. */
static void
take (FcAsyncLockManager *manager,
      FcAsyncLockGuard   *parent,
      const char         *name,
      const char         *label,
      Outcome            *o)
{
  const char *names[] = { name, NULL };

  acquire_wait (manager, parent, names, 1.0, NULL, o);
  g_assert_no_error (o->error);
  if (label != NULL)
    fc_async_lock_guard_set_label (o->guard, label);
}

/* Iterates the thread-default context for @ms milliseconds. */
static void
iterate_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * (G_USEC_PER_SEC / 1000);

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

typedef struct
{
  FcAsyncLockGuard *holders[2];
  gboolean          fired;
} Timer;

static gboolean
release_holders (gpointer data)
{
  Timer *timer = data;

  for (guint i = 0; i < G_N_ELEMENTS (timer->holders); i++)
    fc_async_lock_guard_release (timer->holders[i]);
  timer->fired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Finding 6: two root guards, each with one child holding a lock and a
 * sibling child waiting for the other root's lock; a timer releases the
 * holders. The holders wait for nothing, so they release: no deadlock.
 * (Counted by chain roots, the two roots waited for each other.) */
static void
test_siblings_are_not_one_owner (void)
{
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FcAsyncLockManager) manager = new_heard_manager (heard);
  const char *a[] = { "a", NULL };
  const char *b[] = { "b", NULL };
  Outcome r1 = { 0, }, r2 = { 0, }, holds_a = { 0, }, holds_b = { 0, };
  Outcome wants_b = { 0, }, wants_a = { 0, };
  Timer timer = { { NULL, }, FALSE };
  g_auto(GStrv) lines = NULL;
  g_autoptr(GVariant) report = NULL;
  g_autofree char *printed = NULL;

  take (manager, NULL, NULL, "root-1", &r1);
  take (manager, NULL, NULL, "root-2", &r2);
  take (manager, r1.guard, "a", NULL, &holds_a);
  take (manager, r2.guard, "b", NULL, &holds_b);

  acquire_start (manager, r1.guard, b, 10.0, NULL, &wants_b);
  acquire_start (manager, r2.guard, a, 10.0, NULL, &wants_a);
  timer.holders[0] = holds_a.guard;
  timer.holders[1] = holds_b.guard;
  g_timeout_add (400, release_holders, &timer);

  /* Well past the 100 ms a waiter waits before it looks for a deadlock. */
  iterate_for (250);
  g_assert_false (wants_a.completed || wants_b.completed || timer.fired);
  g_assert_cmpuint (fc_async_lock_get_waiters (fc_async_lock_manager_get_lock (manager, "a", NULL)), ==, 1);

  lines = fc_async_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (count_prefixed_strv (lines, "Deadlock"), ==, 0);
  report = fc_async_lock_manager_get_deadlock_report (manager);
  printed = g_variant_print (report, FALSE);
  g_assert_null (strstr (printed, "'deadlock'"));

  outcome_wait (&wants_b);
  outcome_wait (&wants_a);
  g_assert_true (timer.fired);
  g_assert_no_error (wants_b.error);
  g_assert_no_error (wants_a.error);
  iterate_pending (NULL);
  g_assert_cmpuint (count_prefixed (heard, "Deadlock"), ==, 0);
  /* Nor announced as anything else by the 100 ms checks (finding 7). */
  g_assert_cmpuint (heard->len, ==, 0);

  fc_async_lock_guard_release (r1.guard);
  fc_async_lock_guard_release (r2.guard);
  g_assert_true (fc_async_lock_guard_is_released (wants_b.guard));
  assert_all_idle (manager);
  outcome_clear (&r1);
  outcome_clear (&r2);
  outcome_clear (&holds_a);
  outcome_clear (&holds_b);
  outcome_clear (&wants_a);
  outcome_clear (&wants_b);
}

/* Finding 6, the explanation of a timeout: it names the guard that holds
 * the lock and what that guard waits for, not what its siblings wait for.
 * W waits for a, held by P's child "holder"; holder's sibling "waiter"
 * waits for b, held by Z. The holder waits for nothing. */
static void
test_timeout_names_the_holder (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_heard_manager (NULL);
  const char *a[] = { "a", NULL };
  const char *b[] = { "b", NULL };
  Outcome p = { 0, }, holder = { 0, }, z = { 0, }, waiter = { 0, }, w = { 0, };
  Outcome z_child = { 0, }, nested = { 0, }, w2 = { 0, };
  const char *c[] = { "c", NULL };

  take (manager, NULL, NULL, "P", &p);
  take (manager, p.guard, "a", "holder", &holder);
  take (manager, NULL, "b", "Z", &z);
  acquire_start (manager, p.guard, b, 10.0, NULL, &waiter);
  acquire_start (manager, NULL, a, 0.15, NULL, &w);
  outcome_wait (&w);
  g_assert_error (w.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_test_message ("%s", w.error->message);
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'a': held by 'holder' for *s",
                                         w.error->message));
  g_assert_null (strstr (w.error->message, "waits for"));

  /* A guard with a pending child request does wait on it: Z's child waits
   * for c, held by holder's child; W2 times out on b, held by Z. */
  take (manager, holder.guard, "c", NULL, &nested);
  acquire_start (manager, z.guard, c, 10.0, NULL, &z_child);
  acquire_start (manager, NULL, b, 0.15, NULL, &w2);
  outcome_wait (&w2);
  g_assert_error (w2.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_test_message ("%s", w2.error->message);
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'b': held by 'Z' for *s, "
                                         "which waits for 'c' held by 'holder'",
                                         w2.error->message));

  fc_async_lock_guard_release (z.guard);       /* fails z_child */
  outcome_wait (&z_child);
  g_assert_error (z_child.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_wait (&waiter);
  g_assert_no_error (waiter.error);
  fc_async_lock_guard_release (p.guard);       /* and holder, nested, waiter */
  g_assert_true (fc_async_lock_guard_is_released (nested.guard));
  assert_all_idle (manager);
  outcome_clear (&p);
  outcome_clear (&holder);
  outcome_clear (&nested);
  outcome_clear (&z);
  outcome_clear (&z_child);
  outcome_clear (&waiter);
  outcome_clear (&w);
  outcome_clear (&w2);
}

/* Issue 12, finding 3, async side: a chain holding a waits for b and
 * times out; the a -> b edge existed the moment it started to wait, so
 * the order graph has it (learned only at grant time, it was lost). */
static void
test_timed_out_wait_teaches (void)
{
  g_autoptr(FcAsyncLockManager) manager = new_heard_manager (NULL);
  const char *b[] = { "b", NULL };
  Outcome p = { 0, }, z = { 0, }, w = { 0, };
  g_autofree char *dot = NULL;

  take (manager, NULL, "a", "P", &p);
  take (manager, NULL, "b", "Z", &z);
  dot = fc_async_lock_manager_dump_order_graph (manager);
  g_assert_null (strstr (dot, "\"a\" -> \"b\""));
  g_clear_pointer (&dot, g_free);

  acquire_start (manager, p.guard, b, 0.05, NULL, &w);
  outcome_wait (&w);
  g_assert_error (w.error, FC_ERROR, FC_ERROR_TIMEOUT);

  dot = fc_async_lock_manager_dump_order_graph (manager);
  g_test_message ("%s", dot);
  g_assert_nonnull (strstr (dot, "\"a\" -> \"b\""));

  fc_async_lock_guard_release (z.guard);
  fc_async_lock_guard_release (p.guard);
  assert_all_idle (manager);
  outcome_clear (&p);
  outcome_clear (&z);
  outcome_clear (&w);
}

/* Why no async deadlock is left to announce: with the order rule, each
 * edge of the guard wait-for graph leads to a higher lock order (a guard's
 * pending requests want locks above all it holds), so no cycle can form in
 * one manager. The request that would close a 2- or 3-chain cycle fails at
 * once with ORDER_VIOLATION; the others only wait, and get their locks
 * once the holders release. Nothing is reported meanwhile. */
static void
check_no_cycle (guint n_chains)
{
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FcAsyncLockManager) manager = new_heard_manager (heard);
  static const char *names[] = { "a", "b", "c" };
  Outcome roots[3] = { { 0, }, }, children[3] = { { 0, }, };
  g_auto(GStrv) lines = NULL;

  g_assert_cmpuint (n_chains, <=, G_N_ELEMENTS (names));
  for (guint i = 0; i < n_chains; i++)
    take (manager, NULL, names[i], names[i], &roots[i]);
  /* Chain i wants the lock of chain i + 1; the last one wants the first. */
  for (guint i = 0; i < n_chains; i++)
    {
      const char *wanted[] = { names[(i + 1) % n_chains], NULL };

      acquire_start (manager, roots[i].guard, wanted, 10.0, NULL, &children[i]);
    }
  outcome_wait (&children[n_chains - 1]);
  g_assert_error (children[n_chains - 1].error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);

  iterate_for (250);
  for (guint i = 0; i + 1 < n_chains; i++)
    g_assert_false (children[i].completed);
  lines = fc_async_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (count_prefixed_strv (lines, "Deadlock"), ==, 0);
  g_assert_cmpuint (count_prefixed (heard, "Deadlock"), ==, 0);

  /* The last chain waits for nothing: its release frees the others, from
   * the end of the line to its start. */
  for (guint i = n_chains; i > 0; i--)
    {
      fc_async_lock_guard_release (roots[i - 1].guard);
      if (i >= 2)
        {
          outcome_wait (&children[i - 2]);
          g_assert_no_error (children[i - 2].error);
        }
    }
  assert_all_idle (manager);
  for (guint i = 0; i < n_chains; i++)
    {
      outcome_clear (&roots[i]);
      outcome_clear (&children[i]);
    }
}

static void
test_no_cycle_two_chains (void)
{
  check_no_cycle (2);
}

static void
test_no_cycle_three_chains (void)
{
  check_no_cycle (3);
}

/* @message with every duration ("0.1s") as "#s": the report and
 * detect_potential_deadlocks() are two looks, and a duration may have
 * moved past a tenth of a second between them. */
static char *
without_durations (const char *message)
{
  g_autoptr(GRegex) duration = g_regex_new ("[0-9]+\\.[0-9]s", G_REGEX_DEFAULT,
                                            G_REGEX_MATCH_DEFAULT, NULL);

  return g_regex_replace_literal (duration, message, -1, 0, "#s", G_REGEX_MATCH_DEFAULT, NULL);
}

/* @manager's structured report has a finding of @kind, and its message is
 * one of detect_potential_deadlocks()'s. */
static void
assert_report_has_kind (FcAsyncLockManager *manager,
                        const char         *kind)
{
  g_autoptr(GVariant) report = fc_async_lock_manager_get_deadlock_report (manager);
  g_auto(GStrv) found = fc_async_lock_manager_detect_potential_deadlocks (manager);
  g_autoptr(GPtrArray) found_shapes = g_ptr_array_new_with_free_func (g_free);
  gboolean seen = FALSE;

  g_assert_cmpuint (g_variant_n_children (report), ==, g_strv_length (found));
  for (guint i = 0; found[i] != NULL; i++)
    g_ptr_array_add (found_shapes, without_durations (found[i]));
  for (gsize i = 0; i < g_variant_n_children (report); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (report, i);
      const char *entry_kind = NULL, *message = NULL;
      g_autofree char *shape = NULL;

      g_assert_true (g_variant_lookup (entry, "kind", "&s", &entry_kind));
      g_assert_true (g_variant_lookup (entry, "message", "&s", &message));
      shape = without_durations (message);
      g_assert_true (g_ptr_array_find_with_equal_func (found_shapes, shape, g_str_equal, NULL));
      seen |= g_strcmp0 (entry_kind, kind) == 0;
    }
  g_assert_true (seen);
}

/* Finding 7: an async request that has waited 100 ms looks once for what
 * may keep it waiting for ever, and announces it as a waiting thread does
 * (log once, potential-deadlock), with neither detect_*() nor the
 * watchdog. Of the live deadlocks async requests can be in, the one the
 * library can see is a grant stuck in a main context nobody iterates: a
 * lock handed to a request made from a context that was pushed, used and
 * popped, while two other requests queue behind it. Both look; the
 * finding is announced once. */
static void
test_stuck_grant_announced (void)
{
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FcAsyncLockManager) manager = new_heard_manager (heard);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GMainContext *stopped = g_main_context_new ();
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, stuck = { 0, }, w1 = { 0, }, w2 = { 0, };
  const char *pattern = "Lock 'a' was handed to guard-*, whose main context is not running*";

  take (manager, NULL, "a", "holder", &holder);
  g_main_context_push_thread_default (stopped);
  acquire_start (manager, NULL, a, FC_TIMEOUT_INFINITE, NULL, &stuck);
  g_main_context_pop_thread_default (stopped);
  fc_async_lock_guard_release (holder.guard);   /* hands a over, to a context nobody runs */

  /* The timeouts only bound the test should nothing be heard. */
  acquire_start (manager, NULL, a, 5.0, cancellable, &w1);
  acquire_start (manager, NULL, a, 5.0, cancellable, &w2);
  while (heard->len == 0 && !w1.completed)
    g_main_context_iteration (NULL, TRUE);
  /* Both checks have run well before this ends. */
  iterate_for (250);
  g_assert_cmpuint (heard->len, ==, 1);
  g_test_message ("heard: %s", (char *) heard->pdata[0]);
  g_assert_true (g_pattern_match_simple (pattern, heard->pdata[0]));
  g_assert_cmpuint (diag_count_logged (pattern), ==, 1);
  g_assert_false (w1.completed || w2.completed);
  /* The structured report has it too, as detect_*() does once the grant
   * has waited longer than the hold-warning threshold. */
  g_object_set (manager, "hold-warning-threshold", 0.1, NULL);
  assert_report_has_kind (manager, "undelivered-grant");

  g_cancellable_cancel (cancellable);
  outcome_wait (&w1);
  outcome_wait (&w2);
  g_assert_error (w1.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (w2.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  while (!stuck.completed)
    g_main_context_iteration (stopped, TRUE);
  g_assert_no_error (stuck.error);
  fc_async_lock_guard_release (stuck.guard);
  iterate_pending (NULL);
  g_assert_cmpuint (heard->len, ==, 1);
  assert_all_idle (manager);
  outcome_clear (&holder);
  outcome_clear (&stuck);
  outcome_clear (&w1);
  outcome_clear (&w2);
  g_main_context_unref (stopped);
}

/* A context that runs is not stuck: a grant waiting for its turn in a
 * context being iterated (here, the very one the check runs in) is not
 * announced, however long the request behind it waits. */
static gboolean
release_later (gpointer data)
{
  fc_async_lock_guard_release (data);
  return G_SOURCE_REMOVE;
}

static void
test_running_context_not_stuck (void)
{
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FcAsyncLockManager) manager = new_heard_manager (heard);
  const char *a[] = { "a", NULL };
  Outcome holder = { 0, }, next = { 0, }, last = { 0, };

  take (manager, NULL, "a", "holder", &holder);
  acquire_start (manager, NULL, a, FC_TIMEOUT_INFINITE, NULL, &next);
  acquire_start (manager, NULL, a, FC_TIMEOUT_INFINITE, NULL, &last);
  next.release = TRUE;
  last.release = TRUE;
  g_timeout_add (300, release_later, holder.guard);
  outcome_wait (&next);
  outcome_wait (&last);
  g_assert_no_error (next.error);
  g_assert_no_error (last.error);
  iterate_pending (NULL);
  g_assert_cmpuint (heard->len, ==, 0);
  assert_all_idle (manager);
  outcome_clear (&holder);
  outcome_clear (&next);
  outcome_clear (&last);
}

/* What the guard wait-for graph cannot see, as the manual says
 * ("Async locks: which deadlocks the wait-for graph can see"): a guard's
 * code that waits for a request of another manager (or a new top-level
 * request) is not linked to it. Guard p of m1 holds a and its code waits
 * for m2's b; guard q of m2 holds b and its code waits for m1's a. A real
 * deadlock, broken here by the timeouts; nothing is announced. */
static void
test_two_managers_not_seen (void)
{
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FcAsyncLockManager) m1 = new_heard_manager (heard);
  g_autoptr(FcAsyncLockManager) m2 = new_heard_manager (heard);
  const char *a[] = { "a", NULL };
  const char *b[] = { "b", NULL };
  Outcome p = { 0, }, q = { 0, }, p_waits = { 0, }, q_waits = { 0, };

  take (m1, NULL, "a", "p", &p);
  take (m2, NULL, "b", "q", &q);
  acquire_start (m2, NULL, b, 0.3, NULL, &p_waits);
  acquire_start (m1, NULL, a, 0.3, NULL, &q_waits);
  outcome_wait (&p_waits);
  outcome_wait (&q_waits);
  g_assert_error (p_waits.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_error (q_waits.error, FC_ERROR, FC_ERROR_TIMEOUT);
  iterate_pending (NULL);
  g_assert_cmpuint (heard->len, ==, 0);
  g_assert_cmpuint (diag_count_logged ("Deadlock*"), ==, 0);

  fc_async_lock_guard_release (p.guard);
  fc_async_lock_guard_release (q.guard);
  assert_all_idle (m1);
  assert_all_idle (m2);
  outcome_clear (&p);
  outcome_clear (&q);
  outcome_clear (&p_waits);
  outcome_clear (&q_waits);
}

/* The same across kinds: a thread holding FcLock s waits, iterating its
 * own context, for async lock a; a's guard's code, on the main thread,
 * blocks on s. The async check sees a request waiting for a guard that
 * waits for nothing; the thread's check sees a thread waiting for one that
 * waits for no FcLock. Broken by the main thread's timeout; nothing is
 * announced. */
typedef struct
{
  FcLockManager      *sync;
  FcAsyncLockManager *async;
  gint                holds_s;    /* atomic */
  Outcome             waits;
} CrossKind;

static gpointer
cross_kind_thread (gpointer data)
{
  CrossKind *cross = data;
  GMainContext *context = g_main_context_new ();
  FcLock *s = fc_lock_manager_get_lock (cross->sync, "s", NULL);
  const char *a[] = { "a", NULL };

  g_main_context_push_thread_default (context);
  g_assert_true (fc_lock_lock (s, 1.0, NULL));
  acquire_start (cross->async, NULL, a, 10.0, NULL, &cross->waits);
  g_atomic_int_set (&cross->holds_s, 1);
  outcome_wait (&cross->waits);
  if (cross->waits.guard != NULL)
    fc_async_lock_guard_release (cross->waits.guard);
  fc_lock_unlock (s);
  outcome_clear (&cross->waits);
  iterate_pending (context);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static void
test_async_and_thread_not_seen (void)
{
  const char *names[] = { "s", NULL };
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FcAsyncLockManager) async = new_heard_manager (heard);
  g_autoptr(FcLockManager) sync = diag_make_manager (names);
  CrossKind cross = { sync, async, 0, { 0, } };
  Outcome g = { 0, };
  GThread *thread;

  g_signal_connect (sync, "potential-deadlock", G_CALLBACK (on_signal), heard);
  take (async, NULL, "a", "g", &g);
  thread = g_thread_new ("cross", cross_kind_thread, &cross);
  while (!g_atomic_int_get (&cross.holds_s))
    g_usleep (1000);
  /* g's code blocks on s, held by a thread that waits for a. */
  g_assert_false (fc_lock_lock (fc_lock_manager_get_lock (sync, "s", NULL), 0.3, NULL));
  fc_async_lock_guard_release (g.guard);
  g_thread_join (thread);
  iterate_pending (NULL);
  g_assert_cmpuint (heard->len, ==, 0);
  g_assert_cmpuint (diag_count_logged ("Deadlock*"), ==, 0);
  assert_all_idle (async);
  outcome_clear (&g);
}

/* The held-lock cap of order learning, async side: a chain holding more
 * locks than learning looks at says so in the report and the log, as a
 * thread does (issue 12: never miss silently). One request for 20 locks:
 * taking the 18th, the chain holds 17. */
#define N_HELD 20

static void
test_held_limit_said (void)
{
  g_autoptr(FcAsyncLockManager) manager = fc_async_lock_manager_new ();
  const char *names[N_HELD + 1] = { NULL, };
  g_autofree char **owned = g_new0 (char *, N_HELD + 1);
  const char *pattern = "Lock order learning used only the 16 most recent of 17 held locks "
                        "while taking held.17*";
  Outcome o = { 0, };
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < N_HELD; i++)
    {
      owned[i] = g_strdup_printf ("held.%02u", i);
      names[i] = owned[i];
      g_assert_nonnull (fc_async_lock_manager_register_lock (manager, names[i], (int) i + 1,
                                                             NULL, NULL, NULL));
    }
  acquire_wait (manager, NULL, names, 1.0, NULL, &o);
  g_assert_no_error (o.error);

  lines = fc_async_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (diag_count_matching (lines, pattern), ==, 1);
  g_assert_cmpuint (diag_count_logged (pattern), ==, 1);

  fc_async_lock_guard_release (o.guard);
  assert_all_idle (manager);
  outcome_clear (&o);
  for (guint i = 0; i < N_HELD; i++)
    g_free (owned[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  diag_init ();

  g_test_add_func ("/async-diagnostics/siblings-are-not-one-owner", test_siblings_are_not_one_owner);
  g_test_add_func ("/async-diagnostics/timeout-names-the-holder", test_timeout_names_the_holder);
  g_test_add_func ("/async-diagnostics/timed-out-wait-teaches", test_timed_out_wait_teaches);
  g_test_add_func ("/async-diagnostics/no-cycle/two-chains", test_no_cycle_two_chains);
  g_test_add_func ("/async-diagnostics/no-cycle/three-chains", test_no_cycle_three_chains);
  g_test_add_func ("/async-diagnostics/announce/stuck-grant", test_stuck_grant_announced);
  g_test_add_func ("/async-diagnostics/announce/running-context", test_running_context_not_stuck);
  g_test_add_func ("/async-diagnostics/not-seen/two-managers", test_two_managers_not_seen);
  g_test_add_func ("/async-diagnostics/not-seen/async-and-thread", test_async_and_thread_not_seen);
  g_test_add_func ("/async-diagnostics/held-limit", test_held_limit_said);

  return g_test_run ();
}
