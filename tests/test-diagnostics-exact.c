/* test-diagnostics-exact.c — the lock-order graph finds every feasible
 * cycle and only those, and names the right manager, locks and owners:
 * two managers with the same lock names, a wide graph, a wait that timed
 * out, partly gated cycles, the owner that makes a cycle feasible, owners
 * that share a name, a 200-lock cycle, and DOT with awkward names.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>

#include "diagnostics-test-util.h"

/* Two managers, the same lock names, one inversion each: two reports,
 * each naming its manager. */
static void
test_two_managers (void)
{
  const char *names[] = { "twin.a", "twin.b", NULL };
  g_autoptr(FcLockManager) left = diag_make_manager (names);
  g_autoptr(FcLockManager) right = diag_make_manager (names);
  g_auto(GStrv) left_lines = NULL;
  g_auto(GStrv) right_lines = NULL;
  g_autofree char *left_name = NULL;
  g_autofree char *right_name = NULL;

  diag_run ("twin-1", left, "twin.a", "twin.b", NULL);
  diag_run ("twin-2", left, "twin.b", "twin.a", NULL);
  diag_run ("twin-1", right, "twin.a", "twin.b", NULL);
  diag_run ("twin-2", right, "twin.b", "twin.a", NULL);

  left_lines = fc_lock_manager_detect_potential_deadlocks (left);
  right_lines = fc_lock_manager_detect_potential_deadlocks (right);
  g_assert_cmpuint (diag_count_matching (left_lines, "Potential deadlock: lock order cycle twin.a -> twin.b -> twin.a*"), ==, 1);
  g_assert_cmpuint (diag_count_matching (right_lines, "Potential deadlock: lock order cycle twin.a -> twin.b -> twin.a*"), ==, 1);
  g_assert_cmpuint (diag_count_logged ("Potential deadlock: lock order cycle twin.a -> twin.b -> twin.a*"), ==, 2);

  /* Two managers alive: each report says whose locks these are. */
  g_object_get (left, "name", &left_name, NULL);
  g_object_get (right, "name", &right_name, NULL);
  g_assert_true (g_str_has_prefix (left_name, "manager-"));
  g_assert_true (g_str_has_prefix (right_name, "manager-"));
  g_assert_cmpstr (left_name, !=, right_name);
  g_assert_nonnull (strstr (left_lines[0], left_name));
  g_assert_nonnull (strstr (right_lines[0], right_name));
  {
    g_autoptr(GVariant) entry = diag_report_entry (right, 0);
    g_autofree const char **managers = NULL;

    g_assert_true (g_variant_lookup (entry, "managers", "^a&s", &managers));
    g_assert_cmpstr (managers[0], ==, right_name);
    g_assert_cmpstr (managers[1], ==, right_name);
  }
}

/* The name property: defaults, set, reset, and in reports. */
static void
test_manager_names (void)
{
  const char *names[] = { "named.a", "named.b", NULL };
  g_autoptr(FcLockManager) manager = diag_make_manager (names);
  g_autoptr(FcAsyncLockManager) async = g_object_new (FC_TYPE_ASYNC_LOCK_MANAGER, "name", "jobs", NULL);
  g_autofree char *name = NULL;
  g_autofree char *async_name = NULL;
  g_autofree char *default_name = NULL;
  g_autofree char *async_default_name = NULL;
  g_auto(GStrv) lines = NULL;
  guint notified = 0;

  g_object_get (async, "name", &async_name, NULL);
  g_assert_cmpstr (async_name, ==, "jobs");
  g_object_get (fc_lock_manager_get_default (), "name", &default_name, NULL);
  g_assert_cmpstr (default_name, ==, "default");
  g_object_get (fc_async_lock_manager_get_default (), "name", &async_default_name, NULL);
  g_assert_cmpstr (async_default_name, ==, "async-default");

  g_signal_connect (manager, "notify::name", G_CALLBACK (diag_count_notify), &notified);
  g_object_set (manager, "name", "db", NULL);
  g_object_set (manager, "name", "db", NULL);
  g_assert_cmpuint (notified, ==, 1);

  diag_run ("named-1", manager, "named.a", "named.b", NULL);
  diag_run ("named-2", manager, "named.b", "named.a", NULL);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_nonnull (strstr (lines[0], "[manager 'db']"));

  /* NULL goes back to the default. */
  g_object_set (manager, "name", NULL, NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_object_get (manager, "name", &name, NULL);
  g_assert_true (g_str_has_prefix (name, "manager-"));
}

/* A lock held while taking thousands of others, then inversions: each one
 * is found, none given up on. */
#define N_WIDE 10000
#define N_WIDE_INVERSIONS 20

typedef struct
{
  FcLockManager *manager;
  guint          k;
} Wide;

static gpointer
take_wide (gpointer data)
{
  Wide *wide = data;
  FcLock *outer = fc_lock_manager_get_lock (wide->manager, "wide.o", NULL);

  g_assert_true (fc_lock_lock (outer, 1.0, NULL));
  for (guint i = 0; i < N_WIDE; i++)
    {
      g_autofree char *name = g_strdup_printf ("wide.x%05u", i);
      FcLock *lock = fc_lock_manager_get_lock (wide->manager, name, NULL);

      g_assert_true (fc_lock_lock (lock, 1.0, NULL));
      fc_lock_unlock (lock);
    }
  fc_lock_unlock (outer);
  return NULL;
}

static gpointer
invert_wide (gpointer data)
{
  Wide *wide = data;
  g_autofree char *name = g_strdup_printf ("wide.x%05u", wide->k);
  FcLock *inner = fc_lock_manager_get_lock (wide->manager, name, NULL);
  FcLock *outer = fc_lock_manager_get_lock (wide->manager, "wide.o", NULL);

  g_assert_true (fc_lock_lock (inner, 1.0, NULL));
  g_assert_true (fc_lock_lock (outer, 1.0, NULL));
  fc_lock_unlock (outer);
  fc_lock_unlock (inner);
  return NULL;
}

static void
test_wide_graph (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_auto(GStrv) lines = NULL;
  Wide wide = { manager, 0 };

  g_assert_nonnull (fc_lock_manager_register_lock (manager, "wide.o", 1, NULL, NULL, NULL));
  for (guint i = 0; i < N_WIDE; i++)
    {
      g_autofree char *name = g_strdup_printf ("wide.x%05u", i);

      g_assert_nonnull (fc_lock_manager_register_lock (manager, name, (int) i + 2, NULL, NULL, NULL));
    }

  g_thread_join (g_thread_new ("wide", take_wide, &wide));
  for (guint i = 0; i < N_WIDE_INVERSIONS; i++)
    {
      wide.k = (i * 4999 + 7) % N_WIDE;
      g_thread_join (g_thread_new ("inverter", invert_wide, &wide));
    }

  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (diag_count_matching (lines, "Potential deadlock: lock order cycle wide.o -> wide.x* -> wide.o*"),
                    ==, N_WIDE_INVERSIONS);
  g_assert_cmpuint (diag_count_matching (lines, "*gave up*"), ==, 0);
}

/* A wait that timed out still teaches its edge: the deadlock the timeout
 * broke shows in the graph. */
typedef struct
{
  FcLock  *lock;
  GMutex   mutex;
  GCond    cond;
  gboolean held;
  gboolean release;
} Holder;

static gpointer
hold_until_told (gpointer data)
{
  Holder *holder = data;

  g_assert_true (fc_lock_lock (holder->lock, 1.0, NULL));
  fc_mutex_lock (&holder->mutex);
  holder->held = TRUE;
  g_cond_broadcast (&holder->cond);
  while (!holder->release)
    fc_cond_wait (&holder->cond, &holder->mutex);
  fc_mutex_unlock (&holder->mutex);
  fc_lock_unlock (holder->lock);
  return NULL;
}

static void
test_timed_out_wait (void)
{
  const char *names[] = { "wait.a", "wait.b", NULL };
  g_autoptr(FcLockManager) manager = diag_make_manager (names);
  FcLock *a = fc_lock_manager_get_lock (manager, "wait.a", NULL);
  Holder holder = { fc_lock_manager_get_lock (manager, "wait.b", NULL), };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GThread *thread;

  g_mutex_init (&holder.mutex);
  g_cond_init (&holder.cond);
  thread = g_thread_new ("holder", hold_until_told, &holder);
  fc_mutex_lock (&holder.mutex);
  while (!holder.held)
    fc_cond_wait (&holder.cond, &holder.mutex);
  fc_mutex_unlock (&holder.mutex);

  /* Holding a, wait for b, and give up. */
  g_assert_true (fc_lock_lock (a, 1.0, NULL));
  g_assert_false (fc_lock_lock (holder.lock, 0.05, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_TIMEOUT);
  fc_lock_unlock (a);

  fc_mutex_lock (&holder.mutex);
  holder.release = TRUE;
  g_cond_broadcast (&holder.cond);
  fc_mutex_unlock (&holder.mutex);
  g_thread_join (thread);

  diag_run ("inverter", manager, "wait.b", "wait.a", NULL);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (diag_count_matching (lines, "Potential deadlock: lock order cycle wait.a -> wait.b -> wait.a*"), ==, 1);

  g_mutex_clear (&holder.mutex);
  g_cond_clear (&holder.cond);
}

/* t1 g,a,b; t2 g,b,c; t3 c,a: a -> b and b -> c both need g, so the cycle
 * a -> b -> c -> a can never form. Once a -> b happens without g, it can. */
static void
test_partly_gated (void)
{
  const char *names[] = { "part.g", "part.a", "part.b", "part.c", NULL };
  g_autoptr(FcLockManager) manager = diag_make_manager (names);
  g_auto(GStrv) lines = NULL;

  diag_run ("t1", manager, "part.g", "part.a", "part.b");
  diag_run ("t2", manager, "part.g", "part.b", "part.c");
  diag_run ("t3", manager, "part.c", "part.a", NULL);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
  g_clear_pointer (&lines, g_strfreev);

  diag_run ("t4", manager, "part.a", "part.b", NULL);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_true (g_pattern_match_simple ("Potential deadlock: lock order cycle part.a -> part.b -> part.c -> part.a (*by 't4'*",
                                         lines[0]));
}

/* a -> b first made under g (safe), then without it: the report names the
 * owner that made the cycle possible. */
static void
test_right_owner (void)
{
  const char *names[] = { "own.g", "own.a", "own.b", NULL };
  g_autoptr(FcLockManager) manager = diag_make_manager (names);
  g_autoptr(GVariant) entry = NULL;
  g_autofree const char **owners = NULL;
  g_auto(GStrv) lines = NULL;

  diag_run ("safe", manager, "own.g", "own.a", "own.b");
  diag_run ("unsafe", manager, "own.a", "own.b", NULL);
  diag_run ("inverter", manager, "own.g", "own.b", "own.a");

  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_nonnull (strstr (lines[0], "own.a (20) -> own.b (30) by 'unsafe'"));
  g_assert_null (strstr (lines[0], "'safe'"));

  entry = diag_report_entry (manager, 0);
  g_assert_true (g_variant_lookup (entry, "owners", "^a&s", &owners));
  g_assert_cmpstr (owners[0], ==, "unsafe");
  g_assert_cmpstr (owners[1], ==, "inverter");
}

/* Two threads named alike: the report tells them apart by thread id. */
static void
test_owner_tids (void)
{
  const char *names[] = { "tid.a", "tid.b", NULL };
  g_autoptr(FcLockManager) manager = diag_make_manager (names);
  g_autoptr(GVariant) entry = NULL;
  g_autoptr(GVariant) tids = NULL;
  const guint64 *values;
  gsize n;
  g_auto(GStrv) lines = NULL;

  diag_run ("pool", manager, "tid.a", "tid.b", NULL);
  diag_run ("pool", manager, "tid.b", "tid.a", NULL);
  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_assert_true (g_pattern_match_simple ("*by 'pool' (tid *) -> *by 'pool' (tid *)*", lines[0]) ||
                 g_pattern_match_simple ("*by 'pool' (tid *); *by 'pool' (tid *)*", lines[0]));

  entry = diag_report_entry (manager, 0);
  tids = g_variant_lookup_value (entry, "tids", G_VARIANT_TYPE ("at"));
  g_assert_nonnull (tids);
  values = g_variant_get_fixed_array (tids, &n, sizeof (guint64));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (values[0], !=, 0);
  g_assert_cmpuint (values[1], !=, 0);
  g_assert_cmpuint (values[0], !=, values[1]);
  {
    g_autofree char *tid = g_strdup_printf ("'pool' (tid %" G_GUINT64_FORMAT ")", values[0]);

    g_assert_nonnull (strstr (lines[0], tid));
  }
}

/* A 200-lock cycle: the message is short, the structured report whole. */
#define N_RING 200

static gpointer
take_ring (gpointer data)
{
  FcLockManager *manager = data;

  for (guint i = 0; i < N_RING; i++)
    {
      g_autofree char *first = g_strdup_printf ("ring.%03u", i);
      g_autofree char *second = g_strdup_printf ("ring.%03u", (i + 1) % N_RING);
      FcLock *a = fc_lock_manager_get_lock (manager, first, NULL);
      FcLock *b = fc_lock_manager_get_lock (manager, second, NULL);

      g_assert_true (fc_lock_lock (a, 1.0, NULL));
      g_assert_true (fc_lock_lock (b, 1.0, NULL));
      fc_lock_unlock (b);
      fc_lock_unlock (a);
    }
  return NULL;
}

static void
test_long_cycle (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(GVariant) entry = NULL;
  g_autofree const char **locks = NULL;
  g_autofree const char **owners = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < N_RING; i++)
    {
      g_autofree char *name = g_strdup_printf ("ring.%03u", i);

      g_assert_nonnull (fc_lock_manager_register_lock (manager, name, (int) i + 1, NULL, NULL, NULL));
    }
  g_thread_join (g_thread_new ("ring", take_ring, manager));

  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_test_message ("%s", lines[0]);
  g_assert_true (g_str_has_prefix (lines[0], "Potential deadlock: lock order cycle ring.000 -> ring.001 -> "));
  g_assert_nonnull (strstr (lines[0], "… and 192 more"));
  g_assert_cmpuint (strlen (lines[0]), <, 1024);

  entry = diag_report_entry (manager, 0);
  g_assert_true (g_variant_lookup (entry, "locks", "^a&s", &locks));
  g_assert_true (g_variant_lookup (entry, "owners", "^a&s", &owners));
  g_assert_cmpuint (g_strv_length ((char **) locks), ==, N_RING);
  g_assert_cmpuint (g_strv_length ((char **) owners), ==, N_RING);
  g_assert_cmpstr (locks[N_RING - 1], ==, "ring.199");
  /* Kept only with FC_DEBUG=backtrace. */
  g_assert_null (g_variant_lookup_value (entry, "stacks", NULL));
}

/* Names with non-ASCII characters, a newline, a backslash and quotes:
 * every edge's ends are the declared nodes, as Graphviz reads them. */
static guint
count_lines (const char *text,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += g_str_has_prefix (lines[i], prefix);
  return n;
}

static void
test_dot_names (void)
{
  const char *names[] = { "dot.grüße→ä", "dot.new\nline", "dot.back\\slash\\n", "dot \"quoted\"", NULL };
  g_autoptr(FcLockManager) manager = diag_make_manager (names);
  g_autofree char *dot = NULL;
  g_autofree char *dot_program = g_find_program_in_path ("dot");
  g_autofree char *path = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(GError) error = NULL;
  int fd, status = -1;

  diag_run ("dotter", manager, names[0], names[1], NULL);
  diag_run ("dotter-2", manager, names[1], names[0], NULL);
  diag_run ("dotter-3", manager, names[2], names[3], NULL);
  dot = fc_lock_manager_dump_order_graph (manager);
  g_test_message ("%s", dot);

  if (dot_program == NULL)
    {
      g_test_skip ("graphviz's dot is not installed");
      return;
    }

  fd = g_file_open_tmp ("fc-graph-XXXXXX.dot", &path, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, dot, -1, NULL));
  close (fd);
  {
    const char *argv[] = { dot_program, "-Tplain", path, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &plain, NULL, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("%s", plain);
  /* An edge naming an undeclared node would make dot declare another. */
  g_assert_cmpuint (count_lines (plain, "node "), ==, 4);
  g_assert_cmpuint (count_lines (plain, "edge "), ==, 3);
  g_unlink (path);
}

/* Random edges among fresh locks, against an independent oracle: a new
 * edge u -> v is reported exactly when v already reached u (the online
 * order's reorderings, gap moves and component merges are all exercised). */
#define N_RANDOM_LOCKS 150
#define N_RANDOM_EDGES 2000

static gboolean
reaches (gboolean (*adj)[N_RANDOM_LOCKS],
         guint     from,
         guint     to)
{
  gboolean seen[N_RANDOM_LOCKS] = { FALSE, };
  guint queue[N_RANDOM_LOCKS];
  guint head = 0, tail = 0;

  seen[from] = TRUE;
  queue[tail++] = from;
  while (head < tail)
    {
      guint at = queue[head++];

      if (at == to)
        return TRUE;
      for (guint next = 0; next < N_RANDOM_LOCKS; next++)
        if (adj[at][next] && !seen[next])
          {
            seen[next] = TRUE;
            queue[tail++] = next;
          }
    }
  return FALSE;
}

static void
test_random_order (void)
{
  gboolean (*adj)[N_RANDOM_LOCKS] = g_malloc0 (sizeof (gboolean[N_RANDOM_LOCKS][N_RANDOM_LOCKS]));
  FcLock *locks[N_RANDOM_LOCKS];
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint before = diag_count_logged ("Potential deadlock: lock order cycle *");
  guint expected = 0;

  for (guint i = 0; i < N_RANDOM_LOCKS; i++)
    locks[i] = fc_lock_new ();

  for (guint e = 0; e < N_RANDOM_EDGES; e++)
    {
      guint u = g_rand_int_range (rand, 0, N_RANDOM_LOCKS);
      guint v = g_rand_int_range (rand, 0, N_RANDOM_LOCKS);

      /* Now and then a lock goes (finalized) and a fresh one takes its
       * place: its edges go with it. */
      if (e % 50 == 49)
        {
          guint gone = g_rand_int_range (rand, 0, N_RANDOM_LOCKS);

          g_object_unref (locks[gone]);
          locks[gone] = fc_lock_new ();
          for (guint i = 0; i < N_RANDOM_LOCKS; i++)
            adj[gone][i] = adj[i][gone] = FALSE;
        }

      /* Mostly along an order, sometimes against it. */
      if (u > v && g_rand_int_range (rand, 0, 40) != 0)
        {
          guint t = u;

          u = v;
          v = t;
        }
      if (u == v || adj[u][v])
        continue;
      expected += reaches (adj, v, u);
      adj[u][v] = TRUE;

      g_assert_true (fc_lock_lock (locks[u], 1.0, NULL));
      g_assert_true (fc_lock_lock (locks[v], 1.0, NULL));
      fc_lock_unlock (locks[v]);
      fc_lock_unlock (locks[u]);
      g_assert_cmpuint (diag_count_logged ("Potential deadlock: lock order cycle *") - before, ==, expected);
    }
  g_test_message ("%u edges closed a cycle", expected);
  g_assert_cmpuint (expected, >, 0);

  for (guint i = 0; i < N_RANDOM_LOCKS; i++)
    g_object_unref (locks[i]);
  g_rand_free (rand);
  g_free (adj);
}

/* Held in order, then released in reverse. */
static void
take_all (FcLock **locks,
          guint    n)
{
  for (guint i = 0; i < n; i++)
    g_assert_true (fc_lock_lock (locks[i], 1.0, NULL));
  while (n-- > 0)
    fc_lock_unlock (locks[n]);
}

/* More distinct instances of an edge than are kept: the last stands for
 * the rest, and a cycle found through it says it is approximate. */
static gpointer
take_gated (gpointer data)
{
  take_all (data, 3);
  return NULL;
}

static void
test_instance_limit (void)
{
  FcLock *g1 = fc_lock_new (), *g2 = fc_lock_new (), *a = fc_lock_new (), *b = fc_lock_new ();
  FcLock *under_g1[] = { g1, a, b };
  FcLock *under_g2[] = { g2, a, b };
  FcLock *inverted[] = { g1, g2, b, a };
  guint before = diag_count_logged ("Potential deadlock: lock order cycle *");

  /* Eight owners under g1, a ninth under g2: a -> b has nine instances. */
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("limit-%u", i);

      g_thread_join (g_thread_new (name, take_gated, under_g1));
    }
  g_thread_join (g_thread_new ("limit-8", take_gated, under_g2));
  /* b -> a under both gates: no instance of a -> b could run beside it,
   * but the merged one ({g1} ∩ {g2}, no gate) could. */
  take_all (inverted, 4);

  g_assert_cmpuint (diag_count_logged ("Potential deadlock: lock order cycle *") - before, ==, 1);
  g_assert_cmpuint (diag_count_logged ("Potential deadlock: lock order cycle *(approximate: *"), ==, 1);

  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (g1);
  g_object_unref (g2);
}

/* A search among gated edges that would take too long gives up, and says
 * so: layers of locks, each layer's edges under a gate of its own, and the
 * way back under all of them (every path fails only at its last edge). */
#define N_LAYERS 10
#define LAYER_WIDTH 4

static void
test_search_limit (void)
{
  FcLock *gates[N_LAYERS];
  FcLock *layers[N_LAYERS][LAYER_WIDTH];
  FcLock *u = fc_lock_new ();
  FcLock *held[N_LAYERS + 2];
  guint before = diag_count_logged ("Lock order search gave up after *");

  for (guint i = 0; i < N_LAYERS; i++)
    {
      gates[i] = fc_lock_new ();
      for (guint j = 0; j < LAYER_WIDTH; j++)
        layers[i][j] = fc_lock_new ();
    }

  for (guint i = 0; i + 1 < N_LAYERS; i++)
    for (guint j = 0; j < LAYER_WIDTH; j++)
      for (guint k = 0; k < LAYER_WIDTH; k++)
        {
          FcLock *step[] = { gates[i], layers[i][j], layers[i + 1][k] };

          take_all (step, 3);
        }
  for (guint j = 0; j < LAYER_WIDTH; j++)
    {
      memcpy (held, gates, sizeof gates);
      held[N_LAYERS] = layers[N_LAYERS - 1][j];
      held[N_LAYERS + 1] = u;
      take_all (held, N_LAYERS + 2);
    }
  for (guint j = 0; j < LAYER_WIDTH; j++)
    {
      FcLock *back[] = { u, layers[0][j] };

      take_all (back, 2);
    }

  g_assert_cmpuint (diag_count_logged ("Lock order search gave up after *"), >, before);
  /* Every path is infeasible: nothing else is claimed. */
  g_assert_cmpuint (diag_count_logged ("Potential deadlock: lock order cycle * -> u*"), ==, 0);

  for (guint i = 0; i < N_LAYERS; i++)
    {
      g_object_unref (gates[i]);
      for (guint j = 0; j < LAYER_WIDTH; j++)
        g_object_unref (layers[i][j]);
    }
  g_object_unref (u);
}

/* Holding more locks than order learning looks at is said, not silent. */
#define N_HELD 20

static void
test_held_limit (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  FcLock *locks[N_HELD];
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < N_HELD; i++)
    {
      g_autofree char *name = g_strdup_printf ("held.%02u", i);

      locks[i] = fc_lock_manager_register_lock (manager, name, (int) i + 1, NULL, NULL, NULL);
    }
  take_all (locks, N_HELD);

  lines = fc_lock_manager_detect_potential_deadlocks (manager);
  g_assert_cmpuint (diag_count_matching (lines, "Lock order learning used only the 16 most recent of 17 held locks while taking held.17*"), ==, 1);
  g_assert_cmpuint (diag_count_logged ("Lock order learning used only the 16 most recent of *"), >=, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  diag_init ();

  g_test_add_func ("/diagnostics-exact/two-managers", test_two_managers);
  g_test_add_func ("/diagnostics-exact/manager-names", test_manager_names);
  g_test_add_func ("/diagnostics-exact/wide-graph", test_wide_graph);
  g_test_add_func ("/diagnostics-exact/timed-out-wait", test_timed_out_wait);
  g_test_add_func ("/diagnostics-exact/partly-gated", test_partly_gated);
  g_test_add_func ("/diagnostics-exact/right-owner", test_right_owner);
  g_test_add_func ("/diagnostics-exact/owner-tids", test_owner_tids);
  g_test_add_func ("/diagnostics-exact/long-cycle", test_long_cycle);
  g_test_add_func ("/diagnostics-exact/dot-names", test_dot_names);
  g_test_add_func ("/diagnostics-exact/random-order", test_random_order);
  g_test_add_func ("/diagnostics-exact/instance-limit", test_instance_limit);
  g_test_add_func ("/diagnostics-exact/search-limit", test_search_limit);
  g_test_add_func ("/diagnostics-exact/held-limit", test_held_limit);

  return g_test_run ();
}
