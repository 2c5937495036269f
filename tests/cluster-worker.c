/* cluster-worker.c — one process of the multi-process cluster tests
 * (test-cluster-processes.c): an FcClusterLockManager of its own against the
 * cluster the test started, doing one thing and saying what it did on
 * stdout, one line at a time (flushed), for the test to read.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   cluster-worker MODE --endpoints URL[,URL…] --prefix P [--lease-ttl S]
 *                       [--identity ID] [--names a,b] [--timeout S] …
 *
 * Every mode first registers the names of --register (default: --names and
 * --then) with orders 1, 2, … in the order given, so that every worker of a
 * test agrees on them, and prints "ready".
 *
 *   stress   --iterations N --seed S --file F: N times, acquires a random
 *            non-empty subset of --names; while holding, appends
 *            "enter LOCK PID TOKEN" for each lock to F (O_APPEND, one
 *            write(2) per record), sleeps a little, appends "leave LOCK PID
 *            TOKEN", then releases. Prints "token LOCK TOKEN" per lock taken.
 *   hold     acquires --names, prints "acquired TOKEN MONOTONIC_US", then
 *            holds until stdin closes (or the process is killed); releases.
 *   acquire  prints "waiting", acquires --names within --timeout, prints
 *            "acquired TOKEN MONOTONIC_US", releases.
 *   sequence acquires --names, prints "first TOKEN"; with --wait-go, waits
 *            for a line on stdin; then acquires --then, nested in the first
 *            guard, or with --separate as a guard of its own (another chain
 *            of the same process: the order rule does not apply), prints
 *            "then TOKEN", releases both.
 *
 * An error prints "error DOMAIN CODE MESSAGE" and exits 1. Monotonic times
 * are g_get_monotonic_time(): CLOCK_MONOTONIC, the same in every process of
 * the machine.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <foundation-concurrency.h>

static char *opt_endpoints;
static char *opt_prefix;
static double opt_lease_ttl = 10;
static char *opt_identity;
static char *opt_names;
static char *opt_then;
static char *opt_register;
static double opt_timeout = 60;
static int opt_iterations = 200;
static gint64 opt_seed;
static char *opt_file;
static gboolean opt_separate;
static gboolean opt_wait_go;

static const GOptionEntry entries[] = {
  { "endpoints", 0, 0, G_OPTION_ARG_STRING, &opt_endpoints, "Client URLs, comma-separated (default $FC_ETCD_ENDPOINTS)", "URLS" },
  { "prefix", 0, 0, G_OPTION_ARG_STRING, &opt_prefix, "Key prefix", "P" },
  { "lease-ttl", 0, 0, G_OPTION_ARG_DOUBLE, &opt_lease_ttl, "Session lease TTL", "S" },
  { "identity", 0, 0, G_OPTION_ARG_STRING, &opt_identity, "Owner identity", "ID" },
  { "names", 0, 0, G_OPTION_ARG_STRING, &opt_names, "Locks, comma-separated", "a,b" },
  { "then", 0, 0, G_OPTION_ARG_STRING, &opt_then, "Locks of the second step (sequence)", "a,b" },
  { "register", 0, 0, G_OPTION_ARG_STRING, &opt_register, "Locks to register, in order", "a,b" },
  { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout, "Acquisition timeout", "S" },
  { "iterations", 0, 0, G_OPTION_ARG_INT, &opt_iterations, "Acquisitions (stress)", "N" },
  { "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, "Random seed (stress)", "S" },
  { "file", 0, 0, G_OPTION_ARG_FILENAME, &opt_file, "Shared record file (stress)", "F" },
  { "separate", 0, 0, G_OPTION_ARG_NONE, &opt_separate, "Take --then as a guard of its own (sequence)", NULL },
  { "wait-go", 0, 0, G_OPTION_ARG_NONE, &opt_wait_go, "Wait for a line on stdin before --then (sequence)", NULL },
  { NULL }
};

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static int
fail (const GError *error)
{
  say ("error %s %d %s", g_quark_to_string (error->domain), error->code, error->message);
  return 1;
}

static char **
split_names (const char *list)
{
  if (list == NULL || list[0] == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (list, ",", -1);
}

/* One record of the shared file, in one write(2): with O_APPEND the records
 * of every process land whole and in the order they happened. */
static gboolean
append_record (int         fd,
               const char *what,
               const char *lock,
               guint64     token,
               GError    **error)
{
  g_autofree char *line = g_strdup_printf ("%s %s %d %" G_GUINT64_FORMAT "\n",
                                           what, lock, (int) getpid (), token);
  gssize len = (gssize) strlen (line);

  if (write (fd, line, len) != len)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "write: %s", g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static int
run_stress (FcClusterLockManager *manager,
            char                **names)
{
  guint n_names = g_strv_length (names);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) opt_seed);
  g_autoptr(GError) error = NULL;
  int fd;

  if (opt_file == NULL || n_names == 0)
    {
      g_printerr ("stress needs --file and --names\n");
      return 2;
    }
  fd = open (opt_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s",
                   opt_file, g_strerror (errno));
      return fail (error);
    }

  for (int i = 0; i < opt_iterations; i++)
    {
      g_autoptr(GPtrArray) set = g_ptr_array_new ();
      g_autoptr(FcClusterLockGuard) guard = NULL;
      guint mask = 0;
      guint64 token;

      while (mask == 0)
        mask = (guint) g_rand_int_range (rand, 0, 1 << n_names);
      /* Names in a shuffled order: the manager sorts them. */
      for (guint k = 0; k < n_names; k++)
        if (mask & (1u << k))
          g_ptr_array_insert (set, g_rand_int_range (rand, 0, (gint32) set->len + 1), names[k]);
      g_ptr_array_add (set, NULL);

      guard = fc_cluster_lock_manager_acquire_sync (manager, (const char * const *) set->pdata,
                                                    opt_timeout, NULL, &error);
      if (guard == NULL)
        break;
      token = fc_cluster_lock_guard_get_fencing_token (guard);
      for (guint k = 0; set->pdata[k] != NULL && error == NULL; k++)
        append_record (fd, "enter", set->pdata[k], token, &error);
      if (error == NULL)
        g_usleep (g_rand_int_range (rand, 0, 2000));
      for (guint k = 0; set->pdata[k] != NULL && error == NULL; k++)
        {
          append_record (fd, "leave", set->pdata[k], token, &error);
          say ("token %s %" G_GUINT64_FORMAT, (char *) set->pdata[k], token);
        }
      if (error != NULL)
        break;
      if (!fc_cluster_lock_guard_release_sync (guard, NULL, &error))
        break;
    }
  close (fd);
  if (error != NULL)
    return fail (error);
  say ("done");
  return 0;
}

/* Until stdin closes (the test's end of the pipe), or a line arrives. */
static void
read_line_from_stdin (void)
{
  char buf[64];

  if (fgets (buf, sizeof buf, stdin) == NULL)
    return;
}

static int
run_hold (FcClusterLockManager *manager,
          char                **names)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockGuard) guard =
    fc_cluster_lock_manager_acquire_sync (manager, (const char * const *) names, opt_timeout,
                                          NULL, &error);

  if (guard == NULL)
    return fail (error);
  say ("acquired %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT,
       fc_cluster_lock_guard_get_fencing_token (guard), g_get_monotonic_time ());
  read_line_from_stdin ();
  if (!fc_cluster_lock_guard_release_sync (guard, NULL, &error))
    return fail (error);
  say ("released");
  return 0;
}

static int
run_acquire (FcClusterLockManager *manager,
             char                **names)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockGuard) guard = NULL;

  say ("waiting");
  guard = fc_cluster_lock_manager_acquire_sync (manager, (const char * const *) names,
                                                opt_timeout, NULL, &error);
  if (guard == NULL)
    return fail (error);
  say ("acquired %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT,
       fc_cluster_lock_guard_get_fencing_token (guard), g_get_monotonic_time ());
  if (!fc_cluster_lock_guard_release_sync (guard, NULL, &error))
    return fail (error);
  say ("released");
  return 0;
}

static int
run_sequence (FcClusterLockManager *manager,
              char                **names)
{
  g_auto(GStrv) then = split_names (opt_then);
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockGuard) first = NULL;
  g_autoptr(FcClusterLockGuard) second = NULL;

  first = fc_cluster_lock_manager_acquire_sync (manager, (const char * const *) names,
                                                opt_timeout, NULL, &error);
  if (first == NULL)
    return fail (error);
  say ("first %" G_GUINT64_FORMAT, fc_cluster_lock_guard_get_fencing_token (first));
  if (opt_wait_go)
    read_line_from_stdin ();

  if (opt_separate)
    second = fc_cluster_lock_manager_acquire_sync (manager, (const char * const *) then,
                                                   opt_timeout, NULL, &error);
  else
    second = fc_cluster_lock_guard_acquire_sync (first, (const char * const *) then,
                                                 opt_timeout, NULL, &error);
  if (second == NULL)
    return fail (error);
  say ("then %" G_GUINT64_FORMAT, fc_cluster_lock_guard_get_fencing_token (second));

  if (!fc_cluster_lock_guard_release_sync (second, NULL, &error) ||
      !fc_cluster_lock_guard_release_sync (first, NULL, &error))
    return fail (error);
  say ("released");
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("stress|hold|acquire|sequence");
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockManager) manager = NULL;
  g_auto(GStrv) endpoints = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) to_register = NULL;
  const char *mode;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "one MODE expected");
      return 2;
    }
  mode = argv[1];
  if (opt_endpoints == NULL)
    opt_endpoints = g_strdup (g_getenv ("FC_ETCD_ENDPOINTS"));
  if (opt_endpoints == NULL || opt_prefix == NULL)
    {
      g_printerr ("--endpoints (or $FC_ETCD_ENDPOINTS) and --prefix are needed\n");
      return 2;
    }

  endpoints = g_strsplit (opt_endpoints, ",", -1);
  names = split_names (opt_names);
  if (opt_register != NULL)
    to_register = split_names (opt_register);
  else
    {
      g_autofree char *all = opt_then != NULL ? g_strjoin (",", opt_names, opt_then, NULL)
                                              : g_strdup (opt_names);

      to_register = split_names (all);
    }

  manager = g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, &error,
                            "endpoints", endpoints,
                            "prefix", opt_prefix,
                            "lease-ttl", opt_lease_ttl,
                            opt_identity != NULL ? "identity" : NULL, opt_identity,
                            NULL);
  if (manager == NULL)
    return fail (error);
  for (guint i = 0; to_register[i] != NULL; i++)
    if (!fc_cluster_lock_manager_register_lock_sync (manager, to_register[i], (int) i + 1, NULL,
                                                     NULL, &error))
      return fail (error);
  say ("ready");

  if (g_str_equal (mode, "stress"))
    status = run_stress (manager, names);
  else if (g_str_equal (mode, "hold"))
    status = run_hold (manager, names);
  else if (g_str_equal (mode, "acquire"))
    status = run_acquire (manager, names);
  else if (g_str_equal (mode, "sequence"))
    status = run_sequence (manager, names);
  else
    {
      g_printerr ("unknown mode '%s'\n", mode);
      return 2;
    }

  if (!fc_cluster_lock_manager_close_sync (manager, NULL, &error) && status == 0)
    return fail (error);
  return status;
}
