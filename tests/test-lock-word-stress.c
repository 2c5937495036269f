/* test-lock-word-stress.c — the lock word's protocol under fire.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sixteen threads on one FcLock (on a machine of two cores): four greedy
 * ones take it in a tight loop for as long as the test runs (with pure
 * barging they would keep it from everyone else); four hold it long
 * (recursively, sleeping inside); four take it with short timeouts (0 to
 * 5 ms), so that timeouts race the releases that wake them; four victims
 * must each get it a number of times, each within a generous bound
 * (STARVE_BOUND: a hand-off after a millisecond makes the real wait a few
 * milliseconds), or the test fails with the timeout they got: starvation.
 * A lost wake-up shows as a thread that never returns (the test times out).
 *
 * Mutual exclusion is checked by an occupancy count, by a plain counter
 * adding up at the end (and under ThreadSanitizer by the absence of a race
 * report on it), and the lock must end free, with no waiter counted.
 */

#include <foundation-concurrency.h>

#define N_EACH 4
#define LONG_ROUNDS 40
#define TIMED_ROUNDS 1500
#define VICTIM_ROUNDS 150
/* Seconds a victim may wait for one acquisition: far above what the
 * hand-off needs, far below what an unfair lock can make it wait. */
#define STARVE_BOUND 10.0

typedef enum
{
  ROLE_GREEDY,
  ROLE_LONG,
  ROLE_TIMED,
  ROLE_VICTIM,
  N_ROLES
} Role;

typedef struct
{
  FcLockManager *manager;
  FcLock        *lock;
  int            stop;          /* atomic */
  int            occupancy;     /* atomic */
  int            violations;    /* atomic */
  int            taken;         /* atomic: successful first takes */
  int            timeouts;      /* atomic: of ROLE_TIMED */
  int            starved;       /* atomic: victims' timeouts */
  int            errors;        /* atomic: unexpected errors */
  guint64        counter;       /* plain: protected by the lock */
  gint64         victim_wait_max; /* µs; protected by the lock */
} Shared;

typedef struct
{
  Shared *shared;
  Role    role;
  guint   seed;
} Worker;

static void
enter (Shared *shared)
{
  if (g_atomic_int_add (&shared->occupancy, 1) != 0)
    g_atomic_int_inc (&shared->violations);
  shared->counter++;
  g_atomic_int_inc (&shared->taken);
}

static void
leave (Shared *shared)
{
  g_atomic_int_add (&shared->occupancy, -1);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  Shared *s = worker->shared;
  g_autoptr(GRand) rand = g_rand_new_with_seed (worker->seed);
  static const double timeouts[] = { 0, 0.00005, 0.0002, 0.001, 0.005 };

  switch (worker->role)
    {
    case ROLE_GREEDY:
      while (!g_atomic_int_get (&s->stop))
        {
          if (!fc_lock_lock (s->lock, FC_TIMEOUT_INFINITE, NULL))
            {
              g_atomic_int_inc (&s->errors);
              continue;
            }
          enter (s);
          /* Busy inside, and at it again at once: with barging alone, a
           * woken waiter would find it taken every time. */
          for (gint64 until = g_get_monotonic_time () + 20; g_get_monotonic_time () < until;)
            ;
          leave (s);
          fc_lock_unlock (s->lock);
        }
      break;

    case ROLE_LONG:
      for (guint i = 0; i < LONG_ROUNDS; i++)
        {
          if (!fc_lock_lock (s->lock, FC_TIMEOUT_INFINITE, NULL))
            {
              g_atomic_int_inc (&s->errors);
              continue;
            }
          enter (s);
          /* Recursive while held: never waits. */
          if (!fc_lock_lock (s->lock, 0, NULL) || fc_lock_get_depth (s->lock) != 2)
            g_atomic_int_inc (&s->errors);
          g_usleep (g_rand_int_range (rand, 100, 600));
          fc_lock_unlock (s->lock);
          leave (s);
          fc_lock_unlock (s->lock);
          g_usleep (g_rand_int_range (rand, 0, 300));
        }
      break;

    case ROLE_TIMED:
      for (guint i = 0; i < TIMED_ROUNDS; i++)
        {
          double timeout = timeouts[g_rand_int_range (rand, 0, G_N_ELEMENTS (timeouts))];
          g_autoptr(GError) error = NULL;

          if (fc_lock_lock (s->lock, timeout, &error))
            {
              enter (s);
              leave (s);
              fc_lock_unlock (s->lock);
            }
          else if (g_error_matches (error, FC_ERROR, FC_ERROR_TIMEOUT))
            {
              /* Nothing stays held, and no wake-up was swallowed: the
               * others go on (or the test never ends). */
              g_atomic_int_inc (&s->timeouts);
              if (fc_lock_try_lock (s->lock))
                {
                  /* Free now: then it was not ours before. */
                  if (fc_lock_get_depth (s->lock) != 1)
                    g_atomic_int_inc (&s->errors);
                  enter (s);
                  leave (s);
                  fc_lock_unlock (s->lock);
                }
            }
          else
            g_atomic_int_inc (&s->errors);
          g_usleep (g_rand_int_range (rand, 0, 30));
        }
      break;

    case ROLE_VICTIM:
      for (guint i = 0; i < VICTIM_ROUNDS; i++)
        {
          g_autoptr(GError) error = NULL;
          gint64 start = g_get_monotonic_time ();
          gint64 waited;

          if (!fc_lock_lock (s->lock, STARVE_BOUND, &error))
            {
              g_atomic_int_inc (g_error_matches (error, FC_ERROR, FC_ERROR_TIMEOUT)
                                ? &s->starved : &s->errors);
              continue;
            }
          waited = g_get_monotonic_time () - start;
          enter (s);
          if (waited > s->victim_wait_max)
            s->victim_wait_max = waited;   /* under the lock */
          leave (s);
          fc_lock_unlock (s->lock);
          g_usleep (g_rand_int_range (rand, 0, 200));
        }
      break;

    case N_ROLES:
    default:
      g_assert_not_reached ();
    }

  return NULL;
}

static void
test_lock_word_stress (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) info = NULL;
  Shared shared = { manager, };
  Worker workers[N_ROLES * N_EACH];
  GThread *threads[N_ROLES * N_EACH];
  guint32 waiters = 99;
  guint64 acquisitions = 0;

  shared.lock = fc_lock_manager_register_lock (manager, "word", 1, NULL, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      workers[i] = (Worker) { &shared, i % N_ROLES, g_test_rand_int () };
      threads[i] = g_thread_new ("stress", worker_thread, &workers[i]);
    }

  /* Everyone but the greedy threads has a fixed amount of work; the greedy
   * ones run until the others are done. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    if (workers[i].role != ROLE_GREEDY)
      g_thread_join (threads[i]);
  g_atomic_int_set (&shared.stop, 1);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    if (workers[i].role == ROLE_GREEDY)
      g_thread_join (threads[i]);

  g_test_message ("%d critical sections, %d timeouts of the timed threads, "
                  "a victim waited %.1f ms at most", shared.taken, shared.timeouts,
                  shared.victim_wait_max / 1000.0);
  g_assert_cmpint (shared.violations, ==, 0);
  g_assert_cmpint (shared.errors, ==, 0);
  g_assert_cmpint (shared.starved, ==, 0);
  g_assert_cmpuint (shared.counter, ==, (guint64) shared.taken);
  g_assert_cmpint (shared.taken, >=, N_EACH * (LONG_ROUNDS + VICTIM_ROUNDS));

  g_assert_false (fc_lock_is_locked (shared.lock));
  g_assert_cmpuint (fc_lock_get_depth (shared.lock), ==, 0);
  status = fc_lock_manager_get_lock_status (manager);
  info = g_variant_lookup_value (status, "word", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (info, "waiters", "u", &waiters));
  g_assert_true (g_variant_lookup (info, "acquisitions", "t", &acquisitions));
  g_assert_cmpuint (waiters, ==, 0);
  /* Recursive takes are not acquisitions. */
  g_assert_cmpuint (acquisitions, ==, (guint64) shared.taken);

  /* And it still works as a lock. */
  g_assert_true (fc_lock_try_lock (shared.lock));
  fc_lock_unlock (shared.lock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lock-word/stress", test_lock_word_stress);

  return g_test_run ();
}
