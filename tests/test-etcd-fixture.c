/* test-etcd-fixture.c — the etcd cluster fixture does what the cluster tests
 * rely on: a healthy cluster, failures on demand, nothing left behind.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "etcd-fixture.h"

/* Bounds on things that must happen (a leader election, a cleanup), far
 * above what they take: a failure means they did not happen. */
#define RECOVERY_SECONDS 20
#define CLEANUP_SECONDS 20

/* Whether @pid is running with @dir in its command line: one of our members,
 * not another process that was given a reused pid. */
static gboolean
pid_is_ours (GPid        pid,
             const char *dir)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  g_autofree char *cmdline = NULL;
  gsize len, i;

  if (!g_file_get_contents (path, &cmdline, &len, NULL))
    return FALSE;
  for (i = 0; i + 1 < len; i++)
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  return strstr (cmdline, dir) != NULL;
}

/* The etcd the fixture would run, or %NULL. */
static char *
find_etcd (void)
{
  const char *binary = g_getenv ("FC_TEST_ETCD_BINARY");

  return g_find_program_in_path (binary != NULL ? binary : "etcd");
}

static void
assert_put_and_count_everywhere (FcTestEtcd *etcd,
                                 const char *prefix)
{
  guint n = fc_test_etcd_get_n_members (etcd);
  guint i, j;

  for (i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s%u", prefix, i);
      g_autofree char *value = g_strdup_printf ("value %u", i);
      g_autoptr(GError) error = NULL;

      fc_test_etcd_put (etcd, i, key, value, &error);
      g_assert_no_error (error);
    }
  for (j = 0; j < n; j++)
    {
      g_autoptr(GError) error = NULL;
      guint count = 0;

      fc_test_etcd_count_keys_full (etcd, j, prefix, &count, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count, ==, n);

      for (i = 0; i < n; i++)
        {
          g_autofree char *key = g_strdup_printf ("%s%u", prefix, i);
          g_autofree char *expected = g_strdup_printf ("value %u", i);
          g_autofree char *value = fc_test_etcd_get (etcd, j, key, &error);

          g_assert_no_error (error);
          g_assert_cmpstr (value, ==, expected);
        }
    }
}

static void
test_start (void)
{
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start_or_skip (3);
  const char * const *endpoints;
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *missing = NULL;
  guint i;

  if (etcd == NULL)
    return;

  g_assert_cmpuint (fc_test_etcd_get_n_members (etcd), ==, 3);
  endpoints = fc_test_etcd_get_endpoints (etcd);
  g_assert_cmpuint (g_strv_length ((char **) endpoints), ==, 3);
  for (i = 0; i < 3; i++)
    {
      g_assert_true (g_str_has_prefix (endpoints[i], "http://127.0.0.1:"));
      g_assert_cmpstr (fc_test_etcd_get_endpoint (etcd, i), ==, endpoints[i]);
      g_assert_cmpint (fc_test_etcd_get_pid (etcd, i), >, 0);
      g_assert_true (pid_is_ours (fc_test_etcd_get_pid (etcd, i), fc_test_etcd_get_dir (etcd)));
    }
  g_assert_cmpstr (endpoints[0], !=, endpoints[1]);
  g_assert_cmpstr (endpoints[1], !=, endpoints[2]);
  joined = fc_test_etcd_dup_endpoints_string (etcd);
  g_assert_nonnull (strchr (joined, ','));

  assert_put_and_count_everywhere (etcd, "fixture/start/");
  /* A prefix counts only its own keys; "" counts every key. */
  g_assert_cmpuint (fc_test_etcd_count_keys (etcd, "fixture/start/1"), ==, 1);
  g_assert_cmpuint (fc_test_etcd_count_keys (etcd, "fixture/other/"), ==, 0);
  g_assert_cmpuint (fc_test_etcd_count_keys (etcd, ""), ==, 3);
  missing = fc_test_etcd_get (etcd, 0, "fixture/none", &error);
  g_assert_no_error (error);
  g_assert_null (missing);
}

/* A member that exits at once is a clear error quoting its log, with nothing
 * left behind (and no retry: it was no port race). */
static void
test_start_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  FcTestEtcd *etcd;
  const char *start, *end;

  etcd = fc_test_etcd_start_full (3, "false", &error);
  g_assert_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_FAILED);
  g_assert_null (etcd);
  g_assert_nonnull (strstr (error->message, "exited"));
  g_assert_nonnull (strstr (error->message, "--- m0 ("));

  /* The log path, "--- m0 (DIR/m0.log) ---", names the removed directory. */
  start = strstr (error->message, "--- m0 (") + strlen ("--- m0 (");
  end = strstr (start, "/m0.log");
  g_assert_nonnull (end);
  dir = g_strndup (start, end - start);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

/* A member that lost its port to another process (etcd's own words in its
 * log) makes the fixture try again with fresh ports: here a wrapper around
 * etcd fails that way once. */
static void
test_port_race_retried (void)
{
  g_autofree char *etcd_path = find_etcd ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *wrapper = NULL;
  g_autofree char *script = NULL;
  g_autoptr(FcTestEtcd) etcd = NULL;

  if (etcd_path == NULL)
    {
      g_test_skip ("no etcd");
      return;
    }

  tmp = g_dir_make_tmp ("fc-etcd-race-XXXXXX", &error);
  g_assert_no_error (error);
  marker = g_build_filename (tmp, "failed-once", NULL);
  wrapper = g_build_filename (tmp, "etcd", NULL);
  script = g_strdup_printf ("#!/bin/sh\n"
                            "case \"$*\" in *\"--name m1 \"*)\n"
                            "  if [ ! -e '%s' ]; then\n"
                            "    : > '%s'\n"
                            "    echo 'listen tcp 127.0.0.1:1: bind: address already in use' >&2\n"
                            "    exit 1\n"
                            "  fi ;;\n"
                            "esac\n"
                            "exec '%s' \"$@\"\n",
                            marker, marker, etcd_path);
  g_file_set_contents (wrapper, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (wrapper, 0755), ==, 0);

  etcd = fc_test_etcd_start_full (3, wrapper, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  assert_put_and_count_everywhere (etcd, "fixture/race/");

  g_clear_pointer (&etcd, fc_test_etcd_free);
  g_remove (marker);
  g_remove (wrapper);
  g_assert_cmpint (g_rmdir (tmp), ==, 0);
}

static void
test_one_stopped (void)
{
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start_or_skip (3);
  g_autoptr(GError) error = NULL;

  if (etcd == NULL)
    return;

  fc_test_etcd_stop_member (etcd, 0);
  /* Two of three are a quorum: after an election if member 0 led, they
   * serve writes and linearizable reads. */
  fc_test_etcd_put_within (etcd, 1, "fixture/one/1", "a", RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  fc_test_etcd_put_within (etcd, 2, "fixture/one/2", "b", RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fc_test_etcd_count_keys (etcd, "fixture/one/"), ==, 2);

  /* The stopped member answers nothing, within the request bound. */
  fc_test_etcd_set_request_timeout (etcd, 1);
  fc_test_etcd_put (etcd, 0, "fixture/one/0", "c", &error);
  g_assert_nonnull (error);
  g_clear_error (&error);
  fc_test_etcd_set_request_timeout (etcd, FC_TEST_ETCD_REQUEST_SECONDS);

  fc_test_etcd_cont_member (etcd, 0);
  fc_test_etcd_wait_healthy (etcd, RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  fc_test_etcd_put_within (etcd, 0, "fixture/one/0", "c", RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fc_test_etcd_count_keys (etcd, "fixture/one/"), ==, 3);
}

static void
test_two_stopped (void)
{
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start_or_skip (3);
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (etcd == NULL)
    return;

  fc_test_etcd_stop_member (etcd, 0);
  fc_test_etcd_stop_member (etcd, 1);
  /* One of three is no quorum: a write and a linearizable read on the
   * member left fail (an error from etcd, or the request bound). */
  fc_test_etcd_set_request_timeout (etcd, 2);
  fc_test_etcd_put (etcd, 2, "fixture/two/a", "a", &error);
  g_assert_nonnull (error);
  g_test_message ("put without quorum: %s", error->message);
  g_clear_error (&error);
  fc_test_etcd_count_keys_full (etcd, 2, "fixture/two/", &count, &error);
  g_assert_nonnull (error);
  g_clear_error (&error);
  fc_test_etcd_set_request_timeout (etcd, FC_TEST_ETCD_REQUEST_SECONDS);

  fc_test_etcd_cont_member (etcd, 0);
  fc_test_etcd_cont_member (etcd, 1);
  fc_test_etcd_put_within (etcd, 2, "fixture/two/b", "b", RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  fc_test_etcd_wait_healthy (etcd, RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  fc_test_etcd_count_keys_full (etcd, 0, "fixture/two/b", &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1);
}

static void
test_kill_restart (void)
{
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start_or_skip (3);
  g_autoptr(GError) error = NULL;
  guint count = 0;
  GPid pid;

  if (etcd == NULL)
    return;

  pid = fc_test_etcd_get_pid (etcd, 2);
  fc_test_etcd_kill_member (etcd, 2);
  g_assert_cmpint (fc_test_etcd_get_pid (etcd, 2), ==, 0);
  g_assert_false (pid_is_ours (pid, fc_test_etcd_get_dir (etcd)));

  fc_test_etcd_put_within (etcd, 0, "fixture/kill/0", "a", RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fc_test_etcd_count_keys (etcd, "fixture/kill/"), ==, 1);

  /* Back from its data directory, it has the write it missed. */
  fc_test_etcd_restart_member (etcd, 2, &error);
  g_assert_no_error (error);
  fc_test_etcd_wait_healthy (etcd, RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  fc_test_etcd_put_within (etcd, 2, "fixture/kill/2", "b", RECOVERY_SECONDS, &error);
  g_assert_no_error (error);
  fc_test_etcd_count_keys_full (etcd, 2, "fixture/kill/", &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  assert_put_and_count_everywhere (etcd, "fixture/kill/after/");
}

static void
test_free (void)
{
  FcTestEtcd *etcd = fc_test_etcd_start_or_skip (3);
  g_autofree char *dir = NULL;
  GPid pids[3];
  guint i;

  if (etcd == NULL)
    return;

  dir = g_strdup (fc_test_etcd_get_dir (etcd));
  for (i = 0; i < 3; i++)
    pids[i] = fc_test_etcd_get_pid (etcd, i);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  /* A stopped member and a killed one are cleaned up too. */
  fc_test_etcd_stop_member (etcd, 1);
  fc_test_etcd_kill_member (etcd, 2);

  fc_test_etcd_free (etcd);

  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  for (i = 0; i < 3; i++)
    g_assert_false (pid_is_ours (pids[i], dir));
}

static char *
died_report_path (GPid parent)
{
  g_autofree char *name = g_strdup_printf ("fc-etcd-died-%d.txt", (int) parent);

  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* The test process dies by SIGKILL with its cluster running: no free, no
 * atexit. */
static void
test_test_died_subprocess (void)
{
  FcTestEtcd *etcd = fc_test_etcd_start_or_skip (3);
  g_autofree char *report_path = died_report_path (getppid ());
  GString *report = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint i;

  if (etcd == NULL)
    return;
  g_string_append_printf (report, "%s\n", fc_test_etcd_get_dir (etcd));
  for (i = 0; i < 3; i++)
    g_string_append_printf (report, "%d\n", (int) fc_test_etcd_get_pid (etcd, i));
  g_file_set_contents (report_path, report->str, -1, &error);
  g_assert_no_error (error);
  g_string_free (report, TRUE);

  fc_test_etcd_stop_member (etcd, 0);
  kill (getpid (), SIGKILL);
}

static void
test_test_died (void)
{
  g_autofree char *report_path = died_report_path (getpid ());
  g_autofree char *report = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  gboolean gone = FALSE;
  guint i;
  g_autofree char *etcd_path = find_etcd ();

  if (etcd_path == NULL)
    {
      g_test_skip ("no etcd");
      return;
    }

  g_test_trap_subprocess ("/etcd-fixture/test-died/subprocess", 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_failed ();

  g_file_get_contents (report_path, &report, NULL, &error);
  g_assert_no_error (error);
  g_remove (report_path);
  lines = g_strsplit (g_strstrip (report), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], g_get_tmp_dir ()));

  deadline = g_get_monotonic_time () + CLEANUP_SECONDS * G_USEC_PER_SEC;
  while (!gone && g_get_monotonic_time () < deadline)
    {
      gone = !g_file_test (lines[0], G_FILE_TEST_EXISTS);
      for (i = 1; i < 4; i++)
        gone = gone && !pid_is_ours ((GPid) g_ascii_strtoll (lines[i], NULL, 10), lines[0]);
      if (!gone)
        g_usleep (100 * 1000);
    }
  g_assert_false (g_file_test (lines[0], G_FILE_TEST_EXISTS));
  for (i = 1; i < 4; i++)
    g_assert_false (pid_is_ours ((GPid) g_ascii_strtoll (lines[i], NULL, 10), lines[0]));
}

static void
test_not_installed (void)
{
  g_autoptr(GError) error = NULL;
  FcTestEtcd *etcd;

  etcd = fc_test_etcd_start_full (3, "/nonexistent/etcd", &error);
  g_assert_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_NOT_INSTALLED);
  g_assert_null (etcd);
  g_clear_error (&error);

  etcd = fc_test_etcd_start_full (1, "fc-no-such-etcd-program", &error);
  g_assert_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_NOT_INSTALLED);
  g_assert_null (etcd);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/etcd-fixture/not-installed", test_not_installed);
  g_test_add_func ("/etcd-fixture/start", test_start);
  g_test_add_func ("/etcd-fixture/start-fails", test_start_fails);
  g_test_add_func ("/etcd-fixture/port-race-retried", test_port_race_retried);
  g_test_add_func ("/etcd-fixture/one-stopped", test_one_stopped);
  g_test_add_func ("/etcd-fixture/two-stopped", test_two_stopped);
  g_test_add_func ("/etcd-fixture/kill-restart", test_kill_restart);
  g_test_add_func ("/etcd-fixture/free", test_free);
  g_test_add_func ("/etcd-fixture/test-died", test_test_died);
  g_test_add_func ("/etcd-fixture/test-died/subprocess", test_test_died_subprocess);

  return g_test_run ();
}
