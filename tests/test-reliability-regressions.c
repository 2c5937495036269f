/* test-reliability-regressions.c — regressions of issue 16 (the fuzzer,
 * bad-input sweep and soak): invalid UTF-8 (finding 3), huge names
 * (finding 4), all-or-nothing foundation locks (finding 8), and the
 * statistics the soak compared (rolled-back takes counted as acquisitions).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif

#include <foundation-concurrency.h>

#include "async-test-util.h"
#include "fc-test-util.h"

/* "é" cut in two, and a stray continuation byte. */
static const char bad_utf8[] = "bad\xc3";
static const char bad_utf8_2[] = "x\x80y";

static void
assert_invalid_argument (GError *error)
{
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* Finding 3: names and descriptions that are not UTF-8 were registered,
 * and then broke get_lock_status() (criticals, a broken variant). */
static void
test_invalid_utf8_register (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(FcAsyncLockManager) amanager = fc_async_lock_manager_new ();
  const char *bad[] = { bad_utf8, bad_utf8_2 };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

      g_assert_null (fc_lock_manager_register_lock (manager, bad[i], 1, NULL, NULL, &e1));
      assert_invalid_argument (e1);
      g_assert_null (fc_lock_manager_register_lock (manager, "ok", 2, bad[i], NULL, &e2));
      assert_invalid_argument (e2);
      g_assert_null (fc_async_lock_manager_register_lock (amanager, bad[i], 1, NULL, NULL, &e3));
      assert_invalid_argument (e3);
      g_assert_null (fc_async_lock_manager_register_lock (amanager, "ok", 2, bad[i], NULL, &e4));
      assert_invalid_argument (e4);
    }

  /* Nothing was registered: the names and orders are still free. */
  g_assert_nonnull (fc_lock_manager_register_lock (manager, "ok", 2, "fine", NULL, NULL));
  g_assert_nonnull (fc_async_lock_manager_register_lock (amanager, "ok", 2, "fine", NULL, NULL));
}

/* Finding 3: an unregistered name that is not UTF-8 was quoted as is in
 * the NOT_REGISTERED message. */
static void
test_invalid_utf8_lookup (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(GError) e1 = NULL, e2 = NULL;
  const char *names[] = { bad_utf8, NULL };

  g_assert_null (fc_lock_manager_get_lock (manager, bad_utf8, &e1));
  assert_invalid_argument (e1);
  g_assert_null (fc_lock_manager_acquire (manager, names, 1, TRUE, &e2));
  assert_invalid_argument (e2);
}

/* Finding 3: a label that is not UTF-8 became the owner in the status. */
static void
test_invalid_utf8_label (void)
{
  g_autoptr(FcAsyncLockManager) manager = fc_async_lock_manager_new ();
  const char *names[] = { "a", NULL };
  g_autoptr(GVariant) status = NULL;
  Outcome o = { 0, };
  const char *owner = NULL;

  g_assert_nonnull (fc_async_lock_manager_register_lock (manager, "a", 1, NULL, NULL, NULL));
  fc_async_lock_manager_acquire_async (manager, names, 1, NULL, on_acquired, &o);
  outcome_wait (&o);
  g_assert_no_error (o.error);

  fc_async_lock_guard_set_label (o.guard, "task");
  g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL, "*g_utf8_validate*");
  fc_async_lock_guard_set_label (o.guard, bad_utf8);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (fc_async_lock_guard_get_label (o.guard), ==, "task");

  status = fc_async_lock_manager_get_lock_status (manager);
  g_assert_true (g_variant_is_normal_form (status));
  {
    g_autoptr(GVariant) info = g_variant_lookup_value (status, "a", G_VARIANT_TYPE_VARDICT);
    g_assert_true (g_variant_lookup (info, "owner", "m&s", &owner));
    g_assert_cmpstr (owner, ==, "task");
  }
  fc_async_lock_guard_release (o.guard);
  outcome_clear (&o);
}

typedef struct
{
  FcLockManager *manager;
  FcLock        *lock;
  char          *owner;
  gboolean       status_ok;
} NameCheck;

static gpointer
hold_and_look (gpointer data)
{
  NameCheck *check = data;
  g_autoptr(GVariant) status = NULL;

#ifdef __linux__
  /* As a thread naming itself does (pthread_setname_np() refuses names
   * over 15 bytes, prctl() cuts them): "é" is bytes 15 and 16. */
  prctl (PR_SET_NAME, "abcdefghijklmn\xc3\xa9z", 0, 0, 0);
#endif
  g_assert_true (fc_lock_lock (check->lock, 1, NULL));
  check->owner = fc_lock_dup_owner (check->lock);
  status = fc_lock_manager_get_lock_status (check->manager);
  check->status_ok = g_variant_is_normal_form (status);
  fc_lock_unlock (check->lock);
  return NULL;
}

/* Finding 3: the kernel keeps 15 bytes of a thread name; "é" at bytes
 * 15–16 was cut in two and the owner was not UTF-8. */
static void
test_thread_name_cut_in_a_character (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  NameCheck check = { manager, NULL, NULL, FALSE };
  GThread *thread;

  check.lock = fc_lock_manager_register_lock (manager, "named", 1, NULL, NULL, NULL);
#ifndef __linux__
  g_test_skip ("thread names are read on Linux only");
  return;
#endif
  thread = g_thread_new ("named", hold_and_look, &check);
  g_thread_join (thread);

  g_assert_nonnull (check.owner);
  g_assert_true (g_utf8_validate (check.owner, -1, NULL));
  g_assert_cmpstr (check.owner, ==, "abcdefghijklmn");
  g_assert_true (check.status_ok);
  g_free (check.owner);
}

/* Finding 4: names of a megabyte were accepted and quoted whole. */
static void
test_huge_names (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(FcAsyncLockManager) amanager = fc_async_lock_manager_new ();
  g_autofree char *max = g_strnfill (1024, 'm');
  g_autofree char *over = g_strnfill (1025, 'o');
  g_autofree char *huge = g_strnfill (1 << 20, 'h');
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;
  const char *names[] = { huge, NULL };

  g_assert_nonnull (fc_lock_manager_register_lock (manager, max, 1, NULL, NULL, NULL));
  g_assert_null (fc_lock_manager_register_lock (manager, over, 2, NULL, NULL, &e1));
  assert_invalid_argument (e1);
  g_assert_null (fc_async_lock_manager_register_lock (amanager, huge, 2, NULL, NULL, &e2));
  assert_invalid_argument (e2);

  /* Not registered: the message does not quote a megabyte. */
  g_assert_null (fc_lock_manager_acquire (manager, names, 1, TRUE, &e3));
  assert_invalid_argument (e3);
  g_assert_cmpuint (strlen (e3->message), <, 2048);
  g_assert_null (fc_lock_manager_get_lock (manager, huge, &e4));
  assert_invalid_argument (e4);
  g_assert_cmpuint (strlen (e4->message), <, 2048);
}

/* Finding 8: register_foundation_locks stopped at the first conflict and
 * left the locks before it registered. */
static void
test_foundation_all_or_nothing (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(FcLockManager) manager2 = fc_lock_manager_new ();
  g_autoptr(FcAsyncLockManager) amanager = fc_async_lock_manager_new ();
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_autoptr(GVariant) s1 = NULL, s2 = NULL, s3 = NULL;

  /* Order 110 is foundation.logger.setup's: ORDER_CONFLICT there. */
  g_assert_nonnull (fc_lock_manager_register_lock (manager, "app", 110, NULL, NULL, NULL));
  g_assert_false (fc_lock_manager_register_foundation_locks (manager, &e1));
  g_assert_error (e1, FC_ERROR, FC_ERROR_ORDER_CONFLICT);
  s1 = fc_lock_manager_get_lock_status (manager);
  g_assert_cmpuint (g_variant_n_children (s1), ==, 1);

  /* The last of them taken already: ALREADY_REGISTERED, nothing else. */
  g_assert_nonnull (fc_lock_manager_register_lock (manager2, "foundation.hub.components", 999, NULL, NULL, NULL));
  g_assert_false (fc_lock_manager_register_foundation_locks (manager2, &e2));
  g_assert_error (e2, FC_ERROR, FC_ERROR_ALREADY_REGISTERED);
  s2 = fc_lock_manager_get_lock_status (manager2);
  g_assert_cmpuint (g_variant_n_children (s2), ==, 1);

  g_assert_nonnull (fc_async_lock_manager_register_lock (amanager, "app", 200, NULL, NULL, NULL));
  g_assert_false (fc_async_lock_manager_register_foundation_locks (amanager, &e3));
  g_assert_error (e3, FC_ERROR, FC_ERROR_ORDER_CONFLICT);
  s3 = fc_async_lock_manager_get_lock_status (amanager);
  g_assert_cmpuint (g_variant_n_children (s3), ==, 1);

  /* Without the conflict, all of them register. */
  {
    g_autoptr(FcLockManager) clean = fc_lock_manager_new ();
    g_autoptr(GVariant) s4 = NULL;

    g_assert_true (fc_lock_manager_register_foundation_locks (clean, NULL));
    s4 = fc_lock_manager_get_lock_status (clean);
    g_assert_cmpuint (g_variant_n_children (s4), ==, 8);
  }
}

static guint64
acquisitions_of (GVariant   *status,
                 const char *name)
{
  g_autoptr(GVariant) info = g_variant_lookup_value (status, name, G_VARIANT_TYPE_VARDICT);
  guint64 n = G_MAXUINT64;

  g_assert_true (g_variant_lookup (info, "acquisitions", "t", &n));
  return n;
}

typedef struct
{
  FcLockManager *manager;
  int            holding;   /* atomic */
  int            done;      /* atomic */
} Holder;

static gpointer
hold_b (gpointer data)
{
  Holder *holder = data;
  const char *names[] = { "b", NULL };
  FcLockGuard *guard = fc_lock_manager_acquire (holder->manager, names, 1, TRUE, NULL);

  g_assert_nonnull (guard);
  g_atomic_int_set (&holder->holding, 1);
  while (!g_atomic_int_get (&holder->done))
    g_usleep (1000);
  fc_test_guard_drop (&guard);
  return NULL;
}

/* The soak's statistics differed from its own counts (15,662 of 1.44 M):
 * an acquisition that took some of its locks, then failed and rolled them
 * back, counted them as acquisitions. */
static void
test_stats_rollback_not_counted (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  const char *ab[] = { "b", "a", NULL };
  g_autoptr(GError) e1 = NULL, e2 = NULL;
  g_autoptr(GVariant) status = NULL;
  Holder holder = { manager, 0, 0 };
  GThread *thread;

  g_assert_nonnull (fc_lock_manager_register_lock (manager, "a", 1, NULL, NULL, NULL));
  g_assert_nonnull (fc_lock_manager_register_lock (manager, "b", 2, NULL, NULL, NULL));

  thread = g_thread_new ("holder", hold_b, &holder);
  while (!g_atomic_int_get (&holder.holding))
    g_usleep (1000);
  /* a is taken, b is not free: rolled back. */
  g_assert_null (fc_lock_manager_acquire (manager, ab, 0, TRUE, &e1));
  g_assert_error (e1, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_null (fc_lock_manager_acquire (manager, ab, FC_TIMEOUT_INFINITE, FALSE, &e2));
  g_assert_error (e2, FC_ERROR, FC_ERROR_WOULD_BLOCK);
  g_atomic_int_set (&holder.done, 1);
  g_thread_join (thread);

  status = fc_lock_manager_get_lock_status (manager);
  g_assert_cmpuint (acquisitions_of (status, "a"), ==, 0);
  g_assert_cmpuint (acquisitions_of (status, "b"), ==, 1);
}

/* The same for async acquisitions: a try that took a, then found b held. */
static void
test_stats_rollback_not_counted_async (void)
{
  g_autoptr(FcAsyncLockManager) manager = fc_async_lock_manager_new ();
  const char *b[] = { "b", NULL };
  const char *ab[] = { "a", "b", NULL };
  g_autoptr(GVariant) status = NULL;
  Outcome held = { 0, }, tried = { 0, };

  g_assert_nonnull (fc_async_lock_manager_register_lock (manager, "a", 1, NULL, NULL, NULL));
  g_assert_nonnull (fc_async_lock_manager_register_lock (manager, "b", 2, NULL, NULL, NULL));

  fc_async_lock_manager_acquire_async (manager, b, 1, NULL, on_acquired, &held);
  outcome_wait (&held);
  g_assert_no_error (held.error);
  fc_async_lock_manager_acquire_async (manager, ab, 0, NULL, on_acquired, &tried);
  outcome_wait (&tried);
  g_assert_error (tried.error, FC_ERROR, FC_ERROR_TIMEOUT);
  fc_async_lock_guard_release (held.guard);

  status = fc_async_lock_manager_get_lock_status (manager);
  g_assert_cmpuint (acquisitions_of (status, "a"), ==, 0);
  g_assert_cmpuint (acquisitions_of (status, "b"), ==, 1);
  outcome_clear (&held);
  outcome_clear (&tried);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/regression/reliability/invalid-utf8-register", test_invalid_utf8_register);
  g_test_add_func ("/regression/reliability/invalid-utf8-lookup", test_invalid_utf8_lookup);
  g_test_add_func ("/regression/reliability/invalid-utf8-label", test_invalid_utf8_label);
  g_test_add_func ("/regression/reliability/thread-name-cut", test_thread_name_cut_in_a_character);
  g_test_add_func ("/regression/reliability/huge-names", test_huge_names);
  g_test_add_func ("/regression/reliability/foundation-all-or-nothing", test_foundation_all_or_nothing);
  g_test_add_func ("/regression/reliability/stats-rollback", test_stats_rollback_not_counted);
  g_test_add_func ("/regression/reliability/stats-rollback-async", test_stats_rollback_not_counted_async);
  return g_test_run ();
}
