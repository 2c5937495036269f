/* fc-lockdep-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The lock-order graph. Every blocking acquisition adds an edge from each
 * lock its owner already holds to the lock it takes. A cycle in that graph
 * is an order in which two owners could deadlock, even if they never
 * overlapped in time — unless every edge of the cycle was always taken
 * while one common outer lock (a "gate") was held, which serialises them.
 *
 * Each edge remembers its gates: the other locks held every time it was
 * taken (an intersection that only shrinks). Once that is empty the edge
 * needs no more bookkeeping, and its owner caches it, so that taking a
 * known edge costs a cache probe and no lock.
 */

#include "config.h"

#include <string.h>

#include "fc-lock-core-private.h"
#include "fc-lockdep-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-report-private.h"

typedef struct _FcDepNode FcDepNode;

typedef struct
{
  FcLockCore *from;
  FcLockCore *to;
  char       *owner;      /* who made it first */
  GPtrArray  *gates;      /* FcLockCore *: held every time; empty = none */
  gboolean    in_cycle;   /* reported as part of a cycle */
} FcDepEdge;

struct _FcDepNode
{
  FcLockCore *core;
  GHashTable *out;        /* FcLockCore *to → FcDepEdge * (owned) */
  GHashTable *in;         /* FcLockCore *from → FcDepEdge * */
};

static GMutex dep_mutex;
static GHashTable *dep_nodes;        /* FcLockCore * → FcDepNode * */
static GHashTable *reported_keys;    /* char * set */
static GPtrArray *cycle_reports;     /* FcReport * */
int fc_lockdep_generation;     /* atomic; bumped when a lock leaves the graph,
                                      * so that no cache trusts an edge of a freed lock
                                      * whose address was reused */

/* ---- The graph -------------------------------------------------------- */

static void
fc_dep_edge_free (gpointer data)
{
  FcDepEdge *edge = data;

  g_free (edge->owner);
  g_ptr_array_unref (edge->gates);
  g_free (edge);
}

static FcDepNode *
fc_dep_node_get (FcLockCore *core,
                 gboolean    create)
{
  FcDepNode *node;

  if (dep_nodes == NULL)
    {
      if (!create)
        return NULL;
      dep_nodes = g_hash_table_new (NULL, NULL);
      reported_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      cycle_reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
    }

  if (core == NULL)
    return NULL;

  node = g_hash_table_lookup (dep_nodes, core);
  if (node == NULL && create)
    {
      node = g_new0 (FcDepNode, 1);
      node->core = core;
      node->out = g_hash_table_new_full (NULL, NULL, NULL, fc_dep_edge_free);
      node->in = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (dep_nodes, core, node);
    }
  return node;
}

static gboolean
gates_contain (GPtrArray  *gates,
               FcLockCore *core)
{
  for (guint i = 0; i < gates->len; i++)
    if (gates->pdata[i] == core)
      return TRUE;
  return FALSE;
}

/* Keeps in @gates only what is also in @held; returns whether it shrank. */
static gboolean
gates_intersect (GPtrArray          *gates,
                 FcLockCore * const *held,
                 guint               n_held)
{
  gboolean shrank = FALSE;

  for (guint i = gates->len; i > 0; i--)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < n_held && !found; j++)
        found = held[j] == gates->pdata[i - 1];
      if (!found)
        {
          g_ptr_array_remove_index_fast (gates, i - 1);
          shrank = TRUE;
        }
    }
  return shrank;
}

typedef struct
{
  FcLockCore *target;
  GPtrArray  *path;       /* FcDepEdge *, the path being explored */
  GHashTable *dead;       /* nodes fully explored with no gates left */
  guint       budget;
} CycleSearch;

/* Depth-first search from @node for a path to search->target whose edges
 * (with the new one) share no gate. @gates: the gates common so far. */
static gboolean
fc_dep_search (CycleSearch *search,
               FcLockCore  *node,
               GPtrArray   *gates)
{
  FcDepNode *dep;
  GHashTableIter iter;
  gpointer key, value;

  if (search->budget == 0)
    return FALSE;
  search->budget--;

  if (node == search->target)
    return gates->len == 0;

  if (gates->len == 0)
    {
      if (g_hash_table_contains (search->dead, node))
        return FALSE;
      g_hash_table_add (search->dead, node);
    }

  dep = fc_dep_node_get (node, FALSE);
  if (dep == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, dep->out);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      FcDepEdge *edge = value;
      g_autoptr(GPtrArray) next = g_ptr_array_new ();
      gboolean on_path = FALSE;

      for (guint i = 0; i < search->path->len && !on_path; i++)
        on_path = ((FcDepEdge *) search->path->pdata[i])->from == edge->to;
      if (on_path && edge->to != search->target)
        continue;

      for (guint i = 0; i < gates->len; i++)
        if (gates_contain (edge->gates, gates->pdata[i]))
          g_ptr_array_add (next, gates->pdata[i]);

      g_ptr_array_add (search->path, edge);
      if (fc_dep_search (search, edge->to, next))
        return TRUE;
      g_ptr_array_remove_index (search->path, search->path->len - 1);
    }

  return FALSE;
}

/* A report for the cycle @path (edges, closed), unless it was reported. */
static FcReport *
fc_dep_report_cycle (GPtrArray *path)
{
  g_autoptr(GString) chain = g_string_new (NULL);
  g_autoptr(GString) detail = g_string_new (NULL);
  FcReport *report;
  guint start = 0;
  guint n = path->len;

  /* Start at the lock with the smallest name, so the key is canonical. */
  for (guint i = 1; i < n; i++)
    {
      FcDepEdge *a = path->pdata[i];
      FcDepEdge *b = path->pdata[start];

      if (g_strcmp0 (a->from->name, b->from->name) < 0)
        start = i;
    }

  report = fc_report_new (FC_REPORT_ORDER_CYCLE);
  for (guint k = 0; k < n; k++)
    {
      FcDepEdge *edge = path->pdata[(start + k) % n];
      const char *from = fc_lock_core_display_name (edge->from);
      const char *to = fc_lock_core_display_name (edge->to);

      g_string_append_printf (chain, "%s -> ", from);
      if (k > 0)
        g_string_append (detail, "; ");
      /* TRANSLATORS: one edge of a lock-order cycle: "a (10) -> b (20) by 'worker-1'" */
      g_string_append_printf (detail, _("%s (%d) -> %s (%d) by '%s'"),
                              from, edge->from->order, to, edge->to->order, edge->owner);
      fc_report_add (report, edge->from, edge->owner);
    }
  g_string_append (chain, fc_lock_core_display_name (((FcDepEdge *) path->pdata[start])->from));

  report->key = g_strconcat ("order-cycle:", chain->str, NULL);
  if (g_hash_table_contains (reported_keys, report->key))
    {
      fc_report_unref (report);
      return NULL;
    }

  /* TRANSLATORS: the first %s is a cycle of lock names, "a -> b -> a"; the
   * second lists its edges, "a (10) -> b (20) by 'worker-1'; …" */
  report->message = g_strdup_printf (_("Potential deadlock: lock order cycle %s (%s)"),
                                     chain->str, detail->str);
  g_hash_table_add (reported_keys, g_strdup (report->key));
  for (guint k = 0; k < n; k++)
    ((FcDepEdge *) path->pdata[k])->in_cycle = TRUE;
  g_ptr_array_add (cycle_reports, fc_report_ref (report));
  return report;
}

/* Looks for a cycle closed by @edge; returns a new report or NULL. */
static FcReport *
fc_dep_check_cycle (FcDepEdge *edge)
{
  CycleSearch search = { 0, };
  g_autoptr(GPtrArray) gates = g_ptr_array_new ();
  FcReport *report = NULL;

  search.target = edge->from;
  search.path = g_ptr_array_new ();
  search.dead = g_hash_table_new (NULL, NULL);
  search.budget = 4096;

  g_ptr_array_extend (gates, edge->gates, NULL, NULL);
  g_ptr_array_add (search.path, edge);
  if (fc_dep_search (&search, edge->to, gates))
    report = fc_dep_report_cycle (search.path);

  g_ptr_array_unref (search.path);
  g_hash_table_unref (search.dead);
  return report;
}



static GPrivate deferred_reports = G_PRIVATE_INIT ((GDestroyNotify) g_ptr_array_unref);

void
fc_lockdep_flush (void)
{
  GPtrArray *reports = g_private_get (&deferred_reports);

  if (G_LIKELY (reports == NULL))
    return;

  g_private_set (&deferred_reports, NULL);
  for (guint i = 0; i < reports->len; i++)
    fc_report_publish (reports->pdata[i]);
  g_ptr_array_unref (reports);
}

void
fc_lockdep_note_acquire_slow (FcLockdepCache     *cache,
                              FcLockCore         *taken,
                              FcLockCore * const *held,
                              guint               n_held,
                              const char         *owner,
                              gboolean            defer)
{
  g_autoptr(GPtrArray) reports = NULL;

  if (fc_debug_flags () & FC_DEBUG_NOLOCKDEP)
    return;

  fc_mutex_lock (&dep_mutex);

  if (cache->generation != fc_lockdep_generation)
    {
      memset (cache, 0, sizeof *cache);
      cache->generation = fc_lockdep_generation;
    }
  for (guint i = 0; i < n_held; i++)
    {
      FcLockCore *from = held[i];
      FcDepNode *node;
      FcDepEdge *edge;
      gboolean changed = FALSE;
      guint slot;

      if (from == taken)
        continue;

      node = fc_dep_node_get (from, TRUE);
      edge = g_hash_table_lookup (node->out, taken);
      if (edge == NULL)
        {
          edge = g_new0 (FcDepEdge, 1);
          edge->from = from;
          edge->to = taken;
          edge->owner = g_strdup (owner);
          edge->gates = g_ptr_array_new ();
          for (guint j = 0; j < n_held; j++)
            if (held[j] != from && held[j] != taken)
              g_ptr_array_add (edge->gates, held[j]);
          g_hash_table_insert (node->out, taken, edge);
          g_hash_table_insert (fc_dep_node_get (taken, TRUE)->in, from, edge);
          changed = TRUE;
        }
      else
        changed = gates_intersect (edge->gates, held, n_held);

      if (changed)
        {
          FcReport *report = fc_dep_check_cycle (edge);

          if (report != NULL)
            {
              if (reports == NULL)
                reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
              g_ptr_array_add (reports, report);
            }
        }

      /* Taken again under the same held set, an edge with gates keeps
       * them (they are already a subset of that set). */
      slot = fc_lockdep_cache_slot (from, taken);
      cache->from[slot] = from;
      cache->to[slot] = taken;
      cache->held[slot] = edge->gates->len == 0 ? 0 :
        fc_lockdep_held_signature ((gconstpointer const *) held, n_held);
    }

  fc_mutex_unlock (&dep_mutex);

  if (reports == NULL)
    return;

  if (defer)
    {
      GPtrArray *pending = g_private_get (&deferred_reports);

      if (pending == NULL)
        g_private_set (&deferred_reports, g_steal_pointer (&reports));
      else
        g_ptr_array_extend_and_steal (pending, g_steal_pointer (&reports));
      return;
    }

  for (guint i = 0; i < reports->len; i++)
    fc_report_publish (reports->pdata[i]);
}

void
fc_lockdep_forget (FcLockCore *lock)
{
  FcDepNode *node;
  GHashTableIter iter;
  gpointer key, value;

  fc_mutex_lock (&dep_mutex);

  node = fc_dep_node_get (lock, FALSE);
  if (node != NULL)
    {
      /* Edges into this lock live in their sources' tables. */
      g_hash_table_iter_init (&iter, node->in);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          FcDepNode *source = fc_dep_node_get (key, FALSE);

          if (source != NULL && source != node)
            g_hash_table_remove (source->out, lock);
        }
      g_hash_table_iter_init (&iter, node->out);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          FcDepNode *target = fc_dep_node_get (key, FALSE);

          if (target != NULL && target != node)
            g_hash_table_remove (target->in, lock);
        }
      /* Gates naming this lock are now meaningless. */
      g_hash_table_iter_init (&iter, dep_nodes);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          GHashTableIter edges;
          gpointer to, e;

          g_hash_table_iter_init (&edges, ((FcDepNode *) value)->out);
          while (g_hash_table_iter_next (&edges, &to, &e))
            g_ptr_array_remove_fast (((FcDepEdge *) e)->gates, lock);
        }

      g_hash_table_remove (dep_nodes, lock);
      g_hash_table_unref (node->out);
      g_hash_table_unref (node->in);
      g_free (node);
      g_atomic_int_inc (&fc_lockdep_generation);
    }

  fc_mutex_unlock (&dep_mutex);
}

GPtrArray *
fc_lockdep_dup_reports (guint64 registry_id)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);

  fc_mutex_lock (&dep_mutex);
  for (guint i = 0; cycle_reports != NULL && i < cycle_reports->len; i++)
    if (fc_report_involves (cycle_reports->pdata[i], registry_id))
      g_ptr_array_add (result, fc_report_ref (cycle_reports->pdata[i]));
  fc_mutex_unlock (&dep_mutex);

  return result;
}

static void
append_dot_id (GString    *out,
               const char *name)
{
  g_string_append_c (out, '"');
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
fc_lockdep_dump_dot (guint64 registry_id)
{
  GString *out = g_string_new ("digraph lock_order {\n"
                               "  rankdir=LR;\n"
                               "  node [shape=box, fontname=\"monospace\"];\n");
  GHashTableIter iter;
  gpointer key, value;

  fc_mutex_lock (&dep_mutex);

  if (dep_nodes != NULL)
    {
      g_hash_table_iter_init (&iter, dep_nodes);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          FcLockCore *core = key;
          FcRegistry *registry = g_atomic_pointer_get (&core->registry);
          GHashTableIter edges;
          gpointer to, e;

          if (registry == NULL || registry->id != registry_id)
            continue;

          g_hash_table_iter_init (&edges, ((FcDepNode *) value)->out);
          while (g_hash_table_iter_next (&edges, &to, &e))
            {
              FcDepEdge *edge = e;
              FcRegistry *to_registry = g_atomic_pointer_get (&edge->to->registry);

              if (to_registry == NULL || to_registry->id != registry_id)
                continue;
              g_string_append (out, "  ");
              append_dot_id (out, fc_lock_core_display_name (edge->from));
              g_string_append (out, " -> ");
              append_dot_id (out, fc_lock_core_display_name (edge->to));
              g_string_append (out, " [label=");
              append_dot_id (out, edge->owner);
              if (edge->in_cycle)
                g_string_append (out, ", color=red, fontcolor=red, penwidth=2");
              else if (edge->gates->len > 0)
                g_string_append (out, ", style=dashed");
              g_string_append (out, "];\n");
            }
        }
    }

  fc_mutex_unlock (&dep_mutex);

  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}
