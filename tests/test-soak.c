/* test-soak.c — 10^6 operations across 8 threads on one manager.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every acquisition form in turn: the manager's guards (blocking, with a
 * timeout, non-blocking, nested), fc_lock_lock() and fc_lock_try_lock()
 * directly. Each lock guards a plain
 * counter. At the end: no update lost, nothing locked or waiting, the
 * manager finalized by its last unref, and the library's per-lock
 * `acquisitions` statistic equal to the takes the soak counted itself.
 * FC_SOAK_OPERATIONS overrides the number of operations (default 10^6).
 */

#include <foundation-concurrency.h>

#include "fc-test-util.h"

#define N_LOCKS 8
#define N_THREADS 8

typedef struct
{
  FcLockManager *manager;
  FcLock        *locks[N_LOCKS];
  guint          per_thread;
  guint64        counters[N_LOCKS];   /* plain: protected by the lock */
  int            inside[N_LOCKS];     /* atomic */
  guint64        takes[N_LOCKS];      /* atomic: the soak's own count */
  guint64        failures;            /* atomic: timeouts, would-blocks */
} Soak;

static char lock_names[N_LOCKS][8];

/* A random set of 1 to @max_locks locks, as a mask. */
static guint
pick (GRand *rand,
      guint  max_locks)
{
  guint mask = 0;
  guint n = (guint) g_rand_int_range (rand, 1, (gint32) max_locks + 1);

  for (guint i = 0; i < n; i++)
    mask |= 1u << g_rand_int_range (rand, 0, N_LOCKS);
  return mask;
}

static void
mask_to_names (guint        mask,
               const char **names)
{
  guint n = 0;

  for (guint i = N_LOCKS; i > 0; i--)   /* descending: the manager sorts */
    if (mask & (1u << (i - 1)))
      names[n++] = lock_names[i - 1];
  names[n] = NULL;
}

/* Inside the locks of @mask, newly taken by this thread. */
static void
work (Soak  *soak,
      guint  mask)
{
  for (guint i = 0; i < N_LOCKS; i++)
    if (mask & (1u << i))
      {
        if (!g_atomic_int_compare_and_exchange (&soak->inside[i], 0, 1))
          g_error ("two threads inside %s at once", lock_names[i]);
        soak->counters[i]++;
        __atomic_add_fetch (&soak->takes[i], 1, __ATOMIC_RELAXED);
      }
  for (guint i = 0; i < N_LOCKS; i++)
    if (mask & (1u << i))
      g_atomic_int_set (&soak->inside[i], 0);
}

static void
failed (Soak   *soak,
        GError *error)
{
  if (!g_error_matches (error, FC_ERROR, FC_ERROR_TIMEOUT) &&
      !g_error_matches (error, FC_ERROR, FC_ERROR_WOULD_BLOCK))
    g_error ("unexpected error: %s", error->message);
  __atomic_add_fetch (&soak->failures, 1, __ATOMIC_RELAXED);
}

/* One acquisition of @mask by the manager; maybe a nested one above it. */
static void
op_guard (Soak   *soak,
          GRand  *rand,
          guint   mask,
          double  timeout,
          gboolean blocking)
{
  const char *names[N_LOCKS + 1];
  g_autoptr(GError) error = NULL;
  FcLockGuard *guard;

  mask_to_names (mask, names);
  guard = fc_lock_manager_acquire (soak->manager, names, timeout, blocking, &error);
  if (guard == NULL)
    {
      failed (soak, error);
      return;
    }
  work (soak, mask);

  /* Nested: re-enter what is held, add locks above it. */
  if (g_rand_int_range (rand, 0, 4) == 0 && mask < (1u << (N_LOCKS - 1)))
    {
      guint top = (guint) g_bit_nth_msf (mask, -1);
      guint above = (guint) g_rand_int_range (rand, (gint32) top + 1, N_LOCKS);
      guint inner_mask = (mask & (1u << top)) | (1u << above);
      g_autoptr(GError) inner_error = NULL;
      FcLockGuard *inner;

      mask_to_names (inner_mask, names);
      inner = fc_lock_manager_acquire (soak->manager, names, FC_TIMEOUT_INFINITE, TRUE, &inner_error);
      g_assert_no_error (inner_error);
      work (soak, 1u << above);
      fc_lock_guard_release (inner);
      fc_test_guard_drop (&inner);
    }

  if (g_rand_boolean (rand))
    fc_lock_guard_release (guard);
  fc_test_guard_drop (&guard);   /* releases it if still held */
}

/* fc_lock_lock() on the locks of @mask in ascending order, or
 * fc_lock_try_lock() (@try_only): what it got is worked on and given back. */
static void
op_direct (Soak     *soak,
           guint     mask,
           gboolean  try_only)
{
  guint got = 0;

  for (guint i = 0; i < N_LOCKS; i++)
    if (mask & (1u << i))
      {
        if (try_only ? fc_lock_try_lock (soak->locks[i])
                     : fc_lock_lock (soak->locks[i], FC_TIMEOUT_INFINITE, NULL))
          got |= 1u << i;
        else
          __atomic_add_fetch (&soak->failures, 1, __ATOMIC_RELAXED);
      }
  work (soak, got);
  for (guint i = N_LOCKS; i > 0; i--)
    if (got & (1u << (i - 1)))
      fc_lock_unlock (soak->locks[i - 1]);
}

static gpointer
soak_thread (gpointer data)
{
  Soak *soak = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) GPOINTER_TO_UINT (g_thread_self ()));

  for (guint n = 0; n < soak->per_thread; n++)
    {
      guint mask = pick (rand, 3);

      switch (g_rand_int_range (rand, 0, 7))
        {
        case 0:
          op_guard (soak, rand, mask, FC_TIMEOUT_INFINITE, TRUE);
          break;
        case 1:
          op_guard (soak, rand, mask, 0.0005, TRUE);
          break;
        case 2:
          op_guard (soak, rand, mask, 0, TRUE);
          break;
        case 3:
          op_guard (soak, rand, mask, FC_TIMEOUT_INFINITE, FALSE);
          break;
        case 4:
        case 5:
          op_direct (soak, mask, FALSE);
          break;
        default:
          op_direct (soak, mask, TRUE);
          break;
        }
    }
  return NULL;
}

static void
test_soak (void)
{
  Soak soak = { 0, };
  GThread *threads[N_THREADS];
  const char *env = g_getenv ("FC_SOAK_OPERATIONS");
  guint64 operations = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 1000000;
  g_autoptr(GVariant) status = NULL;
  guint64 total = 0;

  soak.manager = fc_lock_manager_new ();
  soak.per_thread = (guint) (operations / N_THREADS);
  for (guint i = 0; i < N_LOCKS; i++)
    {
      g_snprintf (lock_names[i], sizeof lock_names[i], "soak%u", i);
      soak.locks[i] = fc_lock_manager_register_lock (soak.manager, lock_names[i],
                                                     (int) (i + 1) * 10, NULL, NULL, NULL);
      g_assert_nonnull (soak.locks[i]);
    }

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("soak", soak_thread, &soak);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  status = fc_lock_manager_get_lock_status (soak.manager);
  for (guint i = 0; i < N_LOCKS; i++)
    {
      g_autoptr(GVariant) info = g_variant_lookup_value (status, lock_names[i], G_VARIANT_TYPE_VARDICT);
      guint64 acquisitions = 0;
      guint32 waiters = 1;
      gboolean locked = TRUE;

      g_assert_nonnull (info);
      g_assert_true (g_variant_lookup (info, "is_locked", "b", &locked));
      g_assert_true (g_variant_lookup (info, "waiters", "u", &waiters));
      g_assert_true (g_variant_lookup (info, "acquisitions", "t", &acquisitions));
      g_assert_false (locked);
      g_assert_cmpuint (waiters, ==, 0);
      g_assert_false (fc_lock_is_locked (soak.locks[i]));
      /* No lost update. */
      g_assert_cmpuint (soak.counters[i], ==, soak.takes[i]);
      g_test_message ("%s: taken %" G_GUINT64_FORMAT ", library says %" G_GUINT64_FORMAT,
                      lock_names[i], soak.takes[i], acquisitions);
      /* The library counts what the soak counts. */
      g_assert_cmpuint (acquisitions, ==, soak.takes[i]);
      total += soak.takes[i];
    }
  g_test_message ("%" G_GUINT64_FORMAT " operations, %" G_GUINT64_FORMAT " takes, %"
                  G_GUINT64_FORMAT " failures", operations, total, soak.failures);

  g_object_add_weak_pointer (G_OBJECT (soak.manager), (gpointer *) &soak.manager);
  g_object_unref (soak.manager);
  g_assert_null (soak.manager);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/soak/one-million", test_soak);
  return g_test_run ();
}
