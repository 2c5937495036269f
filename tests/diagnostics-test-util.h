/* diagnostics-test-util.h — what the order-graph tests share: a log writer
 * that records reports (rather than let GTest abort on their warning),
 * managers with locks registered, and threads that take locks nested.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <string.h>

#include <foundation-concurrency.h>

#include "fc-mutex-private.h"

static GMutex diag_log_mutex;
static GPtrArray *diag_logged;

static GLogWriterOutput
diag_record_reports (GLogLevelFlags   log_level,
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

  fc_mutex_lock (&diag_log_mutex);
  g_ptr_array_add (diag_logged, g_strdup (message));
  fc_mutex_unlock (&diag_log_mutex);
  return G_LOG_WRITER_HANDLED;
}

static inline void
diag_init (void)
{
  diag_logged = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (diag_record_reports, NULL, NULL);
}

static inline guint
diag_count_logged (const char *pattern)
{
  guint n = 0;

  fc_mutex_lock (&diag_log_mutex);
  for (guint i = 0; i < diag_logged->len; i++)
    n += g_pattern_match_simple (pattern, diag_logged->pdata[i]);
  fc_mutex_unlock (&diag_log_mutex);
  return n;
}

static inline guint
diag_count_matching (char       **lines,
                     const char  *pattern)
{
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += g_pattern_match_simple (pattern, lines[i]);
  return n;
}

/* A notify:: handler counting into the guint at @user_data. */
static inline void
diag_count_notify (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* A manager with @names registered at orders 10, 20, … */
static inline FcLockManager *
diag_make_manager (const char * const *names)
{
  FcLockManager *manager = fc_lock_manager_new ();

  for (guint i = 0; names[i] != NULL; i++)
    g_assert_nonnull (fc_lock_manager_register_lock (manager, names[i], (int) (i + 1) * 10,
                                                     NULL, NULL, NULL));
  return manager;
}

/* Takes the locks of @names (NULL-terminated, at most 7) one after the
 * other, directly (no order check), on a thread named @thread_name, then
 * releases them. */
typedef struct
{
  FcLockManager *manager;
  const char    *names[8];
} DiagNesting;

static gpointer
diag_take_nested (gpointer data)
{
  DiagNesting *nesting = data;
  guint n = 0;

  for (; nesting->names[n] != NULL; n++)
    g_assert_true (fc_lock_lock (fc_lock_manager_get_lock (nesting->manager, nesting->names[n], NULL),
                                 1.0, NULL));
  while (n-- > 0)
    fc_lock_unlock (fc_lock_manager_get_lock (nesting->manager, nesting->names[n], NULL));
  return NULL;
}

static inline void
diag_run (const char    *thread_name,
          FcLockManager *manager,
          const char    *a,
          const char    *b,
          const char    *c)
{
  DiagNesting nesting = { manager, { a, b, c, NULL } };

  g_thread_join (g_thread_new (thread_name, diag_take_nested, &nesting));
}

/* The @i-th report of @manager's structured report. */
static inline GVariant *
diag_report_entry (FcLockManager *manager,
                   guint          i)
{
  g_autoptr(GVariant) report = fc_lock_manager_get_deadlock_report (manager);

  g_assert_cmpuint (g_variant_n_children (report), >, i);
  return g_variant_get_child_value (report, i);
}
