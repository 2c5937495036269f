/* test-cluster-processes.c — FcClusterLockManager across processes: worker
 * processes (cluster-worker.c) against a real 3-member etcd cluster, each
 * with a manager and a session lease of its own.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <foundation-concurrency.h>

#include "etcd-fixture.h"

/* Bounds on things that must happen, far above what they take: reaching
 * one means they did not happen. */
#define LINE_SECONDS 120
#define POLL_SECONDS 30

/* The stress test: processes × acquisitions of subsets of the names. */
#define N_WORKERS 4
#define N_ITERATIONS 200
static const char *stress_names = "fork-0,fork-1,fork-2,fork-3,fork-4";

/* The SIGKILL test's holder lease. */
#define SHORT_TTL 2.0

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
  char             *pid;   /* kept: the identifier goes once it exited */
} Worker;

static void
worker_free (Worker *worker)
{
  if (g_subprocess_get_identifier (worker->process) != NULL)  /* still running */
    {
      g_subprocess_force_exit (worker->process);
      fc_test_subprocess_wait (worker->process);
    }
  g_clear_object (&worker->out);
  g_clear_object (&worker->in);
  g_clear_object (&worker->process);
  g_free (worker->pid);
  g_free (worker);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Worker, worker_free)

static void
child_setup (gpointer data)
{
  /* A worker dies with the test, should the test die first. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts cluster-worker @mode against @etcd with @prefix and the further
 * arguments (NULL-terminated). */
static Worker *
worker_start (FcTestEtcd *etcd,
              const char *mode,
              const char *prefix,
              ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Worker *worker = g_new0 (Worker, 1);
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, g_test_build_filename (G_TEST_BUILT, "cluster-worker", NULL));
  g_ptr_array_add (argv, g_strdup (mode));
  g_ptr_array_add (argv, g_strdup ("--endpoints"));
  g_ptr_array_add (argv, fc_test_etcd_dup_endpoints_string (etcd));
  g_ptr_array_add (argv, g_strdup ("--prefix"));
  g_ptr_array_add (argv, g_strdup (prefix));
  va_start (args, prefix);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  worker->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  worker->pid = g_strdup (g_subprocess_get_identifier (worker->process));
  worker->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (worker->process));
  worker->in = g_object_ref (g_subprocess_get_stdin_pipe (worker->process));
  return worker;
}

typedef struct
{
  char    *line;
  GError  *error;
  gboolean done;
} ReadLine;

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  ReadLine *r = data;

  r->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                       NULL, &r->error);
  r->done = TRUE;
  g_main_context_wakeup (NULL);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* The worker's next line; fails the test on EOF or after LINE_SECONDS. */
static char *
worker_read_line (Worker *worker)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (LINE_SECONDS);
  ReadLine r = { NULL, NULL, FALSE };

  g_source_set_callback (timeout, cancel_cb, cancellable, NULL);
  g_source_attach (timeout, NULL);
  g_data_input_stream_read_line_async (worker->out, G_PRIORITY_DEFAULT, cancellable,
                                       read_line_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (timeout);

  g_assert_no_error (r.error);
  if (r.line == NULL)
    g_error ("worker %s: end of output", worker->pid);
  g_test_message ("worker %s: %s", worker->pid, r.line);
  return r.line;
}

/* Reads lines until one starting with @word (and a space or its end);
 * returns what follows. An "error" line fails the test. */
static char *
worker_expect (Worker     *worker,
               const char *word)
{
  gsize len = strlen (word);

  for (;;)
    {
      g_autofree char *line = worker_read_line (worker);

      if (strncmp (line, word, len) == 0 && (line[len] == ' ' || line[len] == '\0'))
        return g_strdup (line + len + (line[len] == ' '));
      if (g_str_has_prefix (line, "error "))
        g_error ("worker %s waiting for '%s': %s", worker->pid, word, line);
    }
}

static void
worker_say (Worker     *worker,
            const char *line)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (worker->in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (worker->in, NULL, &error);
  g_assert_no_error (error);
}

static void
worker_wait_success (Worker *worker)
{
  g_autoptr(GError) error = NULL;

  fc_test_subprocess_wait (worker->process);
  g_assert_true (g_spawn_check_wait_status (g_subprocess_get_status (worker->process), &error));
  g_assert_no_error (error);
}

static FcClusterLockManager *
manager_new (FcTestEtcd *etcd,
             const char *prefix)
{
  g_autoptr(GError) error = NULL;
  FcClusterLockManager *manager =
    fc_cluster_lock_manager_new_sync (fc_test_etcd_get_endpoints (etcd), prefix, NULL, &error);

  g_assert_no_error (error);
  return manager;
}

/* --- 4 processes × 200 acquisitions ------------------------------------- */

typedef struct
{
  GHashTable *holder;       /* lock → "pid token" of the record that entered */
  GHashTable *last_token;   /* lock → guint64 * */
  GHashTable *entered;      /* "lock pid token" set */
  guint       n_enter;
} Ledger;

static void
ledger_init (Ledger *ledger)
{
  ledger->holder = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ledger->last_token = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ledger->entered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ledger->n_enter = 0;
}

static void
ledger_clear (Ledger *ledger)
{
  g_hash_table_unref (ledger->holder);
  g_hash_table_unref (ledger->last_token);
  g_hash_table_unref (ledger->entered);
}

/* Walks the shared file: every lock alternates enter and leave of the same
 * holder (no overlap), and its tokens rise strictly across every process. */
static void
check_ledger (const char *contents,
              Ledger     *ledger)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;
      g_autofree char *who = NULL;
      const char *held;
      guint64 token;
      guint64 *last;

      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], " ", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 4);
      who = g_strdup_printf ("%s %s", f[2], f[3]);
      held = g_hash_table_lookup (ledger->holder, f[1]);
      token = g_ascii_strtoull (f[3], NULL, 10);

      if (g_str_equal (f[0], "enter"))
        {
          if (held != NULL)
            g_error ("record %u: '%s' entered lock %s held by %s", i, lines[i], f[1], held);
          last = g_hash_table_lookup (ledger->last_token, f[1]);
          if (last != NULL && token <= *last)
            g_error ("record %u: token %" G_GUINT64_FORMAT " of lock %s not above %" G_GUINT64_FORMAT,
                     i, token, f[1], *last);
          if (last == NULL)
            {
              last = g_new (guint64, 1);
              g_hash_table_insert (ledger->last_token, g_strdup (f[1]), last);
            }
          *last = token;
          g_hash_table_insert (ledger->holder, g_strdup (f[1]), g_steal_pointer (&who));
          g_hash_table_add (ledger->entered, g_strdup_printf ("%s %s %s", f[1], f[2], f[3]));
          ledger->n_enter++;
        }
      else
        {
          g_assert_cmpstr (f[0], ==, "leave");
          if (g_strcmp0 (held, who) != 0)
            g_error ("record %u: '%s' left lock %s held by %s", i, lines[i], f[1],
                     held != NULL ? held : "nobody");
          g_hash_table_remove (ledger->holder, f[1]);
        }
    }
  g_assert_cmpuint (g_hash_table_size (ledger->holder), ==, 0);
}

static void
test_processes_exclusion (void)
{
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start_or_skip (3);
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *iterations = g_strdup_printf ("%d", N_ITERATIONS);
  g_autoptr(GError) error = NULL;
  Worker *workers[N_WORKERS];
  Ledger ledger;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_free);
  guint n_tokens = 0;

  if (etcd == NULL)
    return;
  ledger_init (&ledger);
  dir = g_dir_make_tmp ("fc-cluster-processes-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (dir, "records", NULL);

  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_autofree char *seed = g_strdup_printf ("%u", g_test_rand_int ());

      workers[i] = worker_start (etcd, "stress", "/processes/",
                                 "--names", stress_names, "--iterations", iterations,
                                 "--seed", seed, "--file", file, "--timeout", "300", NULL);
    }

  /* Every worker's tokens, per lock, rise in its own output too, and each
   * names a record of the file. */
  for (guint i = 0; i < N_WORKERS; i++)
    {
      const char *pid = workers[i]->pid;
      g_autoptr(GHashTable) mine = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_autofree char *out = NULL;
      g_auto(GStrv) lines = NULL;

      g_subprocess_communicate_utf8 (workers[i]->process, NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      if (!g_subprocess_get_if_exited (workers[i]->process) ||
          g_subprocess_get_exit_status (workers[i]->process) != 0)
        g_error ("worker %s failed: %s", pid, out);

      lines = g_strsplit (out, "\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        {
          g_auto(GStrv) f = g_strsplit (lines[j], " ", -1);
          g_autofree char *record = NULL;
          guint64 token, *last;

          if (g_strcmp0 (f[0], "token") != 0)
            continue;
          g_assert_cmpuint (g_strv_length (f), ==, 3);
          token = g_ascii_strtoull (f[2], NULL, 10);
          last = g_hash_table_lookup (mine, f[1]);
          if (last != NULL)
            g_assert_cmpuint (token, >, *last);
          else
            g_hash_table_insert (mine, g_strdup (f[1]), last = g_new (guint64, 1));
          *last = token;
          n_tokens++;
          g_ptr_array_add (records, g_strdup_printf ("%s %s %s", f[1], pid, f[2]));
        }
      worker_free (workers[i]);
    }

  g_file_get_contents (file, &contents, NULL, &error);
  g_assert_no_error (error);
  check_ledger (contents, &ledger);
  g_assert_cmpuint (ledger.n_enter, ==, n_tokens);
  g_assert_cmpuint (n_tokens, >=, N_WORKERS * N_ITERATIONS);
  for (guint j = 0; j < records->len; j++)
    if (!g_hash_table_contains (ledger.entered, records->pdata[j]))
      g_error ("worker's token line '%s' has no record", (char *) records->pdata[j]);

  /* Every key released. */
  g_assert_cmpuint (fc_test_etcd_count_keys (etcd, "/processes/locks/"), ==, 0);

  ledger_clear (&ledger);
  g_unlink (file);
  g_rmdir (dir);
}

/* The ledger check itself catches what it is for: an overlap, a token that
 * does not rise, a leave by another process; and lets a good file pass. */
static void
check_ledger_text (const char *text)
{
  Ledger ledger;

  ledger_init (&ledger);
  check_ledger (text, &ledger);
  ledger_clear (&ledger);
}

typedef struct
{
  const char *text;
  const char *message;
} BadLedger;

static const BadLedger bad_ledgers[] = {
  { "enter a 1 5\nenter a 2 6\nleave a 1 5\nleave a 2 6\n", "*entered lock a held by 1 5*" },
  { "enter a 1 6\nleave a 1 6\nenter a 2 6\nleave a 2 6\n", "*token 6 of lock a not above 6*" },
  { "enter a 1 5\nleave a 2 5\n", "*left lock a held by 1 5*" },
};

static void
test_ledger_check_good (void)
{
  /* Overlap on different locks is fine; a lock's holder enters again later. */
  check_ledger_text ("enter a 1 5\nenter b 2 6\nleave b 2 6\nleave a 1 5\n"
                     "enter a 2 7\nenter b 1 8\nleave a 2 7\nleave b 1 8\n");
}

static void
test_ledger_check_bad (gconstpointer data)
{
  const BadLedger *bad = data;

  if (g_test_subprocess ())
    {
      check_ledger_text (bad->text);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (bad->message);
}

/* --- SIGKILL of a holder ------------------------------------------------ */

static void
wait_for_keys (FcTestEtcd *etcd,
               const char *prefix,
               guint       n)
{
  gint64 deadline = g_get_monotonic_time () + POLL_SECONDS * G_USEC_PER_SEC;

  while (fc_test_etcd_count_keys (etcd, prefix) != n)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("never %u keys under %s", n, prefix);
      g_usleep (20 * 1000);
    }
}

static void
test_processes_sigkill (void)
{
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start_or_skip (3);
  g_autoptr(Worker) holder = NULL;
  g_autoptr(Worker) waiter = NULL;
  g_autofree char *held = NULL;
  g_autofree char *granted = NULL;
  g_autofree char *ttl = g_strdup_printf ("%g", SHORT_TTL);
  guint64 held_token, granted_token;
  gint64 killed_at, granted_at;
  char *end;

  if (etcd == NULL)
    return;

  holder = worker_start (etcd, "hold", "/kill/", "--names", "door", "--lease-ttl", ttl, NULL);
  held = worker_expect (holder, "acquired");
  held_token = g_ascii_strtoull (held, NULL, 10);

  waiter = worker_start (etcd, "acquire", "/kill/", "--names", "door", "--timeout", "60", NULL);
  g_free (worker_expect (waiter, "waiting"));
  /* Both keys are there: the waiter waits on the holder's. */
  wait_for_keys (etcd, "/kill/locks/door/", 2);

  killed_at = g_get_monotonic_time ();
  g_subprocess_send_signal (holder->process, SIGKILL);
  fc_test_subprocess_wait (holder->process);

  granted = worker_expect (waiter, "acquired");
  granted_token = g_ascii_strtoull (granted, &end, 10);
  granted_at = g_ascii_strtoll (end, NULL, 10);
  g_test_message ("granted %.2f s after the SIGKILL", (granted_at - killed_at) / 1e6);
  /* The bound: the lease's expiry and a second for the grant. */
  g_assert_cmpint (granted_at - killed_at, <=, (gint64) ((SHORT_TTL + 1) * G_USEC_PER_SEC));
  g_assert_cmpuint (granted_token, >, held_token);
  worker_wait_success (waiter);
}

/* --- Diagnostics across processes --------------------------------------- */

static gboolean
strv_find (char      **strv,
           const char *a,
           const char *b,
           const char *c)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strstr (strv[i], a) != NULL && strstr (strv[i], b) != NULL && strstr (strv[i], c) != NULL)
      return TRUE;
  return FALSE;
}

static void
print_reports (char **reports)
{
  for (guint i = 0; reports != NULL && reports[i] != NULL; i++)
    g_test_message ("report: %s", reports[i]);
}

static void
test_processes_inversion (void)
{
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start_or_skip (3);
  g_autoptr(FcClusterLockManager) observer = NULL;
  g_auto(GStrv) reports = NULL;
  g_autoptr(GError) error = NULL;

  if (etcd == NULL)
    return;

  {
    /* A: alpha, then beta nested: the order. */
    g_autoptr(Worker) a = worker_start (etcd, "sequence", "/inversion/", "--register", "alpha,beta",
                                        "--names", "alpha", "--then", "beta", NULL);
    worker_wait_success (a);
  }
  {
    /* B, later: beta, then alpha in a chain of its own (no wait, no deadlock). */
    g_autoptr(Worker) b = worker_start (etcd, "sequence", "/inversion/", "--register", "alpha,beta",
                                        "--names", "beta", "--then", "alpha", "--separate", NULL);
    worker_wait_success (b);
  }

  observer = manager_new (etcd, "/inversion/");
  reports = fc_cluster_lock_manager_detect_potential_deadlocks_sync (observer, NULL, &error);
  g_assert_no_error (error);
  print_reports (reports);
  g_assert_true (strv_find (reports, "cycle", "alpha", "beta"));
}

static void
test_processes_live_deadlock (void)
{
  g_autoptr(FcTestEtcd) etcd = fc_test_etcd_start_or_skip (3);
  g_autoptr(FcClusterLockManager) observer = NULL;
  g_autoptr(Worker) one = NULL;
  g_autoptr(Worker) two = NULL;
  gint64 deadline;
  gboolean found = FALSE;

  if (etcd == NULL)
    return;

  one = worker_start (etcd, "sequence", "/deadlock/", "--register", "alpha,beta",
                      "--identity", "worker-one", "--names", "alpha", "--then", "beta",
                      "--wait-go", "--timeout", "600", NULL);
  two = worker_start (etcd, "sequence", "/deadlock/", "--register", "alpha,beta",
                      "--identity", "worker-two", "--names", "beta", "--then", "alpha",
                      "--separate", "--wait-go", "--timeout", "600", NULL);
  g_free (worker_expect (one, "first"));
  g_free (worker_expect (two, "first"));
  worker_say (one, "go\n");
  worker_say (two, "go\n");

  /* Both wait for the other: reported while they do. */
  observer = manager_new (etcd, "/deadlock/");
  deadline = g_get_monotonic_time () + POLL_SECONDS * G_USEC_PER_SEC;
  while (!found && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) reports = fc_cluster_lock_manager_detect_potential_deadlocks_sync (observer, NULL, &error);

      g_assert_no_error (error);
      found = strv_find (reports, "Deadlock:", "'worker-one'", "'worker-two'");
      if (found || g_get_monotonic_time () + 100 * 1000 >= deadline)
        print_reports (reports);
      if (!found)
        g_usleep (100 * 1000);
    }
  g_assert_true (found);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster/processes/ledger-check/good", test_ledger_check_good);
  for (guint i = 0; i < G_N_ELEMENTS (bad_ledgers); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cluster/processes/ledger-check/bad-%u", i);

      g_test_add_data_func (path, &bad_ledgers[i], test_ledger_check_bad);
    }
  g_test_add_func ("/cluster/processes/exclusion", test_processes_exclusion);
  g_test_add_func ("/cluster/processes/sigkill", test_processes_sigkill);
  g_test_add_func ("/cluster/processes/inversion", test_processes_inversion);
  g_test_add_func ("/cluster/processes/live-deadlock", test_processes_live_deadlock);

  return g_test_run ();
}
