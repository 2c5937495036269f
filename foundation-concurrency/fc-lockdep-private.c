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
 * Each edge keeps its distinct instances (fc-lockdep-graph-private.c):
 * who made it and under which gates (the other locks held then). Once it
 * has an instance without gates the edge needs no more bookkeeping. Which
 * cycles exist, and which of them can happen, is fc-lockdep-order's; how
 * they are told, fc-lockdep-render's.
 *
 * Identity. A lock enters the graph with a node and a 64-bit id that is
 * never reused (FcLockdepLink, the first member of its FcLockCore); both
 * go when the lock is finalized. Caches and edge sets name locks by id, so
 * a new lock at a freed lock's address (zeroed, with no id) can never be
 * taken for the old one: nothing has to be invalidated when a lock goes.
 *
 * Protocol. dep_mutex guards the whole graph, and every write to it. Two
 * things are read without it, on every acquisition along a known edge:
 *
 *  - the owner's FcLockdepCache, touched only by its owner (a thread, or
 *    an async manager under its state mutex);
 *  - on a cache miss, the out-edge table of each held lock's node, read
 *    with atomics by the owner holding that lock: the link (node pointer,
 *    acquire), the table pointer (acquire) and each slot's key (acquire):
 *    the target's id and whether the edge has gates. An edge found with no
 *    gates needs nothing more; anything else takes the mutex.
 *
 * Reclamation follows from who may read a table without the mutex: only
 * an owner that holds the node's lock, and locks are exclusive, so at most
 * one at a time. A table is therefore only ever *replaced* (grown or
 * rehashed, the old one freed at once) by an insertion, and insertions
 * into a node's table come only from an owner holding that node's lock
 * (the edge starts there) — the one reader there could be. Other threads
 * only mark slots removed, in place and atomically, when an edge's target
 * is forgotten; a reader looking for a live target is not misled by that.
 * A slot is written edge first, then its key (release); when an edge loses
 * its last gate, its key is rewritten in place. An edge and a node
 * are freed only when one of their locks is finalized, which no owner
 * holding it can be reading. The previous holder's reads happen before
 * the next holder's writes through the lock itself.
 *
 * Forgetting a lock costs what it touches: its out-edges (its own table),
 * its in-edges (the `in` set, removed from their sources' tables) and the
 * edges it gates (the `gating` set, an index kept beside the gates).
 *
 * Internal lock order: dep_mutex is innermost. It may be taken under a
 * caller's own mutex (an async manager's state mutex), and nothing is
 * taken under it (reports are published once it is released; with @defer,
 * once the caller's is too). listen_mutex is taken alone. Functions named
 * *_locked run with dep_mutex held.
 */

#include "config.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fc-lock-core-private.h"
#include "fc-lockdep-graph-private.h"
#include "fc-lockdep-order-private.h"
#include "fc-lockdep-private.h"
#include "fc-lockdep-render-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-report-private.h"

/* The inline fast path reads a lock's link as the start of its core. */
G_STATIC_ASSERT (G_STRUCT_OFFSET (FcLockCore, lockdep) == 0);

static GMutex dep_mutex;
static GHashTable *dep_nodes;        /* FcDepNode * set */
static GHashTable *reported_keys;    /* char * set */
static GPtrArray *cycle_reports;     /* FcReport * */
static guint64 dep_last_id;          /* under dep_mutex */

static guint64 dep_mutex_entries;   /* atomic */
static guint64 dep_forget_steps;    /* under dep_mutex */
static guint dep_search_limits;     /* under dep_mutex */

/* Held locks taken into account per acquisition (the callers already
 * keep at most their 16 most recent). */
#define FC_DEP_MAX_HELD 64

/* Whether the edge from @node to the lock @to is known and has an
 * instance without gates. Lock-free for the owner holding @node's lock
 * (see the protocol above). */
static gboolean
fc_dep_known_plain (FcDepNode *node,
                    guint64    to)
{
  guint64 key;

  return fc_dep_table_find (__atomic_load_n (&node->out, __ATOMIC_ACQUIRE), to, &key) != NULL &&
         key == FC_DEP_KEY (to, FALSE);
}

static FcDepNode *
fc_dep_node_get (FcLockCore *core,
                 gboolean    create)
{
  FcLockdepLink *link;
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

  link = FC_LOCKDEP_LINK (core);
  node = __atomic_load_n (&link->node, __ATOMIC_RELAXED);
  if (node == NULL && create)
    {
      node = g_new0 (FcDepNode, 1);
      node->id = ++dep_last_id;
      node->core = core;
      node->in = g_hash_table_new (NULL, NULL);
      fc_dep_order_add_node (node);
      g_hash_table_add (dep_nodes, node);
      __atomic_store_n (&link->node, node, __ATOMIC_RELEASE);
      __atomic_store_n (&link->id, node->id, __ATOMIC_RELEASE);
    }
  return node;
}

/* Keeps @report unless one with its key was made: returns it, or NULL. */
static FcReport *
fc_dep_keep_report_locked (FcReport *report)
{
  if (g_hash_table_contains (reported_keys, report->key))
    {
      fc_report_unref (report);
      return NULL;
    }
  g_hash_table_add (reported_keys, g_strdup (report->key));
  g_ptr_array_add (cycle_reports, fc_report_ref (report));
  return report;
}

/* Looks for a feasible cycle through @edge, which is new (@is_new) or has
 * a new instance; returns a new report or NULL. */
static FcReport *
fc_dep_check_cycle_locked (FcDepEdge *edge,
                           gboolean   is_new)
{
  g_autoptr(GPtrArray) path = g_ptr_array_new ();
  g_autoptr(GPtrArray) choice = g_ptr_array_new ();
  FcReport *report;

  switch (fc_dep_order_check (edge, is_new, path, choice))
    {
    case FC_DEP_CYCLE:
      report = fc_dep_keep_report_locked (fc_dep_render_cycle (path, choice));
      for (guint k = 0; report != NULL && k < path->len; k++)
        ((FcDepEdge *) path->pdata[k])->in_cycle = TRUE;
      return report;
    case FC_DEP_SEARCH_LIMIT:
      dep_search_limits++;
      return fc_dep_keep_report_locked (fc_dep_render_limit (edge, FC_DEP_SEARCH_BUDGET));
    case FC_DEP_NO_CYCLE:
    default:
      return NULL;
    }
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

/* Publishes @reports (taken) now, or with @defer once the calling thread
 * calls fc_lockdep_flush(). */
static void
fc_lockdep_publish (GPtrArray *reports,
                    gboolean   defer)
{
  if (defer)
    {
      GPtrArray *pending = g_private_get (&deferred_reports);

      if (pending == NULL)
        g_private_set (&deferred_reports, reports);
      else
        g_ptr_array_extend_and_steal (pending, reports);
      return;
    }

  for (guint i = 0; i < reports->len; i++)
    fc_report_publish (reports->pdata[i]);
  g_ptr_array_unref (reports);
}

/* Whether every edge from @held to @taken is known and needs no more
 * bookkeeping, found in @cache or, without dep_mutex, in the held locks'
 * out-edge tables (the caller holds those locks: see the protocol). Fills
 * @cache with what it finds there. */
static gboolean
fc_dep_all_known (FcLockdepCache     *cache,
                  FcLockCore         *taken,
                  FcLockCore * const *held,
                  guint               n_held)
{
  guint64 to = fc_lockdep_id (taken);
  guint64 sig = 0;

  if (to == 0)
    return FALSE;

  for (guint i = 0; i < n_held; i++)
    {
      guint64 from = fc_lockdep_id (held[i]);
      FcDepNode *node;
      guint slot;

      if (held[i] == taken)
        continue;
      if (from == 0)
        return FALSE;

      slot = fc_lockdep_cache_slot (from, to);
      if (cache->from[slot] == from && cache->to[slot] == to)
        {
          if (cache->held[slot] == 0)
            continue;
          if (sig == 0)
            sig = fc_lockdep_held_signature (held, n_held);
          if (cache->held[slot] == sig)
            continue;
        }

      node = __atomic_load_n (&FC_LOCKDEP_LINK (held[i])->node, __ATOMIC_ACQUIRE);
      if (node == NULL || !fc_dep_known_plain (node, to))
        return FALSE;

      cache->from[slot] = from;
      cache->to[slot] = to;
      cache->held[slot] = 0;
    }
  return TRUE;
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
  g_autofree char *stack = NULL;
  FcDepNode *gates[FC_DEP_MAX_HELD];
  FcDepNode *to_node;
  guint64 sig;
  guint64 tid;

  /* First: with FC_DEBUG=nolockdep no lock has an id, and nothing is known. */
  if (fc_dep_all_known (cache, taken, held, n_held))
    return;

  if (fc_debug_flags () & FC_DEBUG_NOLOCKDEP)
    return;

  n_held = MIN (n_held, FC_DEP_MAX_HELD);
  /* A deferring caller is an async manager: its owners are guards, not the
   * thread that happens to run the grant. */
  tid = defer ? 0 : (guint64) syscall (SYS_gettid);
  /* Outside the mutex: the first backtrace() may load libgcc. */
  stack = fc_dep_capture_stack ();

  __atomic_fetch_add (&dep_mutex_entries, 1, __ATOMIC_RELAXED);
  fc_mutex_lock (&dep_mutex);

  /* Every lock involved gets its node (and id) first: the signature of
   * the held set is made of their ids. */
  to_node = fc_dep_node_get (taken, TRUE);
  for (guint i = 0; i < n_held; i++)
    fc_dep_node_get (held[i], TRUE);
  sig = fc_lockdep_held_signature (held, n_held);

  for (guint i = 0; i < n_held; i++)
    {
      FcDepNode *node;
      FcDepEdge *edge;
      gboolean is_new = FALSE;
      guint n_gates = 0;
      guint slot;

      if (held[i] == taken)
        continue;

      node = fc_dep_node_get (held[i], FALSE);
      for (guint j = 0; j < n_held; j++)
        if (held[j] != held[i] && held[j] != taken)
          gates[n_gates++] = fc_dep_node_get (held[j], FALSE);

      edge = fc_dep_table_lookup (node, to_node->id);
      if (edge == NULL)
        {
          edge = fc_dep_edge_new (node, to_node);
          is_new = TRUE;
        }
      if (fc_dep_edge_add_instance (edge, owner, tid, gates, n_gates, g_strdup (stack)) ||
          is_new)
        {
          FcReport *report;

          if (is_new)
            {
              fc_dep_table_insert (edge);
              g_hash_table_add (to_node->in, edge);
            }
          report = fc_dep_check_cycle_locked (edge, is_new);
          if (report != NULL)
            {
              if (reports == NULL)
                reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
              g_ptr_array_add (reports, report);
            }
        }

      /* Taken again by this owner under the same held set, an edge makes
       * no new instance. */
      slot = fc_lockdep_cache_slot (node->id, to_node->id);
      cache->from[slot] = node->id;
      cache->to[slot] = to_node->id;
      cache->held[slot] = edge->plain ? 0 : sig;
    }

  fc_mutex_unlock (&dep_mutex);

  if (reports != NULL)
    fc_lockdep_publish (g_steal_pointer (&reports), defer);
}

void
fc_lockdep_note_held_limit (FcLockCore *taken,
                            guint       n_held,
                            guint       n_used,
                            gboolean    defer)
{
  static guint64 last_registry = G_MAXUINT64;   /* atomic: said for it already */
  guint64 registry_id = __atomic_load_n (&taken->registry_id, __ATOMIC_ACQUIRE);
  FcReport *report;

  if (__atomic_load_n (&last_registry, __ATOMIC_RELAXED) == registry_id ||
      (fc_debug_flags () & FC_DEBUG_NOLOCKDEP))
    return;
  __atomic_store_n (&last_registry, registry_id, __ATOMIC_RELAXED);

  report = fc_report_new (FC_REPORT_ORDER_LIMIT);
  fc_report_add (report, taken, NULL);
  report->key = g_strdup_printf ("order-limit:held:%" G_GUINT64_FORMAT, registry_id);
  report->message =
    /* TRANSLATORS: %u are numbers of locks; %s a lock name */
    g_strdup_printf (_("Lock order learning used only the %u most recent of %u held locks while taking %s: a potential deadlock through the others may be missed"),
                     n_used, n_held, fc_lock_core_display_name (taken));

  fc_mutex_lock (&dep_mutex);
  fc_dep_node_get (NULL, TRUE);   /* the report lists, if not yet made */
  report = fc_dep_keep_report_locked (report);
  fc_mutex_unlock (&dep_mutex);

  if (report != NULL)
    {
      GPtrArray *reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);

      g_ptr_array_add (reports, report);
      fc_lockdep_publish (reports, defer);
    }
}

void
fc_lockdep_forget (FcLockCore *lock)
{
  FcLockdepLink *link = FC_LOCKDEP_LINK (lock);
  FcDepNode *node;
  FcDepTable *table;
  GHashTableIter iter;
  gpointer key;

  /* Finalized, the lock is ours alone: nobody can be giving it a node. */
  if (__atomic_load_n (&link->node, __ATOMIC_ACQUIRE) == NULL)
    return;

  fc_mutex_lock (&dep_mutex);

  node = link->node;
  table = node->out;

  /* The edges it gates keep it as their gate (fc_dep_node_free()). */
  /* Its edges out, from its own table. */
  for (guint i = 0; table != NULL && i <= table->mask; i++)
    {
      FcDepEdge *edge = fc_dep_table_edge (table, i);

      if (edge == NULL)
        continue;
      dep_forget_steps++;
      g_hash_table_remove (edge->to->in, edge);
      fc_dep_edge_free (edge);
    }

  /* Its edges in, from their sources' tables. */
  g_hash_table_iter_init (&iter, node->in);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FcDepEdge *edge = key;

      dep_forget_steps++;
      fc_dep_table_remove (edge->from, node->id);
      fc_dep_edge_free (edge);
    }

  fc_dep_order_remove_node (node);
  g_hash_table_remove (dep_nodes, node);
  __atomic_store_n (&link->id, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&link->node, NULL, __ATOMIC_RELAXED);
  g_free (table);
  g_hash_table_unref (node->in);
  node->out = NULL;
  node->in = NULL;
  fc_dep_node_free (node);

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

void
fc_lockdep_forget_registry (guint64 registry_id)
{
  fc_mutex_lock (&dep_mutex);
  for (guint i = cycle_reports != NULL ? cycle_reports->len : 0; i > 0; i--)
    {
      FcReport *report = cycle_reports->pdata[i - 1];

      if (report->registries->len == 1 &&
          g_array_index (report->registries, guint64, 0) == registry_id)
        {
          g_hash_table_remove (reported_keys, report->key);
          g_ptr_array_remove_index (cycle_reports, i - 1);
        }
    }
  fc_mutex_unlock (&dep_mutex);
}

guint
fc_lockdep_n_cycle_reports (void)
{
  guint n;

  fc_mutex_lock (&dep_mutex);
  n = cycle_reports != NULL ? cycle_reports->len : 0;
  fc_mutex_unlock (&dep_mutex);
  return n;
}

static gboolean
fc_dep_node_in_registry (FcDepNode *node,
                         guint64    registry_id)
{
  /* The immutable id, not core->registry, which fc_registry_free() clears. */
  return __atomic_load_n (&node->core->registry_id, __ATOMIC_ACQUIRE) == registry_id;
}

char *
fc_lockdep_dump_dot (guint64             registry_id,
                     FcLockCore * const *nodes,
                     guint               n_nodes)
{
  GString *out = g_string_new ("digraph lock_order {\n"
                               "  rankdir=LR;\n"
                               "  node [shape=box, fontname=\"monospace\"];\n");
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < n_nodes; i++)
    fc_dep_render_dot_node (out, nodes[i]);

  fc_mutex_lock (&dep_mutex);

  if (dep_nodes != NULL)
    {
      g_hash_table_iter_init (&iter, dep_nodes);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          FcDepNode *node = key;
          FcDepTable *table = node->out;

          if (table == NULL || !fc_dep_node_in_registry (node, registry_id))
            continue;

          for (guint i = 0; i <= table->mask; i++)
            {
              FcDepEdge *edge = fc_dep_table_edge (table, i);

              if (edge != NULL && fc_dep_node_in_registry (edge->to, registry_id))
                fc_dep_render_dot_edge (out, edge);
            }
        }
    }

  fc_mutex_unlock (&dep_mutex);

  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}

void
fc_lockdep_get_counters (FcLockdepCounters *counters)
{
  GHashTableIter iter;
  gpointer key;

  memset (counters, 0, sizeof *counters);
  counters->mutex_entries = __atomic_load_n (&dep_mutex_entries, __ATOMIC_RELAXED);

  fc_mutex_lock (&dep_mutex);
  counters->forget_steps = dep_forget_steps;
  counters->order_steps = fc_dep_order_steps ();
  counters->search_limits = dep_search_limits;
  counters->n_dead_gates = fc_dep_n_dead_gates ();
  if (dep_nodes != NULL)
    {
      counters->n_nodes = g_hash_table_size (dep_nodes);
      g_hash_table_iter_init (&iter, dep_nodes);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (((FcDepNode *) key)->out != NULL)
          counters->n_edges += ((FcDepNode *) key)->out->live;
    }
  fc_mutex_unlock (&dep_mutex);
}
