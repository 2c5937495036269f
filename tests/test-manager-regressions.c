/* test-manager-regressions.c — regression tests for the manager's
 * diagnostics: the watchdog, the remembered report keys, signal delivery,
 * explained timeouts and diagnostics that meet freed objects.
 *
 * Built against the library's objects (not the shared library) so that it
 * can reach the private counters and records it checks.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <foundation-concurrency.h>

#include "fc-lockdep-private.h"
#include "fc-report-private.h"
#include "fc-mutex-private.h"
#include "fc-test-util.h"
#include "fc-thread-private.h"

/* Reports are logged (structured, WARNING) once each: count them rather
 * than let GTest abort on the warning. */
static GMutex log_mutex;
static guint n_logged;
static guint n_logged_long_holds;

static GLogWriterOutput
record_reports (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *kind = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "FC_REPORT_KIND") == 0)
      kind = fields[i].value;

  if (kind == NULL)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  fc_mutex_lock (&log_mutex);
  n_logged++;
  n_logged_long_holds += g_strcmp0 (kind, "long-hold") == 0;
  fc_mutex_unlock (&log_mutex);
  return G_LOG_WRITER_HANDLED;
}

static guint
logged_long_holds (void)
{
  guint n;

  fc_mutex_lock (&log_mutex);
  n = n_logged_long_holds;
  fc_mutex_unlock (&log_mutex);
  return n;
}

/* ---- Finding 6: a huge or infinite watchdog-interval ------------------ */

static void
test_watchdog_huge_interval (void)
{
  const char *names[] = { "huge.a", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  guint before = logged_long_holds ();

  /* Every hold is long; a watchdog that waits 1e13 s never scans. The
   * unclamped deadline overflowed and the watchdog scanned at once, in a
   * busy loop. */
  fc_lock_manager_set_hold_warning_threshold (manager, 0);
  g_assert_true (fc_lock_lock (fc_test_get_lock (manager, "huge.a"), 0, NULL));
  g_usleep (10000);
  fc_lock_manager_set_watchdog_interval (manager, 1e13);
  g_assert_cmpfloat (fc_lock_manager_get_watchdog_interval (manager), ==, 1e13);
  g_usleep (200000);
  g_assert_cmpuint (logged_long_holds (), ==, before);
  fc_lock_manager_set_watchdog_interval (manager, 0);
  fc_lock_unlock (fc_test_get_lock (manager, "huge.a"));

  /* Non-finite values are programming errors: a critical, and nothing
   * changes. */
  if (g_test_subprocess ())
    {
      g_autoptr(FcLockManager) other = fc_lock_manager_new ();
      g_autoptr(FcAsyncLockManager) async = fc_async_lock_manager_new ();

      g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*finite*");
      fc_lock_manager_set_watchdog_interval (other, INFINITY);
      g_test_assert_expected_messages ();
      g_assert_cmpfloat (fc_lock_manager_get_watchdog_interval (other), ==, 0);

      /* Through GObject the property's range rejects it, with a warning. */
      g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*watchdog-interval*");
      g_object_set (other, "watchdog-interval", INFINITY, NULL);
      g_test_assert_expected_messages ();
      g_assert_cmpfloat (fc_lock_manager_get_watchdog_interval (other), ==, 0);

      /* The async manager's setter too. */
      g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*finite*");
      fc_async_lock_manager_set_watchdog_interval (async, INFINITY);
      g_test_assert_expected_messages ();
      g_assert_cmpfloat (fc_async_lock_manager_get_watchdog_interval (async), ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 5 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- Holding the thread records' mutex ------------------------------- */

typedef struct
{
  int      stage;     /* atomic: 0 before, 1 holding, 2 asked to let go */
  int      released;  /* atomic */
  GThread *thread;
} RecordsBlock;

/* Holds the records' mutex (from inside fc_thread_foreach()) until asked
 * to let go, or 5 s. */
static void
block_records (FcThread *thread,
               gpointer  user_data)
{
  RecordsBlock *block = user_data;

  if (g_atomic_int_get (&block->stage) != 0)
    return;
  g_atomic_int_set (&block->stage, 1);
  for (guint i = 0; i < 5000 && g_atomic_int_get (&block->stage) == 1; i++)
    g_usleep (1000);
}

static gpointer
hold_records (gpointer data)
{
  RecordsBlock *block = data;

  fc_thread_foreach (block_records, block);
  g_atomic_int_set (&block->released, 1);
  return NULL;
}

static void
records_block_start (RecordsBlock *block)
{
  block->stage = 0;
  block->released = 0;
  (void) fc_thread_self ();   /* at least one record to call back for */
  block->thread = g_thread_new ("records", hold_records, block);
  while (g_atomic_int_get (&block->stage) == 0)
    g_usleep (1000);
}

static void
records_block_stop (RecordsBlock *block)
{
  g_atomic_int_set (&block->stage, 2);
  g_thread_join (block->thread);
}

/* ---- Issue 16, finding 2: two threads toggling the watchdog ----------- */

typedef struct
{
  FcLockManager *manager;
  int            done;    /* atomic */
} Stopper;

static gpointer
stop_watchdog (gpointer data)
{
  Stopper *stopper = data;

  fc_lock_manager_set_watchdog_interval (stopper->manager, 0);
  g_atomic_int_set (&stopper->done, 1);
  return NULL;
}

static void
test_watchdog_toggle_race (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
      RecordsBlock block;
      Stopper stopper = { manager, 0 };
      GThread *thread;
      guint waited;

      /* The first watchdog scans, and waits for the thread records (its
       * live-deadlock search) outside the manager's mutex. */
      records_block_start (&block);
      fc_lock_manager_set_watchdog_interval (manager, 0.001);
      g_usleep (50000);

      /* One thread stops it and waits for it to end, while another starts
       * a new one: the first watchdog must still see that it is stopped. */
      thread = g_thread_new ("stopper", stop_watchdog, &stopper);
      while (fc_lock_manager_get_watchdog_interval (manager) != 0)
        g_usleep (1000);
      g_usleep (10000);
      fc_lock_manager_set_watchdog_interval (manager, 0.001);
      records_block_stop (&block);

      for (waited = 0; waited < 5000 && !g_atomic_int_get (&stopper.done); waited++)
        g_usleep (1000);
      g_assert_true (g_atomic_int_get (&stopper.done));
      g_thread_join (thread);
      fc_lock_manager_set_watchdog_interval (manager, 0);
      return;
    }

  /* The stopper used to block for ever in g_thread_join(). */
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- Finding 8: remembered report keys are bounded -------------------- */

static void
test_reports_bounded (void)
{
  const char *names[] = { "bounded.a", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  guint base;

  /* The key of a long hold that ended is dropped at the next scan. */
  base = fc_report_n_remembered_keys ();
  fc_lock_manager_set_hold_warning_threshold (manager, 0);
  g_assert_true (fc_lock_lock (fc_test_get_lock (manager, "bounded.a"), 0, NULL));
  fc_lock_manager_set_watchdog_interval (manager, 0.005);
  for (guint i = 0; i < 2000 && fc_report_n_remembered_keys () == base; i++)
    g_usleep (1000);
  g_assert_cmpuint (fc_report_n_remembered_keys (), ==, base + 1);
  fc_lock_unlock (fc_test_get_lock (manager, "bounded.a"));
  for (guint i = 0; i < 2000 && fc_report_n_remembered_keys () != base; i++)
    g_usleep (1000);
  g_assert_cmpuint (fc_report_n_remembered_keys (), ==, base);
  fc_lock_manager_set_watchdog_interval (manager, 0);

  /* 10,000 distinct findings leave a bounded set of remembered keys. */
  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(FcReport) report = fc_report_new (FC_REPORT_LONG_HOLD);

      report->key = g_strdup_printf ("long-hold:bounded.test:%u", i);
      report->message = g_strdup_printf ("bounded %u", i);
      g_assert_true (fc_report_publish_once (report));
    }
  g_assert_cmpuint (fc_report_n_remembered_keys (), <=, 5000);

  /* A manager's order-cycle reports go with it. */
  {
    const char *cycle_names[] = { "cycle.a", "cycle.b", NULL };
    FcLockManager *cyclic = fc_test_make_manager (cycle_names);
    guint cycles = fc_lockdep_n_cycle_reports ();

    g_assert_true (fc_lock_lock (fc_test_get_lock (cyclic, "cycle.a"), 1, NULL));
    g_assert_true (fc_lock_lock (fc_test_get_lock (cyclic, "cycle.b"), 1, NULL));
    fc_lock_unlock (fc_test_get_lock (cyclic, "cycle.b"));
    fc_lock_unlock (fc_test_get_lock (cyclic, "cycle.a"));
    g_assert_true (fc_lock_lock (fc_test_get_lock (cyclic, "cycle.b"), 1, NULL));
    g_assert_true (fc_lock_lock (fc_test_get_lock (cyclic, "cycle.a"), 1, NULL));
    fc_lock_unlock (fc_test_get_lock (cyclic, "cycle.a"));
    fc_lock_unlock (fc_test_get_lock (cyclic, "cycle.b"));
    g_assert_cmpuint (fc_lockdep_n_cycle_reports (), ==, cycles + 1);
    g_object_unref (cyclic);
    g_assert_cmpuint (fc_lockdep_n_cycle_reports (), ==, cycles);
  }
}

/* ---- Finding 8: a pending emission does not keep the manager alive ---- */

static void
test_emission_does_not_keep_manager_alive (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  FcLockManager *manager;
  guint before = logged_long_holds ();
  FcLock *lock;

  /* Made in a context that is never iterated (as inside fc_run()). */
  g_main_context_push_thread_default (context);
  manager = fc_lock_manager_new ();
  g_main_context_pop_thread_default (context);

  lock = fc_lock_manager_register_lock (manager, "alive.a", 10, NULL, NULL, NULL);
  fc_lock_manager_set_hold_warning_threshold (manager, 0);
  g_assert_true (fc_lock_lock (lock, 0, NULL));
  fc_lock_manager_set_watchdog_interval (manager, 0.002);
  for (guint i = 0; i < 5000 && logged_long_holds () == before; i++)
    g_usleep (1000);
  g_assert_cmpuint (logged_long_holds (), >, before);
  fc_lock_manager_set_watchdog_interval (manager, 0);
  fc_lock_unlock (lock);

  /* A finding is pending in @context; the last unref still finalizes. */
  g_object_add_weak_pointer (G_OBJECT (manager), (gpointer *) &manager);
  g_object_unref (manager);
  g_assert_null (manager);

  /* And what was pending is gone: nothing to dispatch, nothing leaked. */
  while (g_main_context_iteration (context, FALSE))
    ;
}

/* ---- Finding 13: a failed try explains without walking every thread --- */

typedef struct
{
  FcLockManager *manager;
  int            holding;   /* atomic */
  int            stop;      /* atomic */
} Holder;

/* Holds "try.a" and then waits for "try.b". */
static gpointer
hold_a_wait_b (gpointer data)
{
  Holder *holder = data;

  g_assert_true (fc_lock_lock (fc_test_get_lock (holder->manager, "try.a"), 0, NULL));
  g_atomic_int_set (&holder->holding, 1);
  g_assert_true (fc_lock_lock (fc_test_get_lock (holder->manager, "try.b"), 10, NULL));
  fc_lock_unlock (fc_test_get_lock (holder->manager, "try.b"));
  fc_lock_unlock (fc_test_get_lock (holder->manager, "try.a"));
  return NULL;
}

static void
test_try_timeout_explanation (void)
{
  const char *names[] = { "try.a", "try.b", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  g_autoptr(GError) error = NULL;
  Holder holder = { manager, 0, 0 };
  RecordsBlock block;
  GThread *thread;

  /* The chain is followed from the owner: "try.a" is held by the holder,
   * which waits for "try.b", held by this thread. */
  g_assert_true (fc_lock_lock (fc_test_get_lock (manager, "try.b"), 0, NULL));
  thread = g_thread_new ("holder", hold_a_wait_b, &holder);
  while (!g_atomic_int_get (&holder.holding))
    g_usleep (1000);
  for (guint i = 0; i < 5000; i++)
    {
      g_clear_error (&error);
      g_assert_false (fc_lock_lock (fc_test_get_lock (manager, "try.a"), 0, &error));
      g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
      if (strstr (error->message, "which waits for") != NULL)
        break;
      g_usleep (1000);
    }
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'try.a': held by 'holder' for *s, "
                                         "which waits for 'try.b' held by 'main'", error->message));

  /* A failed try never waits for the records of every thread: it answers
   * while another thread holds their mutex. */
  records_block_start (&block);
  g_clear_error (&error);
  g_assert_false (fc_lock_lock (fc_test_get_lock (manager, "try.a"), 0, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_false (g_atomic_int_get (&block.released));
  records_block_stop (&block);

  fc_lock_unlock (fc_test_get_lock (manager, "try.b"));
  g_thread_join (thread);
}

/* ---- Finding 10: diagnostics never follow a pointer to a freed lock --- */

typedef struct
{
  FcLockManager *manager;
  FcLock        *freed;
  int            stage;     /* atomic */
} Stale;

/* Holds "stale.a", and appears to wait for a lock that is then freed: a
 * reader that saw waiting_for just before this thread stopped waiting and
 * its caller dropped the lock. */
static gpointer
hold_and_wait_for_freed (gpointer data)
{
  Stale *stale = data;
  FcThread *self = fc_thread_self ();

  g_assert_true (fc_lock_lock (fc_test_get_lock (stale->manager, "stale.a"), 0, NULL));
  g_atomic_pointer_set (&self->waiting_for, stale->freed);
  g_atomic_int_set (&stale->stage, 1);
  while (g_atomic_int_get (&stale->stage) != 2)
    g_usleep (1000);
  g_atomic_pointer_set (&self->waiting_for, NULL);
  fc_lock_unlock (fc_test_get_lock (stale->manager, "stale.a"));
  return NULL;
}

static void
test_diagnostics_after_registry_freed (void)
{
  const char *names[] = { "stale.a", NULL };
  g_autoptr(FcLockManager) manager = fc_test_make_manager (names);
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockManager) gone = fc_test_make_manager ((const char *[]) { "gone.a", NULL });
  g_autoptr(FcLock) survivor = g_object_ref (fc_test_get_lock (gone, "gone.a"));
  g_autoptr(GVariant) report = NULL;
  g_auto(GStrv) found = NULL;
  g_autofree char *dot = NULL;
  Stale stale = { manager, fc_lock_new (), 0 };
  GThread *thread;

  thread = g_thread_new ("stale", hold_and_wait_for_freed, &stale);
  while (g_atomic_int_get (&stale.stage) != 1)
    g_usleep (1000);
  g_clear_object (&stale.freed);

  /* The explanation, the live-deadlock search and the report must not
   * read the freed lock (ASan / valgrind: no invalid read). */
  g_assert_false (fc_lock_lock (fc_test_get_lock (manager, "stale.a"), 0, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'stale.a': held by 'stale' for *s",
                                         error->message));
  found = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (found), ==, 0);
  report = fc_lock_manager_get_deadlock_report (manager);
  g_assert_cmpuint (g_variant_n_children (report), ==, 0);

  g_atomic_int_set (&stale.stage, 2);
  g_thread_join (thread);

  /* A lock that outlives its manager keeps its registry id and is in no
   * other manager's graph. */
  g_assert_true (fc_lock_lock (survivor, 0, NULL));
  g_assert_true (fc_lock_lock (fc_test_get_lock (manager, "stale.a"), 1, NULL));
  fc_lock_unlock (fc_test_get_lock (manager, "stale.a"));
  fc_lock_unlock (survivor);
  g_clear_object (&gone);
  dot = fc_lock_manager_dump_order_graph (manager);
  g_assert_null (strstr (dot, "gone.a"));
  g_assert_true (fc_lock_lock (survivor, 0, NULL));
  fc_lock_unlock (survivor);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (record_reports, NULL, NULL);

  g_test_add_func ("/regression/watchdog-huge-interval", test_watchdog_huge_interval);
  g_test_add_func ("/regression/watchdog-toggle-race", test_watchdog_toggle_race);
  g_test_add_func ("/regression/reports-bounded", test_reports_bounded);
  g_test_add_func ("/regression/emission-does-not-keep-manager-alive",
                   test_emission_does_not_keep_manager_alive);
  g_test_add_func ("/regression/try-timeout-explanation", test_try_timeout_explanation);
  g_test_add_func ("/regression/diagnostics-after-registry-freed",
                   test_diagnostics_after_registry_freed);

  return g_test_run ();
}
