/* test-bad-input.c — every public function with bad input (issue 16).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Each case runs in its own process (g_test_trap_subprocess()) and must end
 * either with the documented GError (asserted in the case) or with exactly
 * one critical that changes nothing — never a crash, a hang (the trap's
 * timeout) or a leak (under ASan, LeakSanitizer fails the process that
 * leaked; under valgrind, --trace-children=yes does the same).
 *
 * The cases come from tables: every public function with a NULL and a
 * wrongly typed first argument (public_functions[], which
 * /bad-input/table-is-complete compares with the headers, so a new public
 * function is noticed), every string argument with NULL, empty, huge (1 MiB)
 * and invalid UTF-8 strings, every timeout with each bad value, name lists
 * with holes and 10,000 entries, and then the cases that need a story:
 * orders INT_MIN/INT_MAX, double and wrong-thread release, use after the
 * manager is gone, misused _finish() calls.
 */

#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include <foundation-concurrency.h>

#include "async-test-util.h"
#include "fc-test-util.h"

/* Generous, so valgrind fits; a hang still ends the case. */
#define CASE_TIMEOUT (120 * G_USEC_PER_SEC)

/* The longest message a case accepts: nothing quotes a megabyte. */
#define MESSAGE_MAX 4096

/* ---- One case, one process ---------------------------------------------- */

typedef enum
{
  EXPECT_CLEAN,      /* no critical, no warning; the case asserts its GError */
  EXPECT_CRITICAL,   /* exactly one critical, no warning */
  EXPECT_WARNING,    /* exactly one warning (GObject's, for a property value
                      * out of its range), no critical */
} Expect;

typedef struct
{
  void        (*run) (gconstpointer data);
  gconstpointer data;
  Expect        expect;
} BadCase;

static int n_criticals;   /* atomic */
static int n_warnings;    /* atomic */

/* Counts criticals and warnings (the library's reports are diagnostics, not
 * failures: dropped) and prints them, for the parent to match. */
static GLogWriterOutput
count_messages (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "FC_REPORT_KIND") == 0)
      return G_LOG_WRITER_HANDLED;

  if (level & G_LOG_LEVEL_CRITICAL)
    g_atomic_int_inc (&n_criticals);
  else if (level & G_LOG_LEVEL_WARNING)
    g_atomic_int_inc (&n_warnings);
  else if (!(level & G_LOG_LEVEL_ERROR))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_standard_streams (level, fields, n_fields, user_data);
}

static void
run_case (gconstpointer data)
{
  const BadCase *c = data;

  if (g_test_subprocess ())
    {
      /* Criticals are counted, not fatal, so a case can check that they
       * changed nothing. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      g_log_set_writer_func (count_messages, NULL, NULL);
      c->run (c->data);
      g_assert_cmpint (g_atomic_int_get (&n_criticals), ==, c->expect == EXPECT_CRITICAL);
      g_assert_cmpint (g_atomic_int_get (&n_warnings), ==, c->expect == EXPECT_WARNING);
      return;
    }

  g_test_trap_subprocess (NULL, CASE_TIMEOUT, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  if (c->expect == EXPECT_WARNING)
    g_test_trap_assert_stderr ("*WARNING*");
  if (c->expect == EXPECT_CRITICAL)
    g_test_trap_assert_stderr ("*CRITICAL*");
  else
    g_test_trap_assert_stderr_unmatched ("*CRITICAL*");
}

/* The cases, and what they point at, are static: a subprocess runs one of
 * them, and GTest frees a case's data only once it ran. */
static BadCase bad_cases[600];
static guint n_bad_cases;

static void
add_case (const char    *path,
          void         (*run) (gconstpointer),
          gconstpointer  data,
          Expect         expect)
{
  BadCase *c = &bad_cases[n_bad_cases++];

  g_assert_cmpuint (n_bad_cases, <=, G_N_ELEMENTS (bad_cases));
  *c = (BadCase) { run, data, expect };
  g_test_add_data_func (path, c, run_case);
}

#define WANT_OK       (-1)   /* succeeds */
#define WANT_CRITICAL (-2)   /* refused with a critical */

/* One sink (a row of a table below) with one kind of bad input. */
typedef struct
{
  gconstpointer sink;
  guint         kind;
} SinkCase;

static SinkCase sink_cases[300];
static guint n_sink_cases;

/* A case per kind of bad input for @sink, under /bad-input/@group/@name/;
 * @want (nullable) says which kinds are a critical. */
static void
add_sink_cases (const char         *group,
                const char         *name,
                gconstpointer       sink,
                const int          *want,
                const char * const *kind_paths,
                guint               n_kinds,
                void              (*run) (gconstpointer))
{
  for (guint kind = 0; kind < n_kinds; kind++)
    {
      SinkCase *c = &sink_cases[n_sink_cases++];
      g_autofree char *path = g_strdup_printf ("/bad-input/%s/%s/%s", group, name, kind_paths[kind]);

      g_assert_cmpuint (n_sink_cases, <=, G_N_ELEMENTS (sink_cases));
      *c = (SinkCase) { sink, kind };
      add_case (path, run, c,
                want != NULL && want[kind] == WANT_CRITICAL ? EXPECT_CRITICAL : EXPECT_CLEAN);
    }
}

/* ---- Shared checks ------------------------------------------------------ */

static void
assert_good_message (const char *message)
{
  g_assert_nonnull (message);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_cmpuint (strlen (message), <, MESSAGE_MAX);
}

/* @ok and @error as @want (WANT_OK, WANT_CRITICAL or an FcError code). */
static void
assert_outcome (gboolean  ok,
                GError   *error,
                int       want)
{
  if (want >= 0)
    {
      g_assert_error (error, FC_ERROR, want);
      assert_good_message (error->message);
      g_assert_false (ok);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok == (want == WANT_OK));
}

static void
assert_strv_good (char **strv)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    g_assert_true (g_utf8_validate (strv[i], -1, NULL));
  g_strfreev (strv);
}

/* Whatever the manager reports is well-formed, and nothing is locked. */
static void
assert_status_idle (GVariant *status)
{
  GVariantIter iter;
  const char *name;
  GVariant *info;

  g_assert_true (g_variant_is_normal_form (status));
  g_variant_iter_init (&iter, status);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &name, &info))
    {
      gboolean locked = TRUE;

      g_assert_true (g_variant_lookup (info, "is_locked", "b", &locked));
      g_assert_false (locked);
    }
  g_variant_unref (status);
}

static void
assert_sane (FcLockManager *manager)
{
  g_autofree char *dot = fc_lock_manager_dump_order_graph (manager);
  g_autoptr(GVariant) report = fc_lock_manager_get_deadlock_report (manager);

  assert_status_idle (fc_lock_manager_get_lock_status (manager));
  assert_strv_good (fc_lock_manager_detect_potential_deadlocks (manager));
  g_assert_true (g_utf8_validate (dot, -1, NULL));
  g_assert_true (g_variant_is_normal_form (report));
}

static void
assert_async_sane (FcAsyncLockManager *manager)
{
  g_autofree char *dot = fc_async_lock_manager_dump_order_graph (manager);
  g_autoptr(GVariant) report = fc_async_lock_manager_get_deadlock_report (manager);

  assert_status_idle (fc_async_lock_manager_get_lock_status (manager));
  assert_strv_good (fc_async_lock_manager_detect_potential_deadlocks (manager));
  g_assert_true (g_utf8_validate (dot, -1, NULL));
  g_assert_true (g_variant_is_normal_form (report));
}

static const char * const ab[] = { "a", "b", NULL };

/* Runs @func on another thread and waits for it. */
static gpointer
on_other_thread (GThreadFunc func,
                 gpointer    data)
{
  return g_thread_join (g_thread_new ("other", func, data));
}

/* Iterates the thread-default context while it has something to do now. */
static void
drain_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* An async acquisition through @parent or @manager, run to completion. */
static FcAsyncLockGuard *
acquire_async_sync (FcAsyncLockManager *manager,
                    FcAsyncLockGuard   *parent,
                    const char * const *names,
                    double              timeout,
                    GError            **error)
{
  Outcome o = { 0, };
  FcAsyncLockGuard *guard;

  acquire_wait (manager, parent, names, timeout, NULL, &o);
  guard = g_steal_pointer (&o.guard);
  if (o.error != NULL)
    g_propagate_error (error, g_steal_pointer (&o.error));
  outcome_clear (&o);
  return guard;
}

/* ---- Every public function: a NULL and a wrongly typed first argument --- */

typedef enum
{
  FIRST_PLAIN = 0,      /* nothing to get wrong: call (NULL) must pass */
  FIRST_NULL  = 1 << 0, /* call (NULL): one critical */
  FIRST_TYPE  = 1 << 1, /* call (a plain GObject): one critical */
  FIRST_OBJECT = FIRST_NULL | FIRST_TYPE,
} FirstArg;

typedef struct
{
  const char *name;
  FirstArg    first;
  void      (*call) (gpointer first);
} PublicFunction;

/* Every public function: its name, what its first argument can be given
 * wrongly, and a call with @first first and good arguments otherwise —
 * CALL passes @first and the arguments after the kind, PLAIN runs the
 * expression. /bad-input/table-is-complete compares it with the headers. */
#define PUBLIC_FUNCTIONS(CALL, PLAIN) \
  PLAIN (fc_async_lock_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_OBJECT (fc_async_lock_get_type ()))) \
  PLAIN (fc_async_lock_new, FIRST_PLAIN, g_object_unref (fc_async_lock_new ())) \
  CALL (fc_async_lock_get_name, FIRST_OBJECT) \
  CALL (fc_async_lock_get_order, FIRST_OBJECT) \
  CALL (fc_async_lock_get_description, FIRST_OBJECT) \
  CALL (fc_async_lock_is_locked, FIRST_OBJECT) \
  CALL (fc_async_lock_dup_owner, FIRST_OBJECT) \
  CALL (fc_async_lock_get_waiters, FIRST_OBJECT) \
  PLAIN (fc_async_lock_guard_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_OBJECT (fc_async_lock_guard_get_type ()))) \
  CALL (fc_async_lock_guard_release, FIRST_OBJECT) \
  CALL (fc_async_lock_guard_dup_names, FIRST_OBJECT) \
  CALL (fc_async_lock_guard_is_released, FIRST_OBJECT) \
  CALL (fc_async_lock_guard_get_label, FIRST_OBJECT) \
  CALL (fc_async_lock_guard_dup_label, FIRST_OBJECT) \
  CALL (fc_async_lock_guard_set_label, FIRST_OBJECT, "label") \
  CALL (fc_async_lock_guard_acquire_async, FIRST_OBJECT, just_a, 1, NULL, NULL, NULL) \
  CALL (fc_async_lock_guard_acquire_finish, FIRST_OBJECT, NULL, NULL) \
  PLAIN (fc_async_lock_manager_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_OBJECT (fc_async_lock_manager_get_type ()))) \
  PLAIN (fc_async_lock_manager_new, FIRST_PLAIN, g_object_unref (fc_async_lock_manager_new ())) \
  PLAIN (fc_async_lock_manager_get_default, FIRST_PLAIN, \
         g_assert_nonnull (fc_async_lock_manager_get_default ())) \
  CALL (fc_async_lock_manager_register_foundation_locks, FIRST_OBJECT, NULL) \
  CALL (fc_async_lock_manager_register_lock, FIRST_OBJECT, "x", 1, NULL, NULL, NULL) \
  CALL (fc_async_lock_manager_get_lock, FIRST_OBJECT, "a", NULL) \
  CALL (fc_async_lock_manager_acquire_async, FIRST_OBJECT, just_a, 1, NULL, NULL, NULL) \
  CALL (fc_async_lock_manager_acquire_finish, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_async_lock_manager_get_lock_status, FIRST_OBJECT) \
  CALL (fc_async_lock_manager_detect_potential_deadlocks, FIRST_OBJECT) \
  CALL (fc_async_lock_manager_get_deadlock_report, FIRST_OBJECT) \
  CALL (fc_async_lock_manager_dump_order_graph, FIRST_OBJECT) \
  CALL (fc_async_lock_manager_get_watchdog_interval, FIRST_OBJECT) \
  CALL (fc_async_lock_manager_set_watchdog_interval, FIRST_OBJECT, 1) \
  CALL (fc_async_lock_manager_get_hold_warning_threshold, FIRST_OBJECT) \
  CALL (fc_async_lock_manager_set_hold_warning_threshold, FIRST_OBJECT, 1) \
  PLAIN (fc_error_quark, FIRST_PLAIN, g_assert_cmpuint (fc_error_quark (), ==, FC_ERROR)) \
  PLAIN (fc_error_get_type, FIRST_PLAIN, g_assert_true (G_TYPE_IS_ENUM (fc_error_get_type ()))) \
  PLAIN (fc_run_flags_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_FLAGS (fc_run_flags_get_type ()))) \
  PLAIN (fc_gather_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_OBJECT (fc_gather_get_type ()))) \
  /* Any true gboolean is TRUE. */ \
  PLAIN (fc_gather_new, FIRST_PLAIN, \
         g_autoptr(FcGather) g = fc_gather_new (42); g_assert_true (fc_gather_get_return_exceptions (g))) \
  CALL (fc_gather_get_return_exceptions, FIRST_OBJECT) \
  CALL (fc_gather_add, FIRST_OBJECT) \
  CALL (fc_gather_get_cancellable, FIRST_OBJECT) \
  CALL (fc_gather_return_value, FIRST_OBJECT, 0, NULL) \
  CALL (fc_gather_return_error, FIRST_OBJECT, 0, NULL) \
  CALL (fc_gather_wait_async, FIRST_OBJECT, 1, NULL, NULL, NULL) \
  CALL (fc_gather_wait_finish, FIRST_OBJECT, NULL, NULL) \
  PLAIN (fc_lock_guard_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_BOXED (fc_lock_guard_get_type ()))) \
  /* Boxed: only NULL can be told from a good pointer. */ \
  CALL (fc_lock_guard_ref, FIRST_NULL) \
  CALL (fc_lock_guard_unref, FIRST_NULL) \
  CALL (fc_lock_guard_release, FIRST_NULL) \
  CALL (fc_lock_guard_dup_names, FIRST_NULL) \
  CALL (fc_lock_guard_is_released, FIRST_NULL) \
  PLAIN (fc_lock_manager_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_OBJECT (fc_lock_manager_get_type ()))) \
  PLAIN (fc_lock_manager_new, FIRST_PLAIN, g_object_unref (fc_lock_manager_new ())) \
  PLAIN (fc_lock_manager_get_default, FIRST_PLAIN, \
         g_assert_nonnull (fc_lock_manager_get_default ())) \
  CALL (fc_lock_manager_register_foundation_locks, FIRST_OBJECT, NULL) \
  CALL (fc_lock_manager_register_lock, FIRST_OBJECT, "x", 1, NULL, NULL, NULL) \
  CALL (fc_lock_manager_get_lock, FIRST_OBJECT, "a", NULL) \
  CALL (fc_lock_manager_acquire, FIRST_OBJECT, just_a, 1, TRUE, NULL) \
  CALL (fc_lock_manager_get_lock_status, FIRST_OBJECT) \
  CALL (fc_lock_manager_detect_potential_deadlocks, FIRST_OBJECT) \
  CALL (fc_lock_manager_get_deadlock_report, FIRST_OBJECT) \
  CALL (fc_lock_manager_dump_order_graph, FIRST_OBJECT) \
  CALL (fc_lock_manager_get_watchdog_interval, FIRST_OBJECT) \
  CALL (fc_lock_manager_set_watchdog_interval, FIRST_OBJECT, 1) \
  CALL (fc_lock_manager_get_hold_warning_threshold, FIRST_OBJECT) \
  CALL (fc_lock_manager_set_hold_warning_threshold, FIRST_OBJECT, 1) \
  PLAIN (fc_lock_get_type, FIRST_PLAIN, g_assert_true (G_TYPE_IS_OBJECT (fc_lock_get_type ()))) \
  PLAIN (fc_lock_new, FIRST_PLAIN, g_object_unref (fc_lock_new ())) \
  CALL (fc_lock_get_name, FIRST_OBJECT) \
  CALL (fc_lock_get_order, FIRST_OBJECT) \
  CALL (fc_lock_get_description, FIRST_OBJECT) \
  CALL (fc_lock_is_locked, FIRST_OBJECT) \
  CALL (fc_lock_dup_owner, FIRST_OBJECT) \
  CALL (fc_lock_get_depth, FIRST_OBJECT) \
  CALL (fc_lock_lock, FIRST_OBJECT, 1, NULL) \
  CALL (fc_lock_try_lock, FIRST_OBJECT) \
  CALL (fc_lock_unlock, FIRST_OBJECT) \
  PLAIN (fc_outcome_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_BOXED (fc_outcome_get_type ()))) \
  CALL (fc_outcome_ref, FIRST_NULL) \
  CALL (fc_outcome_unref, FIRST_NULL) \
  CALL (fc_outcome_is_error, FIRST_NULL) \
  CALL (fc_outcome_get_value, FIRST_NULL) \
  CALL (fc_outcome_get_error, FIRST_NULL) \
  PLAIN (fc_run, FIRST_NULL, fc_run (first, NULL, FC_RUN_NONE, NULL, NULL)) \
  /* The cancellable is its only pointer. */ \
  PLAIN (fc_sleep_async, FIRST_TYPE, fc_sleep_async (0, first, NULL, NULL)) \
  CALL (fc_sleep_finish, FIRST_OBJECT, NULL) \
  PLAIN (fc_set_thread_name, FIRST_PLAIN, fc_set_thread_name (NULL)) \
  PLAIN (fc_get_major_version, FIRST_PLAIN, \
         g_assert_cmpuint (fc_get_major_version (), ==, FC_MAJOR_VERSION)) \
  PLAIN (fc_get_minor_version, FIRST_PLAIN, \
         g_assert_cmpuint (fc_get_minor_version (), ==, FC_MINOR_VERSION)) \
  PLAIN (fc_get_micro_version, FIRST_PLAIN, \
         g_assert_cmpuint (fc_get_micro_version (), ==, FC_MICRO_VERSION)) \
  /* A version from the far future is refused with a message, not a crash. */ \
  PLAIN (fc_check_version, FIRST_PLAIN, \
         g_assert_nonnull (fc_check_version (G_MAXUINT, G_MAXUINT, G_MAXUINT))) \
  CLUSTER_FUNCTIONS (CALL, PLAIN)

/* The cluster's, when the build has it (the `cluster` option): its headers
 * are compiled and installed only then. The constructors' first argument
 * is the endpoints: NULL is a GError, not a programming error. */
#if FC_HAVE_CLUSTER
#define CLUSTER_FUNCTIONS(CALL, PLAIN) \
  PLAIN (fc_cluster_lock_manager_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_OBJECT (fc_cluster_lock_manager_get_type ()))) \
  PLAIN (fc_cluster_lock_manager_new_sync, FIRST_PLAIN, \
         assert_cluster_new_invalid (first, FALSE)) \
  PLAIN (fc_cluster_lock_manager_new_async, FIRST_PLAIN, \
         assert_cluster_new_invalid (first, TRUE)) \
  CALL (fc_cluster_lock_manager_new_finish, FIRST_OBJECT, NULL) \
  CALL (fc_cluster_lock_manager_register_lock_sync, FIRST_OBJECT, "x", 1, NULL, NULL, NULL) \
  CALL (fc_cluster_lock_manager_register_lock_async, FIRST_OBJECT, "x", 1, NULL, NULL, NULL, NULL) \
  CALL (fc_cluster_lock_manager_register_lock_finish, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_manager_acquire_async, FIRST_OBJECT, just_a, 1, NULL, NULL, NULL) \
  CALL (fc_cluster_lock_manager_acquire_finish, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_manager_acquire_sync, FIRST_OBJECT, just_a, 1, NULL, NULL) \
  CALL (fc_cluster_lock_manager_get_lock_status_sync, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_manager_get_lock_status_async, FIRST_OBJECT, NULL, NULL, NULL) \
  CALL (fc_cluster_lock_manager_get_lock_status_finish, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_manager_detect_potential_deadlocks_sync, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_manager_detect_potential_deadlocks_async, FIRST_OBJECT, NULL, NULL, NULL) \
  CALL (fc_cluster_lock_manager_detect_potential_deadlocks_finish, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_manager_close_sync, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_manager_close_async, FIRST_OBJECT, NULL, NULL, NULL) \
  CALL (fc_cluster_lock_manager_close_finish, FIRST_OBJECT, NULL, NULL) \
  PLAIN (fc_cluster_lock_guard_get_type, FIRST_PLAIN, \
         g_assert_true (G_TYPE_IS_OBJECT (fc_cluster_lock_guard_get_type ()))) \
  CALL (fc_cluster_lock_guard_release, FIRST_OBJECT) \
  CALL (fc_cluster_lock_guard_release_sync, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_guard_release_async, FIRST_OBJECT, NULL, NULL, NULL) \
  CALL (fc_cluster_lock_guard_release_finish, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_guard_dup_names, FIRST_OBJECT) \
  CALL (fc_cluster_lock_guard_is_released, FIRST_OBJECT) \
  CALL (fc_cluster_lock_guard_get_fencing_token, FIRST_OBJECT) \
  CALL (fc_cluster_lock_guard_is_lost, FIRST_OBJECT) \
  CALL (fc_cluster_lock_guard_acquire_async, FIRST_OBJECT, just_a, 1, NULL, NULL, NULL) \
  CALL (fc_cluster_lock_guard_acquire_finish, FIRST_OBJECT, NULL, NULL) \
  CALL (fc_cluster_lock_guard_acquire_sync, FIRST_OBJECT, just_a, 1, NULL, NULL)
#else
#define CLUSTER_FUNCTIONS(CALL, PLAIN)
#endif

static const char * const just_a[] = { "a", NULL };

#if FC_HAVE_CLUSTER
static void
cluster_new_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* fc_cluster_lock_manager_new_sync() or _async() with @endpoints (and the
 * default prefix), waited for: a manager or NULL with @error set. */
static FcClusterLockManager *
cluster_new (const char * const  *endpoints,
             const char          *prefix,
             gboolean             async,
             GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!async)
    return fc_cluster_lock_manager_new_sync (endpoints, prefix, NULL, error);
  fc_cluster_lock_manager_new_async (endpoints, prefix, NULL, cluster_new_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return fc_cluster_lock_manager_new_finish (result, error);
}

static void
assert_cluster_new_invalid (const char * const *endpoints,
                            gboolean            async)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (cluster_new (endpoints, NULL, async, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  assert_good_message (error->message);
}
#endif


#define DEFINE_CALL(fn, kind, ...) static void call_##fn (gpointer first) { fn (first, ##__VA_ARGS__); }
#define DEFINE_PLAIN(fn, kind, ...) static void call_##fn (gpointer first) { __VA_ARGS__; }
PUBLIC_FUNCTIONS (DEFINE_CALL, DEFINE_PLAIN)

#define ROW(fn, kind, ...) { #fn, kind, call_##fn },
static const PublicFunction public_functions[] = { PUBLIC_FUNCTIONS (ROW, ROW) };

static void
run_first_null (gconstpointer data)
{
  ((const PublicFunction *) data)->call (NULL);
}

static void
run_first_wrong_type (gconstpointer data)
{
  g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);

  ((const PublicFunction *) data)->call (object);
}

/* The public functions the installed headers declare: what follows each
 * FC_AVAILABLE_IN_* at the start of a line (G_DECLARE_FINAL_TYPE declares
 * a _get_type). */
static void
add_declared_functions (const char *path,
                        GHashTable *declared)
{
  g_autoptr(GRegex) regex =
    g_regex_new ("^FC_AVAILABLE_IN_\\w+\\s+(?:G_DECLARE_\\w+_TYPE\\s*\\(\\s*\\w+\\s*,\\s*(\\w+)"
                 "|[^;(]*?(\\w+)\\s*\\()",
                 G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (g_regex_match (regex, text, 0, &match); g_match_info_matches (match);
       g_match_info_next (match, NULL))
    {
      g_autofree char *type = g_match_info_fetch (match, 1);
      g_autofree char *func = g_match_info_fetch (match, 2);

      g_hash_table_add (declared, *type != '\0' ? g_strconcat (type, "_get_type", NULL)
                                                 : g_steal_pointer (&func));
    }
}

static void
test_table_is_complete (void)
{
  g_autofree char *srcdir = g_test_build_filename (G_TEST_DIST, "..", "foundation-concurrency", NULL);
  g_autofree char *enums = g_test_build_filename (G_TEST_BUILT, "..", "foundation-concurrency",
                                                  "fc-enums.h", NULL);
  g_autoptr(GHashTable) declared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *lock_h = g_build_filename (srcdir, "fc-lock.h", NULL);
  g_autoptr(GDir) dir = g_dir_open (srcdir, 0, NULL);
  const char *file;

  if (dir == NULL || !g_file_test (lock_h, G_FILE_TEST_EXISTS) || !g_file_test (enums, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the library's headers are not here (installed test)");
      return;
    }
  while ((file = g_dir_read_name (dir)) != NULL)
    if ((g_str_has_suffix (file, ".h") || g_str_has_suffix (file, ".h.in")) &&
        strstr (file, "-private") == NULL &&
        /* Not compiled nor installed without the `cluster` option. */
        (FC_HAVE_CLUSTER || !g_str_has_prefix (file, "fc-cluster-")))
      {
        g_autofree char *path = g_build_filename (srcdir, file, NULL);

        add_declared_functions (path, declared);
      }
  add_declared_functions (enums, declared);

  for (guint i = 0; i < G_N_ELEMENTS (public_functions); i++)
    if (!g_hash_table_remove (declared, public_functions[i].name))
      g_error ("%s is in public_functions[] but in no public header", public_functions[i].name);
  if (g_hash_table_size (declared) > 0)
    {
      g_autofree char **left = (char **) g_hash_table_get_keys_as_array (declared, NULL);
      g_autofree char *list = g_strjoinv (", ", left);

      g_error ("public functions without a row in public_functions[]: %s", list);
    }
}

/* ---- Every string argument: NULL, empty, huge, invalid UTF-8 ------------ */

typedef enum { STR_NULL, STR_EMPTY, STR_HUGE, STR_BAD_UTF8, N_STRINGS } BadString;
static const char * const string_paths[] = { "null", "empty", "huge", "invalid-utf8" };

static const char *
bad_string (BadString kind)
{
  static char *huge;

  switch (kind)
    {
    case STR_NULL:
      return NULL;
    case STR_EMPTY:
      return "";
    case STR_HUGE:
      if (huge == NULL)
        huge = g_strnfill (1 << 20, 'h');
      return huge;
    case STR_BAD_UTF8:
    case N_STRINGS:
    default:
      /* "é" cut in two. */
      return "bad\xc3(";
    }
}

typedef struct
{
  const char *path;
  gboolean  (*call) (const char *s, int variant, GError **error);
  int         variant;   /* passed to call */
  int         want[N_STRINGS];
} StringSink;

static gboolean
sink_register_name (const char *s, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  gboolean ok = fc_lock_manager_register_lock (manager, s, 99, NULL, NULL, error) != NULL;

  assert_sane (manager);
  return ok;
}

static gboolean
sink_register_description (const char *s, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  gboolean ok = fc_lock_manager_register_lock (manager, "x", 99, s, NULL, error) != NULL;

  assert_sane (manager);
  return ok;
}

static gboolean
sink_get_lock (const char *s, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  gboolean ok = fc_lock_manager_get_lock (manager, s, error) != NULL;

  assert_sane (manager);
  return ok;
}

static gboolean
sink_acquire (const char *s, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  const char *names[] = { s, NULL };
  FcLockGuard *guard = fc_lock_manager_acquire (manager, names, 1, TRUE, error);

  fc_test_guard_drop (&guard);
  assert_sane (manager);
  return error == NULL || *error == NULL;
}

static gboolean
sink_async_register_name (const char *s, int variant, GError **error)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  gboolean ok = fc_async_lock_manager_register_lock (manager, s, 99, NULL, NULL, error) != NULL;

  assert_async_sane (manager);
  return ok;
}

static gboolean
sink_async_register_description (const char *s, int variant, GError **error)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  gboolean ok = fc_async_lock_manager_register_lock (manager, "x", 99, s, NULL, error) != NULL;

  assert_async_sane (manager);
  return ok;
}

static gboolean
sink_async_get_lock (const char *s, int variant, GError **error)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  gboolean ok = fc_async_lock_manager_get_lock (manager, s, error) != NULL;

  assert_async_sane (manager);
  return ok;
}

/* Through the manager, or through a guard holding "a" when @nested. */
static gboolean
sink_async_acquire (const char *s, int nested, GError **error)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcAsyncLockGuard) parent = NULL;
  g_autoptr(FcAsyncLockGuard) guard = NULL;
  const char *names[] = { s, NULL };

  if (nested)
    parent = acquire_async_sync (manager, NULL, just_a, 1, NULL);
  guard = acquire_async_sync (manager, parent, names, 1, error);
  if (guard != NULL)
    fc_async_lock_guard_release (guard);
  if (parent != NULL)
    fc_async_lock_guard_release (parent);
  assert_async_sane (manager);
  return guard != NULL;
}

/* The label is the owner in the status and in messages. */
static gboolean
sink_set_label (const char *s, int variant, GError **error)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcAsyncLockGuard) guard = acquire_async_sync (manager, NULL, just_a, 1, NULL);
  g_autofree char *owner = NULL;
  g_autoptr(GError) timeout = NULL;
  gboolean ok;

  fc_async_lock_guard_set_label (guard, "before");
  fc_async_lock_guard_set_label (guard, s);
  /* Taken, and cut at 255 bytes; or refused, and still the old one. */
  ok = g_strcmp0 (fc_async_lock_guard_get_label (guard), "before") != 0;
  if (ok)
    {
      g_assert_true (g_str_has_prefix (s, fc_async_lock_guard_get_label (guard)));
      g_assert_cmpuint (strlen (fc_async_lock_guard_get_label (guard)), <=, 255);
    }
  owner = fc_async_lock_dup_owner (get_lock (manager, "a"));
  g_assert_true (g_utf8_validate (owner, -1, NULL));
  if (!ok)
    g_assert_cmpstr (owner, ==, "before");
  g_assert_null (acquire_async_sync (manager, NULL, just_a, 0, &timeout));
  /* Names the holder, briefly. */
  g_assert_error (timeout, FC_ERROR, FC_ERROR_TIMEOUT);
  g_test_message ("%.200s", timeout->message);
  assert_good_message (timeout->message);
  fc_async_lock_guard_release (guard);
  assert_async_sane (manager);
  return ok;
}

/* Any name is taken, made valid and cut at 255 bytes. */
static gboolean
sink_set_thread_name (const char *s, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  FcLock *a = fc_test_get_lock (manager, "a");
  g_autofree char *owner = NULL;

  fc_set_thread_name (s);
  g_assert_true (fc_lock_lock (a, 1, NULL));
  owner = fc_lock_dup_owner (a);
  g_assert_true (g_utf8_validate (owner, -1, NULL));
  g_assert_cmpuint (strlen (owner), <=, 255);
  fc_lock_unlock (a);
  assert_sane (manager);
  return TRUE;
}

/* The manager's name, shown in reports. */
static gboolean
sink_manager_name (const char *s, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  g_autofree char *name = NULL;

  g_object_set (manager, "name", "before", NULL);
  g_object_set (manager, "name", s, NULL);
  g_object_get (manager, "name", &name, NULL);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  assert_sane (manager);
  return g_strcmp0 (name, "before") != 0;
}

#define INVALID FC_ERROR_INVALID_ARGUMENT
#define ALL_INVALID { INVALID, INVALID, INVALID, INVALID }
/* A NULL as the first name is an empty list: a guard holding nothing. */
#define LIST_INVALID { WANT_OK, INVALID, INVALID, INVALID }

static const StringSink string_sinks[] = {
  { "register-lock/name", sink_register_name, 0, ALL_INVALID },
  { "register-lock/description", sink_register_description, 0, { WANT_OK, WANT_OK, WANT_OK, INVALID } },
  { "get-lock", sink_get_lock, 0, ALL_INVALID },
  { "acquire", sink_acquire, 0, LIST_INVALID },
  { "async-register-lock/name", sink_async_register_name, 0, ALL_INVALID },
  { "async-register-lock/description", sink_async_register_description, 0,
    { WANT_OK, WANT_OK, WANT_OK, INVALID } },
  { "async-get-lock", sink_async_get_lock, 0, ALL_INVALID },
  { "async-acquire", sink_async_acquire, FALSE, LIST_INVALID },
  { "async-guard-acquire", sink_async_acquire, TRUE, LIST_INVALID },
  { "async-guard-set-label", sink_set_label, 0, { WANT_CRITICAL, WANT_OK, WANT_OK, WANT_CRITICAL } },
  { "set-thread-name", sink_set_thread_name, 0, { WANT_OK, WANT_OK, WANT_OK, WANT_OK } },
  /* NULL is the default name (manager-N). */
  { "manager-name", sink_manager_name, 0, { WANT_OK, WANT_CRITICAL, WANT_OK, WANT_CRITICAL } },
};

static void
run_string (gconstpointer data)
{
  const SinkCase *c = data;
  const StringSink *sink = c->sink;
  g_autoptr(GError) error = NULL;
  gboolean ok = sink->call (bad_string (c->kind), sink->variant, &error);

  assert_outcome (ok, error, sink->want[c->kind]);
}

/* ---- Every timeout: −0.5, NaN, ±inf, −DBL_MIN, 1e300 -------------------- */

/* And FC_TIMEOUT_INFINITE, which only the waits take. */
typedef enum
{
  T_MINUS_HALF, T_NAN, T_PLUS_INF, T_MINUS_INF, T_MINUS_DBL_MIN, T_1E300, T_INFINITE, N_TIMEOUTS
} BadTimeout;
static const char * const timeout_paths[] = {
  "minus-0.5", "nan", "plus-inf", "minus-inf", "minus-dbl-min", "1e300", "infinite",
};

static double
bad_timeout (BadTimeout kind)
{
  const double values[] = { -0.5, NAN, INFINITY, -INFINITY, -DBL_MIN, 1e300, FC_TIMEOUT_INFINITE };

  return values[kind];
}

typedef struct
{
  const char *path;
  gboolean  (*call) (double timeout, int variant, GError **error);
  int         variant;   /* passed to call */
  int         want[N_TIMEOUTS];
} TimeoutSink;

static gboolean
timeout_lock_lock (double timeout, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  FcLock *a = fc_test_get_lock (manager, "a");
  gboolean ok = fc_lock_lock (a, timeout, error);

  if (ok)
    fc_lock_unlock (a);
  assert_sane (manager);
  return ok;
}

static gboolean
timeout_acquire (double timeout, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  FcLockGuard *guard = fc_lock_manager_acquire (manager, ab, timeout, TRUE, error);
  gboolean ok = guard != NULL;

  fc_test_guard_drop (&guard);
  assert_sane (manager);
  return ok;
}

typedef struct
{
  FcLock *lock;
  int     holding;   /* atomic */
} Holder;

/* Holds the lock until the main thread is about to wait (or has waited). */
static gpointer
hold_a_while (gpointer data)
{
  Holder *holder = data;

  g_assert_true (fc_lock_lock (holder->lock, 1, NULL));
  g_atomic_int_set (&holder->holding, 1);
  /* Not a timing assertion: either way the waiter must get the lock. */
  g_usleep (G_USEC_PER_SEC / 20);
  fc_lock_unlock (holder->lock);
  return NULL;
}

/* "a" is held by another thread: a valid timeout waits until it lets go
 * (a deadline that overflowed would time out at once), an invalid one
 * fails at once. */
static gboolean
timeout_sync_held (double timeout, int direct, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  Holder holder = { fc_test_get_lock (manager, "a"), 0 };
  GThread *thread = g_thread_new ("holder", hold_a_while, &holder);
  FcLockGuard *guard = NULL;
  gboolean ok;

  while (!g_atomic_int_get (&holder.holding))
    g_usleep (1000);
  if (direct)
    ok = fc_lock_lock (holder.lock, timeout, error);
  else
    ok = (guard = fc_lock_manager_acquire (manager, just_a, timeout, TRUE, error)) != NULL;
  if (ok && direct)
    fc_lock_unlock (holder.lock);
  fc_test_guard_drop (&guard);
  g_thread_join (thread);
  assert_sane (manager);
  return ok;
}

/* "a" is held by another guard: a valid timeout waits (here: until the
 * holder lets go), an invalid one fails at once. */
static gboolean
timeout_async_held (double timeout, int nested, GError **error)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcAsyncLockGuard) holder = acquire_async_sync (manager, NULL, just_a, 1, NULL);
  g_autoptr(FcAsyncLockGuard) parent = NULL;
  Outcome o = { 0, };
  gboolean ok;

  if (nested)
    parent = acquire_async_sync (manager, NULL, NULL, 1, NULL);
  acquire_start (manager, parent, just_a, timeout, NULL, &o);
  drain_context ();
  /* Not timed out at once (a deadline that overflowed would have). */
  g_assert_true (o.completed == (o.error != NULL));
  fc_async_lock_guard_release (holder);
  outcome_wait (&o);
  ok = o.guard != NULL;
  if (o.error != NULL)
    g_propagate_error (error, g_steal_pointer (&o.error));
  if (o.guard != NULL)
    fc_async_lock_guard_release (o.guard);
  if (parent != NULL)
    fc_async_lock_guard_release (parent);
  outcome_clear (&o);
  assert_async_sane (manager);
  return ok;
}

typedef struct
{
  int        done;
  GPtrArray *outcomes;
  GError    *error;
} Waited;

static void
on_gather_waited (GObject *source, GAsyncResult *result, gpointer data)
{
  Waited *waited = data;

  waited->outcomes = fc_gather_wait_finish (FC_GATHER (source), result, &waited->error);
  waited->done = TRUE;
}

/* The slot is reported only after the wait started: a valid timeout waits
 * for it, an invalid one fails at once. */
static gboolean
timeout_gather_wait (double timeout, int variant, GError **error)
{
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  Waited waited = { FALSE, NULL, NULL };
  guint slot = fc_gather_add (gather);
  gboolean ok;

  fc_gather_wait_async (gather, timeout, NULL, on_gather_waited, &waited);
  drain_context ();
  g_assert_true (waited.done == (waited.error != NULL));
  fc_test_return_int (gather, slot, 7);
  fc_test_run_until (&waited.done);
  ok = waited.outcomes != NULL && fc_test_outcome_int (waited.outcomes->pdata[0]) == 7;
  g_clear_pointer (&waited.outcomes, g_ptr_array_unref);
  if (waited.error != NULL)
    g_propagate_error (error, waited.error);
  return ok;
}

static void
on_slept (GObject *source, GAsyncResult *result, gpointer data)
{
  GError **error = data;

  g_assert_false (fc_sleep_finish (result, error));
  g_assert_nonnull (*error);
}

/* A valid delay sleeps (here: until cancelled). */
static gboolean
timeout_sleep (double delay, int variant, GError **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) local = NULL;

  fc_sleep_async (delay, cancellable, on_slept, &local);
  drain_context ();
  g_assert_true (local == NULL || g_error_matches (local, FC_ERROR, FC_ERROR_INVALID_ARGUMENT));
  g_cancellable_cancel (cancellable);
  while (local == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* The setters take seconds too; a refused value changes nothing. */
static gboolean
set_seconds (GObject *manager, const char *property, double value)
{
  double now = -1;

  g_object_set (manager, property, 1.0, NULL);
  if (g_str_equal (property, "watchdog-interval"))
    {
      if (FC_IS_LOCK_MANAGER (manager))
        fc_lock_manager_set_watchdog_interval (FC_LOCK_MANAGER (manager), value);
      else
        fc_async_lock_manager_set_watchdog_interval (FC_ASYNC_LOCK_MANAGER (manager), value);
    }
  else if (FC_IS_LOCK_MANAGER (manager))
    fc_lock_manager_set_hold_warning_threshold (FC_LOCK_MANAGER (manager), value);
  else
    fc_async_lock_manager_set_hold_warning_threshold (FC_ASYNC_LOCK_MANAGER (manager), value);
  g_object_get (manager, property, &now, NULL);
  g_assert_true (now == 1.0 || now == value);
  /* Turning the watchdog off again joins its thread. */
  g_object_set (manager, "watchdog-interval", 0.0, NULL);
  return now != 1.0;
}

/* Through the sync manager, or the async one when @async. */
static gboolean
timeout_watchdog (double value, int async, GError **error)
{
  g_autoptr(GObject) manager = async ? G_OBJECT (new_manager ()) : G_OBJECT (fc_test_make_manager (ab));

  return set_seconds (manager, "watchdog-interval", value);
}

static gboolean
timeout_threshold (double value, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  FcLock *a = fc_test_get_lock (manager, "a");
  gboolean ok = set_seconds (G_OBJECT (manager), "hold-warning-threshold", value);

  /* A held lock is checked against it. */
  g_assert_true (fc_lock_lock (a, 1, NULL));
  assert_strv_good (fc_lock_manager_detect_potential_deadlocks (manager));
  fc_lock_unlock (a);
  return ok;
}

static gboolean
timeout_async_threshold (double value, int variant, GError **error)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcAsyncLockGuard) guard = acquire_async_sync (manager, NULL, just_a, 1, NULL);
  gboolean ok = set_seconds (G_OBJECT (manager), "hold-warning-threshold", value);

  assert_strv_good (fc_async_lock_manager_detect_potential_deadlocks (manager));
  fc_async_lock_guard_release (guard);
  return ok;
}

#define TIMEOUT_INVALID { INVALID, INVALID, INVALID, INVALID, INVALID, WANT_OK, WANT_OK }
#define C WANT_CRITICAL

static const TimeoutSink timeout_sinks[] = {
  { "lock-lock", timeout_lock_lock, 0, TIMEOUT_INVALID },
  { "acquire", timeout_acquire, 0, TIMEOUT_INVALID },
  { "lock-lock-held", timeout_sync_held, TRUE, TIMEOUT_INVALID },
  { "acquire-held", timeout_sync_held, FALSE, TIMEOUT_INVALID },
  { "async-acquire", timeout_async_held, FALSE, TIMEOUT_INVALID },
  { "async-guard-acquire", timeout_async_held, TRUE, TIMEOUT_INVALID },
  { "gather-wait", timeout_gather_wait, 0, TIMEOUT_INVALID },
  /* A sleep has no "for ever". */
  { "sleep", timeout_sleep, 0, { INVALID, INVALID, INVALID, INVALID, INVALID, WANT_OK, INVALID } },
  { "watchdog-interval", timeout_watchdog, FALSE, { C, C, C, C, C, WANT_OK, C } },
  { "async-watchdog-interval", timeout_watchdog, TRUE, { C, C, C, C, C, WANT_OK, C } },
  /* +inf: never warn. */
  { "hold-warning-threshold", timeout_threshold, 0, { C, C, WANT_OK, C, C, WANT_OK, C } },
  { "async-hold-warning-threshold", timeout_async_threshold, 0, { C, C, WANT_OK, C, C, WANT_OK, C } },
};

#undef C

static void
run_timeout (gconstpointer data)
{
  const SinkCase *c = data;
  const TimeoutSink *sink = c->sink;
  g_autoptr(GError) error = NULL;
  gboolean ok = sink->call (bad_timeout (c->kind), sink->variant, &error);

  assert_outcome (ok, error, sink->want[c->kind]);
}

/* ---- Name lists: holes and 10,000 entries ------------------------------- */

#define MANY 10000

typedef enum
{
  LIST_HOLE_NULL, LIST_HOLE_EMPTY, LIST_MANY, LIST_MANY_SAME, LIST_MANY_UNKNOWN, N_LISTS
} BadList;
static const char * const list_paths[] = {
  "hole-null", "hole-empty", "10000-registered", "10000-same", "10000-unregistered",
};
/* What each list is: its error, or how many locks its guard holds (every
 * list ends with "b"). */
static const struct { int want; guint held; } list_wants[] = {
  /* In C the list ends at the NULL: "a" only. */
  { WANT_OK, 1 }, { INVALID, 0 }, { WANT_OK, MANY + 1 }, { WANT_OK, 1 }, { FC_ERROR_NOT_REGISTERED, 0 },
};

static char *
many_name (guint i)
{
  return g_strdup_printf ("many.%05u", i);
}

static char **
bad_list (BadList kind)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **list;

  if (kind == LIST_HOLE_NULL || kind == LIST_HOLE_EMPTY)
    {
      g_strv_builder_add (builder, "a");
      g_strv_builder_add (builder, kind == LIST_HOLE_EMPTY ? "" : "b");
    }
  for (guint i = 0; kind >= LIST_MANY && i < MANY; i++)
    {
      /* Backwards, to be sorted. */
      g_autofree char *name = kind == LIST_MANY_SAME ? g_strdup ("b")
                              : kind == LIST_MANY ? many_name (MANY - 1 - i)
                              : g_strdup_printf ("unknown.%u", i);

      g_strv_builder_add (builder, name);
    }
  g_strv_builder_add (builder, "b");
  list = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  if (kind == LIST_HOLE_NULL)
    {
      /* { "a", NULL, "b", NULL } */
      g_free (list[1]);
      list[1] = NULL;
    }
  return list;
}

static void
register_many (gpointer manager)
{
  for (guint i = 0; i < MANY; i++)
    {
      g_autofree char *name = many_name (i);

      if (FC_IS_LOCK_MANAGER (manager))
        g_assert_nonnull (fc_lock_manager_register_lock (manager, name, 1000 + (int) i, NULL, NULL, NULL));
      else
        g_assert_nonnull (fc_async_lock_manager_register_lock (manager, name, 1000 + (int) i,
                                                               NULL, NULL, NULL));
    }
}

/* How many names the guard took through @sink, or -1 with @error set. */
typedef int (*ListSink) (const char * const *names, int variant, GError **error);

static int
list_acquire (const char * const *names, int variant, GError **error)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  FcLockGuard *guard;
  int held = -1;

  register_many (manager);
  guard = fc_lock_manager_acquire (manager, names, 5, TRUE, error);
  if (guard != NULL)
    {
      g_auto(GStrv) taken = fc_lock_guard_dup_names (guard);

      held = (int) g_strv_length (taken);
    }
  fc_test_guard_drop (&guard);
  assert_sane (manager);
  return held;
}

static int
list_async_acquire (const char * const *names, int nested, GError **error)
{
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcAsyncLockGuard) parent = NULL;
  g_autoptr(FcAsyncLockGuard) guard = NULL;
  int held = -1;

  register_many (manager);
  if (nested)
    parent = acquire_async_sync (manager, NULL, NULL, 1, NULL);
  guard = acquire_async_sync (manager, parent, names, 5, error);
  if (guard != NULL)
    {
      g_auto(GStrv) taken = fc_async_lock_guard_dup_names (guard);

      held = (int) g_strv_length (taken);
      fc_async_lock_guard_release (guard);
    }
  if (parent != NULL)
    fc_async_lock_guard_release (parent);
  assert_async_sane (manager);
  return held;
}

typedef struct
{
  const char *path;
  ListSink    call;
  int         variant;
} ListSinkRow;

static const ListSinkRow list_sinks[] = {
  { "acquire", list_acquire, 0 },
  { "async-acquire", list_async_acquire, FALSE },
  { "async-guard-acquire", list_async_acquire, TRUE },
};

static void
run_list (gconstpointer data)
{
  const SinkCase *c = data;
  const ListSinkRow *sink = c->sink;
  g_auto(GStrv) names = bad_list (c->kind);
  g_autoptr(GError) error = NULL;
  int held = sink->call ((const char * const *) names, sink->variant, &error);

  assert_outcome (held >= 0, error, list_wants[c->kind].want);
  if (held >= 0)
    g_assert_cmpint (held, ==, list_wants[c->kind].held);
  /* What follows the hole, which g_strfreev() does not see. */
  if (c->kind == LIST_HOLE_NULL)
    g_free (names[2]);
}

/* ---- Orders INT_MIN and INT_MAX ----------------------------------------- */

static const char * const extremes[] = { "max", "zero", "min", NULL };
static const char * const just_max[] = { "max", NULL };
static const char * const just_min[] = { "min", NULL };

static void
assert_extremes_taken (char **names)
{
  const char * const sorted[] = { "min", "zero", "max", NULL };

  g_assert_cmpstrv (names, sorted);
  g_strfreev (names);
}

static void
assert_violation (GError *error)
{
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION);
  assert_good_message (error->message);
  g_assert_nonnull (strstr (error->message, "-2147483648"));
}

static void
run_orders (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(GError) conflict = NULL, violation = NULL;
  FcLockGuard *all, *max, *nested;

  g_assert_nonnull (fc_lock_manager_register_lock (manager, "min", INT_MIN, NULL, NULL, NULL));
  g_assert_nonnull (fc_lock_manager_register_lock (manager, "zero", 0, NULL, NULL, NULL));
  g_assert_nonnull (fc_lock_manager_register_lock (manager, "max", INT_MAX, NULL, NULL, NULL));
  g_assert_null (fc_lock_manager_register_lock (manager, "max2", INT_MAX, NULL, NULL, &conflict));
  g_assert_error (conflict, FC_ERROR, FC_ERROR_ORDER_CONFLICT);
  g_assert_cmpint (fc_lock_get_order (fc_test_get_lock (manager, "min")), ==, INT_MIN);

  all = fc_lock_manager_acquire (manager, extremes, 1, TRUE, NULL);
  assert_extremes_taken (fc_lock_guard_dup_names (all));
  fc_test_guard_drop (&all);

  /* Under INT_MAX: INT_MAX again is re-entrant, INT_MIN is a violation. */
  max = fc_lock_manager_acquire (manager, just_max, 1, TRUE, NULL);
  nested = fc_lock_manager_acquire (manager, just_max, 1, TRUE, NULL);
  g_assert_nonnull (nested);
  fc_test_guard_drop (&nested);
  g_assert_null (fc_lock_manager_acquire (manager, just_min, 1, TRUE, &violation));
  assert_violation (violation);
  g_clear_error (&violation);
  /* Directly too (learned, reported, and taken: the order rule is the
   * manager's). */
  g_assert_true (fc_lock_lock (fc_test_get_lock (manager, "min"), 1, NULL));
  fc_lock_unlock (fc_test_get_lock (manager, "min"));
  fc_test_guard_drop (&max);
  assert_sane (manager);
}

static void
run_orders_async (gconstpointer data)
{
  g_autoptr(FcAsyncLockManager) manager = fc_async_lock_manager_new ();
  g_autoptr(GError) conflict = NULL, violation = NULL;
  g_autoptr(FcAsyncLockGuard) all = NULL, max = NULL, nested = NULL;

  g_assert_nonnull (fc_async_lock_manager_register_lock (manager, "min", INT_MIN, NULL, NULL, NULL));
  g_assert_nonnull (fc_async_lock_manager_register_lock (manager, "zero", 0, NULL, NULL, NULL));
  g_assert_nonnull (fc_async_lock_manager_register_lock (manager, "max", INT_MAX, NULL, NULL, NULL));
  g_assert_null (fc_async_lock_manager_register_lock (manager, "max2", INT_MAX, NULL, NULL, &conflict));
  g_assert_error (conflict, FC_ERROR, FC_ERROR_ORDER_CONFLICT);

  all = acquire_async_sync (manager, NULL, extremes, 1, NULL);
  assert_extremes_taken (fc_async_lock_guard_dup_names (all));
  fc_async_lock_guard_release (all);

  max = acquire_async_sync (manager, NULL, just_max, 1, NULL);
  nested = acquire_async_sync (manager, max, just_max, 1, NULL);
  g_assert_nonnull (nested);
  g_assert_null (acquire_async_sync (manager, max, just_min, 1, &violation));
  assert_violation (violation);
  fc_async_lock_guard_release (max);
  assert_async_sane (manager);
}

/* ---- Releases: twice, on the wrong thread -------------------------------- */

static gpointer
release_guard (gpointer guard)
{
  fc_lock_guard_release (guard);
  return NULL;
}

static gpointer
unref_guard (gpointer guard)
{
  fc_lock_guard_unref (guard);
  return NULL;
}

static gpointer
unlock_lock (gpointer lock)
{
  fc_lock_unlock (lock);
  return NULL;
}

static gpointer
release_async_guard (gpointer guard)
{
  fc_async_lock_guard_release (guard);
  return NULL;
}

static void
run_release_twice (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  g_autoptr(FcLockGuard) guard = fc_lock_manager_acquire (manager, ab, 1, TRUE, NULL);

  fc_lock_guard_release (guard);
  fc_lock_guard_release (guard);
  g_assert_true (fc_lock_guard_is_released (guard));
  assert_sane (manager);
}

/* A critical; nothing released until the owner does. */
static void
run_release_wrong_thread (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  g_autoptr(FcLockGuard) guard = fc_lock_manager_acquire (manager, ab, 1, TRUE, NULL);

  on_other_thread (release_guard, guard);
  g_assert_false (fc_lock_guard_is_released (guard));
  g_assert_true (fc_lock_is_locked (fc_test_get_lock (manager, "b")));
  fc_lock_guard_release (guard);
  assert_sane (manager);
}

/* The last reference dropped elsewhere: a critical, and the owner's next
 * call releases what the guard held. */
static void
run_unref_wrong_thread (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  FcLockGuard *guard = fc_lock_manager_acquire (manager, ab, 1, TRUE, NULL);
  FcLockGuard *next;

  on_other_thread (unref_guard, guard);
  next = fc_lock_manager_acquire (manager, just_a, 1, TRUE, NULL);
  g_assert_nonnull (next);
  fc_test_guard_drop (&next);
  assert_sane (manager);
}

static void
run_unlock_not_held (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  FcLock *a = fc_test_get_lock (manager, "a");

  g_assert_true (fc_lock_lock (a, 1, NULL));
  fc_lock_unlock (a);
  fc_lock_unlock (a);
  g_assert_false (fc_lock_is_locked (a));
  assert_sane (manager);
}

static void
run_unlock_wrong_thread (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  FcLock *a = fc_test_get_lock (manager, "a");

  g_assert_true (fc_lock_lock (a, 1, NULL));
  on_other_thread (unlock_lock, a);
  g_assert_true (fc_lock_is_locked (a));
  g_assert_cmpuint (fc_lock_get_depth (a), ==, 1);
  fc_lock_unlock (a);
  assert_sane (manager);
}

/* Async locks belong to their guard: twice is nothing, elsewhere is fine. */
static void
run_async_release (gconstpointer data)
{
  gboolean other_thread = GPOINTER_TO_INT (data);
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcAsyncLockGuard) guard = acquire_async_sync (manager, NULL, ab, 1, NULL);

  if (other_thread)
    on_other_thread (release_async_guard, guard);
  else
    fc_async_lock_guard_release (guard);
  fc_async_lock_guard_release (guard);
  g_assert_true (fc_async_lock_guard_is_released (guard));
  assert_async_sane (manager);
}

/* ---- Use after the manager is gone --------------------------------------- */

/* What holds locks keeps what it holds alive. */
static void
run_manager_gone_guard (gconstpointer data)
{
  gboolean unref_only = GPOINTER_TO_INT (data);
  FcLockManager *manager = fc_test_make_manager (ab);
  FcLockGuard *guard = fc_lock_manager_acquire (manager, ab, 1, TRUE, NULL);
  g_auto(GStrv) names = NULL;

  g_object_unref (manager);
  names = fc_lock_guard_dup_names (guard);
  g_assert_cmpstrv (names, ab);
  if (!unref_only)
    fc_lock_guard_release (guard);
  fc_lock_guard_unref (guard);
}

/* A lock the caller keeps, held or not when the manager goes. */
static void
run_manager_gone_lock (gconstpointer data)
{
  gboolean held = GPOINTER_TO_INT (data);
  FcLockManager *manager = fc_test_make_manager (ab);
  g_autoptr(FcLock) a = g_object_ref (fc_test_get_lock (manager, "a"));
  g_autofree char *owner = NULL;

  if (held)
    g_assert_true (fc_lock_lock (a, 1, NULL));
  g_object_unref (manager);
  if (!held)
    g_assert_true (fc_lock_lock (a, 1, NULL));
  owner = fc_lock_dup_owner (a);
  g_assert_true (g_utf8_validate (owner, -1, NULL));
  g_assert_cmpstr (fc_lock_get_name (a), ==, "a");
  g_assert_true (fc_lock_try_lock (a));
  g_assert_cmpuint (fc_lock_get_depth (a), ==, 2);
  fc_lock_unlock (a);
  fc_lock_unlock (a);
  g_assert_false (fc_lock_is_locked (a));
}

/* An async guard keeps its manager; children still work. */
static void
run_manager_gone_async (gconstpointer data)
{
  FcAsyncLockManager *manager = new_manager ();
  g_autoptr(FcAsyncLockGuard) guard = acquire_async_sync (manager, NULL, just_a, 1, NULL);
  g_autoptr(FcAsyncLockGuard) child = NULL;
  g_autoptr(FcAsyncLock) a = g_object_ref (get_lock (manager, "a"));
  const char * const b[] = { "b", NULL };

  g_object_unref (manager);
  child = acquire_async_sync (NULL, guard, b, 1, NULL);
  g_assert_nonnull (child);
  g_assert_true (fc_async_lock_is_locked (a));
  fc_async_lock_guard_release (guard);
  g_assert_true (fc_async_lock_guard_is_released (child));
  g_assert_false (fc_async_lock_is_locked (a));
  g_assert_cmpstr (fc_async_lock_get_name (a), ==, "a");
}

/* A child of a released guard, an acquisition whose cancellable is
 * cancelled already: G_IO_ERROR_CANCELLED at once, nothing held. */
static void
run_async_cancelled (gconstpointer data)
{
  gboolean released_parent = GPOINTER_TO_INT (data);
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcAsyncLockGuard) parent = acquire_async_sync (manager, NULL, just_a, 1, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome o = { 0, };

  if (released_parent)
    fc_async_lock_guard_release (parent);
  else
    g_cancellable_cancel (cancellable);
  acquire_wait (manager, released_parent ? parent : NULL, ab, 1, cancellable, &o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_good_message (o.error->message);
  g_assert_null (o.guard);
  outcome_clear (&o);
  fc_async_lock_guard_release (parent);
  assert_async_sane (manager);
}

/* ---- Misused calls: finish with another result, reports, set errors ----- */

/* A finished GTask of @source whose tag is nobody's. */
static GTask *
foreign_task (gpointer source)
{
  GTask *task = g_task_new (source, NULL, NULL, NULL);

  g_task_set_source_tag (task, foreign_task);
  g_task_return_boolean (task, TRUE);
  return task;
}

static void
run_finish_foreign (gconstpointer data)
{
  const char *which = data;
  g_autoptr(FcAsyncLockManager) manager = new_manager ();
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  g_autoptr(FcAsyncLockGuard) guard = acquire_async_sync (manager, NULL, just_a, 1, NULL);
  g_autoptr(GError) error = NULL;

  if (g_str_equal (which, "async-acquire"))
    {
      g_autoptr(GTask) task = foreign_task (manager);

      g_assert_null (fc_async_lock_manager_acquire_finish (manager, G_ASYNC_RESULT (task), &error));
    }
  else if (g_str_equal (which, "async-guard-acquire"))
    {
      g_autoptr(GTask) task = foreign_task (guard);

      g_assert_null (fc_async_lock_guard_acquire_finish (guard, G_ASYNC_RESULT (task), &error));
    }
  else if (g_str_equal (which, "gather-wait"))
    {
      g_autoptr(GTask) task = foreign_task (gather);

      g_assert_null (fc_gather_wait_finish (gather, G_ASYNC_RESULT (task), &error));
    }
  else
    {
      g_autoptr(GTask) task = foreign_task (NULL);

      g_assert_false (fc_sleep_finish (G_ASYNC_RESULT (task), &error));
    }
  g_assert_no_error (error);
  fc_async_lock_guard_release (guard);
}

static const char * const finish_paths[] = { "async-acquire", "async-guard-acquire", "gather-wait", "sleep" };

/* A *error already set is a programming error. */
static void
run_error_already_set (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  g_autoptr(GError) error = g_error_new_literal (FC_ERROR, FC_ERROR_TIMEOUT, "before");

  g_assert_null (fc_lock_manager_get_lock (manager, "a", &error));
  g_assert_cmpstr (error->message, ==, "before");
}

static void
run_register_lock_twice (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  g_autoptr(FcLockManager) other = fc_lock_manager_new ();
  g_autoptr(GError) error = NULL;

  /* Already someone's: INVALID_ARGUMENT. */
  g_assert_null (fc_lock_manager_register_lock (other, "c", 1, NULL, fc_test_get_lock (manager, "a"),
                                                &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  assert_good_message (error->message);
}

static void
run_register_lock_wrong_type (gconstpointer data)
{
  g_autoptr(FcLockManager) manager = fc_test_make_manager (ab);
  g_autoptr(FcAsyncLock) async = fc_async_lock_new ();

  g_assert_null (fc_lock_manager_register_lock (manager, "c", 1, NULL, (FcLock *) async, NULL));
  g_assert_null (fc_lock_manager_get_lock (manager, "c", NULL));
}

static void
run_gather_report (gconstpointer data)
{
  const char *which = data;
  g_autoptr(FcGather) gather = fc_gather_new (TRUE);
  GValue unset = G_VALUE_INIT;
  guint slot = fc_gather_add (gather);

  fc_test_return_int (gather, slot, 1);
  if (g_str_equal (which, "twice"))
    fc_test_return_int (gather, slot, 2);
  else if (g_str_equal (which, "unknown-slot"))
    fc_test_return_int (gather, G_MAXUINT, 2);
  else
    {
      /* An unset GValue. */
      guint second = fc_gather_add (gather);

      fc_gather_return_value (gather, second, &unset);
      fc_test_return_int (gather, second, 2);
    }
}

static const char * const report_paths[] = { "twice", "unknown-slot", "unset-value" };

static void
run_gather_no_slots (gconstpointer data)
{
  g_autoptr(FcGather) gather = fc_gather_new (FALSE);
  Waited waited = { FALSE, NULL, NULL };

  fc_gather_wait_async (gather, 1, NULL, on_gather_waited, &waited);
  fc_test_run_until (&waited.done);
  g_assert_null (waited.outcomes);
  g_assert_error (waited.error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  assert_good_message (waited.error->message);
  g_clear_error (&waited.error);
}

static void
report_twice (FcGather *gather, guint slot, gpointer user_data)
{
  fc_test_return_int (gather, slot, 1);
  fc_test_return_int (gather, slot, 2);
}

/* The first report counts; the second is a critical. */
static void
run_run_reports_twice (gconstpointer data)
{
  g_auto(GValue) result = G_VALUE_INIT;

  g_assert_true (fc_run (report_twice, NULL, FC_RUN_NONE, &result, NULL));
  g_assert_cmpint (g_value_get_int (&result), ==, 1);
}

/* ---- main ---------------------------------------------------------------- */

#if FC_HAVE_CLUSTER
/* ---- The cluster's constructors, without etcd ----------------------------- */

/* Nothing listens on port 1: refused at once, on every try. */
#define UNREACHABLE "http://127.0.0.1:1"
#define UNAVAILABLE FC_ERROR_UNAVAILABLE

typedef struct
{
  const char         *path;
  const char * const *endpoints;   /* NULL-terminated; the first NULL for none */
  gboolean            no_endpoints;  /* endpoints is NULL itself */
  gboolean            huge_endpoint; /* one endpoint of a megabyte */
  const char         *prefix;
  int                 want;        /* an FcError code */
} ClusterNewCase;

static const char * const unreachable[] = { UNREACHABLE, NULL };

static const ClusterNewCase cluster_new_cases[] = {
  { "endpoints/null", NULL, TRUE, FALSE, NULL, FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/empty", (const char *[]) { NULL }, FALSE, FALSE, NULL, FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/empty-string", (const char *[]) { "", NULL }, FALSE, FALSE, NULL, FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/good-then-empty-string", (const char *[]) { UNREACHABLE, "", NULL }, FALSE, FALSE, NULL,
    FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/not-a-url", (const char *[]) { "localhost 2379", NULL }, FALSE, FALSE, NULL,
    FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/no-port", (const char *[]) { "http://127.0.0.1", NULL }, FALSE, FALSE, NULL,
    FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/not-http", (const char *[]) { "ftp://127.0.0.1:2379", NULL }, FALSE, FALSE, NULL,
    FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/unix", (const char *[]) { "unix:///run/etcd.sock", NULL }, FALSE, FALSE, NULL,
    FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/invalid-utf8", (const char *[]) { "http://bad\xc3(:2379", NULL }, FALSE, FALSE, NULL,
    FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/huge", NULL, FALSE, TRUE, NULL, FC_ERROR_INVALID_ARGUMENT },
  { "endpoints/unreachable", unreachable, FALSE, FALSE, NULL, UNAVAILABLE },
  /* NULL is the default prefix (documented nullable): on to the cluster. */
  { "prefix/null", unreachable, FALSE, FALSE, NULL, UNAVAILABLE },
  { "prefix/empty", unreachable, FALSE, FALSE, "", FC_ERROR_INVALID_ARGUMENT },
  { "prefix/invalid-utf8", unreachable, FALSE, FALSE, "bad\xc3(", FC_ERROR_INVALID_ARGUMENT },
};

static void
run_cluster_new (gconstpointer data)
{
  const ClusterNewCase *c = data;
  g_autofree char *huge = NULL;
  const char *huge_list[2] = { NULL, NULL };
  const char * const *endpoints = c->no_endpoints ? NULL : c->endpoints;

  if (c->huge_endpoint)
    {
      huge = g_strconcat ("http://", bad_string (STR_HUGE), NULL);
      huge_list[0] = huge;
      endpoints = huge_list;
    }
  for (int async = 0; async <= 1; async++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (cluster_new (endpoints, c->prefix, async, &error));
      g_assert_error (error, FC_ERROR, c->want);
      assert_good_message (error->message);
    }
}

/* The lease TTL must be from 1 to 86400 seconds: out of that range,
 * initialization fails (before any request: port 1 is never tried), sync
 * and async. NaN, which no property range admits, gets GObject's warning
 * and leaves the default, as for any double property. */
typedef enum { TTL_ZERO, TTL_NEGATIVE, TTL_BELOW, TTL_ABOVE, TTL_HUGE, TTL_INFINITE, N_TTLS } BadTtl;
static const char * const ttl_paths[] = { "zero", "negative", "0.5", "86401", "1e300", "infinite" };
static const double bad_ttls[] = { 0.0, -1.0, 0.5, 86401.0, 1e300, INFINITY };

static void
run_cluster_ttl (gconstpointer data)
{
  double ttl = bad_ttls[GPOINTER_TO_INT (data)];

  for (int async = 0; async <= 1; async++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GObject) manager = NULL;

      if (!async)
        manager = g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, &error,
                                  "endpoints", unreachable, "lease-ttl", ttl, NULL);
      else
        {
          g_autoptr(GAsyncResult) result = NULL;
          g_autoptr(GObject) source = NULL;

          g_async_initable_new_async (FC_TYPE_CLUSTER_LOCK_MANAGER, G_PRIORITY_DEFAULT, NULL,
                                      cluster_new_cb, &result,
                                      "endpoints", unreachable, "lease-ttl", ttl, NULL);
          while (result == NULL)
            g_main_context_iteration (NULL, TRUE);
          source = g_async_result_get_source_object (result);
          manager = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, &error);
        }
      g_assert_null (manager);
      g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
      assert_good_message (error->message);
    }
}

static void
run_cluster_ttl_nan (gconstpointer data)
{
  g_autoptr(FcClusterLockManager) manager = NULL;
  double got = 0;

  manager = g_object_new (FC_TYPE_CLUSTER_LOCK_MANAGER, "endpoints", unreachable, "lease-ttl", NAN, NULL);
  g_object_get (manager, "lease-ttl", &got, NULL);
  g_assert_cmpfloat (got, ==, 10.0);
}
#endif

#define ADD_EACH(paths, fmt, build, run, expect) \
  for (guint k = 0; k < G_N_ELEMENTS (paths); k++) \
    { \
      g_autofree char *path = g_strdup_printf (fmt, paths[k]); \
      add_case (path, run, build, expect); \
    }

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Every failing case is listed, not just the first. */
  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();

  g_test_add_func ("/bad-input/table-is-complete", test_table_is_complete);

  for (guint i = 0; i < G_N_ELEMENTS (public_functions); i++)
    {
      const PublicFunction *f = &public_functions[i];
      g_autofree char *null_path = g_strdup_printf ("/bad-input/first-null/%s", f->name);
      g_autofree char *type_path = g_strdup_printf ("/bad-input/first-wrong-type/%s", f->name);

      if (f->first == FIRST_PLAIN)
        add_case (null_path, run_first_null, f, EXPECT_CLEAN);
      if (f->first & FIRST_NULL)
        add_case (null_path, run_first_null, f, EXPECT_CRITICAL);
      if (f->first & FIRST_TYPE)
        add_case (type_path, run_first_wrong_type, f, EXPECT_CRITICAL);
    }

  for (guint i = 0; i < G_N_ELEMENTS (string_sinks); i++)
    add_sink_cases ("string", string_sinks[i].path, &string_sinks[i], string_sinks[i].want,
                    string_paths, N_STRINGS, run_string);
  for (guint i = 0; i < G_N_ELEMENTS (timeout_sinks); i++)
    add_sink_cases ("timeout", timeout_sinks[i].path, &timeout_sinks[i], timeout_sinks[i].want,
                    timeout_paths, N_TIMEOUTS, run_timeout);
  for (guint i = 0; i < G_N_ELEMENTS (list_sinks); i++)
    add_sink_cases ("names", list_sinks[i].path, &list_sinks[i], NULL,
                    list_paths, N_LISTS, run_list);

#if FC_HAVE_CLUSTER
  for (guint i = 0; i < G_N_ELEMENTS (cluster_new_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bad-input/cluster-new/%s", cluster_new_cases[i].path);

      add_case (path, run_cluster_new, &cluster_new_cases[i], EXPECT_CLEAN);
    }
  ADD_EACH (ttl_paths, "/bad-input/cluster-new/lease-ttl/%s", GINT_TO_POINTER (k), run_cluster_ttl,
            EXPECT_CLEAN);
  add_case ("/bad-input/cluster-new/lease-ttl/nan", run_cluster_ttl_nan, NULL, EXPECT_WARNING);
#endif

  add_case ("/bad-input/orders/int-min-max", run_orders, NULL, EXPECT_CLEAN);
  add_case ("/bad-input/orders/int-min-max-async", run_orders_async, NULL, EXPECT_CLEAN);

  add_case ("/bad-input/release/twice", run_release_twice, NULL, EXPECT_CLEAN);
  add_case ("/bad-input/release/wrong-thread", run_release_wrong_thread, NULL, EXPECT_CRITICAL);
  add_case ("/bad-input/release/unref-wrong-thread", run_unref_wrong_thread, NULL, EXPECT_CRITICAL);
  add_case ("/bad-input/release/unlock-not-held", run_unlock_not_held, NULL, EXPECT_CRITICAL);
  add_case ("/bad-input/release/unlock-wrong-thread", run_unlock_wrong_thread, NULL, EXPECT_CRITICAL);
  add_case ("/bad-input/release/async-twice", run_async_release, GINT_TO_POINTER (FALSE), EXPECT_CLEAN);
  add_case ("/bad-input/release/async-other-thread", run_async_release, GINT_TO_POINTER (TRUE),
            EXPECT_CLEAN);

  add_case ("/bad-input/manager-gone/guard-released", run_manager_gone_guard, GINT_TO_POINTER (FALSE),
            EXPECT_CLEAN);
  add_case ("/bad-input/manager-gone/guard-unreffed", run_manager_gone_guard, GINT_TO_POINTER (TRUE),
            EXPECT_CLEAN);
  add_case ("/bad-input/manager-gone/lock-free", run_manager_gone_lock, GINT_TO_POINTER (FALSE),
            EXPECT_CLEAN);
  add_case ("/bad-input/manager-gone/lock-held", run_manager_gone_lock, GINT_TO_POINTER (TRUE),
            EXPECT_CLEAN);
  add_case ("/bad-input/manager-gone/async-guard", run_manager_gone_async, NULL, EXPECT_CLEAN);
  add_case ("/bad-input/cancelled/async-acquire", run_async_cancelled, GINT_TO_POINTER (FALSE),
            EXPECT_CLEAN);
  add_case ("/bad-input/cancelled/async-guard-acquire-released-parent", run_async_cancelled,
            GINT_TO_POINTER (TRUE), EXPECT_CLEAN);

  ADD_EACH (finish_paths, "/bad-input/finish-foreign-result/%s", finish_paths[k], run_finish_foreign,
            EXPECT_CRITICAL);
  ADD_EACH (report_paths, "/bad-input/gather-report/%s", report_paths[k], run_gather_report,
            EXPECT_CRITICAL);
  add_case ("/bad-input/gather-wait/no-slots", run_gather_no_slots, NULL, EXPECT_CLEAN);
  add_case ("/bad-input/run/reports-twice", run_run_reports_twice, NULL, EXPECT_CRITICAL);
  add_case ("/bad-input/error-already-set", run_error_already_set, NULL, EXPECT_CRITICAL);
  add_case ("/bad-input/register-lock/lock-of-another-manager", run_register_lock_twice, NULL,
            EXPECT_CLEAN);
  add_case ("/bad-input/register-lock/lock-of-wrong-type", run_register_lock_wrong_type, NULL,
            EXPECT_CRITICAL);

  return g_test_run ();
}
