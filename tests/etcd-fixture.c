/* etcd-fixture.c — a real etcd cluster on loopback for the `cluster` tests.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "etcd-fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "fc-mutex-private.h"

/* Tries with fresh ports when a member lost its port to another process
 * between our probe and its bind. */
#define START_ATTEMPTS 4
/* Lines of each member's log quoted in a start error. */
#define LOG_TAIL_LINES 25

typedef struct
{
  char        *name;
  guint16      peer_port;
  guint16      client_port;
  char        *peer_url;
  char        *data_dir;
  char        *log_path;
  GSubprocess *process;   /* NULL once killed */
  gboolean     stopped;
} Member;

struct _FcTestEtcd
{
  char          *binary;
  char          *dir;
  char          *token;
  char          *initial_cluster;
  guint          n_members;
  Member        *members;
  char         **endpoints;
  guint          request_timeout;
  SoupSession   *session;         /* bounded by request_timeout */
  SoupSession   *health_session;  /* bounded by 1 s */
  GSubprocess   *guardian;
  GOutputStream *guardian_in;
};

G_DEFINE_QUARK (fc-test-etcd-error-quark, fc_test_etcd_error)

/* The guardian: reads member pids, one a line, from the test process. On
 * "done" the test cleaned up itself. On end of file the test died: kill
 * every member still running with our data directory in its command line
 * (a pid alone could have been reused), wait until they are gone, remove
 * the directory. */
static const char guardian_script[] =
  "pids=\n"
  "while read -r line; do\n"
  "  case $line in\n"
  "    done) exit 0 ;;\n"
  "    *) pids=\"$pids $line\" ;;\n"
  "  esac\n"
  "done\n"
  "ours () { grep -qaF -- \"$1\" \"/proc/$2/cmdline\" 2>/dev/null; }\n"
  "for pid in $pids; do ours \"$1\" \"$pid\" && kill -KILL \"$pid\" 2>/dev/null; done\n"
  "for pid in $pids; do\n"
  "  n=0\n"
  "  while ours \"$1\" \"$pid\" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done\n"
  "done\n"
  "rm -rf -- \"$1\"\n";

static void
member_child_setup (gpointer user_data)
{
  /* Async-signal-safe only: we are between fork and exec. */
  pid_t parent = (pid_t) GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (127);  /* the test died before prctl(): no orphan */
}

static void
guardian_child_setup (gpointer user_data)
{
  /* Out of the test's process group, so a timeout that kills the group
   * leaves the guardian to clean up. */
  setsid ();
}

static SoupSession *
new_session (guint timeout_seconds)
{
  /* No proxy: every URL is on loopback. */
  return g_object_new (SOUP_TYPE_SESSION,
                       "timeout", timeout_seconds,
                       "proxy-resolver", NULL,
                       NULL);
}

static void
remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  if (g_rmdir (path) != 0)
    g_warning ("etcd fixture: cannot remove %s: %s", path, g_strerror (errno));
}

static gboolean
member_running (Member *m)
{
  return m->process != NULL && g_subprocess_get_identifier (m->process) != NULL;
}

static char *
log_tail (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n, first;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("(no log)\n");
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  first = n > LOG_TAIL_LINES ? n - LOG_TAIL_LINES : 0;
  return g_strjoinv ("\n", lines + first);
}

/* Appends every member's log tail to @error's message. */
static void
add_logs_to_error (FcTestEtcd *self,
                   GError     *error)
{
  GString *message = g_string_new (error->message);
  guint i;

  for (i = 0; i < self->n_members; i++)
    {
      g_autofree char *tail = log_tail (self->members[i].log_path);

      g_string_append_printf (message, "\n--- %s (%s) ---\n%s",
                              self->members[i].name, self->members[i].log_path, tail);
    }
  g_free (error->message);
  error->message = g_string_free (message, FALSE);
}

/* Distinct free loopback ports, all probed at once so that none repeats. */
static gboolean
pick_ports (guint16  *ports,
            guint     n_ports,
            GError  **error)
{
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; i < n_ports; i++)
    {
      g_autoptr(GSocket) socket = NULL;
      g_autoptr(GSocketAddress) any = NULL;
      g_autoptr(GSocketAddress) bound = NULL;

      socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                             G_SOCKET_PROTOCOL_TCP, error);
      if (socket == NULL)
        return FALSE;
      any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
      if (!g_socket_bind (socket, any, FALSE, error))
        return FALSE;
      bound = g_socket_get_local_address (socket, error);
      if (bound == NULL)
        return FALSE;
      ports[i] = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      g_ptr_array_add (sockets, g_steal_pointer (&socket));
    }
  return TRUE;
}

static gboolean
spawn_member (FcTestEtcd  *self,
              guint        index,
              GError     **error)
{
  Member *m = &self->members[index];
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *peer = g_strdup_printf ("http://127.0.0.1:%u", m->peer_port);
  g_autofree char *client = g_strdup_printf ("http://127.0.0.1:%u", m->client_port);
  int log_fd;
  guint i;

  log_fd = g_open (m->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "etcd fixture: cannot open %s: %s", m->log_path, g_strerror (saved_errno));
      return FALSE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_take_stdout_fd (launcher, log_fd);
  /* Only our flags configure the members. */
  for (i = 0; env[i] != NULL; i++)
    if (g_str_has_prefix (env[i], "ETCD"))
      {
        g_autofree char *key = g_strndup (env[i], strcspn (env[i], "="));

        g_subprocess_launcher_unsetenv (launcher, key);
      }
  g_subprocess_launcher_set_child_setup (launcher, member_child_setup,
                                         GINT_TO_POINTER ((int) getpid ()), NULL);

  m->process = g_subprocess_launcher_spawn (launcher, error,
    self->binary,
    "--name", m->name,
    "--data-dir", m->data_dir,
    "--listen-peer-urls", peer,
    "--initial-advertise-peer-urls", peer,
    "--listen-client-urls", client,
    "--advertise-client-urls", client,
    "--initial-cluster", self->initial_cluster,
    "--initial-cluster-state", "new",
    "--initial-cluster-token", self->token,
    "--heartbeat-interval", "50",
    "--election-timeout", "500",
    "--logger", "zap",
    "--log-outputs", "stderr",
    NULL);
  if (m->process == NULL)
    {
      g_prefix_error (error, "etcd fixture: cannot start %s: ", self->binary);
      return FALSE;
    }
  m->stopped = FALSE;

  if (self->guardian_in != NULL)
    {
      g_autofree char *line = g_strdup_printf ("%s\n", g_subprocess_get_identifier (m->process));
      g_autoptr(GError) local_error = NULL;

      if (!g_output_stream_write_all (self->guardian_in, line, strlen (line), NULL, NULL,
                                      &local_error) ||
          !g_output_stream_flush (self->guardian_in, NULL, &local_error))
        g_warning ("etcd fixture: guardian: %s", local_error->message);
    }
  return TRUE;
}

static gboolean
start_guardian (FcTestEtcd  *self,
                GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE);

  g_subprocess_launcher_set_child_setup (launcher, guardian_child_setup, NULL, NULL);
  self->guardian = g_subprocess_launcher_spawn (launcher, error,
                                                "/bin/sh", "-c", guardian_script,
                                                "fc-etcd-guardian", self->dir, NULL);
  if (self->guardian == NULL)
    {
      g_prefix_error (error, "etcd fixture: cannot start the guardian: ");
      return FALSE;
    }
  self->guardian_in = g_object_ref (g_subprocess_get_stdin_pipe (self->guardian));
  return TRUE;
}

static void
fixture_destroy (FcTestEtcd *self)
{
  guint i;

  for (i = 0; i < self->n_members; i++)
    {
      Member *m = &self->members[i];

      if (m->process != NULL)
        {
          /* SIGKILL also ends a stopped member. */
          g_subprocess_force_exit (m->process);
          fc_test_subprocess_wait (m->process);
          g_clear_object (&m->process);
        }
    }

  if (self->dir != NULL)
    remove_tree (self->dir);

  if (self->guardian != NULL)
    {
      g_output_stream_write_all (self->guardian_in, "done\n", 5, NULL, NULL, NULL);
      g_output_stream_close (self->guardian_in, NULL, NULL);
      fc_test_subprocess_wait (self->guardian);
    }
  g_clear_object (&self->guardian_in);
  g_clear_object (&self->guardian);

  for (i = 0; i < self->n_members; i++)
    {
      Member *m = &self->members[i];

      g_free (m->name);
      g_free (m->peer_url);
      g_free (m->data_dir);
      g_free (m->log_path);
    }
  g_free (self->members);
  g_strfreev (self->endpoints);
  g_clear_object (&self->session);
  g_clear_object (&self->health_session);
  g_free (self->initial_cluster);
  g_free (self->token);
  g_free (self->dir);
  g_free (self->binary);
  g_free (self);
}

/* The context the waits run in: made before the fixture's first process,
 * so before GLib's worker thread exists, and never freed (see below). */
static GMainContext *wait_context;

/* GSubprocess learns of an exit in GLib's worker thread ("gmain"), which
 * completes the waits, handed over through GLib's own mutexes, raw futexes
 * ThreadSanitizer cannot see (fc-mutex-private.h). g_subprocess_wait()
 * would wait in a private context made there and then: the worker writes
 * its wakeup fd (made after the worker started, so TSan sees no order) and
 * often drops its last reference, freeing it and its poll array. Here the
 * wait runs in one context made before the worker and kept, and without
 * a callback; this thread's accesses during the wait are not recorded:
 * they are all GLib's (the wait's task, that context's bookkeeping), and
 * no code of ours runs inside. */
void
fc_test_subprocess_wait (GSubprocess *process)
{
  g_return_if_fail (wait_context != NULL);  /* a fixture was started */

  g_main_context_push_thread_default (wait_context);
  fc_tsan_ignore_begin ();
  g_subprocess_wait_async (process, NULL, NULL, NULL);
  /* Cleared before the waits are completed, each of which wakes this. */
  while (g_subprocess_get_identifier (process) != NULL)
    g_main_context_iteration (wait_context, TRUE);
  fc_tsan_ignore_end ();
  g_main_context_pop_thread_default (wait_context);
}

void
fc_test_etcd_free (FcTestEtcd *self)
{
  if (self != NULL)
    fixture_destroy (self);
}

/* One attempt: fresh directory, ports and token. */
static FcTestEtcd *
start_once (const char  *binary,
            guint        n_members,
            GError     **error)
{
  FcTestEtcd *self = g_new0 (FcTestEtcd, 1);
  g_autofree guint16 *ports = g_new0 (guint16, 2 * n_members);
  GString *initial_cluster = g_string_new (NULL);
  guint i;

  self->binary = g_strdup (binary);
  self->n_members = n_members;
  self->members = g_new0 (Member, n_members);
  self->endpoints = g_new0 (char *, n_members + 1);
  self->request_timeout = FC_TEST_ETCD_REQUEST_SECONDS;
  self->session = new_session (self->request_timeout);
  self->health_session = new_session (1);
  self->token = g_strdup_printf ("fc-test-%d-%08x", (int) getpid (), g_random_int ());

  self->dir = g_dir_make_tmp ("fc-etcd-XXXXXX", error);
  if (self->dir == NULL || !start_guardian (self, error) ||
      !pick_ports (ports, 2 * n_members, error))
    goto fail;

  for (i = 0; i < n_members; i++)
    {
      Member *m = &self->members[i];

      m->name = g_strdup_printf ("m%u", i);
      m->peer_port = ports[2 * i];
      m->client_port = ports[2 * i + 1];
      m->peer_url = g_strdup_printf ("http://127.0.0.1:%u", m->peer_port);
      m->data_dir = g_strdup_printf ("%s/%s.etcd", self->dir, m->name);
      m->log_path = g_strdup_printf ("%s/%s.log", self->dir, m->name);
      self->endpoints[i] = g_strdup_printf ("http://127.0.0.1:%u", m->client_port);
      g_string_append_printf (initial_cluster, "%s%s=%s",
                              i > 0 ? "," : "", m->name, m->peer_url);
    }
  self->initial_cluster = g_string_free (g_steal_pointer (&initial_cluster), FALSE);

  for (i = 0; i < n_members; i++)
    if (!spawn_member (self, i, error))
      goto fail;

  if (!fc_test_etcd_wait_healthy (self, FC_TEST_ETCD_START_SECONDS, error))
    goto fail;
  return self;

fail:
  if (initial_cluster != NULL)
    g_string_free (initial_cluster, TRUE);
  fixture_destroy (self);
  return NULL;
}

FcTestEtcd *
fc_test_etcd_start_full (guint        n_members,
                         const char  *binary,
                         GError     **error)
{
  g_autofree char *path = NULL;
  guint attempt;

  g_return_val_if_fail (n_members > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The members are on loopback: no proxy is asked about them (by this
   * process, nor by the workers it starts). GIO's libproxy resolver would
   * look each connection up in GLib's thread pool, handed over through a
   * queue ThreadSanitizer cannot see. Set before the first connection,
   * while the test has no other thread. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  if (wait_context == NULL)
    wait_context = g_main_context_new ();
  if (binary == NULL)
    binary = g_getenv ("FC_TEST_ETCD_BINARY");
  if (binary == NULL)
    binary = "etcd";
  path = g_find_program_in_path (binary);
  if (path == NULL)
    {
      g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_NOT_INSTALLED,
                   "etcd fixture: no etcd program “%s” (Debian: apt install etcd-server)",
                   binary);
      return NULL;
    }

  for (attempt = 1; ; attempt++)
    {
      GError *local_error = NULL;
      FcTestEtcd *self = start_once (path, n_members, &local_error);

      if (self != NULL)
        return self;
      /* start_once() said so in the message; retry only a port race. */
      if (attempt < START_ATTEMPTS &&
          strstr (local_error->message, "address already in use") != NULL)
        {
          g_test_message ("etcd fixture: a member's port was taken (%.*s), retrying",
                          (int) strcspn (local_error->message, "\n"), local_error->message);
          g_error_free (local_error);
          continue;
        }
      g_propagate_error (error, local_error);
      return NULL;
    }
}

FcTestEtcd *
fc_test_etcd_start (guint     n_members,
                    GError  **error)
{
  return fc_test_etcd_start_full (n_members, NULL, error);
}

FcTestEtcd *
fc_test_etcd_start_or_skip (guint n_members)
{
  g_autoptr(GError) error = NULL;
  FcTestEtcd *self = fc_test_etcd_start (n_members, &error);

  if (g_error_matches (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_NOT_INSTALLED))
    {
      g_test_skip (error->message);
      return NULL;
    }
  g_assert_no_error (error);
  return self;
}

guint
fc_test_etcd_get_n_members (FcTestEtcd *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_members;
}

const char * const *
fc_test_etcd_get_endpoints (FcTestEtcd *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->endpoints;
}

const char *
fc_test_etcd_get_endpoint (FcTestEtcd *self,
                           guint       member)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (member < self->n_members, NULL);
  return self->endpoints[member];
}

char *
fc_test_etcd_dup_endpoints_string (FcTestEtcd *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strjoinv (",", self->endpoints);
}

const char *
fc_test_etcd_get_dir (FcTestEtcd *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->dir;
}

GPid
fc_test_etcd_get_pid (FcTestEtcd *self,
                      guint       member)
{
  const char *id;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (member < self->n_members, 0);
  if (self->members[member].process == NULL)
    return 0;
  id = g_subprocess_get_identifier (self->members[member].process);
  return id != NULL ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
}

void
fc_test_etcd_stop_member (FcTestEtcd *self,
                          guint       member)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (member < self->n_members);
  g_return_if_fail (self->members[member].process != NULL);

  g_subprocess_send_signal (self->members[member].process, SIGSTOP);
  self->members[member].stopped = TRUE;
}

void
fc_test_etcd_cont_member (FcTestEtcd *self,
                          guint       member)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (member < self->n_members);
  g_return_if_fail (self->members[member].process != NULL);

  g_subprocess_send_signal (self->members[member].process, SIGCONT);
  self->members[member].stopped = FALSE;
}

void
fc_test_etcd_kill_member (FcTestEtcd *self,
                          guint       member)
{
  Member *m;

  g_return_if_fail (self != NULL);
  g_return_if_fail (member < self->n_members);
  m = &self->members[member];
  g_return_if_fail (m->process != NULL);

  g_subprocess_force_exit (m->process);
  fc_test_subprocess_wait (m->process);
  g_clear_object (&m->process);
  m->stopped = FALSE;
}

gboolean
fc_test_etcd_restart_member (FcTestEtcd  *self,
                             guint        member,
                             GError     **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (member < self->n_members, FALSE);
  g_return_val_if_fail (self->members[member].process == NULL, FALSE);

  /* With its data directory present etcd rejoins from its own WAL and
   * ignores the --initial-cluster flags. */
  return spawn_member (self, member, error);
}

void
fc_test_etcd_set_request_timeout (FcTestEtcd *self,
                                  guint       seconds)
{
  g_return_if_fail (self != NULL);

  self->request_timeout = MAX (seconds, 1);
  g_clear_object (&self->session);
  self->session = new_session (self->request_timeout);
}

static JsonNode *
request (SoupSession  *session,
         const char   *base,
         const char   *path,
         JsonNode     *body,
         GError      **error)
{
  g_autofree char *uri = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (body != NULL ? "POST" : "GET", uri);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  const char *data;
  gsize size;
  guint status;

  if (message == NULL)
    {
      g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_REQUEST,
                   "etcd fixture: bad URI %s", uri);
      return NULL;
    }
  if (body != NULL)
    {
      char *json = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = g_bytes_new_take (json, strlen (json));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  reply = soup_session_send_and_read (session, message, NULL, error);
  if (reply == NULL)
    {
      g_prefix_error (error, "etcd fixture: %s: ", uri);
      return NULL;
    }

  data = g_bytes_get_data (reply, &size);
  status = soup_message_get_status (message);
  if (status != SOUP_STATUS_OK)
    {
      g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_REQUEST,
                   "etcd fixture: %s: HTTP %u: %.*s", uri, status, (int) MIN (size, 500),
                   data != NULL ? data : "");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", size, &parse_error) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_REQUEST,
                   "etcd fixture: %s: not a JSON object: %.*s", uri, (int) MIN (size, 500),
                   data != NULL ? data : "");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

JsonNode *
fc_test_etcd_call (FcTestEtcd  *self,
                   guint        member,
                   const char  *path,
                   JsonNode    *body,
                   GError     **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (member < self->n_members, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return request (self->session, self->endpoints[member], path, body, error);
}

static gboolean
member_healthy (FcTestEtcd  *self,
                guint        member,
                GError     **error)
{
  g_autoptr(JsonNode) reply = request (self->health_session, self->endpoints[member],
                                       "/health", NULL, error);
  const char *health;

  if (reply == NULL)
    return FALSE;
  health = json_object_get_string_member_with_default (json_node_get_object (reply),
                                                       "health", "");
  if (g_strcmp0 (health, "true") != 0)
    {
      g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_REQUEST,
                   "etcd fixture: %s/health says “%s”", self->endpoints[member], health);
      return FALSE;
    }
  return TRUE;
}

gboolean
fc_test_etcd_wait_healthy (FcTestEtcd  *self,
                           guint        timeout_seconds,
                           GError     **error)
{
  gint64 deadline;

  g_return_val_if_fail (self != NULL, FALSE);

  deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GError) last_error = NULL;
      guint i;

      /* An exit first: the members left may well be healthy without it. */
      for (i = 0; i < self->n_members; i++)
        {
          Member *m = &self->members[i];

          if (m->process != NULL && !member_running (m))
            {
              g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_FAILED,
                           "etcd fixture: %s exited", m->name);
              add_logs_to_error (self, *error);
              return FALSE;
            }
        }
      for (i = 0; i < self->n_members && last_error == NULL; i++)
        if (self->members[i].process != NULL && !self->members[i].stopped)
          member_healthy (self, i, &last_error);
      if (last_error == NULL)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_TIMEOUT,
                       "etcd fixture: cluster not healthy within %u s: %s",
                       timeout_seconds, last_error->message);
          add_logs_to_error (self, *error);
          return FALSE;
        }
      g_usleep (100 * 1000);
    }
}

static char *
base64 (const char *s,
        gsize       len)
{
  return g_base64_encode ((const guchar *) s, len);
}

gboolean
fc_test_etcd_put (FcTestEtcd  *self,
                  guint        member,
                  const char  *key,
                  const char  *value,
                  GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *key64 = NULL;
  g_autofree char *value64 = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  key64 = base64 (key, strlen (key));
  value64 = base64 (value, strlen (value));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key64);
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, value64);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  reply = fc_test_etcd_call (self, member, "/v3/kv/put", body, error);
  return reply != NULL;
}

gboolean
fc_test_etcd_put_within (FcTestEtcd  *self,
                         guint        member,
                         const char  *key,
                         const char  *value,
                         guint        timeout_seconds,
                         GError     **error)
{
  gint64 deadline;

  g_return_val_if_fail (self != NULL, FALSE);

  deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  for (;;)
    {
      GError *local_error = NULL;

      if (fc_test_etcd_put (self, member, key, value, &local_error))
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_propagate_prefixed_error (error, local_error,
                                      "etcd fixture: no put within %u s: ", timeout_seconds);
          return FALSE;
        }
      g_error_free (local_error);
      g_usleep (100 * 1000);
    }
}

/* The range request for @prefix (every key with it) or for @key alone. */
static JsonNode *
range_body (const char *key,
            gboolean    prefix,
            gboolean    count_only)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gsize len = strlen (key);
  g_autofree char *key64 = base64 (len > 0 ? key : "\0", len > 0 ? len : 1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key64);
  if (prefix)
    {
      /* range_end: the prefix with its last byte below 0xff incremented and
       * what follows dropped; "\0" (every key) when there is none. */
      g_autofree char *end = g_strndup (key, len);
      g_autofree char *end64 = NULL;
      gsize end_len = len;

      while (end_len > 0 && (guchar) end[end_len - 1] == 0xff)
        end_len--;
      if (end_len > 0)
        {
          end[end_len - 1] = (char) ((guchar) end[end_len - 1] + 1);
          end64 = base64 (end, end_len);
        }
      else
        end64 = base64 ("\0", 1);
      json_builder_set_member_name (builder, "range_end");
      json_builder_add_string_value (builder, end64);
    }
  if (count_only)
    {
      json_builder_set_member_name (builder, "count_only");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The gateway writes int64 fields as strings and leaves out zeroes. */
static gboolean
read_count (JsonObject  *reply,
            guint       *count,
            GError     **error)
{
  JsonNode *node = json_object_get_member (reply, "count");
  guint64 value = 0;

  if (node == NULL)
    value = 0;
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0, G_MAXUINT,
                                       &value, error))
        return FALSE;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    value = (guint64) MAX (json_node_get_int (node), 0);
  else
    {
      g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_REQUEST,
                   "etcd fixture: a range reply without a readable count");
      return FALSE;
    }
  *count = (guint) value;
  return TRUE;
}

gboolean
fc_test_etcd_count_keys_full (FcTestEtcd  *self,
                              guint        member,
                              const char  *prefix,
                              guint       *count,
                              GError     **error)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) reply = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (prefix != NULL, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  body = range_body (prefix, TRUE, TRUE);
  reply = fc_test_etcd_call (self, member, "/v3/kv/range", body, error);
  return reply != NULL && read_count (json_node_get_object (reply), count, error);
}

guint
fc_test_etcd_count_keys (FcTestEtcd *self,
                         const char *prefix)
{
  g_autoptr(GError) error = NULL;
  guint i;

  g_return_val_if_fail (self != NULL, 0);

  for (i = 0; i < self->n_members; i++)
    {
      guint count;

      if (self->members[i].process == NULL || self->members[i].stopped)
        continue;
      g_clear_error (&error);
      if (fc_test_etcd_count_keys_full (self, i, prefix, &count, &error))
        return count;
    }
  if (error == NULL)
    g_set_error (&error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_REQUEST,
                 "etcd fixture: no member is running");
  g_assert_no_error (error);
  return 0;
}

char *
fc_test_etcd_get (FcTestEtcd  *self,
                  guint        member,
                  const char  *key,
                  GError     **error)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) reply = NULL;
  JsonArray *kvs;
  JsonObject *kv;
  const char *value64;
  g_autofree guchar *value = NULL;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL && *key != '\0', NULL);

  body = range_body (key, FALSE, FALSE);
  reply = fc_test_etcd_call (self, member, "/v3/kv/range", body, error);
  if (reply == NULL)
    return NULL;
  if (!json_object_has_member (json_node_get_object (reply), "kvs"))
    return NULL;
  kvs = json_object_get_array_member (json_node_get_object (reply), "kvs");
  if (kvs == NULL || json_array_get_length (kvs) == 0)
    return NULL;
  kv = json_array_get_object_element (kvs, 0);
  value64 = kv != NULL ? json_object_get_string_member_with_default (kv, "value", "") : NULL;
  if (value64 == NULL)
    {
      g_set_error (error, FC_TEST_ETCD_ERROR, FC_TEST_ETCD_ERROR_REQUEST,
                   "etcd fixture: a range reply without a readable value");
      return NULL;
    }
  value = g_base64_decode (value64, &len);
  return g_strndup ((const char *) value, len);
}
