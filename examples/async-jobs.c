/* async-jobs.c — several jobs on one main loop share ordered async locks.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * "import" holds the catalog and the index for a while; "report" queues for
 * the same locks and gets them when "import" is done; "audit" gives up after
 * 50 ms; "cleanup" is cancelled while it waits. The final status shows every
 * lock free.
 */

#include <foundation-concurrency.h>

typedef struct
{
  const char         *name;
  FcAsyncLockManager *manager;
  guint               hold_ms;
  GMainLoop          *loop;
} Job;

static guint jobs_left;

static void
job_finished (Job *job)
{
  if (--jobs_left == 0)
    g_main_loop_quit (job->loop);
}

static gboolean
job_release (gpointer data)
{
  FcAsyncLockGuard *guard = data;

  g_print ("%-8s releases its locks\n", fc_async_lock_guard_get_label (guard));
  fc_async_lock_guard_release (guard);
  return G_SOURCE_REMOVE;
}

static void
on_locked (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(FcAsyncLockGuard) guard = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *joined = NULL;

  guard = fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source), result, &error);
  if (guard == NULL)
    {
      g_print ("%-8s failed: %s\n", job->name, error->message);
      job_finished (job);
      return;
    }

  fc_async_lock_guard_set_label (guard, job->name);
  names = fc_async_lock_guard_dup_names (guard);
  joined = g_strjoinv (", ", names);
  g_print ("%-8s holds %s for %u ms\n", job->name, joined, job->hold_ms);

  g_timeout_add_full (G_PRIORITY_DEFAULT, job->hold_ms, job_release,
                      g_object_ref (guard), g_object_unref);
  job_finished (job);
}

static gboolean
cancel_cb (gpointer data)
{
  g_print ("cleanup  is cancelled\n");
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
print_status (FcAsyncLockManager *manager)
{
  g_autoptr(GVariant) status = fc_async_lock_manager_get_lock_status (manager);
  GVariantIter iter;
  const char *name;
  GVariant *entry;

  g_print ("\nfinal status:\n");
  g_variant_iter_init (&iter, status);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &name, &entry))
    {
      gboolean locked = FALSE;
      guint32 waiters = 0;
      int order = 0;

      g_variant_lookup (entry, "order", "i", &order);
      g_variant_lookup (entry, "is_locked", "b", &locked);
      g_variant_lookup (entry, "waiters", "u", &waiters);
      g_print ("  %-10s order %d  %s  waiters %u\n", name, order,
               locked ? "locked" : "free  ", waiters);
    }
}

int
main (void)
{
  g_autoptr(FcAsyncLockManager) manager = fc_async_lock_manager_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *catalog_index[] = { "index", "catalog", NULL };
  const char *index_only[] = { "index", NULL };
  const char *catalog_cache[] = { "catalog", "cache", NULL };
  Job import = { "import", manager, 200, loop };
  Job report = { "report", manager, 10, loop };
  Job audit = { "audit", manager, 10, loop };
  Job cleanup = { "cleanup", manager, 10, loop };

  fc_async_lock_manager_register_lock (manager, "catalog", 300, "Product catalog", NULL, NULL);
  fc_async_lock_manager_register_lock (manager, "index", 310, "Search index", NULL, NULL);
  fc_async_lock_manager_register_lock (manager, "cache", 320, "Page cache", NULL, NULL);

  jobs_left = 4;
  fc_async_lock_manager_acquire_async (manager, catalog_index, 5.0, NULL, on_locked, &import);
  fc_async_lock_manager_acquire_async (manager, catalog_index, 5.0, NULL, on_locked, &report);
  fc_async_lock_manager_acquire_async (manager, index_only, 0.05, NULL, on_locked, &audit);
  fc_async_lock_manager_acquire_async (manager, catalog_cache, FC_TIMEOUT_INFINITE,
                                       cancellable, on_locked, &cleanup);
  g_timeout_add (100, cancel_cb, cancellable);

  g_main_loop_run (loop);

  /* Let the holders release. */
  while (fc_async_lock_is_locked (fc_async_lock_manager_get_lock (manager, "catalog", NULL)) ||
         fc_async_lock_is_locked (fc_async_lock_manager_get_lock (manager, "index", NULL)))
    g_main_context_iteration (NULL, TRUE);

  print_status (manager);
  return 0;
}
