/* etcd-cluster-run.c — runs a command beside a real etcd cluster, for the
 * tests that are not C (Python, gjs) and cannot use etcd-fixture.h.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   etcd-cluster-run N -- COMMAND [ARG…]
 *
 * Starts N members with the fixture, runs COMMAND with FC_ETCD_ENDPOINTS
 * (the client URLs, comma-separated) and FC_ETCD_PIDS (the members' process
 * ids in the same order, for SIGSTOP/SIGCONT) set, then stops the cluster and
 * removes its data. Exits with COMMAND's status (128 + the signal if one
 * ended it), 77 when no etcd is installed, 1 when the cluster did not start.
 */

#include <stdlib.h>

#include "etcd-fixture.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FcTestEtcd) etcd = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) command = NULL;
  g_autoptr(GString) pids = g_string_new (NULL);
  g_autofree char *endpoints = NULL;
  guint64 n_members;
  guint i;

  if (argc < 4 || g_strcmp0 (argv[2], "--") != 0 ||
      !g_ascii_string_to_unsigned (argv[1], 10, 1, 9, &n_members, NULL))
    {
      g_printerr ("Usage: %s N -- COMMAND [ARG...]   (1 <= N <= 9)\n", argv[0]);
      return 2;
    }

  etcd = fc_test_etcd_start ((guint) n_members, &error);
  if (g_error_matches (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_NOT_INSTALLED))
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      return 77;
    }
  if (etcd == NULL)
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      return 1;
    }

  endpoints = fc_test_etcd_dup_endpoints_string (etcd);
  for (i = 0; i < n_members; i++)
    g_string_append_printf (pids, "%s%d", i > 0 ? "," : "", (int) fc_test_etcd_get_pid (etcd, i));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_setenv (launcher, "FC_ETCD_ENDPOINTS", endpoints, TRUE);
  g_subprocess_launcher_setenv (launcher, "FC_ETCD_PIDS", pids->str, TRUE);
  command = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv + 3, &error);
  if (command == NULL)
    {
      g_printerr ("%s: %s\n", argv[0], error->message);
      return 127;
    }
  g_subprocess_wait (command, NULL, NULL);

  if (g_subprocess_get_if_signaled (command))
    return 128 + g_subprocess_get_term_sig (command);
  return g_subprocess_get_exit_status (command);
}
