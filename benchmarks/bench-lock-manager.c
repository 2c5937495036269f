/* bench-lock-manager.c — the cost of an uncontended named acquisition,
 * against a raw GRecMutex lock+unlock pair measured in the same run.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Goals: one named lock within 8x a raw pair, three within 20x; with
 * lock-order learning on, a nested acquisition along an already known edge
 * within 1.5x of the same with FC_DEBUG=nolockdep (measured in two child
 * processes, since FC_DEBUG is read once per process).
 *
 * The manager's acquisition is measured both ways a guard is scoped:
 * acquire + unref (g_autoptr), and acquire + release + unref (as bindings
 * do). Guards are recycled per thread: neither allocates. What GLib 2.74
 * charges for creating and finalizing a GObject (an empty one, new +
 * unref) is shown beside, for scale.
 *
 * A failed try: a timeout-0 acquisition of a lock another thread holds
 * (an explained FC_ERROR_TIMEOUT) against a non-blocking one
 * (FC_ERROR_WOULD_BLOCK), with 200 idle threads that have used locks:
 * the explanation follows the owner's chain, it walks no thread records.
 */

#include <stdio.h>

#include <foundation-concurrency.h>

#define ROUNDS 5

static guint iterations = 2000000;

/* The best time, in ns per iteration, of ROUNDS rounds of running BODY
 * `iterations` times (a macro, so that BODY is inlined in the loop). */
#define BEST_OF(best, BODY)                                                  \
  G_STMT_START {                                                             \
    (best) = G_MAXDOUBLE;                                                    \
    for (guint r_ = 0; r_ < ROUNDS; r_++)                                    \
      {                                                                      \
        gint64 start_ = g_get_monotonic_time ();                             \
                                                                             \
        for (guint i_ = 0; i_ < iterations; i_++)                            \
          { BODY; }                                                          \
        (best) = MIN ((best), (double) (g_get_monotonic_time () - start_) *  \
                              1000.0 / iterations);                          \
      }                                                                      \
  } G_STMT_END

static double
time_raw (void)
{
  GRecMutex mutex;
  double best;

  g_rec_mutex_init (&mutex);
  BEST_OF (best, g_rec_mutex_lock (&mutex); g_rec_mutex_unlock (&mutex));
  g_rec_mutex_clear (&mutex);
  return best;
}

static double
time_manager (FcLockManager      *manager,
              const char * const *names)
{
  double best;

  BEST_OF (best,
           FcLockGuard *guard = fc_lock_manager_acquire (manager, names, 10.0, TRUE, NULL);
           fc_lock_guard_release (guard);
           fc_lock_guard_unref (guard));
  return best;
}

static double
time_locker (FcLockManager      *manager,
             const char * const *names)
{
  double best;

  BEST_OF (best,
           fc_lock_guard_unref (fc_lock_manager_acquire (manager, names, 10.0, TRUE, NULL)));
  return best;
}

static double
time_gobject (void)
{
  double best;

  BEST_OF (best, g_object_unref (g_object_new (G_TYPE_OBJECT, NULL)));
  return best;
}

static double
time_direct (FcLock *lock)
{
  double best;

  BEST_OF (best, fc_lock_lock (lock, 10.0, NULL); fc_lock_unlock (lock));
  return best;
}

/* Nested: hold the outer lock, take and release the inner one (a known edge). */
static double
time_known_edge (FcLockManager *manager)
{
  FcLock *outer = fc_lock_manager_get_lock (manager, "app.accounts", NULL);
  FcLock *inner = fc_lock_manager_get_lock (manager, "app.ledger", NULL);
  double best;

  fc_lock_lock (outer, 10.0, NULL);
  BEST_OF (best, fc_lock_lock (inner, 10.0, NULL); fc_lock_unlock (inner));
  fc_lock_unlock (outer);
  return best;
}

/* Threads that took a lock once (so they have a record) and then idle. */
typedef struct
{
  FcLockManager *manager;
  GMutex         mutex;
  GCond          cond;
  guint          ready;
  gboolean       stop;
  gboolean       holder_started;
} Idlers;

static gpointer
idle_thread (gpointer data)
{
  Idlers *idlers = data;
  FcLock *lock = fc_lock_manager_get_lock (idlers->manager, "app.audit", NULL);

  fc_lock_lock (lock, 10.0, NULL);
  fc_lock_unlock (lock);
  g_mutex_lock (&idlers->mutex);
  idlers->ready++;
  g_cond_broadcast (&idlers->cond);
  while (!idlers->stop)
    g_cond_wait (&idlers->cond, &idlers->mutex);
  g_mutex_unlock (&idlers->mutex);
  return NULL;
}

/* Holds app.accounts until told to stop. */
static gpointer
holder_thread (gpointer data)
{
  Idlers *idlers = data;
  FcLock *lock = fc_lock_manager_get_lock (idlers->manager, "app.accounts", NULL);

  fc_lock_lock (lock, 10.0, NULL);
  g_mutex_lock (&idlers->mutex);
  idlers->holder_started = TRUE;
  g_cond_broadcast (&idlers->cond);
  while (!idlers->stop)
    g_cond_wait (&idlers->cond, &idlers->mutex);
  g_mutex_unlock (&idlers->mutex);
  fc_lock_unlock (lock);
  return NULL;
}

#define N_IDLE 200

static void
time_failed_try (FcLockManager *manager,
                 double        *timeout_ns,
                 double        *would_block_ns)
{
  const char *one[] = { "app.accounts", NULL };
  Idlers idlers = { manager, };
  GThread *threads[N_IDLE + 1];
  guint saved = iterations;
  double best;

  g_mutex_init (&idlers.mutex);
  g_cond_init (&idlers.cond);
  for (guint i = 0; i < N_IDLE; i++)
    threads[i] = g_thread_new ("idle", idle_thread, &idlers);
  threads[N_IDLE] = g_thread_new ("holder", holder_thread, &idlers);
  g_mutex_lock (&idlers.mutex);
  while (idlers.ready < N_IDLE || !idlers.holder_started)
    g_cond_wait (&idlers.cond, &idlers.mutex);
  g_mutex_unlock (&idlers.mutex);

  iterations = MAX (saved / 20, 1);
  BEST_OF (best,
           GError *error = NULL;
           g_assert (fc_lock_manager_acquire (manager, one, 0, TRUE, &error) == NULL);
           g_error_free (error));
  *timeout_ns = best;
  BEST_OF (best,
           GError *error = NULL;
           g_assert (fc_lock_manager_acquire (manager, one, 0, FALSE, &error) == NULL);
           g_error_free (error));
  *would_block_ns = best;
  iterations = saved;

  g_mutex_lock (&idlers.mutex);
  idlers.stop = TRUE;
  g_cond_broadcast (&idlers.cond);
  g_mutex_unlock (&idlers.mutex);
  for (guint i = 0; i <= N_IDLE; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&idlers.mutex);
  g_cond_clear (&idlers.cond);
}

static double
run_edge_child (const char *argv0,
                const char *fc_debug)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "FC_DEBUG", fc_debug, TRUE);
  const char *argv[] = { argv0, "--known-edge", NULL };
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s", error->message);
  return g_ascii_strtod (out, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  const char *one[] = { "app.accounts", NULL };
  const char *three[] = { "app.ledger", "app.accounts", "app.audit", NULL };
  const char *env = g_getenv ("FC_BENCH_ITERATIONS");
  double raw, direct, named1, named3, locker1, locker3, gobject;
  double failed_timeout, failed_would_block;

  if (env != NULL)
    iterations = (guint) g_ascii_strtoull (env, NULL, 10);

  fc_lock_manager_register_foundation_locks (manager, NULL);
  fc_lock_manager_register_lock (manager, "app.accounts", 300, NULL, NULL, NULL);
  fc_lock_manager_register_lock (manager, "app.ledger", 310, NULL, NULL, NULL);
  fc_lock_manager_register_lock (manager, "app.audit", 320, NULL, NULL, NULL);

  if (argc > 1 && g_str_equal (argv[1], "--known-edge"))
    {
      printf ("%f\n", time_known_edge (manager));
      return 0;
    }

  raw = time_raw ();
  direct = time_direct (fc_lock_manager_get_lock (manager, "app.accounts", NULL));
  locker1 = time_locker (manager, one);
  locker3 = time_locker (manager, three);
  named1 = time_manager (manager, one);
  named3 = time_manager (manager, three);
  gobject = time_gobject ();

  printf ("Uncontended, best of %d rounds of %u iterations (ns per acquire+release):\n",
          ROUNDS, iterations);
  printf ("  raw GRecMutex lock+unlock                %8.1f ns\n", raw);
  printf ("  fc_lock_lock+unlock (direct)             %8.1f ns  %5.1fx raw\n", direct, direct / raw);
  printf ("  guard (acquire+unref), 1 lock            %8.1f ns  %5.1fx raw  (goal <= 8x)\n", locker1, locker1 / raw);
  printf ("  guard (acquire+unref), 3 locks           %8.1f ns  %5.1fx raw  (goal <= 20x)\n", locker3, locker3 / raw);
  printf ("  manager, guard (acquire+release+unref), 1 lock  %8.1f ns  %5.1fx raw\n", named1, named1 / raw);
  printf ("  manager, guard (acquire+release+unref), 3 locks %8.1f ns  %5.1fx raw\n", named3, named3 / raw);
  printf ("  of which GLib's GObject new+unref alone  %8.1f ns  %5.1fx raw\n", gobject, gobject / raw);

  {
    double on = run_edge_child (argv[0], "");
    double off = run_edge_child (argv[0], "nolockdep");

    printf ("\nNested fc_lock_lock+unlock along a known order edge (ns):\n");
    printf ("  lock-order learning off (FC_DEBUG=nolockdep)  %8.1f ns\n", off);
    printf ("  lock-order learning on                        %8.1f ns  %5.2fx off  (goal <= 1.5x)\n",
            on, on / off);
  }

  time_failed_try (manager, &failed_timeout, &failed_would_block);
  printf ("\nA failed try of a held lock, %d idle threads with records (ns):\n", N_IDLE);
  printf ("  non-blocking (FC_ERROR_WOULD_BLOCK)           %8.1f ns\n", failed_would_block);
  printf ("  timeout 0 (explained FC_ERROR_TIMEOUT)        %8.1f ns  %5.2fx would-block\n",
          failed_timeout, failed_timeout / failed_would_block);

  return 0;
}
