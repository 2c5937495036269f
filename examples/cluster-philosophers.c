/* cluster-philosophers.c — the dining philosophers as five processes around
 * one etcd, with FcClusterLockManager: each fork is a lock of the cluster,
 * each philosopher a process with a manager (and a session lease) of its
 * own. The dinner shows a live table of who holds which fork, read from
 * the cluster with fc_cluster_lock_manager_get_lock_status_sync(); midway
 * it kills one philosopher with SIGKILL in the middle of a meal, and shows
 * the forks coming back once the dead process's lease expires.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * examples/cluster-philosophers.sh runs it beside a throwaway etcd. By hand:
 *
 *   bash examples/start-etcd.sh -- ./cluster-philosophers --seconds 20
 *
 * Options: --endpoints (default $FC_ETCD_ENDPOINTS), --seconds (how long
 * dinner lasts, default 20), --lease-ttl (each philosopher's lease, default
 * 2 s: how long the forks of a dead one stay taken). Exits 0 when the
 * killed philosopher's forks came back and everyone else ate.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <foundation-concurrency.h>

#define N 5
#define PREFIX "/cluster-philosophers/"

static char *opt_endpoints;
static int opt_seconds = 20;
static double opt_lease_ttl = 2.0;
static int opt_philosopher = -1;

static const GOptionEntry entries[] = {
  { "endpoints", 0, 0, G_OPTION_ARG_STRING, &opt_endpoints, "etcd client URLs, comma-separated (default $FC_ETCD_ENDPOINTS)", "URLS" },
  { "seconds", 0, 0, G_OPTION_ARG_INT, &opt_seconds, "How long dinner lasts (default 20)", "S" },
  { "lease-ttl", 0, 0, G_OPTION_ARG_DOUBLE, &opt_lease_ttl, "Each philosopher's lease in seconds (default 2)", "S" },
  { "philosopher", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt_philosopher, "Be philosopher N (the dinner starts them)", "N" },
  { NULL }
};

static char *
fork_name (int i)
{
  return g_strdup_printf ("fork-%d", (i + N) % N);
}

static FcClusterLockManager *
join_table (const char * const *endpoints,
            const char         *identity,
            GError            **error)
{
  g_autoptr(FcClusterLockManager) manager =
    g_initable_new (FC_TYPE_CLUSTER_LOCK_MANAGER, NULL, error,
                    "endpoints", endpoints,
                    "prefix", PREFIX,
                    "lease-ttl", opt_lease_ttl,
                    "identity", identity,
                    NULL);

  if (manager == NULL)
    return NULL;
  /* Every process registers the same forks with the same orders. */
  for (int i = 0; i < N; i++)
    {
      g_autofree char *name = fork_name (i);

      if (!fc_cluster_lock_manager_register_lock_sync (manager, name, i + 1, "a fork", NULL, error))
        return NULL;
    }
  return g_steal_pointer (&manager);
}

/* --- One philosopher: think, take both forks, eat, put them back --------- */

static int
philosopher (const char * const *endpoints,
             int                 seat)
{
  g_autofree char *identity = g_strdup_printf ("philosopher-%d", seat);
  g_autofree char *left = fork_name (seat);
  g_autofree char *right = fork_name (seat + 1);
  const char *forks[] = { left, right, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockManager) manager = NULL;

  /* Dies with the dinner, should the dinner die first. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  manager = join_table (endpoints, identity, &error);
  if (manager == NULL)
    {
      g_printerr ("%s: %s\n", identity, error->message);
      return 1;
    }

  for (;;)
    {
      g_autoptr(FcClusterLockGuard) guard = NULL;

      g_usleep (g_random_int_range (100, 400) * 1000);  /* thinking */
      guard = fc_cluster_lock_manager_acquire_sync (manager, forks, 30, NULL, &error);
      if (guard == NULL)
        {
          g_printerr ("%s: %s\n", identity, error->message);
          return 1;
        }
      /* What eating writes would carry this token, so that a plate could
       * refuse a philosopher who lost his forks. */
      g_usleep (g_random_int_range (300, 800) * 1000);  /* eating */
      if (!fc_cluster_lock_guard_release_sync (guard, NULL, &error))
        {
          g_printerr ("%s: %s\n", identity, error->message);
          return 1;
        }
    }
}

/* --- The dinner ----------------------------------------------------------- */

/* Which fork each philosopher holds now: holder[i] is the identity holding
 * fork i, or NULL. */
static gboolean
read_table (FcClusterLockManager *manager,
            char                 *holder[N],
            GError              **error)
{
  g_autoptr(GVariant) status = fc_cluster_lock_manager_get_lock_status_sync (manager, NULL, error);

  if (status == NULL)
    return FALSE;
  for (int i = 0; i < N; i++)
    {
      g_autofree char *name = fork_name (i);
      g_autoptr(GVariant) entry = g_variant_lookup_value (status, name, G_VARIANT_TYPE_VARDICT);
      g_autoptr(GVariant) owner = entry != NULL ? g_variant_lookup_value (entry, "owner", NULL) : NULL;

      g_clear_pointer (&holder[i], g_free);
      /* "owner" is a maybe string: nothing inside while the fork is free. */
      if (owner != NULL && g_variant_is_of_type (owner, G_VARIANT_TYPE ("ms")))
        g_variant_get (owner, "ms", &holder[i]);
      else if (owner != NULL && g_variant_is_of_type (owner, G_VARIANT_TYPE_STRING))
        holder[i] = g_variant_dup_string (owner, NULL);
    }
  return TRUE;
}

static void
print_table (double  t,
             char   *holder[N],
             int     killed)
{
  printf ("%5.1fs ", t);
  for (int i = 0; i < N; i++)
    {
      const char *who = holder[i];

      /* philosopher-3 shows as P3. */
      if (who != NULL && g_str_has_prefix (who, "philosopher-"))
        printf ("  fork-%d: P%-3s", i, who + strlen ("philosopher-"));
      else
        printf ("  fork-%d: %-4s", i, who != NULL ? who : "-");
    }
  if (killed >= 0)
    printf ("  (philosopher-%d killed)", killed);
  printf ("\n");
  fflush (stdout);
}

static int
dinner (const char * const *endpoints)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *endpoints_arg = g_strjoinv (",", (char **) endpoints);
  g_autofree char *ttl_arg = g_strdup_printf ("%g", opt_lease_ttl);
  g_autoptr(GError) error = NULL;
  g_autoptr(FcClusterLockManager) waiter = NULL;
  GSubprocess *seats[N] = { NULL };
  char *holder[N] = { NULL };
  gint64 start, end, killed_at = 0, recovered_at = 0;
  int killed = -1;
  int status = 1;

  waiter = join_table (endpoints, "the waiter", &error);
  if (waiter == NULL)
    {
      g_printerr ("cluster-philosophers: %s\n", error->message);
      return 1;
    }

  for (int i = 0; i < N; i++)
    {
      g_autofree char *seat = g_strdup_printf ("%d", i);

      seats[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self,
                                   "--philosopher", seat, "--endpoints", endpoints_arg,
                                   "--lease-ttl", ttl_arg, NULL);
      if (seats[i] == NULL)
        {
          g_printerr ("cluster-philosophers: %s\n", error->message);
          goto out;
        }
    }
  printf ("Five philosophers, five processes, %d s; forks are locks in etcd at %s.\n"
          "Each philosopher's lease is %g s. Who holds which fork (Pn: philosopher-n):\n",
          opt_seconds, endpoints_arg, opt_lease_ttl);

  start = g_get_monotonic_time ();
  end = start + (gint64) opt_seconds * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end || (killed >= 0 && recovered_at == 0))
    {
      gint64 now = g_get_monotonic_time ();
      double t = (double) (now - start) / G_USEC_PER_SEC;

      if (!read_table (waiter, holder, &error))
        {
          g_printerr ("cluster-philosophers: %s\n", error->message);
          goto out;
        }
      print_table (t, holder, killed);

      /* A third of the way in: kill whoever is eating, mid-meal. */
      if (killed < 0 && now - start >= (end - start) / 3)
        for (int i = 0; i < N && killed < 0; i++)
          if (holder[i] != NULL && g_str_has_prefix (holder[i], "philosopher-"))
            {
              killed = atoi (holder[i] + strlen ("philosopher-"));
              g_subprocess_force_exit (seats[killed]);
              killed_at = g_get_monotonic_time ();
              printf ("*** SIGKILL to philosopher-%d, mid-meal: its forks stay taken until its "
                      "lease expires (%g s)\n", killed, opt_lease_ttl);
            }

      /* Back once no fork is the dead one's any more. */
      if (killed >= 0 && recovered_at == 0)
        {
          g_autofree char *dead = g_strdup_printf ("philosopher-%d", killed);
          gboolean any = FALSE;

          for (int i = 0; i < N; i++)
            any = any || g_strcmp0 (holder[i], dead) == 0;
          if (!any)
            {
              recovered_at = g_get_monotonic_time ();
              printf ("*** Recovered: philosopher-%d's forks came back %.1f s after the kill\n",
                      killed, (double) (recovered_at - killed_at) / G_USEC_PER_SEC);
            }
          else if (now - killed_at > (gint64) (opt_lease_ttl + 30) * G_USEC_PER_SEC)
            {
              printf ("*** philosopher-%d's forks never came back\n", killed);
              goto out;
            }
        }
      g_usleep (250 * 1000);
    }

  /* Everyone else is still at the table. */
  status = 0;
  for (int i = 0; i < N; i++)
    if (i != killed && g_subprocess_get_identifier (seats[i]) == NULL)
      {
        printf ("philosopher-%d left the table early\n", i);
        status = 1;
      }
  if (status == 0)
    printf ("Dinner is over.\n");

out:
  for (int i = 0; i < N; i++)
    {
      if (seats[i] == NULL)
        continue;
      g_subprocess_force_exit (seats[i]);
      g_subprocess_wait (seats[i], NULL, NULL);
      g_object_unref (seats[i]);
    }
  for (int i = 0; i < N; i++)
    g_free (holder[i]);
  fc_cluster_lock_manager_close_sync (waiter, NULL, NULL);
  return status;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- dining philosophers across processes");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) endpoints = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_endpoints == NULL)
    opt_endpoints = g_strdup (g_getenv ("FC_ETCD_ENDPOINTS"));
  if (opt_endpoints == NULL)
    {
      g_printerr ("cluster-philosophers: no etcd: give --endpoints or set FC_ETCD_ENDPOINTS "
                  "(or run examples/cluster-philosophers.sh)\n");
      return 2;
    }
  endpoints = g_strsplit (opt_endpoints, ",", -1);

  if (opt_philosopher >= 0)
    return philosopher ((const char * const *) endpoints, opt_philosopher % N);
  return dinner ((const char * const *) endpoints);
}
