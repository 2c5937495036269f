/* test-lock.c — FcLock used directly.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include <foundation-concurrency.h>

static void
test_lock_recursive (void)
{
  g_autoptr(FcLock) lock = fc_lock_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;

  g_assert_false (fc_lock_is_locked (lock));
  g_assert_cmpuint (fc_lock_get_depth (lock), ==, 0);
  g_assert_null (fc_lock_get_name (lock));
  g_assert_null (fc_lock_dup_owner (lock));

  g_assert_true (fc_lock_lock (lock, 1.0, &error));
  g_assert_no_error (error);
  g_assert_true (fc_lock_lock (lock, 0, &error));
  g_assert_true (fc_lock_try_lock (lock));
  g_assert_true (fc_lock_is_locked (lock));
  g_assert_cmpuint (fc_lock_get_depth (lock), ==, 3);

  owner = fc_lock_dup_owner (lock);
  g_assert_cmpstr (owner, ==, "main");

  fc_lock_unlock (lock);
  fc_lock_unlock (lock);
  g_assert_true (fc_lock_is_locked (lock));
  g_assert_cmpuint (fc_lock_get_depth (lock), ==, 1);
  fc_lock_unlock (lock);
  g_assert_false (fc_lock_is_locked (lock));
  g_assert_cmpuint (fc_lock_get_depth (lock), ==, 0);
}

static void
test_lock_properties (void)
{
  g_autoptr(FcLock) lock = fc_lock_new ();
  g_autofree char *owner = NULL;
  gboolean locked = TRUE;
  guint depth = 7;

  g_assert_true (fc_lock_try_lock (lock));
  g_object_get (lock, "locked", &locked, "depth", &depth, "owner", &owner, NULL);
  g_assert_true (locked);
  g_assert_cmpuint (depth, ==, 1);
  g_assert_cmpstr (owner, ==, "main");
  fc_lock_unlock (lock);
  g_object_get (lock, "locked", &locked, "depth", &depth, NULL);
  g_assert_false (locked);
  g_assert_cmpuint (depth, ==, 0);
}

static void
test_lock_bad_timeouts (void)
{
  g_autoptr(FcLock) lock = fc_lock_new ();
  const double bad[] = { -0.5, -2.0, NAN, INFINITY, -INFINITY };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (fc_lock_lock (lock, bad[i], &error));
      g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, "Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever");
      g_assert_false (fc_lock_is_locked (lock));
    }
}

typedef struct
{
  FcLock   *lock;
  double    timeout;
  gboolean  result;
  GError   *error;
  char     *owner_seen;
} LockJob;

static gpointer
lock_in_thread (gpointer data)
{
  LockJob *job = data;

  job->result = fc_lock_lock (job->lock, job->timeout, &job->error);
  if (job->result)
    {
      job->owner_seen = fc_lock_dup_owner (job->lock);
      fc_lock_unlock (job->lock);
    }
  return NULL;
}

static gpointer
try_in_thread (gpointer data)
{
  LockJob *job = data;

  job->result = fc_lock_try_lock (job->lock);
  if (job->result)
    fc_lock_unlock (job->lock);
  return NULL;
}

static void
test_lock_timeout_other_thread (void)
{
  g_autoptr(FcLock) lock = fc_lock_new ();
  LockJob job = { lock, 0.05, TRUE, NULL, NULL };
  GThread *thread;

  g_assert_true (fc_lock_lock (lock, FC_TIMEOUT_INFINITE, NULL));

  thread = g_thread_new ("waiter", lock_in_thread, &job);
  g_thread_join (thread);
  g_assert_false (job.result);
  g_assert_error (job.error, FC_ERROR, FC_ERROR_TIMEOUT);
  /* The contract's text, explained: who holds it, for how long. */
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock '(unregistered)': held by 'main' for *s",
                                         job.error->message));
  g_clear_error (&job.error);

  /* Timeout 0 and try_lock fail at once while another thread holds it. */
  job.timeout = 0;
  thread = g_thread_new ("waiter", lock_in_thread, &job);
  g_thread_join (thread);
  g_assert_false (job.result);
  g_assert_error (job.error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_clear_error (&job.error);

  thread = g_thread_new ("trier", try_in_thread, &job);
  g_thread_join (thread);
  g_assert_false (job.result);

  fc_lock_unlock (lock);

  /* Once free, the other thread takes it and sees itself as owner. */
  job.timeout = 1.0;
  thread = g_thread_new ("worker-7", lock_in_thread, &job);
  g_thread_join (thread);
  g_assert_true (job.result);
  g_assert_no_error (job.error);
  g_assert_cmpstr (job.owner_seen, ==, "worker-7");
  g_free (job.owner_seen);
  g_assert_false (fc_lock_is_locked (lock));
}

typedef struct
{
  FcLock *lock;
  int     held;      /* atomic: the holder has the lock */
  int     waiting;   /* atomic: the main thread is about to wait for it */
} Holder;

/* Holds the lock until the main thread is about to wait for it, and a
 * little longer: the main thread must not miss the hold (it spun for ever
 * on fc_lock_is_locked() when descheduled for the whole hold). */
static gpointer
release_later (gpointer data)
{
  Holder *holder = data;

  g_assert_true (fc_lock_lock (holder->lock, FC_TIMEOUT_INFINITE, NULL));
  g_atomic_int_set (&holder->held, 1);
  while (!g_atomic_int_get (&holder->waiting))
    g_thread_yield ();
  g_usleep (G_USEC_PER_SEC / 20);
  fc_lock_unlock (holder->lock);
  return NULL;
}

/* Starts a holder of @lock and waits until it holds it. */
static GThread *
start_holder (Holder *holder)
{
  GThread *thread;

  holder->held = holder->waiting = 0;
  thread = g_thread_new ("holder", release_later, holder);
  while (!g_atomic_int_get (&holder->held))
    g_thread_yield ();
  g_assert_true (fc_lock_is_locked (holder->lock));
  g_atomic_int_set (&holder->waiting, 1);
  return thread;
}

static void
test_lock_waits_for_release (void)
{
  g_autoptr(FcLock) lock = fc_lock_new ();
  g_autoptr(GError) error = NULL;
  Holder holder = { lock, 0, 0 };
  GThread *thread = start_holder (&holder);

  /* Infinite and long finite waits both succeed once it is released. */
  g_assert_true (fc_lock_lock (lock, FC_TIMEOUT_INFINITE, &error));
  g_assert_no_error (error);
  fc_lock_unlock (lock);
  g_thread_join (thread);

  thread = start_holder (&holder);
  g_assert_true (fc_lock_lock (lock, 30.0, &error));
  g_assert_no_error (error);
  fc_lock_unlock (lock);
  g_thread_join (thread);
}

static void
test_lock_unlock_not_owner (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLock) lock = fc_lock_new ();

      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL,
                             "*not held by the calling thread*");
      fc_lock_unlock (lock);
      g_test_assert_expected_messages ();
      g_assert_false (fc_lock_is_locked (lock));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static gpointer
unlock_in_thread (gpointer data)
{
  g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL,
                         "*not held by the calling thread*");
  fc_lock_unlock (data);
  g_test_assert_expected_messages ();
  return NULL;
}

static void
test_lock_unlock_other_thread (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLock) lock = fc_lock_new ();

      g_assert_true (fc_lock_lock (lock, 1.0, NULL));
      g_thread_join (g_thread_new ("intruder", unlock_in_thread, lock));
      /* Nothing changed: still held once by this thread. */
      g_assert_true (fc_lock_is_locked (lock));
      g_assert_cmpuint (fc_lock_get_depth (lock), ==, 1);
      fc_lock_unlock (lock);
      g_assert_false (fc_lock_is_locked (lock));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* fc_set_thread_name(): the owner shown for the calling thread, valid
 * UTF-8, at most 255 bytes; NULL gives the system's name back. */
static gpointer
named_holder (gpointer data)
{
  FcLockManager *manager = data;
  const char *a[] = { "named.a", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockGuard) guard = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) entry = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *long_name = g_strnfill (300, 'x');
  const char *status_owner = NULL;

  fc_set_thread_name ("py-holder");
  guard = fc_lock_manager_acquire (manager, a, 1.0, TRUE, &error);
  g_assert_no_error (error);
  owner = fc_lock_dup_owner (fc_lock_manager_get_lock (manager, "named.a", NULL));
  g_assert_cmpstr (owner, ==, "py-holder");
  status = fc_lock_manager_get_lock_status (manager);
  entry = g_variant_lookup_value (status, "named.a", NULL);
  g_assert_true (g_variant_lookup (entry, "owner", "m&s", &status_owner));
  g_assert_cmpstr (status_owner, ==, "py-holder");

  /* Renamed while holding: the held lock shows the new name. */
  fc_set_thread_name ("cafÃ© ÿ");
  g_clear_pointer (&owner, g_free);
  owner = fc_lock_dup_owner (fc_lock_manager_get_lock (manager, "named.a", NULL));
  g_assert_true (g_utf8_validate (owner, -1, NULL));
  g_assert_true (g_str_has_prefix (owner, "cafÃ© "));

  fc_set_thread_name (long_name);
  g_clear_pointer (&owner, g_free);
  owner = fc_lock_dup_owner (fc_lock_manager_get_lock (manager, "named.a", NULL));
  g_assert_cmpuint (strlen (owner), ==, 255);

  fc_set_thread_name (NULL);
  g_clear_pointer (&owner, g_free);
  owner = fc_lock_dup_owner (fc_lock_manager_get_lock (manager, "named.a", NULL));
  g_assert_cmpstr (owner, ==, "fc-named");
  return NULL;
}

static void
test_lock_thread_name (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(GError) error = NULL;

  fc_lock_manager_register_lock (manager, "named.a", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (g_thread_new ("fc-named", named_holder, manager));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lock/recursive", test_lock_recursive);
  g_test_add_func ("/lock/thread-name", test_lock_thread_name);
  g_test_add_func ("/lock/properties", test_lock_properties);
  g_test_add_func ("/lock/bad-timeouts", test_lock_bad_timeouts);
  g_test_add_func ("/lock/timeout-other-thread", test_lock_timeout_other_thread);
  g_test_add_func ("/lock/waits-for-release", test_lock_waits_for_release);
  g_test_add_func ("/lock/unlock-not-owner", test_lock_unlock_not_owner);
  g_test_add_func ("/lock/unlock-other-thread", test_lock_unlock_other_thread);

  return g_test_run ();
}
