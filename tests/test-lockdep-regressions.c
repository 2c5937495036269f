/* test-lockdep-regressions.c — the learned lock-order graph forgets a lock
 * at the cost of what it touches, keeps every owner's known edges across
 * unrelated finalizes, recognises a known edge without its global mutex
 * beyond an owner's edge cache, and never lets a new lock at a freed lock's
 * address inherit its edges (ABA).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built against the library's objects, for the private counters of
 * fc-lockdep-private.h (no assertion here is about time).
 */

#include <foundation-concurrency.h>

#include "fc-lockdep-private.h"
#include "fc-mutex-private.h"

/* Reports are logged (structured, WARNING); record them rather than let
 * GTest abort on the warning. */
static GMutex log_mutex;
static GPtrArray *logged;

static GLogWriterOutput
record_reports (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *kind = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "FC_REPORT_KIND") == 0)
        kind = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if (kind == NULL)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  fc_mutex_lock (&log_mutex);
  g_ptr_array_add (logged, g_strdup (message));
  fc_mutex_unlock (&log_mutex);
  return G_LOG_WRITER_HANDLED;
}

static guint
count_logged (const char *pattern)
{
  guint n = 0;

  fc_mutex_lock (&log_mutex);
  for (guint i = 0; i < logged->len; i++)
    n += g_pattern_match_simple (pattern, logged->pdata[i]);
  fc_mutex_unlock (&log_mutex);
  return n;
}

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

typedef struct
{
  GAsyncQueue *commands;   /* GINT_TO_POINTER (1): nest once; 2: quit */
  GAsyncQueue *done;
  FcLock      *outer;
  FcLock      *inner;
} Worker;

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;

  for (;;)
    {
      int command = GPOINTER_TO_INT (g_async_queue_pop (worker->commands));

      if (command == 2)
        break;
      nest (worker->outer, worker->inner);
      g_async_queue_push (worker->done, GINT_TO_POINTER (1));
    }
  return NULL;
}

static void
worker_nest (Worker *worker)
{
  g_async_queue_push (worker->commands, GINT_TO_POINTER (1));
  g_async_queue_pop (worker->done);
}

/* Finding 9: each finalize emptied every owner's edge cache, so the next
 * acquisition along a known edge took the global mutex again. */
static void
test_cache_survives_finalize (void)
{
  Worker worker = { 0, };
  GThread *thread;
  guint64 entries;

  worker.commands = g_async_queue_new ();
  worker.done = g_async_queue_new ();
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

  g_async_queue_push (worker.commands, GINT_TO_POINTER (2));
  g_thread_join (thread);
  g_async_queue_unref (worker.commands);
  g_async_queue_unref (worker.done);
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
  FcLock *a = fc_lock_new ();
  FcLock *b = fc_lock_new ();
  FcLock *b2 = NULL;
  gpointer old_address = b;
  g_autoptr(GPtrArray) spare = g_ptr_array_new_with_free_func (g_object_unref);
  FcLockdepCounters c0, c1;

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
  g_assert_cmpuint (count_logged ("Potential deadlock: lock order cycle*"), ==, 0);

  /* a -> b2 is new (not the cached a -> b): it closes the cycle. */
  c0 = counters ();
  nest (a, b2);
  c1 = counters ();
  g_assert_cmpuint (c1.n_edges, ==, c0.n_edges + 1);
  g_assert_cmpuint (count_logged ("Potential deadlock: lock order cycle*"), ==, 1);

  g_object_unref (b2);
  g_object_unref (a);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  logged = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (record_reports, NULL, NULL);

  if (fc_debug_flags () & FC_DEBUG_NOLOCKDEP)
    {
      g_test_skip ("FC_DEBUG=nolockdep");
      return g_test_run ();
    }

  g_test_add_func ("/lockdep/forget/touches-own-edges", test_forget_touches_own_edges);
  g_test_add_func ("/lockdep/forget/cache-survives", test_cache_survives_finalize);
  g_test_add_func ("/lockdep/cache/known-edges-beyond-cache", test_known_edges_beyond_cache);
  g_test_add_func ("/lockdep/forget/reused-address", test_reused_address);

  return g_test_run ();
}
