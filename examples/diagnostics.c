/* diagnostics.c — what foundation-concurrency tells you about deadlocks.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * 1. Two threads take the same two locks in opposite orders, one after the
 *    other: they never deadlock here, but they could. The learned lock-order
 *    graph reports the inversion anyway (as Linux lockdep would).
 * 2. Two threads then really deadlock. A third thread finds the cycle in the
 *    wait-for graph while it happens, and the waiters' timeouts explain who
 *    blocked them.
 * 3. The report as data, the statistics, and the order graph in Graphviz DOT
 *    (pipe it to `dot -Tsvg`).
 */

#include <stdio.h>

#include <foundation-concurrency.h>

static FcLockManager *manager;

static void
take_two (const char *first,
          const char *second,
          double      timeout)
{
  FcLock *a = fc_lock_manager_get_lock (manager, first, NULL);
  FcLock *b = fc_lock_manager_get_lock (manager, second, NULL);
  g_autoptr(GError) error = NULL;

  /* Direct locking: no order check, which is how inversions creep in. */
  fc_lock_lock (a, 1.0, NULL);
  g_usleep (G_USEC_PER_SEC / 5);
  if (fc_lock_lock (b, timeout, &error))
    fc_lock_unlock (b);
  else
    printf ("  gave up: %s\n", error->message);
  fc_lock_unlock (a);
}

static gpointer
accounts_then_ledger (gpointer data)
{
  take_two ("accounts", "ledger", GPOINTER_TO_INT (data) / 10.0);
  return NULL;
}

static gpointer
ledger_then_accounts (gpointer data)
{
  take_two ("ledger", "accounts", GPOINTER_TO_INT (data) / 10.0);
  return NULL;
}

static void
print_lines (const char *title,
             char      **lines)
{
  printf ("%s\n", title);
  if (lines[0] == NULL)
    printf ("  (nothing)\n");
  for (guint i = 0; lines[i] != NULL; i++)
    printf ("  %s\n", lines[i]);
}

int
main (void)
{
  g_auto(GStrv) warnings = NULL;
  g_autoptr(GVariant) report = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *dot = NULL;
  g_autofree char *report_text = NULL;
  GThread *one, *two;

  g_set_prgname ("diagnostics");
  manager = fc_lock_manager_new ();
  fc_lock_manager_register_lock (manager, "accounts", 300, "Customer accounts", NULL, NULL);
  fc_lock_manager_register_lock (manager, "ledger", 310, "General ledger", NULL, NULL);

  printf ("1. An inversion that has not deadlocked (yet)\n");
  g_thread_join (g_thread_new ("billing", accounts_then_ledger, GINT_TO_POINTER (10)));
  g_thread_join (g_thread_new ("audit", ledger_then_accounts, GINT_TO_POINTER (10)));
  warnings = fc_lock_manager_detect_potential_deadlocks (manager);
  print_lines ("  detect_potential_deadlocks():", warnings);
  g_clear_pointer (&warnings, g_strfreev);

  printf ("\n2. A real deadlock, found while it happens\n");
  one = g_thread_new ("worker-1", accounts_then_ledger, GINT_TO_POINTER (20));
  two = g_thread_new ("worker-2", ledger_then_accounts, GINT_TO_POINTER (25));
  g_usleep (G_USEC_PER_SEC);
  warnings = fc_lock_manager_detect_potential_deadlocks (manager);
  print_lines ("  detect_potential_deadlocks() while they wait:", warnings);
  g_thread_join (one);
  g_thread_join (two);

  printf ("\n3. The same as data, the statistics, and the learned order graph\n");
  report = fc_lock_manager_get_deadlock_report (manager);
  report_text = g_variant_print (report, FALSE);
  printf ("  get_deadlock_report(): %s\n", report_text);

  status = fc_lock_manager_get_lock_status (manager);
  {
    GVariantIter iter;
    const char *name;
    GVariant *info;

    g_variant_iter_init (&iter, status);
    while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &name, &info))
      {
        guint64 acquisitions = 0, contentions = 0;
        double wait_max = 0;

        g_variant_lookup (info, "acquisitions", "t", &acquisitions);
        g_variant_lookup (info, "contentions", "t", &contentions);
        g_variant_lookup (info, "wait_time_max", "d", &wait_max);
        printf ("  %-8s acquisitions %" G_GUINT64_FORMAT ", contentions %" G_GUINT64_FORMAT
                ", longest wait %.2fs\n", name, acquisitions, contentions, wait_max);
      }
  }

  dot = fc_lock_manager_dump_order_graph (manager);
  printf ("\n  dump_order_graph() (try: | dot -Tsvg > graph.svg):\n%s", dot);

  g_object_unref (manager);
  return 0;
}
