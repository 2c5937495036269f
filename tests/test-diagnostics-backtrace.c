/* test-diagnostics-backtrace.c — with FC_DEBUG=backtrace each order edge
 * keeps where it was first made: in the message, the structured report
 * (`stacks`) and the DOT tooltips. A program of its own: FC_DEBUG is read
 * once per process.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "diagnostics-test-util.h"

static void
test_stacks (void)
{
  const char *names[] = { "bt.a", "bt.b", NULL };
  g_autoptr(FcLockManager) manager = diag_make_manager (names);
  g_autoptr(GVariant) entry = NULL;
  g_autofree const char **stacks = NULL;
  g_autofree char *dot = NULL;
  g_auto(GStrv) lines = NULL;

  diag_run ("bt-1", manager, "bt.a", "bt.b", NULL);
  diag_run ("bt-2", manager, "bt.b", "bt.a", NULL);

  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_test_message ("%s", lines[0]);
  g_assert_nonnull (strstr (lines[0], "bt.a -> bt.b first taken at:\n    "));
  g_assert_nonnull (strstr (lines[0], "bt.b -> bt.a first taken at:\n    "));
  g_assert_nonnull (strstr (lines[0], "fc_lock_lock+0x"));

  entry = diag_report_entry (manager, 0);
  g_assert_true (g_variant_lookup (entry, "stacks", "^a&s", &stacks));
  g_assert_cmpuint (g_strv_length ((char **) stacks), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_nonnull (strstr (stacks[i], "fc_lock_lock+0x"));
      /* The caller's own frames, not the library's learning path. */
      g_assert_false (g_str_has_prefix (stacks[i], "fc_dep_"));
      g_assert_null (strstr (stacks[i], "fc_lockdep_note_acquire_slow"));
    }

  dot = fc_lock_manager_dump_order_graph (manager);
  g_assert_nonnull (strstr (dot, "tooltip=\"bt-1:\\nfc_lock_lock+0x"));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("FC_DEBUG", "backtrace", TRUE);
  g_test_init (&argc, &argv, NULL);
  diag_init ();

  g_test_add_func ("/diagnostics-backtrace/stacks", test_stacks);

  return g_test_run ();
}
