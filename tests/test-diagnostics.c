/* test-diagnostics.c — the lock-order graph, live deadlocks, explained
 * timeouts, statistics, the report signal and the watchdog (FcLockManager).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>

#include <foundation-concurrency.h>

#include "fc-test-util.h"

static guint
count_matching (char       **lines,
                const char  *pattern)
{
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += g_pattern_match_simple (pattern, lines[i]);
  return n;
}

/* Takes the locks in @names one after the other, directly (no order
 * check), then releases them. Runs on a thread of its own. */
typedef struct
{
  FcLockManager *manager;
  const char    *names[5];
} Nesting;

static gpointer
take_nested (gpointer data)
{
  Nesting *nesting = data;
  guint n = 0;

  for (; nesting->names[n] != NULL; n++)
    g_assert_true (fc_lock_lock (fc_test_get_lock (nesting->manager, nesting->names[n]), 1.0, NULL));
  while (n-- > 0)
    fc_lock_unlock (fc_test_get_lock (nesting->manager, nesting->names[n]));
  return NULL;
}

static void
run_nesting (const char    *thread_name,
             FcLockManager *manager,
             const char    *a,
             const char    *b,
             const char    *c)
{
  Nesting nesting = { manager, { a, b, c, NULL } };

  g_thread_join (g_thread_new (thread_name, take_nested, &nesting));
}

static void
test_inversion_two_threads (void)
{
  const char *names[] = { "inv.a", "inv.b", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  g_autoptr(GVariant) report = NULL;
  g_autoptr(GVariant) entry = NULL;
  g_autofree const char **owners = NULL;
  const char *kind = NULL;

  /* The threads never overlap: there is no deadlock, only its possibility. */
  run_nesting ("worker-1", manager, "inv.a", "inv.b", NULL);
  before = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (count_matching (before, "Potential deadlock*"), ==, 0);

  run_nesting ("worker-2", manager, "inv.b", "inv.a", NULL);
  after = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (after), ==, 1);
  g_assert_true (g_pattern_match_simple ("Potential deadlock: lock order cycle inv.a -> inv.b -> inv.a (*",
                                         after[0]));
  g_assert_nonnull (strstr (after[0], "'worker-1'"));
  g_assert_nonnull (strstr (after[0], "'worker-2'"));
  g_assert_cmpuint (fc_test_count_logged ("Potential deadlock: lock order cycle inv.a -> inv.b -> inv.a*"), ==, 1);

  report = fc_lock_manager_get_deadlock_report (manager);
  g_assert_true (g_variant_is_of_type (report, G_VARIANT_TYPE ("aa{sv}")));
  g_assert_cmpuint (g_variant_n_children (report), ==, 1);
  entry = g_variant_get_child_value (report, 0);
  g_assert_true (g_variant_lookup (entry, "kind", "&s", &kind));
  g_assert_cmpstr (kind, ==, "order-cycle");
  g_assert_true (g_variant_lookup (entry, "owners", "^a&s", &owners));
  g_assert_cmpstr (owners[0], ==, "worker-1");
  g_assert_cmpstr (owners[1], ==, "worker-2");
  {
    g_autofree const char **locks = NULL;
    g_autoptr(GVariant) orders = NULL;
    gsize n_orders;
    const gint32 *order_values;

    g_assert_true (g_variant_lookup (entry, "locks", "^a&s", &locks));
    g_assert_cmpstr (locks[0], ==, "inv.a");
    g_assert_cmpstr (locks[1], ==, "inv.b");
    orders = g_variant_lookup_value (entry, "orders", G_VARIANT_TYPE ("ai"));
    order_values = g_variant_get_fixed_array (orders, &n_orders, sizeof (gint32));
    g_assert_cmpuint (n_orders, ==, 2);
    g_assert_cmpint (order_values[0], ==, 10);
    g_assert_cmpint (order_values[1], ==, 20);
  }

  /* Taking the edges again reports nothing new. */
  run_nesting ("worker-3", manager, "inv.b", "inv.a", NULL);
  g_assert_cmpuint (fc_test_count_logged ("Potential deadlock: lock order cycle inv.a -> inv.b -> inv.a*"), ==, 1);
}

static void
test_inversion_three_locks (void)
{
  const char *names[] = { "tri.a", "tri.b", "tri.c", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  g_auto(GStrv) lines = NULL;

  run_nesting ("t1", manager, "tri.a", "tri.b", NULL);
  run_nesting ("t2", manager, "tri.b", "tri.c", NULL);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
  g_clear_pointer (&lines, g_strfreev);

  run_nesting ("t3", manager, "tri.c", "tri.a", NULL);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_true (g_pattern_match_simple ("Potential deadlock: lock order cycle tri.a -> tri.b -> tri.c -> tri.a (*",
                                         lines[0]));
}

static void
test_gated_cycle (void)
{
  const char *names[] = { "gate.g", "gate.a", "gate.b", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  g_auto(GStrv) lines = NULL;

  /* a -> b and b -> a, but always under g: they cannot interleave. */
  run_nesting ("gated-1", manager, "gate.g", "gate.a", "gate.b");
  run_nesting ("gated-2", manager, "gate.g", "gate.b", "gate.a");
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
  g_clear_pointer (&lines, g_strfreev);

  /* Once b -> a happens without g, the cycle is real. */
  run_nesting ("ungated", manager, "gate.b", "gate.a", NULL);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_true (g_pattern_match_simple ("Potential deadlock: lock order cycle gate.a -> gate.b -> gate.a*",
                                         lines[0]));
}

static void
test_try_lock_learns_nothing (void)
{
  const char *names[] = { "try.a", "try.b", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  g_auto(GStrv) lines = NULL;
  FcLock *a = fc_test_get_lock (manager, "try.a");
  FcLock *b = fc_test_get_lock (manager, "try.b");

  g_assert_true (fc_lock_lock (a, 1.0, NULL));
  g_assert_true (fc_lock_try_lock (b));
  fc_lock_unlock (b);
  fc_lock_unlock (a);
  g_assert_true (fc_lock_lock (b, 1.0, NULL));
  g_assert_true (fc_lock_lock (a, 0, NULL));  /* timeout 0: a try too */
  fc_lock_unlock (a);
  fc_lock_unlock (b);

  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
}

static void
test_nolockdep (void)
{
  if (g_test_subprocess ())
    {
      const char *names[] = { "off.a", "off.b", NULL };
      g_autoptr(FcLockManager) manager = NULL;
      g_auto(GStrv) lines = NULL;

      g_setenv ("FC_DEBUG", "nolockdep", TRUE);
      manager = fc_test_make_manager (names);
      run_nesting ("w1", manager, "off.a", "off.b", NULL);
      run_nesting ("w2", manager, "off.b", "off.a", NULL);
      lines = fc_lock_manager_detect_potential_deadlocks (manager);
      g_assert_cmpuint (g_strv_length (lines), ==, 0);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_debug_watchdog (void)
{
  if (g_test_subprocess ())
    {
      g_setenv ("FC_DEBUG", "watchdog", TRUE);
      g_assert_cmpfloat (fc_lock_manager_get_watchdog_interval (fc_lock_manager_get_default ()), ==, 5.0);
      g_assert_cmpfloat (fc_async_lock_manager_get_watchdog_interval (fc_async_lock_manager_get_default ()), ==, 5.0);
      return;
    }

  /* Without FC_DEBUG=watchdog, the watchdog is off. */
  if (g_getenv ("FC_DEBUG") == NULL)
    g_assert_cmpfloat (fc_lock_manager_get_watchdog_interval (fc_lock_manager_get_default ()), ==, 0.0);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Two threads that really deadlock on direct fc_lock_lock(). */
typedef struct
{
  FcLockManager *manager;
  const char    *first;
  const char    *second;
  int           *holding;   /* atomic counter of threads holding their first lock */
  GError        *error;
} Crossing;

static gpointer
cross (gpointer data)
{
  Crossing *c = data;
  FcLock *first = fc_test_get_lock (c->manager, c->first);
  FcLock *second = fc_test_get_lock (c->manager, c->second);

  g_assert_true (fc_lock_lock (first, 1.0, NULL));
  g_atomic_int_inc (c->holding);
  while (g_atomic_int_get (c->holding) < 2)
    g_usleep (1000);

  g_assert_false (fc_lock_lock (second, 3.0, &c->error));
  /* Keep the first lock until the other one has timed out too. */
  g_atomic_int_inc (c->holding);
  while (g_atomic_int_get (c->holding) < 4)
    g_usleep (1000);
  fc_lock_unlock (first);
  return NULL;
}

typedef struct
{
  FcLockManager *manager;
  char         **lines;
  int           *holding;   /* the crossing threads' counter */
} Detection;

static gpointer
detect_in_thread (gpointer data)
{
  Detection *d = data;

  /* Look until both are waiting, or until one of them gave up (they wait
   * 3 s), however slowly the machine runs (valgrind). */
  do
    {
      g_clear_pointer (&d->lines, g_strfreev);
      g_usleep (20000);
      d->lines = fc_lock_manager_detect_potential_deadlocks (d->manager);
    }
  while (count_matching (d->lines, "Deadlock:*") == 0 && g_atomic_int_get (d->holding) < 3);

  return NULL;
}

static void
test_live_deadlock (void)
{
  const char *names[] = { "live.a", "live.b", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  int holding = 0;
  Crossing one = { manager, "live.a", "live.b", &holding, NULL };
  Crossing two = { manager, "live.b", "live.a", &holding, NULL };
  Detection detection = { manager, NULL, &holding };
  GThread *t1 = g_thread_new ("worker-1", cross, &one);
  GThread *t2 = g_thread_new ("worker-2", cross, &two);
  GThread *t3 = g_thread_new ("detective", detect_in_thread, &detection);
  g_autoptr(GVariant) report = NULL;

  g_thread_join (t3);
  g_assert_cmpuint (count_matching (detection.lines,
                                    "Deadlock: 'worker-1' holds 'live.a' and waits for 'live.b'; "
                                    "'worker-2' holds 'live.b' and waits for 'live.a'"), ==, 1);
  g_strfreev (detection.lines);

  report = fc_lock_manager_get_deadlock_report (manager);
  {
    GVariantIter iter;
    GVariant *entry;
    guint deadlocks = 0;

    g_variant_iter_init (&iter, report);
    while ((entry = g_variant_iter_next_value (&iter)))
      {
        const char *kind = NULL;

        g_variant_lookup (entry, "kind", "&s", &kind);
        deadlocks += g_strcmp0 (kind, "deadlock") == 0;
        g_variant_unref (entry);
      }
    g_assert_cmpuint (deadlocks, ==, 1);
  }

  g_thread_join (t1);
  g_thread_join (t2);

  /* Both timed out, each told who blocked it and what that one waited for. */
  g_assert_error (one.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_error (two.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_test_message ("%s", one.error->message);
  g_test_message ("%s", two.error->message);
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'live.b': held by 'worker-2' for *s, "
                                         "which waits for 'live.a' held by 'worker-1'",
                                         one.error->message) ||
                 /* worker-2 may have given up first */
                 g_pattern_match_simple ("Timeout acquiring lock 'live.b': held by 'worker-2' for *s",
                                         one.error->message));
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'live.a': held by 'worker-1' for *s*",
                                         two.error->message));
  /* At least the first to give up saw the other still waiting. */
  g_assert_true (strstr (one.error->message, "which waits for") != NULL ||
                 strstr (two.error->message, "which waits for") != NULL);
  g_clear_error (&one.error);
  g_clear_error (&two.error);

  /* The waiters found it themselves too, and it was logged once. */
  g_assert_cmpuint (fc_test_count_logged ("Deadlock: 'worker-1' holds 'live.a'*"), ==, 1);
}

typedef struct
{
  FcLock *lock;
  int    *ready;
} Contender;

static gpointer
contend (gpointer data)
{
  Contender *c = data;

  g_atomic_int_inc (c->ready);
  g_assert_true (fc_lock_lock (c->lock, 5.0, NULL));
  fc_lock_unlock (c->lock);
  return NULL;
}

static void
test_statistics (void)
{
  const char *names[] = { "stats.a", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  FcLock *lock = fc_test_get_lock (manager, "stats.a");
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) info = NULL;
  int ready = 0;
  GThread *threads[3];
  Contender c = { lock, &ready };
  guint64 acquisitions = 0, contentions = 0;
  double wait_total = 0, wait_max = 0, hold_max = 0;
  guint32 waiters = 99, depth = 99;

  /* Three threads have to wait while we hold it for 50 ms. */
  g_assert_true (fc_lock_lock (lock, 1.0, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("contender", contend, &c);
  while (g_atomic_int_get (&ready) < 3)
    g_usleep (1000);
  g_usleep (50000);
  fc_lock_unlock (lock);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  status = fc_lock_manager_get_lock_status (manager);
  info = g_variant_lookup_value (status, "stats.a", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (info, "acquisitions", "t", &acquisitions));
  g_assert_true (g_variant_lookup (info, "contentions", "t", &contentions));
  g_assert_true (g_variant_lookup (info, "wait_time_total", "d", &wait_total));
  g_assert_true (g_variant_lookup (info, "wait_time_max", "d", &wait_max));
  g_assert_true (g_variant_lookup (info, "hold_time_max", "d", &hold_max));
  g_assert_true (g_variant_lookup (info, "waiters", "u", &waiters));
  g_assert_true (g_variant_lookup (info, "depth", "u", &depth));

  g_assert_cmpuint (acquisitions, ==, 4);
  /* Each contender waited at least once (a thread woken too late to win the
   * race waits again, which counts again). */
  g_assert_cmpuint (contentions, >=, 3);
  g_assert_cmpfloat (wait_max, >, 0.0);
  g_assert_cmpfloat (wait_total, >=, wait_max);
  g_assert_cmpfloat (hold_max, >=, 0.03);  /* the clock is coarse */
  g_assert_cmpuint (waiters, ==, 0);
  g_assert_cmpuint (depth, ==, 0);
}

static void
test_dot (void)
{
  const char *names[] = { "dot.a", "dot.b", "dot \"quoted\"", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  g_autofree char *dot = NULL;
  g_autofree char *dot_program = g_find_program_in_path ("dot");
  g_autofree char *path = NULL;
  g_autofree char *svg = NULL;
  g_autoptr(GError) error = NULL;
  int fd, status = -1;

  run_nesting ("dotter", manager, "dot.a", "dot.b", NULL);
  run_nesting ("dotter-2", manager, "dot.b", "dot.a", NULL);
  dot = fc_lock_manager_dump_order_graph (manager);
  g_test_message ("%s", dot);
  g_assert_true (g_str_has_prefix (dot, "digraph"));
  g_assert_nonnull (strstr (dot, "\"dot.a\" -> \"dot.b\""));
  g_assert_nonnull (strstr (dot, "color=red"));

  if (dot_program == NULL)
    {
      g_test_skip ("graphviz's dot is not installed");
      return;
    }

  fd = g_file_open_tmp ("fc-graph-XXXXXX.dot", &path, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, dot, -1, NULL));
  close (fd);
  {
    const char *argv[] = { dot_program, "-Tsvg", path, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &svg, NULL, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (svg, "<svg"));
  g_unlink (path);
}

/* The signal is emitted in the context of the thread that made the manager. */
typedef struct
{
  GMainContext *context;
  GMainLoop    *loop;
  FcLockManager *manager;
  GMainContext *emitted_in;
  GThread      *emitted_on;
  char         *message;
  GVariant     *report;
} SignalCheck;

static void
on_potential_deadlock (FcLockManager *manager,
                       const char    *message,
                       GVariant      *report,
                       gpointer       user_data)
{
  SignalCheck *check = user_data;

  check->emitted_in = g_main_context_get_thread_default ();
  check->emitted_on = g_thread_self ();
  check->message = g_strdup (message);
  check->report = g_variant_ref (report);
  g_main_loop_quit (check->loop);
}

static gboolean
give_up (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
signal_thread (gpointer data)
{
  SignalCheck *check = data;
  const char *names[] = { "sig.a", "sig.b", NULL };

  g_main_context_push_thread_default (check->context);
  check->manager = fc_test_make_manager (names);
  g_signal_connect (check->manager, "potential-deadlock", G_CALLBACK (on_potential_deadlock), check);

  /* The inversion happens on other threads. */
  run_nesting ("sig-1", check->manager, "sig.a", "sig.b", NULL);
  run_nesting ("sig-2", check->manager, "sig.b", "sig.a", NULL);

  {
    g_autoptr(GSource) timeout = g_timeout_source_new_seconds (10);

    g_source_set_callback (timeout, give_up, check->loop, NULL);
    g_source_attach (timeout, check->context);
    g_main_loop_run (check->loop);
    g_source_destroy (timeout);
  }

  g_main_context_pop_thread_default (check->context);
  return g_thread_self ();
}

static void
test_signal_context (void)
{
  SignalCheck check = { 0, };
  GThread *owner_thread;

  check.context = g_main_context_new ();
  check.loop = g_main_loop_new (check.context, FALSE);

  owner_thread = g_thread_new ("manager-owner", signal_thread, &check);
  g_assert_true (g_thread_join (g_thread_ref (owner_thread)) == owner_thread);

  g_assert_true (check.emitted_in == check.context);
  g_assert_true (check.emitted_on == owner_thread);
  g_thread_unref (owner_thread);
  g_assert_true (g_pattern_match_simple ("Potential deadlock: lock order cycle sig.a -> sig.b -> sig.a*",
                                         check.message));
  g_assert_true (g_variant_is_of_type (check.report, G_VARIANT_TYPE_VARDICT));

  g_free (check.message);
  g_variant_unref (check.report);
  g_object_unref (check.manager);
  g_main_loop_unref (check.loop);
  g_main_context_unref (check.context);
}

static void
on_watchdog_report (FcLockManager *manager,
                    const char    *message,
                    GVariant      *report,
                    gpointer       user_data)
{
  SignalCheck *check = user_data;

  if (check->message == NULL && g_str_has_prefix (message, "Lock 'dog.a' held"))
    {
      check->message = g_strdup (message);
      g_main_loop_quit (check->loop);
    }
}

static void
test_watchdog (void)
{
  const char *names[] = { "dog.a", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  SignalCheck check = { 0, };
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (10);
  double interval = -1;

  check.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (manager, "potential-deadlock", G_CALLBACK (on_watchdog_report), &check);
  g_object_set (manager, "hold-warning-threshold", 0.01, "watchdog-interval", 0.02, NULL);
  g_object_get (manager, "watchdog-interval", &interval, NULL);
  g_assert_cmpfloat (interval, ==, 0.02);

  g_assert_true (fc_lock_lock (fc_test_get_lock (manager, "dog.a"), 1.0, NULL));
  g_source_set_callback (timeout, give_up, check.loop, NULL);
  g_source_attach (timeout, NULL);
  g_main_loop_run (check.loop);
  g_source_destroy (timeout);
  fc_lock_unlock (fc_test_get_lock (manager, "dog.a"));

  g_assert_nonnull (check.message);
  g_assert_cmpuint (fc_test_count_logged ("Lock 'dog.a' held by 'main' for *"), ==, 1);
  fc_lock_manager_set_watchdog_interval (manager, 0);
  g_free (check.message);
  g_main_loop_unref (check.loop);
}

/* ---- The async manager ------------------------------------------------ */

typedef struct
{
  gboolean          done;
  FcAsyncLockGuard *guard;
  GError           *error;
} AsyncOutcome;

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncOutcome *o = user_data;

  if (FC_IS_ASYNC_LOCK_MANAGER (source))
    o->guard = fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source), result, &o->error);
  else
    o->guard = fc_async_lock_guard_acquire_finish (FC_ASYNC_LOCK_GUARD (source), result, &o->error);
  o->done = TRUE;
}

static void
async_start (FcAsyncLockManager *manager,
             FcAsyncLockGuard   *parent,
             const char         *name,
             double              timeout,
             AsyncOutcome       *o)
{
  const char *names[] = { name, NULL };

  memset (o, 0, sizeof *o);
  if (parent != NULL)
    fc_async_lock_guard_acquire_async (parent, names, timeout, NULL, async_done, o);
  else
    fc_async_lock_manager_acquire_async (manager, names, timeout, NULL, async_done, o);
}

static void
async_wait (AsyncOutcome *o)
{
  gint64 give_up = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!o->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, TRUE);
    }
}

static FcAsyncLockManager *
make_async_manager (const char * const *names,
                    const int          *orders)
{
  FcAsyncLockManager *manager = fc_async_lock_manager_new ();

  for (guint i = 0; names[i] != NULL; i++)
    g_assert_nonnull (fc_async_lock_manager_register_lock (manager, names[i], orders[i],
                                                           NULL, NULL, NULL));
  return manager;
}

static void
test_async_live_deadlock (void)
{
  /* Chain P holds a (10) and, through one nested guard, x (50); its second
   * nested acquisition waits for b (20), held by chain Q, whose nested
   * acquisition waits for x. Q waits (through its pending child), but the
   * guard holding x waits for nothing: it is an owner of its own, not its
   * sibling's (issue 12), so it will release, and this is no deadlock.
   * (With the order rule, no async deadlock can form within one manager:
   * see fc-async-waitfor-private.c.) */
  const char *names[] = { "async.a", "async.b", "async.x", NULL };
  const int orders[] = { 10, 20, 50 };
  g_autoptr(FcAsyncLockManager) manager = make_async_manager (names, orders);
  AsyncOutcome p, p_x, q, p_b, q_x;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GVariant) report = NULL;
  guint deadlocks = 0;

  async_start (manager, NULL, "async.a", 1.0, &p);
  async_wait (&p);
  g_assert_no_error (p.error);
  fc_async_lock_guard_set_label (p.guard, "chain-p");
  async_start (manager, p.guard, "async.x", 1.0, &p_x);
  async_wait (&p_x);
  g_assert_no_error (p_x.error);

  async_start (manager, NULL, "async.b", 1.0, &q);
  async_wait (&q);
  g_assert_no_error (q.error);
  fc_async_lock_guard_set_label (q.guard, "chain-q");

  async_start (manager, p.guard, "async.b", 2.0, &p_b);
  async_start (manager, q.guard, "async.x", 1.5, &q_x);
  g_main_context_iteration (NULL, FALSE);
  g_assert_false (p_b.done || q_x.done);

  lines = fc_async_lock_manager_detect_potential_deadlocks (manager);
  for (guint i = 0; lines[i] != NULL; i++)
    g_test_message ("%s", lines[i]);
  g_assert_cmpuint (count_matching (lines, "Deadlock:*"), ==, 0);

  report = fc_async_lock_manager_get_deadlock_report (manager);
  {
    GVariantIter iter;
    GVariant *entry;

    g_variant_iter_init (&iter, report);
    while ((entry = g_variant_iter_next_value (&iter)))
      {
        const char *kind = NULL;

        g_variant_lookup (entry, "kind", "&s", &kind);
        deadlocks += g_strcmp0 (kind, "deadlock") == 0;
        g_variant_unref (entry);
      }
  }
  g_assert_cmpuint (deadlocks, ==, 0);

  /* Q gives up first (1.5 s), explained by the guard holding x, which
   * waits for nothing; its rollback does not free b, which Q's parent
   * guard holds, so P times out too. */
  async_wait (&q_x);
  g_assert_error (q_x.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_test_message ("%s", q_x.error->message);
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'async.x': held by 'chain-p' for *s",
                                         q_x.error->message));
  g_assert_null (strstr (q_x.error->message, "waits for"));
  async_wait (&p_b);
  g_assert_error (p_b.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'async.b': held by 'chain-q' for *s",
                                         p_b.error->message));

  g_clear_error (&q_x.error);
  g_clear_error (&p_b.error);
  fc_async_lock_guard_release (q.guard);
  fc_async_lock_guard_release (p.guard);  /* and its child p_x */
  g_assert_true (fc_async_lock_guard_is_released (p_x.guard));
  g_clear_object (&p_x.guard);
  g_clear_object (&p.guard);
  g_clear_object (&q.guard);
}

static void
on_async_report (FcAsyncLockManager *manager,
                 const char         *message,
                 GVariant           *report,
                 gpointer            user_data)
{
  SignalCheck *check = user_data;

  if (check->message == NULL)
    {
      check->emitted_in = g_main_context_get_thread_default ();
      check->message = g_strdup (message);
    }
}

static void
test_async_order_and_statistics (void)
{
  const char *names[] = { "aord.a", "aord.b", NULL };
  const int orders[] = { 10, 20 };
  g_autoptr(FcAsyncLockManager) manager = make_async_manager (names, orders);
  g_autofree char *dot = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) info = NULL;
  AsyncOutcome outer, inner, waiter;
  SignalCheck check = { 0, };
  guint64 acquisitions = 0, contentions = 0;
  double wait_max = 0, hold_max = 0;

  /* Nested a -> b teaches the edge, labelled with the chain. */
  async_start (manager, NULL, "aord.a", 1.0, &outer);
  async_wait (&outer);
  fc_async_lock_guard_set_label (outer.guard, "job-1");
  async_start (manager, outer.guard, "aord.b", 1.0, &inner);
  async_wait (&inner);
  g_assert_no_error (inner.error);

  /* Someone waits for a while a is held. */
  async_start (manager, NULL, "aord.a", 5.0, &waiter);
  g_main_context_iteration (NULL, FALSE);
  g_usleep (G_USEC_PER_SEC / 20);
  fc_async_lock_guard_release (outer.guard);
  async_wait (&waiter);
  g_assert_no_error (waiter.error);
  fc_async_lock_guard_release (waiter.guard);

  dot = fc_async_lock_manager_dump_order_graph (manager);
  g_assert_nonnull (strstr (dot, "\"aord.a\" -> \"aord.b\" [label=\"job-1\"]"));

  status = fc_async_lock_manager_get_lock_status (manager);
  info = g_variant_lookup_value (status, "aord.a", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (info, "acquisitions", "t", &acquisitions));
  g_assert_true (g_variant_lookup (info, "contentions", "t", &contentions));
  g_assert_true (g_variant_lookup (info, "wait_time_max", "d", &wait_max));
  g_assert_true (g_variant_lookup (info, "hold_time_max", "d", &hold_max));
  g_assert_cmpuint (acquisitions, ==, 2);
  g_assert_cmpuint (contentions, ==, 1);
  g_assert_cmpfloat (wait_max, >=, 0.04);
  g_assert_cmpfloat (hold_max, >=, 0.03);

  /* The watchdog reports through the async manager's signal, in the
   * context that created it (this thread's default). */
  g_signal_connect (manager, "potential-deadlock", G_CALLBACK (on_async_report), &check);
  g_clear_object (&outer.guard);
  async_start (manager, NULL, "aord.b", 1.0, &outer);
  async_wait (&outer);
  g_object_set (manager, "hold-warning-threshold", 0.01, "watchdog-interval", 0.02, NULL);
  {
    gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (check.message == NULL && g_get_monotonic_time () < give_up)
      g_main_context_iteration (NULL, TRUE);
  }
  fc_async_lock_manager_set_watchdog_interval (manager, 0);
  g_assert_nonnull (check.message);
  g_assert_true (g_str_has_prefix (check.message, "Lock 'aord.b' held by 'guard-"));
  g_assert_true (check.emitted_in == NULL || check.emitted_in == g_main_context_default ());
  fc_async_lock_guard_release (outer.guard);

  g_free (check.message);
  g_clear_object (&outer.guard);
  g_clear_object (&inner.guard);
  g_clear_object (&waiter.guard);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fc_test_record_reports_install ();

  g_test_add_func ("/diagnostics/order/inversion-two-threads", test_inversion_two_threads);
  g_test_add_func ("/diagnostics/order/inversion-three-locks", test_inversion_three_locks);
  g_test_add_func ("/diagnostics/order/gated-cycle", test_gated_cycle);
  g_test_add_func ("/diagnostics/order/try-lock-learns-nothing", test_try_lock_learns_nothing);
  g_test_add_func ("/diagnostics/order/nolockdep", test_nolockdep);
  g_test_add_func ("/diagnostics/debug-watchdog", test_debug_watchdog);
  g_test_add_func ("/diagnostics/live-deadlock", test_live_deadlock);
  g_test_add_func ("/diagnostics/statistics", test_statistics);
  g_test_add_func ("/diagnostics/dot", test_dot);
  g_test_add_func ("/diagnostics/signal-context", test_signal_context);
  g_test_add_func ("/diagnostics/watchdog", test_watchdog);
  g_test_add_func ("/diagnostics/async/live-deadlock", test_async_live_deadlock);
  g_test_add_func ("/diagnostics/async/order-and-statistics", test_async_order_and_statistics);

  return g_test_run ();
}
