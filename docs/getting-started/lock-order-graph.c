/* lock-order-graph.c — prints, in Graphviz DOT, the lock-order graph that a
 * small program teaches its manager. The manual's "Getting started" page
 * shows it as a picture, drawn at build time with `dot -Tsvg`.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>

#include <foundation-concurrency.h>

static void
take_in_turn (FcLockManager *manager,
              const char    *first,
              const char    *second)
{
  FcLock *a = fc_lock_manager_get_lock (manager, first, NULL);
  FcLock *b = fc_lock_manager_get_lock (manager, second, NULL);

  /* Direct locking checks no order: the manager only learns from it. */
  fc_lock_lock (a, 1.0, NULL);
  fc_lock_lock (b, 1.0, NULL);
  fc_lock_unlock (b);
  fc_lock_unlock (a);
}

static gpointer
billing (gpointer data)
{
  FcLockManager *manager = data;
  const char *names[] = { "ledger", "accounts", NULL };
  g_autoptr(FcLockGuard) guard = fc_lock_manager_acquire (manager, names, 1.0, TRUE, NULL);

  FcLock *log = fc_lock_manager_get_lock (manager, "audit-log", NULL);

  fc_lock_lock (log, 1.0, NULL);
  fc_lock_unlock (log);
  return NULL;
}

static gpointer
audit (gpointer data)
{
  /* The inversion: billing took accounts before ledger. */
  take_in_turn (data, "ledger", "accounts");
  return NULL;
}

static GLogWriterOutput
quiet (GLogLevelFlags   level,
       const GLogField *fields,
       gsize            n_fields,
       gpointer         data)
{
  /* The manager warns about the inversion: the picture shows it in red. */
  if (level & G_LOG_LEVEL_WARNING)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, data);
}

int
main (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autofree char *dot = NULL;

  g_set_prgname ("lock-order-graph");
  g_log_set_writer_func (quiet, NULL, NULL);
  fc_lock_manager_register_lock (manager, "accounts", 300, "Customer accounts", NULL, NULL);
  fc_lock_manager_register_lock (manager, "ledger", 310, "General ledger", NULL, NULL);
  fc_lock_manager_register_lock (manager, "audit-log", 320, "Audit log", NULL, NULL);

  g_thread_join (g_thread_new ("billing", billing, manager));
  g_thread_join (g_thread_new ("audit", audit, manager));

  dot = fc_lock_manager_dump_order_graph (manager);
  fputs (dot, stdout);
  return 0;
}
