/* test-lockdep-regressions.c — the learned lock-order graph forgets a lock
 * at the cost of what it touches, keeps every owner's known edges across
 * unrelated finalizes, recognises a known edge without its global mutex
 * beyond an owner's edge cache, and never lets a new lock at a freed lock's
 * address inherit its edges (ABA).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built against the library's objects, for the private counters of
 * fc-lockdep-private.h (no assertion here is about time).
 */

#include <string.h>

#include <foundation-concurrency.h>

#include "fc-lockdep-private.h"
#include "fc-test-util.h"

static FcLockdepCounters
counters (void)
{
  FcLockdepCounters c;

  fc_lockdep_get_counters (&c);
  return c;
}

/* Takes @inner (blocking, so that the order is learned) while @outer is
 * held, and releases both. */
static void
nest (FcLock *outer,
      FcLock *inner)
{
  g_assert_true (fc_lock_lock (outer, 10.0, NULL));
  g_assert_true (fc_lock_lock (inner, 10.0, NULL));
  fc_lock_unlock (inner);
  fc_lock_unlock (outer);
}

/* Finding 9: finalizing N locks with edges visited every edge of the graph
 * for each of them (gates naming the lock), O(N²) under the global mutex. */
static void
test_forget_touches_own_edges (void)
{
  const guint n = 3000;
  g_autoptr(GPtrArray) locks = g_ptr_array_new ();
  FcLockdepCounters before, learned, after;
  guint64 steps;

  before = counters ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (locks, fc_lock_new ());
  /* A chain of edges i-1 -> i, and every third one gated by the lock
   * before it (i-2 held around i-1 -> i). */
  for (guint i = 1; i < n; i++)
    {
      if (i >= 2 && i % 3 == 0)
        {
          g_assert_true (fc_lock_lock (locks->pdata[i - 2], 10.0, NULL));
          nest (locks->pdata[i - 1], locks->pdata[i]);
          fc_lock_unlock (locks->pdata[i - 2]);
        }
      else
        nest (locks->pdata[i - 1], locks->pdata[i]);
    }

  learned = counters ();
  g_assert_cmpuint (learned.n_nodes - before.n_nodes, ==, n);
  g_assert_cmpuint (learned.n_edges - before.n_edges, >=, n - 1);

  for (guint i = 0; i < n; i++)
    g_object_unref (locks->pdata[i]);

  after = counters ();
  steps = after.forget_steps - learned.forget_steps;
  g_test_message ("%" G_GUINT64_FORMAT " steps to forget %u locks and %u edges",
                  steps, n, learned.n_edges - before.n_edges);
  /* Each edge is seen from both ends, each gate once: a few per edge. */
  g_assert_cmpuint (steps, <=, 8 * (guint64) (learned.n_edges - before.n_edges) + n);
  g_assert_cmpuint (after.n_nodes, ==, before.n_nodes);
  g_assert_cmpuint (after.n_edges, ==, before.n_edges);
}

/* ---- Another thread's cached edges survive a finalize ------------------ */

/* The handshake goes through fc-mutex-private.h (ThreadSanitizer cannot
 * see GLib's own mutexes, as in GAsyncQueue). */
typedef struct
{
  GMutex       mutex;
  GCond        cond;
  int          command;    /* 0: none; 1: nest once; 2: quit */
  FcLock      *outer;
  FcLock      *inner;
} Worker;

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;

  fc_mutex_lock (&worker->mutex);
  for (;;)
    {
      while (worker->command == 0)
        fc_cond_wait (&worker->cond, &worker->mutex);
      if (worker->command == 2)
        break;
      fc_mutex_unlock (&worker->mutex);
      nest (worker->outer, worker->inner);
      fc_mutex_lock (&worker->mutex);
      worker->command = 0;
      g_cond_broadcast (&worker->cond);
    }
  fc_mutex_unlock (&worker->mutex);
  return NULL;
}

static void
worker_send (Worker *worker,
             int     command)
{
  fc_mutex_lock (&worker->mutex);
  worker->command = command;
  g_cond_broadcast (&worker->cond);
  while (command == 1 && worker->command != 0)
    fc_cond_wait (&worker->cond, &worker->mutex);
  fc_mutex_unlock (&worker->mutex);
}

static void
worker_nest (Worker *worker)
{
  worker_send (worker, 1);
}

/* Finding 9: each finalize emptied every owner's edge cache, so the next
 * acquisition along a known edge took the global mutex again. */
static void
test_cache_survives_finalize (void)
{
  Worker worker = { 0, };
  GThread *thread;
  guint64 entries;

  worker.outer = fc_lock_new ();
  worker.inner = fc_lock_new ();
  thread = g_thread_new ("cache-keeper", worker_main, &worker);

  worker_nest (&worker);    /* learns outer -> inner */
  entries = counters ().mutex_entries;
  worker_nest (&worker);    /* known: no mutex */
  g_assert_cmpuint (counters ().mutex_entries, ==, entries);

  /* Unrelated locks with an edge, learned and finalized here. */
  for (guint round = 0; round < 3; round++)
    {
      FcLock *x = fc_lock_new ();
      FcLock *y = fc_lock_new ();

      nest (x, y);
      g_object_unref (y);
      g_object_unref (x);
    }

  entries = counters ().mutex_entries;
  worker_nest (&worker);
  g_assert_cmpuint (counters ().mutex_entries, ==, entries);

  worker_send (&worker, 2);
  g_thread_join (thread);
  g_object_unref (worker.inner);
  g_object_unref (worker.outer);
}

/* Finding 12: once an owner's working set of edges exceeded its 64-slot
 * cache, every acquisition along a known edge took the global mutex. */
static void
test_known_edges_beyond_cache (void)
{
  const guint n = 200;
  FcLock *outer = fc_lock_new ();
  FcLock *inner[200];
  guint64 entries;

  for (guint i = 0; i < n; i++)
    inner[i] = fc_lock_new ();

  g_assert_true (fc_lock_lock (outer, 10.0, NULL));
  for (guint i = 0; i < n; i++)    /* learns them */
    {
      g_assert_true (fc_lock_lock (inner[i], 10.0, NULL));
      fc_lock_unlock (inner[i]);
    }
  entries = counters ().mutex_entries;
  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < n; i++)
      {
        g_assert_true (fc_lock_lock (inner[i], 10.0, NULL));
        fc_lock_unlock (inner[i]);
      }
  g_assert_cmpuint (counters ().mutex_entries, ==, entries);
  fc_lock_unlock (outer);

  for (guint i = 0; i < n; i++)
    g_object_unref (inner[i]);
  g_object_unref (outer);
}

/* A lock freed and a new one made, most likely at the same address, must
 * start with no edges, and no owner's cache may take the new one's edges
 * for the old one's. */
static void
test_reused_address (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  FcLock *a = fc_lock_manager_register_lock (manager, "reuse.a", 10, NULL, NULL, NULL);
  FcLock *b = fc_lock_new ();
  FcLock *b2 = NULL;
  gpointer old_address = b;
  g_autoptr(GPtrArray) spare = g_ptr_array_new_with_free_func (g_object_unref);
  FcLockdepCounters c0, c1;
  guint cycles = fc_test_count_logged ("Potential deadlock: lock order cycle*reuse.a*");

  /* Reports are keyed by lock names: only one of these is registered. */
  nest (a, b);              /* a -> b, in this thread's cache */
  nest (a, b);
  c0 = counters ();
  g_object_unref (b);       /* forgets a -> b */
  c1 = counters ();
  g_assert_cmpuint (c1.n_edges, ==, c0.n_edges - 1);

  for (guint i = 0; i < 256 && b2 == NULL; i++)
    {
      FcLock *candidate = fc_lock_new ();

      if ((gpointer) candidate == old_address)
        b2 = candidate;
      else
        g_ptr_array_add (spare, candidate);
    }
  if (b2 == NULL)
    {
      g_test_message ("no new lock at the freed lock's address; testing a new one");
      b2 = fc_lock_new ();
    }

  /* b2 -> a closes no cycle: a -> b was b's, not b2's. */
  nest (b2, a);
  g_assert_cmpuint (fc_test_count_logged ("Potential deadlock: lock order cycle*reuse.a*"), ==, cycles);

  /* a -> b2 is new (not the cached a -> b): it closes the cycle. */
  c0 = counters ();
  nest (a, b2);
  c1 = counters ();
  g_assert_cmpuint (c1.n_edges, ==, c0.n_edges + 1);
  g_assert_cmpuint (fc_test_count_logged ("Potential deadlock: lock order cycle*reuse.a*"), ==, cycles + 1);

  g_object_unref (b2);
}

/* A gate freed and a new lock made at its address: the new lock does not
 * serialise the edges the old one gated. */
static void
test_reused_gate_address (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  FcLock *a = fc_lock_manager_register_lock (manager, "reuse-gate.a", 10, NULL, NULL, NULL);
  FcLock *b = fc_lock_manager_register_lock (manager, "reuse-gate.b", 20, NULL, NULL, NULL);
  FcLock *g = fc_lock_new ();
  FcLock *g2 = NULL;
  gpointer old_address = g;
  g_autoptr(GPtrArray) spare = g_ptr_array_new_with_free_func (g_object_unref);
  const char *cycle = "Potential deadlock: lock order cycle reuse-gate.a -> reuse-gate.b -> reuse-gate.a*";

  g_assert_true (fc_lock_lock (g, 10.0, NULL));
  nest (a, b);              /* a -> b, gated by g */
  fc_lock_unlock (g);
  g_object_unref (g);

  for (guint i = 0; i < 256 && g2 == NULL; i++)
    {
      FcLock *candidate = fc_lock_new ();

      if ((gpointer) candidate == old_address)
        g2 = candidate;
      else
        g_ptr_array_add (spare, candidate);
    }
  if (g2 == NULL)
    {
      g_test_message ("no new lock at the freed gate's address; testing a new one");
      g2 = fc_lock_new ();
    }

  /* b -> a under g2: g2 never gated a -> b, so this is a real cycle. */
  g_assert_true (fc_lock_lock (g2, 10.0, NULL));
  nest (b, a);
  fc_lock_unlock (g2);
  g_assert_cmpuint (fc_test_count_logged (cycle), ==, 1);

  g_object_unref (g2);
}

/* ---- Readers and forgetters at once (for ThreadSanitizer) ------------- */

#define CHURN_THREADS 4
#define CHURN_INNER 100
#define CHURN_ROUNDS 2000

static FcLock *churn_inner[CHURN_INNER];
static GMutex churn_mutex;
static GPtrArray *churn_orphans;   /* FcLock *, for another thread to free */

static gpointer
churn_main (gpointer data)
{
  guint seed = GPOINTER_TO_UINT (data);
  FcLock *outer = fc_lock_new ();

  for (guint round = 0; round < CHURN_ROUNDS; round++)
    {
      FcLock *temp = fc_lock_new ();
      FcLock *orphan = NULL;

      /* Known edges outer -> inner, read without the graph's mutex while
       * other threads forget locks with edges from this outer lock. */
      g_assert_true (fc_lock_lock (outer, 10.0, NULL));
      for (guint i = 0; i < 8; i++)
        {
          FcLock *inner;

          seed = seed * 1103515245u + 12345u;
          inner = churn_inner[(seed >> 8) % CHURN_INNER];
          g_assert_true (fc_lock_lock (inner, 10.0, NULL));
          fc_lock_unlock (inner);
        }
      /* outer -> temp -> inner[round]: temp is then freed elsewhere. */
      g_assert_true (fc_lock_lock (temp, 10.0, NULL));
      g_assert_true (fc_lock_lock (churn_inner[round % CHURN_INNER], 10.0, NULL));
      fc_lock_unlock (churn_inner[round % CHURN_INNER]);
      fc_lock_unlock (temp);
      fc_lock_unlock (outer);

      fc_mutex_lock (&churn_mutex);
      g_ptr_array_add (churn_orphans, temp);
      if (churn_orphans->len > 2)
        orphan = g_ptr_array_steal_index (churn_orphans, 0);
      fc_mutex_unlock (&churn_mutex);
      if (orphan != NULL)
        g_object_unref (orphan);
    }

  g_object_unref (outer);
  return NULL;
}

static void
test_concurrent_churn (void)
{
  GThread *threads[CHURN_THREADS];
  FcLockdepCounters before = counters (), after;
  guint cycles = fc_test_count_logged ("Potential deadlock: lock order cycle*");

  churn_orphans = g_ptr_array_new ();
  for (guint i = 0; i < CHURN_INNER; i++)
    churn_inner[i] = fc_lock_new ();
  for (guint t = 0; t < CHURN_THREADS; t++)
    threads[t] = g_thread_new ("churn", churn_main, GUINT_TO_POINTER (t + 1));
  for (guint t = 0; t < CHURN_THREADS; t++)
    g_thread_join (threads[t]);
  for (guint i = 0; i < churn_orphans->len; i++)
    g_object_unref (churn_orphans->pdata[i]);
  g_ptr_array_unref (churn_orphans);
  for (guint i = 0; i < CHURN_INNER; i++)
    g_object_unref (churn_inner[i]);

  after = counters ();
  g_assert_cmpuint (after.n_nodes, ==, before.n_nodes);
  g_assert_cmpuint (after.n_edges, ==, before.n_edges);
  g_assert_cmpuint (fc_test_count_logged ("Potential deadlock: lock order cycle*"), ==, cycles);
}

/* ---- A gate freed while the edges it gated are recorded --------------- */

/* Issue 12 (gated cycles): a -> b and b -> c were both made under g, so
 * the cycle a -> b -> c -> a can never form, whatever takes c then a. When
 * g was finalized first, its edges were ungated and the cycle reported.
 * The freed gate still gates them, and is freed with the last of them. */
static void
test_freed_gate_still_gates (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  FcLock *a = fc_lock_manager_register_lock (manager, "freed-gate.a", 10, NULL, NULL, NULL);
  FcLock *b = fc_lock_manager_register_lock (manager, "freed-gate.b", 20, NULL, NULL, NULL);
  FcLock *c = fc_lock_manager_register_lock (manager, "freed-gate.c", 30, NULL, NULL, NULL);
  FcLock *g = fc_lock_new ();
  FcLockdepCounters before = counters ();
  g_auto(GStrv) lines = NULL;

  g_assert_true (fc_lock_lock (g, 10.0, NULL));
  nest (a, b);
  nest (b, c);
  fc_lock_unlock (g);
  g_object_unref (g);
  g_assert_cmpuint (counters ().n_dead_gates, ==, before.n_dead_gates + 1);

  nest (c, a);
  g_assert_cmpuint (fc_test_count_logged ("*cycle freed-gate.*"), ==, 0);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_null (strstr (lines[i], "freed-gate."));

  /* The edges go with their locks; the gate's memory with them. */
  g_clear_object (&manager);
  g_assert_cmpuint (counters ().n_dead_gates, ==, before.n_dead_gates);
  g_assert_cmpuint (counters ().n_nodes, ==, before.n_nodes);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  fc_test_record_reports_install ();

  if (fc_debug_flags () & FC_DEBUG_NOLOCKDEP)
    {
      g_test_skip ("FC_DEBUG=nolockdep");
      return g_test_run ();
    }

  g_test_add_func ("/lockdep/forget/touches-own-edges", test_forget_touches_own_edges);
  g_test_add_func ("/lockdep/forget/cache-survives", test_cache_survives_finalize);
  g_test_add_func ("/lockdep/cache/known-edges-beyond-cache", test_known_edges_beyond_cache);
  g_test_add_func ("/lockdep/forget/reused-address", test_reused_address);
  g_test_add_func ("/lockdep/forget/reused-gate-address", test_reused_gate_address);
  g_test_add_func ("/lockdep/concurrent/churn", test_concurrent_churn);
  g_test_add_func ("/lockdep/forget/freed-gate-still-gates", test_freed_gate_still_gates);

  return g_test_run ();
}
