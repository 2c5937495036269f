/* fc-test-util.h — helpers shared by the C tests (header-only).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <foundation-concurrency.h>

/* The library's TSan-annotated mutex wrappers (header-only). */
#include "fc-mutex-private.h"

/* No test waits longer than this for something that should happen. */
#define FC_TEST_GUARD_SECONDS 20

static G_GNUC_UNUSED gboolean
fc_test_guard_cb (gpointer user_data)
{
  g_error ("Test did not complete within %d s: a task never completed",
           FC_TEST_GUARD_SECONDS);
  return G_SOURCE_REMOVE;
}

/* Iterates the thread-default main context until *@done (read atomically)
 * becomes non-zero; fails the test instead of hanging. */
static inline void
fc_test_run_until (int *done)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  GSource *guard = g_timeout_source_new_seconds (FC_TEST_GUARD_SECONDS);

  g_source_set_callback (guard, fc_test_guard_cb, NULL, NULL);
  g_source_attach (guard, context);

  while (!g_atomic_int_get (done))
    g_main_context_iteration (context, TRUE);

  g_source_destroy (guard);
  g_source_unref (guard);
}

/* Whether @context has no source with a timeout or deadline left. */
static inline gboolean
fc_test_context_has_no_timeouts (GMainContext *context)
{
  GPollFD fds[16];
  int max_priority;
  int timeout;
  gboolean result;

  g_assert_true (g_main_context_acquire (context));
  g_main_context_prepare (context, &max_priority);
  g_main_context_query (context, G_MAXINT, &timeout, fds, G_N_ELEMENTS (fds));
  result = timeout == -1 && !g_main_context_pending (context);
  g_main_context_release (context);
  return result;
}

/* The GValue of an outcome, as an int. */
static inline int
fc_test_outcome_int (FcOutcome *outcome)
{
  const GValue *value = fc_outcome_get_value (outcome);

  g_assert_false (fc_outcome_is_error (outcome));
  g_assert_nonnull (value);
  g_assert_true (G_VALUE_HOLDS_INT (value));
  return g_value_get_int (value);
}

/* Reports @value (an int) into @slot. */
static inline void
fc_test_return_int (FcGather *gather,
                    guint     slot,
                    int       value)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_INT);
  g_value_set_int (&v, value);
  fc_gather_return_value (gather, slot, &v);
  g_value_unset (&v);
}

/* A manager with @names (NULL-terminated) registered at orders 10, 20, … */
static inline FcLockManager *
fc_test_make_manager (const char * const *names)
{
  FcLockManager *manager = fc_lock_manager_new ();

  for (guint i = 0; names[i] != NULL; i++)
    g_assert_nonnull (fc_lock_manager_register_lock (manager, names[i], (int) (i + 1) * 10,
                                                     NULL, NULL, NULL));
  return manager;
}

/* The lock registered as @name (transfer none), or NULL. */
static inline FcLock *
fc_test_get_lock (FcLockManager *manager,
                  const char    *name)
{
  return fc_lock_manager_get_lock (manager, name, NULL);
}

/* ---- Reports the library logs ----
 * Reports are logged (structured, WARNING) once each; record their
 * messages rather than let GTest abort on the warning. Install the writer
 * with fc_test_record_reports_install(), first thing in main(). */
static GMutex fc_test_log_mutex;
static GPtrArray *fc_test_logged;  /* report messages, under fc_test_log_mutex */

/* The message of a report the library logs (a log entry with an
 * FC_REPORT_KIND field), or NULL for any other log entry. */
static inline const char *
fc_test_report_message (const GLogField *fields,
                        gsize            n_fields)
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
  return kind != NULL ? (message != NULL ? message : "") : NULL;
}

/* What a test does with each report message the library logs. */
typedef void (*FcTestReportFunc) (const char *message);

/* A GLogWriterFunc: hands each report's message to the FcTestReportFunc
 * given as @user_data, and any other log entry to GLib's default writer. */
static inline GLogWriterOutput
fc_test_report_writer (GLogLevelFlags   log_level,
                       const GLogField *fields,
                       gsize            n_fields,
                       gpointer         user_data)
{
  FcTestReportFunc func = (FcTestReportFunc) user_data;
  const char *message = fc_test_report_message (fields, n_fields);

  if (message == NULL)
    return g_log_writer_default (log_level, fields, n_fields, NULL);
  func (message);
  return G_LOG_WRITER_HANDLED;
}

static inline void
fc_test_record_report (const char *message)
{
  fc_mutex_lock (&fc_test_log_mutex);
  g_ptr_array_add (fc_test_logged, g_strdup (message));
  fc_mutex_unlock (&fc_test_log_mutex);
}

static inline void
fc_test_record_reports_install (void)
{
  fc_test_logged = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (fc_test_report_writer, (gpointer) fc_test_record_report, NULL);
}

/* How many recorded report messages match @pattern (g_pattern_match_simple()). */
static inline guint
fc_test_count_logged (const char *pattern)
{
  guint n = 0;

  fc_mutex_lock (&fc_test_log_mutex);
  for (guint i = 0; i < fc_test_logged->len; i++)
    n += g_pattern_match_simple (pattern, fc_test_logged->pdata[i]);
  fc_mutex_unlock (&fc_test_log_mutex);
  return n;
}
/* ---- Threads ----
 * Starts @n threads named "@prefix-0", "@prefix-1", … running @func, the
 * i-th on the i-th element (@size bytes each) of @items. */
static inline void
fc_test_threads_start (GThread     **threads,
                       guint         n,
                       const char   *prefix,
                       GThreadFunc   func,
                       gpointer      items,
                       gsize         size)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u", prefix, i);

      threads[i] = g_thread_new (name, func, (char *) items + i * size);
    }
}

/* Joins the @n threads of @threads. */
static inline void
fc_test_threads_join (GThread **threads,
                      guint     n)
{
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
}

/* Drops a guard the test holds (NULL-safe), and clears @guard_ptr. */
#define fc_test_guard_drop(guard_ptr) g_clear_pointer ((guard_ptr), fc_lock_guard_unref)
