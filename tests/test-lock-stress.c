/* test-lock-stress.c — many threads, random lock sets, random timeouts.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Eight threads acquire random subsets of six locks through one manager, in
 * random name order, with random timeouts (including 0 and infinite), some
 * non-blocking, some nested (re-entrant) and some deliberately out of order,
 * half released explicitly and half by dropping the last reference.
 * Each lock guards a plain counter: mutual exclusion is checked by an
 * occupancy count and by the counters adding up at the end (and under
 * ThreadSanitizer, by the absence of a race report on them).
 */

#include <foundation-concurrency.h>

#define N_LOCKS 6
#define N_THREADS 8

static const char *lock_names[N_LOCKS] = { "l0", "l1", "l2", "l3", "l4", "l5" };

typedef struct
{
  FcLockManager *manager;
  guint          iterations;
  int            occupancy[N_LOCKS];   /* atomic */
  guint64        counters[N_LOCKS];    /* plain: protected by the lock */
  int            taken[N_LOCKS];       /* atomic: successful takes */
  int            timeouts;             /* atomic */
  int            would_block;          /* atomic */
  int            violations;           /* atomic */
} Shared;

static guint
pick_set (GRand       *rand,
          const char **names)
{
  guint n = 0;
  guint mask = (guint) g_rand_int_range (rand, 1, 1 << N_LOCKS);

  for (guint i = 0; i < N_LOCKS; i++)
    if (mask & (1u << i))
      names[n++] = lock_names[i];

  /* Shuffle: the manager must sort them. */
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      const char *tmp = names[i - 1];

      names[i - 1] = names[j];
      names[j] = tmp;
    }
  names[n] = NULL;
  return n;
}

/* What one acquisition took: the names of @set this thread did not hold
 * already (@mine), as a mask of lock indices. */
static guint
newly_taken (const char * const *set,
             guint               mine)
{
  guint mask = 0;

  for (guint i = 0; set[i] != NULL; i++)
    mask |= 1u << (set[i][1] - '0');
  return mask & ~mine;
}

static void
enter (Shared *shared,
       guint   mask)
{
  for (guint idx = 0; idx < N_LOCKS; idx++)
    {
      if (!(mask & (1u << idx)))
        continue;
      if (!g_atomic_int_compare_and_exchange (&shared->occupancy[idx], 0, 1))
        g_error ("two threads inside %s at once", lock_names[idx]);
      shared->counters[idx]++;
      g_atomic_int_inc (&shared->taken[idx]);
    }
}

static void
leave (Shared *shared,
       guint   mask)
{
  for (guint idx = 0; idx < N_LOCKS; idx++)
    if (mask & (1u << idx))
      g_atomic_int_set (&shared->occupancy[idx], 0);
}

/* A guard's names are what it took. */
static void
assert_guard_took (FcLockGuard *guard,
                   guint        mask)
{
  g_auto(GStrv) names = fc_lock_guard_dup_names (guard);
  guint got = 0;

  for (guint i = 0; names[i] != NULL; i++)
    got |= 1u << (names[i][1] - '0');
  g_assert_cmphex (got, ==, mask);
}

static void
check_error (Shared *shared,
             GError *error)
{
  g_assert_error (error, FC_ERROR, error->code);
  switch (error->code)
    {
    case FC_ERROR_TIMEOUT:
      g_atomic_int_inc (&shared->timeouts);
      break;
    case FC_ERROR_WOULD_BLOCK:
      g_atomic_int_inc (&shared->would_block);
      break;
    case FC_ERROR_ORDER_VIOLATION:
      g_atomic_int_inc (&shared->violations);
      break;
    default:
      g_error ("unexpected error: %s", error->message);
    }
}

static gpointer
worker (gpointer data)
{
  Shared *shared = data;
  g_autoptr(GRand) rand = g_rand_new ();

  for (guint iter = 0; iter < shared->iterations; iter++)
    {
      const char *names[N_LOCKS + 1];
      g_autoptr(GError) error = NULL;
      g_autoptr(FcLockGuard) guard = NULL;
      double timeout;
      gboolean blocking = g_rand_int_range (rand, 0, 8) != 0;
      guint mine;

      pick_set (rand, names);
      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0: timeout = 0; break;
        case 1: timeout = FC_TIMEOUT_INFINITE; break;
        default: timeout = g_rand_double_range (rand, 0.0, 0.002); break;
        }

      guard = fc_lock_manager_acquire (shared->manager, names, timeout, blocking, &error);
      if (guard == NULL)
        {
          check_error (shared, error);
          continue;
        }

      mine = newly_taken (names, 0);
      assert_guard_took (guard, mine);
      enter (shared, mine);

      /* Sometimes nest: a random second set, which may re-enter held
       * names, or violate the order and must then take nothing. */
      if (g_rand_int_range (rand, 0, 3) == 0)
        {
          const char *more[N_LOCKS + 1];
          g_autoptr(GError) inner_error = NULL;
          g_autoptr(FcLockGuard) inner = NULL;
          guint more_mask;

          pick_set (rand, more);
          more_mask = newly_taken (more, mine);
          inner = fc_lock_manager_acquire (shared->manager, more, 0.001, TRUE, &inner_error);
          if (inner != NULL)
            {
              assert_guard_took (inner, more_mask);
              enter (shared, more_mask);
              leave (shared, more_mask);
              if (g_rand_boolean (rand))
                fc_lock_guard_release (inner);
              else
                g_clear_pointer (&inner, fc_lock_guard_unref);
            }
          else
            check_error (shared, inner_error);
        }

      /* Sometimes take a held lock again directly (recursion). */
      if (g_rand_int_range (rand, 0, 4) == 0)
        {
          FcLock *lock = fc_lock_manager_get_lock (shared->manager, names[0], NULL);

          g_assert_true (fc_lock_lock (lock, 0, NULL));
          g_assert_cmpuint (fc_lock_get_depth (lock), >=, 2);
          fc_lock_unlock (lock);
        }

      if (g_rand_int_range (rand, 0, 16) == 0)
        g_thread_yield ();

      leave (shared, mine);
      if (g_rand_boolean (rand))
        fc_lock_guard_release (guard);
      /* else: the end of the scope releases it */
    }

  return NULL;
}

static void
test_stress (void)
{
  Shared shared = { 0, };
  GThread *threads[N_THREADS];
  g_autoptr(GVariant) status = NULL;
  GVariantIter iter;
  GVariant *info;
  const char *name;
  const char *env = g_getenv ("FC_STRESS_ITERATIONS");

  shared.manager = fc_lock_manager_new ();
  shared.iterations = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 4000;
  for (guint i = 0; i < N_LOCKS; i++)
    g_assert_nonnull (fc_lock_manager_register_lock (shared.manager, lock_names[i],
                                                     (int) (i + 1) * 10, NULL, NULL, NULL));

  for (guint i = 0; i < N_THREADS; i++)
    {
      g_autofree char *thread_name = g_strdup_printf ("worker-%u", i);
      threads[i] = g_thread_new (thread_name, worker, &shared);
    }
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < N_LOCKS; i++)
    {
      g_assert_cmpuint (shared.counters[i], ==, (guint64) shared.taken[i]);
      g_assert_cmpint (shared.occupancy[i], ==, 0);
      g_test_message ("%s taken %d times", lock_names[i], shared.taken[i]);
    }
  g_test_message ("timeouts %d, would-block %d, order violations %d",
                  shared.timeouts, shared.would_block, shared.violations);
  /* Each kind of failure was exercised. */
  g_assert_cmpint (shared.timeouts + shared.would_block, >, 0);
  g_assert_cmpint (shared.violations, >, 0);

  status = fc_lock_manager_get_lock_status (shared.manager);
  g_variant_iter_init (&iter, status);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &name, &info))
    {
      gboolean locked = TRUE;
      guint32 waiters = 1;

      g_assert_true (g_variant_lookup (info, "is_locked", "b", &locked));
      g_assert_true (g_variant_lookup (info, "waiters", "u", &waiters));
      g_assert_false (locked);
      g_assert_cmpuint (waiters, ==, 0);
    }

  g_object_unref (shared.manager);
}

/* Direct fc_lock_lock() with tiny timeouts from many threads on one lock. */
typedef struct
{
  FcLock  *lock;
  guint64  counter;
  int      inside;
  guint    iterations;
} Direct;

static gpointer
direct_worker (gpointer data)
{
  Direct *d = data;
  g_autoptr(GRand) rand = g_rand_new ();

  for (guint i = 0; i < d->iterations; i++)
    {
      g_autoptr(GError) error = NULL;
      double timeout = g_rand_boolean (rand) ? 0.0005 : FC_TIMEOUT_INFINITE;

      if (!fc_lock_lock (d->lock, timeout, &error))
        {
          g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
          continue;
        }
      if (!g_atomic_int_compare_and_exchange (&d->inside, 0, 1))
        g_error ("two threads inside the lock");
      d->counter++;
      g_atomic_int_set (&d->inside, 0);
      fc_lock_unlock (d->lock);
    }
  return NULL;
}

static void
test_stress_direct (void)
{
  Direct d = { fc_lock_new (), 0, 0, 20000 };
  GThread *threads[N_THREADS];

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("direct", direct_worker, &d);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_false (fc_lock_is_locked (d.lock));
  g_assert_cmpuint (d.counter, >, 0);
  g_object_unref (d.lock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lock-stress/manager", test_stress);
  g_test_add_func ("/lock-stress/direct", test_stress_direct);

  return g_test_run ();
}
