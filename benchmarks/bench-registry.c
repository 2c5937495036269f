/* bench-registry.c — the cost of registering many locks at run time, and of
 * looking them up afterwards.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Goal: 10,000 registrations in under 50 ms, and under 10 MiB of heap
 * beyond the locks themselves (what as many unregistered fc_lock_new()
 * take). The heap is measured with mallinfo2() (glibc), the resident set
 * from /proc/self/statm, with G_SLICE=always-malloc (set by re-executing
 * when unset) so that GSlice's caches do not hide the locks' memory. Also
 * prints the ratio of the time per
 * registration at N against N / 8: about 1 when registration is O(1).
 */

#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#include <foundation-concurrency.h>

#include "../tests/fc-test-heap.h"

static gint64
resident (void)
{
  g_autofree char *contents = NULL;
  long size = 0, pages = 0;

  if (g_file_get_contents ("/proc/self/statm", &contents, NULL, NULL) &&
      sscanf (contents, "%ld %ld", &size, &pages) == 2)
    return (gint64) pages * sysconf (_SC_PAGESIZE);
  return 0;
}

typedef struct
{
  double  seconds;
  gint64  heap;
  gint64  rss;
} Figures;

/* @n registrations into a fresh manager of the given kind; the heap figure
 * is what the manager holds, locks included. */
static Figures
measure_register (guint    n,
                  gboolean async,
                  gboolean check_lookups)
{
  GObject *manager = async ? G_OBJECT (fc_async_lock_manager_new ())
                           : G_OBJECT (fc_lock_manager_new ());
  gint64 heap0, rss0, start;
  Figures figures;
  char name[64];

  malloc_trim (0);
  heap0 = fc_test_heap_in_use ();
  rss0 = resident ();
  start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      gpointer lock;

      g_snprintf (name, sizeof name, "bench.registry.lock-%u", i);
      if (async)
        lock = fc_async_lock_manager_register_lock (FC_ASYNC_LOCK_MANAGER (manager), name,
                                                    1000 + (int) i, NULL, NULL, &error);
      else
        lock = fc_lock_manager_register_lock (FC_LOCK_MANAGER (manager), name,
                                              1000 + (int) i, NULL, NULL, &error);
      if (lock == NULL)
        g_error ("registration %u failed: %s", i, error->message);
    }

  figures.seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  figures.heap = fc_test_heap_in_use () - heap0;
  figures.rss = resident () - rss0;

  if (check_lookups)
    {
      gint64 lookup_start = g_get_monotonic_time ();

      for (guint i = 0; i < n; i++)
        {
          gpointer lock;

          g_snprintf (name, sizeof name, "bench.registry.lock-%u", i);
          lock = async ? (gpointer) fc_async_lock_manager_get_lock (FC_ASYNC_LOCK_MANAGER (manager), name, NULL)
                       : (gpointer) fc_lock_manager_get_lock (FC_LOCK_MANAGER (manager), name, NULL);
          if (lock == NULL)
            g_error ("lookup of %s failed", name);
        }
      printf ("  %u lookups: %.1f ns each\n", n,
              (double) (g_get_monotonic_time () - lookup_start) * 1000.0 / n);
    }

  g_object_unref (manager);
  return figures;
}

/* The heap @n unregistered locks take: the locks themselves. */
static gint64
measure_bare_locks (guint    n,
                    gboolean async)
{
  GPtrArray *locks = g_ptr_array_new_full (n, g_object_unref);
  gint64 heap0, heap;

  malloc_trim (0);
  heap0 = fc_test_heap_in_use ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (locks, async ? (gpointer) fc_async_lock_new () : (gpointer) fc_lock_new ());
  heap = fc_test_heap_in_use () - heap0;
  g_ptr_array_unref (locks);
  return heap;
}

static void
report (gboolean async)
{
  const guint n = 10000;
  Figures small, big;
  gint64 bare;

  printf ("%s:\n", async ? "FcAsyncLockManager" : "FcLockManager");

  /* Warm up GType and the allocator. */
  measure_register (64, async, FALSE);

  small = measure_register (n / 8, async, FALSE);
  big = measure_register (n, async, TRUE);
  bare = measure_bare_locks (n, async);

  printf ("  %u registrations: %.1f ms (goal < 50 ms), heap +%.2f MiB, RSS +%.2f MiB\n",
          n, big.seconds * 1000.0, big.heap / 1048576.0, big.rss / 1048576.0);
  printf ("  %u bare locks: heap +%.2f MiB; registry beyond the locks: %.2f MiB (goal < 10 MiB)\n",
          n, bare / 1048576.0, (big.heap - bare) / 1048576.0);
  printf ("  time per registration at %u / at %u: %.2fx (1x when O(1))\n",
          n, n / 8, (big.seconds / n) / (small.seconds / (n / 8)));
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("G_SLICE") == NULL)
    {
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      execv ("/proc/self/exe", argv);
    }

  report (FALSE);
  report (TRUE);
  return 0;
}
