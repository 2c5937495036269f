/* test-lock-manager.c — FcLockManager and FcLockGuard.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include <foundation-concurrency.h>

/* The library's TSan-visible wrappers: Debian's GMutex is invisible to it. */
#include "fc-mutex-private.h"

/* A manager with a (10), b (20), c (30), d (40), in scrambled registration order. */
static FcLockManager *
make_manager (void)
{
  FcLockManager *manager = fc_lock_manager_new ();
  const struct { const char *name; int order; } locks[] = {
    { "c", 30 }, { "a", 10 }, { "d", 40 }, { "b", 20 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    {
      g_autoptr(GError) error = NULL;
      FcLock *lock = fc_lock_manager_register_lock (manager, locks[i].name, locks[i].order,
                                                    "test lock", NULL, &error);
      g_assert_no_error (error);
      g_assert_true (FC_IS_LOCK (lock));
    }
  return manager;
}

static gboolean
is_locked (FcLockManager *manager,
           const char    *name)
{
  return fc_lock_is_locked (fc_lock_manager_get_lock (manager, name, NULL));
}

static void
assert_all_free (FcLockManager *manager)
{
  g_autoptr(GVariant) status = fc_lock_manager_get_lock_status (manager);
  GVariantIter iter;
  const char *name;
  GVariant *info;

  g_variant_iter_init (&iter, status);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &name, &info))
    {
      gboolean locked = TRUE;

      g_assert_true (g_variant_lookup (info, "is_locked", "b", &locked));
      if (locked)
        g_error ("lock %s is still held", name);
    }
}

static void
test_register_errors (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(FcLock) spare = fc_lock_new ();
  g_autoptr(GError) error = NULL;
  FcLock *lock;

  g_assert_null (fc_lock_manager_register_lock (manager, "a", 99, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ALREADY_REGISTERED);
  g_assert_cmpstr (error->message, ==, "Lock 'a' already registered");
  g_clear_error (&error);

  g_assert_null (fc_lock_manager_register_lock (manager, "z", 20, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_CONFLICT);
  g_assert_cmpstr (error->message, ==,
                   "Lock order 20 already used by 'b'. Each lock must have a unique order.");
  g_clear_error (&error);

  g_assert_null (fc_lock_manager_register_lock (manager, "", 50, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Lock name must not be empty");
  g_clear_error (&error);

  g_assert_null (fc_lock_manager_get_lock (manager, "nope", &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED);
  g_assert_cmpstr (error->message, ==, "Lock 'nope' not registered");
  g_clear_error (&error);

  /* Registering an existing lock gives it its identity... */
  lock = fc_lock_manager_register_lock (manager, "spare", 60, NULL, spare, &error);
  g_assert_no_error (error);
  g_assert_true (lock == spare);
  g_assert_cmpstr (fc_lock_get_name (spare), ==, "spare");
  g_assert_cmpint (fc_lock_get_order (spare), ==, 60);
  g_assert_cmpstr (fc_lock_get_description (spare), ==, "");
  g_assert_true (fc_lock_manager_get_lock (manager, "spare", NULL) == spare);

  /* ...once: not again, here or in another manager. */
  {
    g_autoptr(FcLockManager) other = fc_lock_manager_new ();

    g_assert_null (fc_lock_manager_register_lock (other, "again", 1, NULL, spare, &error));
    g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_null (fc_lock_manager_get_lock (other, "again", NULL));
  }

  /* A failed registration registers nothing. */
  g_assert_null (fc_lock_manager_get_lock (manager, "z", NULL));
  {
    g_autoptr(GVariant) status = fc_lock_manager_get_lock_status (manager);

    g_assert_cmpuint (g_variant_n_children (status), ==, 5);
  }
}

static void
test_foundation_locks (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(GError) error = NULL;
  const struct { const char *name; int order; const char *description; } expected[] = {
    { "foundation.hub.init", 0, "Hub initialization" },
    { "foundation.init.coordinator", 10, "Master initialization coordinator" },
    { "foundation.stream", 20, "Log stream management lock" },
    { "foundation.logger.lazy", 100, "Lazy logger initialization" },
    { "foundation.logger.setup", 110, "Logger setup coordination" },
    { "foundation.config", 200, "Configuration system lock" },
    { "foundation.registry", 210, "Component registry lock" },
    { "foundation.hub.components", 220, "Hub component management" },
  };

  g_assert_true (fc_lock_manager_register_foundation_locks (manager, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      FcLock *lock = fc_lock_manager_get_lock (manager, expected[i].name, &error);

      g_assert_no_error (error);
      g_assert_cmpint (fc_lock_get_order (lock), ==, expected[i].order);
      g_assert_cmpstr (fc_lock_get_description (lock), ==, expected[i].description);
    }

  /* A second time, they are already there. */
  g_assert_false (fc_lock_manager_register_foundation_locks (manager, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ALREADY_REGISTERED);
}

#define N_RACERS 16

static gpointer
get_default_in_thread (gpointer data)
{
  return fc_lock_manager_get_default ();
}

static void
test_default_race (void)
{
  GThread *threads[N_RACERS];
  FcLockManager *first = NULL;
  g_autoptr(GVariant) status = NULL;

  for (guint i = 0; i < N_RACERS; i++)
    threads[i] = g_thread_new ("racer", get_default_in_thread, NULL);
  for (guint i = 0; i < N_RACERS; i++)
    {
      FcLockManager *manager = g_thread_join (threads[i]);

      g_assert_true (FC_IS_LOCK_MANAGER (manager));
      if (first == NULL)
        first = manager;
      g_assert_true (manager == first);
    }

  g_assert_true (fc_lock_manager_get_default () == first);
  status = fc_lock_manager_get_lock_status (first);
  g_assert_cmpuint (g_variant_n_children (status), ==, 8);
}

static void
test_acquire_ascending (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockGuard) guard = NULL;
  g_auto(GStrv) names = NULL;
  const char *wanted[] = { "d", "b", "a", "d", "c", "b", NULL };
  const char *expected[] = { "a", "b", "c", "d", NULL };

  guard = fc_lock_manager_acquire (manager, wanted, 1.0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (guard);

  names = fc_lock_guard_dup_names (guard);
  g_assert_cmpstrv (names, expected);
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_true (is_locked (manager, expected[i]));

  g_assert_false (fc_lock_guard_is_released (guard));
  fc_lock_guard_release (guard);
  g_assert_true (fc_lock_guard_is_released (guard));
  fc_lock_guard_release (guard);  /* idempotent */
  assert_all_free (manager);
}

static void
test_acquire_empty (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockGuard) guard = NULL;
  g_autoptr(FcLockGuard) guard2 = NULL;
  g_auto(GStrv) names = NULL;
  const char *none[] = { NULL };

  guard = fc_lock_manager_acquire (manager, none, 1.0, TRUE, &error);
  g_assert_no_error (error);
  names = fc_lock_guard_dup_names (guard);
  g_assert_cmpuint (g_strv_length (names), ==, 0);

  guard2 = fc_lock_manager_acquire (manager, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (guard2);
}

static void
test_acquire_not_registered (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  const char *names[] = { "a", "ghost", NULL };

  g_assert_null (fc_lock_manager_acquire (manager, names, 1.0, TRUE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED);
  g_assert_cmpstr (error->message, ==, "Lock 'ghost' not registered");
  assert_all_free (manager);
}

static void
test_acquire_bad_timeouts (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  const double bad[] = { -0.001, -10.0, NAN, INFINITY, -INFINITY };
  const char *names[] = { "a", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (fc_lock_manager_acquire (manager, names, bad[i], TRUE, &error));
      g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, "Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever");
      g_clear_error (&error);

      g_assert_null (fc_lock_manager_acquire (manager, names, bad[i], FALSE, &error));
      g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
      assert_all_free (manager);
    }
}

static void
test_acquire_timeout_zero_free (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockGuard) guard = NULL;
  const char *names[] = { "a", "b", "c", NULL };

  guard = fc_lock_manager_acquire (manager, names, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (is_locked (manager, "a") && is_locked (manager, "b") && is_locked (manager, "c"));
}

static void
test_acquire_infinite (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockGuard) guard = NULL;
  const char *names[] = { "a", NULL };

  guard = fc_lock_manager_acquire (manager, names, FC_TIMEOUT_INFINITE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (is_locked (manager, "a"));
}

/* More names than the resolver keeps on its stack, given out of order and
 * with repeats: taken once each, in ascending order. */
static void
test_acquire_many_unsorted (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  /* Orders 30 - 3 * i: the names come in descending order. */
  static const guint picks[] = { 0, 11, 3, 3, 7, 1, 10, 5, 0, 9, 2, 8, 4, 6, 11 };
  const char *names[G_N_ELEMENTS (picks) + 1];
  char *registered[12];
  g_autoptr(FcLockGuard) guard = NULL;
  g_auto(GStrv) taken = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (registered); i++)
    {
      registered[i] = g_strdup_printf ("many%u", i);
      g_assert_nonnull (fc_lock_manager_register_lock (manager, registered[i], 30 - 3 * (int) i,
                                                       NULL, NULL, NULL));
    }
  for (guint i = 0; i < G_N_ELEMENTS (picks); i++)
    names[i] = registered[picks[i]];
  names[G_N_ELEMENTS (picks)] = NULL;

  guard = fc_lock_manager_acquire (manager, names, 1.0, TRUE, &error);
  g_assert_no_error (error);
  taken = fc_lock_guard_dup_names (guard);
  g_assert_cmpuint (g_strv_length (taken), ==, G_N_ELEMENTS (registered));
  for (guint i = 0; i < G_N_ELEMENTS (registered); i++)
    g_assert_cmpstr (taken[i], ==, registered[G_N_ELEMENTS (registered) - 1 - i]);

  fc_lock_guard_release (guard);
  assert_all_free (manager);
  for (guint i = 0; i < G_N_ELEMENTS (registered); i++)
    g_free (registered[i]);
}

static void
test_order_violation (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockGuard) outer = NULL;
  const char *c[] = { "c", NULL };
  const char *a_d[] = { "d", "a", NULL };
  const char *b[] = { "b", NULL };

  outer = fc_lock_manager_acquire (manager, c, 1.0, TRUE, &error);
  g_assert_no_error (error);

  /* d (40) would be fine, but a (10) is below c (30): nothing is taken. */
  g_assert_null (fc_lock_manager_acquire (manager, a_d, 1.0, TRUE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);
  g_assert_cmpstr (error->message, ==,
                   "Lock ordering violation: trying to acquire a (order 10) after "
                   "higher-order locks. Current max order: 30 (held: 'c')");
  g_clear_error (&error);
  g_assert_false (is_locked (manager, "a"));
  g_assert_false (is_locked (manager, "d"));
  g_assert_true (is_locked (manager, "c"));

  /* Non-blocking and timeout 0 detect it too. */
  g_assert_null (fc_lock_manager_acquire (manager, b, 0, FALSE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);
  g_clear_error (&error);

  fc_lock_guard_release (outer);

  /* Once c is released, the same set is fine. */
  {
    g_autoptr(FcLockGuard) guard = fc_lock_manager_acquire (manager, a_d, 1.0, TRUE, &error);
    g_assert_no_error (error);
  }
  assert_all_free (manager);
}

static void
test_reentrant (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockGuard) outer = NULL;
  g_autoptr(FcLockGuard) inner = NULL;
  g_auto(GStrv) inner_names = NULL;
  const char *a_b[] = { "a", "b", NULL };
  const char *a_b_c[] = { "c", "b", "a", NULL };
  const char *only_c[] = { "c", NULL };

  outer = fc_lock_manager_acquire (manager, a_b, 1.0, TRUE, &error);
  g_assert_no_error (error);

  /* a and b are held: skipped; only c is new (and above b). */
  inner = fc_lock_manager_acquire (manager, a_b_c, 1.0, TRUE, &error);
  g_assert_no_error (error);
  inner_names = fc_lock_guard_dup_names (inner);
  g_assert_cmpstrv (inner_names, only_c);
  g_assert_cmpuint (fc_lock_get_depth (fc_lock_manager_get_lock (manager, "a", NULL)), ==, 1);

  fc_lock_guard_release (inner);
  g_assert_false (is_locked (manager, "c"));
  g_assert_true (is_locked (manager, "a"));
  g_assert_true (is_locked (manager, "b"));

  fc_lock_guard_release (outer);
  assert_all_free (manager);
}

typedef struct
{
  FcLockManager *manager;
  const char   **names;
  double         timeout;
  gboolean       blocking;
  GError        *error;
  gboolean       ok;
  GMutex         mutex;
  GCond          cond;
  gboolean       holding;
  gboolean       release;
} Holder;

static gpointer
hold_until_told (gpointer data)
{
  Holder *h = data;
  g_autoptr(FcLockGuard) guard = fc_lock_manager_acquire (h->manager, h->names, 5.0, TRUE, NULL);

  g_assert_nonnull (guard);
  fc_mutex_lock (&h->mutex);
  h->holding = TRUE;
  g_cond_broadcast (&h->cond);
  while (!h->release)
    fc_cond_wait (&h->cond, &h->mutex);
  fc_mutex_unlock (&h->mutex);
  fc_lock_guard_release (guard);
  return NULL;
}

static GThread *
start_holder (Holder         *h,
              FcLockManager  *manager,
              const char    **names)
{
  GThread *thread;

  memset (h, 0, sizeof *h);
  h->manager = manager;
  h->names = names;
  g_mutex_init (&h->mutex);
  g_cond_init (&h->cond);
  thread = g_thread_new ("holder", hold_until_told, h);
  fc_mutex_lock (&h->mutex);
  while (!h->holding)
    fc_cond_wait (&h->cond, &h->mutex);
  fc_mutex_unlock (&h->mutex);
  return thread;
}

static void
stop_holder (Holder  *h,
             GThread *thread)
{
  fc_mutex_lock (&h->mutex);
  h->release = TRUE;
  g_cond_broadcast (&h->cond);
  fc_mutex_unlock (&h->mutex);
  g_thread_join (thread);
  g_mutex_clear (&h->mutex);
  g_cond_clear (&h->cond);
}

static void
test_timeout_rolls_back (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) info_a = NULL;
  const char *b[] = { "b", NULL };
  const char *a_b_c[] = { "a", "b", "c", NULL };
  gboolean locked = TRUE;
  Holder h;
  GThread *thread = start_holder (&h, manager, b);
  gint64 start = g_get_monotonic_time ();

  g_assert_null (fc_lock_manager_acquire (manager, a_b_c, 0.1, TRUE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_true (g_pattern_match_simple ("Timeout acquiring lock 'b': held by 'holder' for *s",
                                         error->message));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 10);
  g_clear_error (&error);

  /* a was taken first and must have been released; c was never reached. */
  status = fc_lock_manager_get_lock_status (manager);
  info_a = g_variant_lookup_value (status, "a", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (info_a, "is_locked", "b", &locked));
  g_assert_false (locked);
  g_assert_false (is_locked (manager, "c"));
  g_assert_true (is_locked (manager, "b"));

  /* Timeout 0 fails at once with TIMEOUT; non-blocking with WOULD_BLOCK. */
  g_assert_null (fc_lock_manager_acquire (manager, a_b_c, 0, TRUE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_null (fc_lock_manager_acquire (manager, a_b_c, 5.0, FALSE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_WOULD_BLOCK);
  g_assert_cmpstr (error->message, ==, "Could not acquire lock 'b' immediately");
  g_clear_error (&error);
  g_assert_false (is_locked (manager, "a"));

  stop_holder (&h, thread);
  assert_all_free (manager);
}

static void
test_status (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(FcLockGuard) guard = NULL;
  g_autoptr(GVariant) held = NULL;
  g_autoptr(GVariant) freed = NULL;
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) acquired_at = NULL;
  const char *a[] = { "a", NULL };
  const char *description = NULL;
  double now = (double) g_get_real_time () / G_USEC_PER_SEC;
  gboolean locked = FALSE;
  gint32 order = 0;
  guint32 depth = 0;

  guard = fc_lock_manager_acquire (manager, a, 1.0, TRUE, NULL);
  held = fc_lock_manager_get_lock_status (manager);
  g_assert_true (g_variant_is_of_type (held, G_VARIANT_TYPE ("a{sa{sv}}")));
  g_assert_cmpuint (g_variant_n_children (held), ==, 4);

  info = g_variant_lookup_value (held, "a", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (info, "order", "i", &order));
  g_assert_cmpint (order, ==, 10);
  g_assert_true (g_variant_lookup (info, "description", "&s", &description));
  g_assert_cmpstr (description, ==, "test lock");
  g_assert_true (g_variant_lookup (info, "is_locked", "b", &locked));
  g_assert_true (locked);
  g_assert_true (g_variant_lookup (info, "depth", "u", &depth));
  g_assert_cmpuint (depth, ==, 1);
  owner = g_variant_lookup_value (info, "owner", G_VARIANT_TYPE ("ms"));
  g_assert_nonnull (owner);
  {
    g_autoptr(GVariant) value = g_variant_get_maybe (owner);

    g_assert_nonnull (value);
    g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "main");
  }
  acquired_at = g_variant_lookup_value (info, "acquired_at", G_VARIANT_TYPE ("md"));
  g_assert_nonnull (acquired_at);
  {
    g_autoptr(GVariant) value = g_variant_get_maybe (acquired_at);

    g_assert_nonnull (value);
    /* Within a minute of now, on the wall clock (the clock is coarse). */
    g_assert_cmpfloat (fabs (g_variant_get_double (value) - now), <, 60.0);
  }
  g_clear_pointer (&info, g_variant_unref);
  g_clear_pointer (&owner, g_variant_unref);
  g_clear_pointer (&acquired_at, g_variant_unref);

  fc_lock_guard_release (guard);
  freed = fc_lock_manager_get_lock_status (manager);
  info = g_variant_lookup_value (freed, "a", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (info, "is_locked", "b", &locked));
  g_assert_false (locked);
  owner = g_variant_lookup_value (info, "owner", G_VARIANT_TYPE ("ms"));
  g_assert_nonnull (owner);
  g_assert_false (g_variant_n_children (owner) > 0);
  acquired_at = g_variant_lookup_value (info, "acquired_at", G_VARIANT_TYPE ("md"));
  g_assert_nonnull (acquired_at);
  g_assert_false (g_variant_n_children (acquired_at) > 0);
}

static void
test_detect (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(FcLockGuard) guard = NULL;
  g_auto(GStrv) none = NULL;
  g_auto(GStrv) warnings = NULL;
  const char *b[] = { "b", NULL };
  double threshold = 0;

  g_object_get (manager, "hold-warning-threshold", &threshold, NULL);
  g_assert_cmpfloat (threshold, ==, 30.0);

  guard = fc_lock_manager_acquire (manager, b, 1.0, TRUE, NULL);
  none = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  g_object_set (manager, "hold-warning-threshold", 0.001, NULL);
  g_assert_cmpfloat (fc_lock_manager_get_hold_warning_threshold (manager), ==, 0.001);
  g_usleep (G_USEC_PER_SEC / 20);
  warnings = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (warnings), ==, 1);
  g_assert_true (g_pattern_match_simple ("Lock 'b' held by 'main' for *s - potential deadlock or resource leak",
                                         warnings[0]));
}

static gpointer
release_in_thread (gpointer guard)
{
  fc_lock_guard_release (guard);
  return NULL;
}

static void
test_release_wrong_thread (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLockManager) manager = make_manager ();
      g_autoptr(FcLockGuard) guard = NULL;
      const char *a[] = { "a", NULL };
      GThread *thread;

      guard = fc_lock_manager_acquire (manager, a, 1.0, TRUE, NULL);
      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL,
                             "*released by the thread that acquired it*");
      thread = g_thread_new ("intruder", release_in_thread, guard);
      g_thread_join (thread);
      g_test_assert_expected_messages ();

      /* Nothing was released. */
      g_assert_false (fc_lock_guard_is_released (guard));
      g_assert_true (is_locked (manager, "a"));
      fc_lock_guard_release (guard);
      g_assert_false (is_locked (manager, "a"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_finalize_releases (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  const char *a_b[] = { "a", "b", NULL };
  FcLockGuard *guard = fc_lock_manager_acquire (manager, a_b, 1.0, TRUE, NULL);

  g_assert_true (is_locked (manager, "a"));
  fc_lock_guard_unref (guard);
  assert_all_free (manager);
}

static void
test_null_self (void)
{
  if (g_test_subprocess ())
    {
      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL, "*FC_IS_LOCK_MANAGER*");
      g_assert_null (fc_lock_manager_acquire (NULL, NULL, 1.0, TRUE, NULL));
      g_test_assert_expected_messages ();
      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
      fc_lock_guard_unref (NULL);
      g_test_assert_expected_messages ();
      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
      fc_lock_guard_release (NULL);
      g_test_assert_expected_messages ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static gpointer
unref_in_thread (gpointer guard)
{
  fc_lock_guard_unref (guard);
  return NULL;
}

/* A released guard may be finalized by any thread (a binding's garbage
 * collector, say), with its locks on the heap or inline. */
static void
test_finalize_elsewhere (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  const char *names[11];

  for (int i = 0; i < 10; i++)
    {
      char name[8];

      g_snprintf (name, sizeof name, "f%d", i);
      fc_lock_manager_register_lock (manager, name, i, NULL, NULL, NULL);
      names[i] = fc_lock_get_name (fc_lock_manager_get_lock (manager, name, NULL));
    }

  for (int n = 1; n <= 10; n += 9)
    {
      FcLockGuard *guard;
      g_auto(GStrv) taken = NULL;

      names[n] = NULL;
      guard = fc_lock_manager_acquire (manager, names, 1.0, TRUE, NULL);
      fc_lock_guard_release (guard);
      taken = fc_lock_guard_dup_names (guard);
      g_assert_cmpuint (g_strv_length (taken), ==, n);
      g_thread_join (g_thread_new ("finalizer", unref_in_thread, guard));
      names[n] = n < 10 ? fc_lock_get_name (fc_lock_manager_get_lock (manager, "f1", NULL)) : NULL;
    }
  assert_all_free (manager);
}

/* ---- FcLockGuard scoped with g_autoptr, as the former scoped was ------ */

static void
test_scoped_scope (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  const char *c_a[] = { "c", "a", "c", NULL };
  FcLock *a = fc_lock_manager_get_lock (manager, "a", NULL);
  FcLock *c = fc_lock_manager_get_lock (manager, "c", NULL);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FcLockGuard) scoped =
      fc_lock_manager_acquire (manager, c_a, 1.0, TRUE, &error);

    g_assert_no_error (error);
    g_assert_nonnull (scoped);
    g_assert_true (fc_lock_is_locked (a));
    g_assert_true (fc_lock_is_locked (c));
    g_assert_cmpuint (fc_lock_get_depth (c), ==, 1);
    g_assert_false (is_locked (manager, "b"));
  }
  /* The end of the scope released both. */
  assert_all_free (manager);

  /* An empty set (or none) still makes a guard, which holds nothing. */
  {
    const char *none[] = { NULL };
    g_autoptr(FcLockGuard) empty = fc_lock_manager_acquire (manager, none, 0, TRUE, NULL);
    g_autoptr(FcLockGuard) null_set = fc_lock_manager_acquire (manager, NULL, 0, TRUE, NULL);

    g_assert_nonnull (empty);
    g_assert_nonnull (null_set);
  }
  assert_all_free (manager);
}

static void
test_scoped_errors (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(GError) error = NULL;
  const char *a_x[] = { "a", "x", NULL };
  const char *a[] = { "a", NULL };
  const char *b[] = { "b", NULL };
  const char *a_b_c[] = { "a", "b", "c", NULL };
  const double bad[] = { -0.5, -2.0, NAN, INFINITY, -INFINITY };
  FcLockGuard *scoped;
  Holder h;
  GThread *thread;

  g_assert_null (fc_lock_manager_acquire (manager, a_x, 1.0, TRUE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED);
  g_assert_cmpstr (error->message, ==, "Lock 'x' not registered");
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (fc_lock_manager_acquire (manager, a, bad[i], TRUE, &error));
      g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, "Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever");
      g_clear_error (&error);
    }
  assert_all_free (manager);

  /* Holding b, asking for a and c: a is below b, nothing is taken. */
  scoped = fc_lock_manager_acquire (manager, b, 1.0, TRUE, &error);
  g_assert_no_error (error);
  {
    const char *c_a[] = { "c", "a", NULL };

    g_assert_null (fc_lock_manager_acquire (manager, c_a, 1.0, TRUE, &error));
    g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);
    g_assert_cmpstr (error->message, ==,
                     "Lock ordering violation: trying to acquire a (order 10) after "
                     "higher-order locks. Current max order: 20 (held: 'b')");
    g_clear_error (&error);
  }
  g_assert_false (is_locked (manager, "a"));
  g_assert_false (is_locked (manager, "c"));
  fc_lock_guard_unref (scoped);

  /* Another thread holds b: a is taken, then given back, on every failure. */
  thread = start_holder (&h, manager, b);
  g_assert_null (fc_lock_manager_acquire (manager, a_b_c, 0.05, TRUE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_assert_true (g_str_has_prefix (error->message, "Timeout acquiring lock 'b'"));
  g_clear_error (&error);
  g_assert_false (is_locked (manager, "a"));
  g_assert_null (fc_lock_manager_acquire (manager, a_b_c, 0, TRUE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_null (fc_lock_manager_acquire (manager, a_b_c, 5.0, FALSE, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_WOULD_BLOCK);
  g_assert_cmpstr (error->message, ==, "Could not acquire lock 'b' immediately");
  g_clear_error (&error);
  g_assert_false (is_locked (manager, "a"));
  g_assert_false (is_locked (manager, "c"));
  stop_holder (&h, thread);

  assert_all_free (manager);
}

/* Guards nest either way, skip what the thread holds, and may
 * be freed in any order. */
static void
test_scoped_reentrant (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();
  g_autoptr(FcLockGuard) guard = NULL;
  g_auto(GStrv) guard_names = NULL;
  const char *a_b[] = { "a", "b", NULL };
  const char *b_c[] = { "b", "c", NULL };
  const char *a_b_c_d[] = { "d", "c", "b", "a", NULL };
  const char *only_d[] = { "d", NULL };
  FcLock *b = fc_lock_manager_get_lock (manager, "b", NULL);
  FcLockGuard *outer;
  FcLockGuard *inner;

  outer = fc_lock_manager_acquire (manager, a_b, 1.0, TRUE, NULL);
  inner = fc_lock_manager_acquire (manager, b_c, 1.0, TRUE, NULL);
  g_assert_nonnull (outer);
  g_assert_nonnull (inner);
  g_assert_cmpuint (fc_lock_get_depth (b), ==, 1);

  /* A guard inside: only d is new. */
  guard = fc_lock_manager_acquire (manager, a_b_c_d, 1.0, TRUE, NULL);
  guard_names = fc_lock_guard_dup_names (guard);
  g_assert_cmpstrv (guard_names, only_d);
  fc_lock_guard_release (guard);
  g_assert_false (is_locked (manager, "d"));

  /* Freeing the outer guard first gives back a and b, not c. */
  fc_lock_guard_unref (outer);
  g_assert_false (is_locked (manager, "a"));
  g_assert_false (is_locked (manager, "b"));
  g_assert_true (is_locked (manager, "c"));
  fc_lock_guard_unref (inner);
  assert_all_free (manager);

  /* A guard inside a guard does not release the guard's locks. */
  g_clear_pointer (&guard, fc_lock_guard_unref);
  guard = fc_lock_manager_acquire (manager, a_b, 1.0, TRUE, NULL);
  inner = fc_lock_manager_acquire (manager, a_b_c_d, 1.0, TRUE, NULL);
  fc_lock_guard_unref (inner);
  g_assert_true (is_locked (manager, "a"));
  g_assert_true (is_locked (manager, "b"));
  g_assert_false (is_locked (manager, "c"));
  fc_lock_guard_release (guard);
  assert_all_free (manager);
}

/* More locks than a guard keeps inline, and guards recycled afterwards. */
static void
test_scoped_many (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  const char *names[21];
  g_autoptr(GPtrArray) held = g_ptr_array_new ();

  for (int i = 0; i < 20; i++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "m%02d", i);
      g_assert_nonnull (fc_lock_manager_register_lock (manager, name, 100 + i, NULL, NULL, NULL));
      names[i] = fc_lock_get_name (fc_lock_manager_get_lock (manager, name, NULL));
    }
  names[20] = NULL;

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(FcLockGuard) all = fc_lock_manager_acquire (manager, names, 1.0, TRUE, NULL);

      for (int i = 0; i < 20; i++)
        g_assert_true (fc_lock_is_locked (fc_lock_manager_get_lock (manager, names[i], NULL)));
    }
  assert_all_free (manager);

  /* Many at once, each with one lock, freed out of order. */
  for (int i = 0; i < 20; i++)
    {
      const char *one[] = { names[i], NULL };

      g_ptr_array_add (held, fc_lock_manager_acquire (manager, one, 1.0, TRUE, NULL));
    }
  for (guint i = 0; i < held->len; i += 2)
    fc_lock_guard_unref (held->pdata[i]);
  for (guint i = 1; i < held->len; i += 2)
    fc_lock_guard_unref (held->pdata[i]);
  assert_all_free (manager);
}

static gpointer
scoped_thread (gpointer data)
{
  FcLockManager *manager = data;
  const char *a_b[] = { "a", "b", NULL };

  for (int i = 0; i < 100; i++)
    {
      g_autoptr(FcLockGuard) scoped = fc_lock_manager_acquire (manager, a_b, 5.0, TRUE, NULL);

      g_assert_nonnull (scoped);
    }
  return NULL;
}

/* Threads come and go; their records and spare guards are reused. */
static void
test_scoped_threads (void)
{
  g_autoptr(FcLockManager) manager = make_manager ();

  for (int round = 0; round < 10; round++)
    {
      GThread *threads[4];

      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        threads[i] = g_thread_new ("scoped", scoped_thread, manager);
      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        g_thread_join (threads[i]);
    }
  assert_all_free (manager);
}

static gpointer
unref_guard_in_thread (gpointer guard)
{
  fc_lock_guard_unref (guard);
  return NULL;
}

/* The last reference to an unreleased guard dropped on another thread:
 * a critical, the locks stay held (and alive) until their own thread's
 * next call, which releases them. */
static void
test_guard_unref_wrong_thread (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FcLockManager) manager = make_manager ();
      const char *a[] = { "a", NULL };
      FcLockGuard *guard = fc_lock_manager_acquire (manager, a, 1.0, TRUE, NULL);
      FcLock *b = fc_lock_manager_get_lock (manager, "b", NULL);
      GThread *thread;

      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL,
                             "*dropped by another thread*");
      thread = g_thread_new ("intruder", unref_guard_in_thread, guard);
      g_thread_join (thread);
      g_test_assert_expected_messages ();

      /* Nothing was released; this thread's next call releases it. */
      g_assert_true (is_locked (manager, "a"));
      g_assert_true (fc_lock_try_lock (b));
      g_assert_false (is_locked (manager, "a"));
      fc_lock_unlock (b);
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

  g_test_add_func ("/lock-manager/register-errors", test_register_errors);
  g_test_add_func ("/lock-manager/foundation-locks", test_foundation_locks);
  g_test_add_func ("/lock-manager/default-race", test_default_race);
  g_test_add_func ("/lock-manager/acquire/ascending", test_acquire_ascending);
  g_test_add_func ("/lock-manager/acquire/empty", test_acquire_empty);
  g_test_add_func ("/lock-manager/acquire/not-registered", test_acquire_not_registered);
  g_test_add_func ("/lock-manager/acquire/bad-timeouts", test_acquire_bad_timeouts);
  g_test_add_func ("/lock-manager/acquire/timeout-zero-free", test_acquire_timeout_zero_free);
  g_test_add_func ("/lock-manager/acquire/infinite", test_acquire_infinite);
  g_test_add_func ("/lock-manager/acquire/many-unsorted", test_acquire_many_unsorted);
  g_test_add_func ("/lock-manager/acquire/order-violation", test_order_violation);
  g_test_add_func ("/lock-manager/acquire/reentrant", test_reentrant);
  g_test_add_func ("/lock-manager/acquire/timeout-rolls-back", test_timeout_rolls_back);
  g_test_add_func ("/lock-manager/status", test_status);
  g_test_add_func ("/lock-manager/detect", test_detect);
  g_test_add_func ("/lock-manager/guard/release-wrong-thread", test_release_wrong_thread);
  g_test_add_func ("/lock-manager/guard/finalize-releases", test_finalize_releases);
  g_test_add_func ("/lock-manager/guard/finalize-elsewhere", test_finalize_elsewhere);
  g_test_add_func ("/lock-manager/null-self", test_null_self);
  g_test_add_func ("/lock-manager/guard/scoped/scope", test_scoped_scope);
  g_test_add_func ("/lock-manager/guard/scoped/errors", test_scoped_errors);
  g_test_add_func ("/lock-manager/guard/scoped/reentrant", test_scoped_reentrant);
  g_test_add_func ("/lock-manager/guard/scoped/many", test_scoped_many);
  g_test_add_func ("/lock-manager/guard/scoped/threads", test_scoped_threads);
  g_test_add_func ("/lock-manager/guard/unref-wrong-thread", test_guard_unref_wrong_thread);

  return g_test_run ();
}
