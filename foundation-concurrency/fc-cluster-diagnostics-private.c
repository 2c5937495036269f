/* fc-cluster-diagnostics-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "fc-cluster-diagnostics-private.h"
#include "fc-cluster-keys-private.h"
#include "fc-cluster-lock-private.h"
#include "fc-lockdep-render-private.h"
#include "fc-manager-private.h"
#include "fc-private.h"
#include "fc-waitfor-private.h"

/* A waiter key that is not first in its lock's queue. */
typedef struct
{
  const char      *lock;
  FcClusterWaiter *waiter;
  FcClusterWaiter *holder;   /* of the lock it waits for */
  int              next;     /* the wait of the holder, -1 if it does not wait */
} Wait;

static gboolean
strv_has (char       **strv,
          const char  *s)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, s);
}

static void
find_deadlocks (FcClusterSnapshot *snapshot,
                GStrvBuilder      *out)
{
  g_autoptr(GArray) waits = g_array_new (FALSE, TRUE, sizeof (Wait));
  g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_cluster_waiter_free);
  g_autoptr(GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer name, queue;

  g_hash_table_iter_init (&iter, snapshot->waiters);
  while (g_hash_table_iter_next (&iter, &name, &queue))
    {
      GPtrArray *q = queue;
      FcClusterWaiter *holder;

      if (q->len < 2)
        continue;
      holder = fc_cluster_waiter_parse (((FcEtcdKv *) g_ptr_array_index (q, 0))->value);
      g_ptr_array_add (parsed, holder);
      for (guint i = 1; i < q->len; i++)
        {
          Wait w = { name, fc_cluster_waiter_parse (((FcEtcdKv *) g_ptr_array_index (q, i))->value), holder, -1 };

          g_ptr_array_add (parsed, w.waiter);
          g_array_append_val (waits, w);
        }
    }

  /* The holder of a lock waits where a waiter of the same owner holds it. */
  for (guint i = 0; i < waits->len; i++)
    {
      Wait *w = &g_array_index (waits, Wait, i);

      for (guint j = 0; j < waits->len && w->next < 0; j++)
        {
          Wait *v = &g_array_index (waits, Wait, j);

          if (w->holder->owner != NULL && g_strcmp0 (v->waiter->owner, w->holder->owner) == 0
              && strv_has (v->waiter->holds, w->lock))
            w->next = (int) j;
        }
    }

  for (guint i = 0; i < waits->len; i++)
    {
      g_autoptr(GString) message = NULL;
      g_autoptr(GString) key = NULL;
      int current = (int) i;
      int start = (int) i;
      guint steps = 0;

      /* Around a cycle through i, starting at its smallest member. */
      do
        {
          current = g_array_index (waits, Wait, current).next;
          if (current >= 0 && current < start)
            start = current;
        }
      while (current >= 0 && current != (int) i && ++steps <= waits->len);
      if (current != (int) i)
        continue;

      message = g_string_new (NULL);
      key = g_string_new (NULL);
      current = start;
      do
        {
          Wait *w = &g_array_index (waits, Wait, current);
          Wait *before = NULL;

          /* What it holds: the lock the one before it waits for. */
          for (guint j = 0; j < waits->len && before == NULL; j++)
            if (g_array_index (waits, Wait, j).next == current)
              before = &g_array_index (waits, Wait, j);
          fc_waitfor_append_participant (message, current == start,
                                         w->waiter->owner != NULL ? w->waiter->owner : _("unknown"),
                                         before != NULL ? before->lock : "?", w->lock);
          g_string_append_printf (key, "%d/", current);
          current = w->next;
        }
      while (current != start);

      if (g_hash_table_add (reported, g_strdup (key->str)))
        g_strv_builder_add (out, message->str);
    }
}

/* Lock-order cycles among the edges every member published: each found
 * once, from its least name. */
typedef struct
{
  FcClusterSnapshot *snapshot;
  GHashTable        *reported;
  GPtrArray         *path;     /* edge indices (triples in snapshot->edges) */
  GStrvBuilder      *out;
  guint              budget;
} CycleSearch;

#define EDGE_FROM(s, e) ((const char *) g_ptr_array_index ((s)->edges, 3 * (e)))
#define EDGE_TO(s, e) ((const char *) g_ptr_array_index ((s)->edges, 3 * (e) + 1))
#define EDGE_OWNER(s, e) ((const char *) g_ptr_array_index ((s)->edges, 3 * (e) + 2))

static void
report_cycle (CycleSearch *search)
{
  FcClusterSnapshot *snapshot = search->snapshot;
  g_autoptr(GString) chain = g_string_new (NULL);
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(GString) key = g_string_new (NULL);

  for (guint k = 0; k < search->path->len; k++)
    {
      guint e = GPOINTER_TO_UINT (g_ptr_array_index (search->path, k));
      g_autofree char *owner = g_strdup_printf ("'%s'", EDGE_OWNER (snapshot, e));

      g_string_append_printf (chain, "%s -> ", EDGE_FROM (snapshot, e));
      g_string_append_printf (key, "%s\n", EDGE_FROM (snapshot, e));
      if (k > 0)
        g_string_append (detail, "; ");
      fc_dep_render_append_edge (detail, EDGE_FROM (snapshot, e),
                                 GPOINTER_TO_INT (g_hash_table_lookup (snapshot->orders, EDGE_FROM (snapshot, e))),
                                 EDGE_TO (snapshot, e),
                                 GPOINTER_TO_INT (g_hash_table_lookup (snapshot->orders, EDGE_TO (snapshot, e))),
                                 owner);
    }
  g_string_append (chain, EDGE_FROM (snapshot, GPOINTER_TO_UINT (g_ptr_array_index (search->path, 0))));
  if (!g_hash_table_add (search->reported, g_strdup (key->str)))
    return;
  fc_dep_render_append_cycle (message, chain->str, detail->str);
  g_strv_builder_add (search->out, message->str);
}

/* Paths from @start through names above it, back to @start. */
static void
search_from (CycleSearch *search,
             const char  *start,
             const char  *at)
{
  FcClusterSnapshot *snapshot = search->snapshot;
  guint n_edges = snapshot->edges->len / 3;

  for (guint e = 0; e < n_edges && search->budget > 0; e++)
    {
      const char *to = EDGE_TO (snapshot, e);
      gboolean visited = FALSE;

      if (strcmp (EDGE_FROM (snapshot, e), at) != 0)
        continue;
      search->budget--;
      if (strcmp (to, start) == 0)
        {
          g_ptr_array_add (search->path, GUINT_TO_POINTER (e));
          report_cycle (search);
          g_ptr_array_set_size (search->path, search->path->len - 1);
          continue;
        }
      if (strcmp (to, start) < 0)
        continue;  /* found from its least name */
      for (guint k = 0; k < search->path->len && !visited; k++)
        visited = strcmp (EDGE_FROM (snapshot, GPOINTER_TO_UINT (g_ptr_array_index (search->path, k))), to) == 0;
      if (visited)
        continue;
      g_ptr_array_add (search->path, GUINT_TO_POINTER (e));
      search_from (search, start, to);
      g_ptr_array_set_size (search->path, search->path->len - 1);
    }
}

static void
find_cycles (FcClusterSnapshot *snapshot,
             GStrvBuilder      *out)
{
  g_autoptr(GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) path = g_ptr_array_new ();
  CycleSearch search = { snapshot, reported, path, out, 100000 };

  for (guint e = 0; e < snapshot->edges->len / 3; e++)
    search_from (&search, EDGE_FROM (snapshot, e), EDGE_FROM (snapshot, e));
}

char **
fc_cluster_diagnose (FcClusterSnapshot *snapshot,
                     const char        *identity)
{
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  gint64 now = fc_cluster_now ();
  GHashTableIter iter;
  gpointer name, queue;

  g_hash_table_iter_init (&iter, snapshot->waiters);
  while (g_hash_table_iter_next (&iter, &name, &queue))
    {
      GPtrArray *q = queue;
      g_autoptr(FcClusterWaiter) holder = NULL;
      double held_for;

      if (q->len == 0)
        continue;
      holder = fc_cluster_waiter_parse (((FcEtcdKv *) g_ptr_array_index (q, 0))->value);
      held_for = holder->since > 0 ? (double) (now - holder->since) / G_USEC_PER_SEC : 0;
      if (held_for > FC_CLUSTER_HOLD_WARNING_SECONDS)
        {
          g_autofree char *message =
            fc_manager_long_hold_message (name, holder->owner != NULL ? holder->owner : _("unknown"),
                                          held_for);

          g_strv_builder_add (out, message);
        }
    }
  find_cycles (snapshot, out);
  find_deadlocks (snapshot, out);
  return g_strv_builder_end (out);
}
