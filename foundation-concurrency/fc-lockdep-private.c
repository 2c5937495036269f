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
 * needs no more bookkeeping.
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

#include "fc-lock-core-private.h"
#include "fc-lockdep-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-report-private.h"

/* The inline fast path reads a lock's link as the start of its core. */
G_STATIC_ASSERT (G_STRUCT_OFFSET (FcLockCore, lockdep) == 0);

typedef struct _FcDepNode FcDepNode;
typedef struct _FcDepEdge FcDepEdge;

struct _FcDepEdge
{
  FcDepNode  *from;
  FcDepNode  *to;
  char       *owner;      /* who made it first */
  GPtrArray  *gates;      /* FcDepNode *: held every time; empty = none */
  gboolean    in_cycle;   /* reported as part of a cycle */
};

/* One slot of a node's out-edge table (open addressing, linear probing). */
typedef struct
{
  guint64     key;        /* atomic: FC_DEP_KEY (target id, has gates), or
                           * 0 (empty) or FC_DEP_REMOVED */
  FcDepEdge  *edge;       /* atomic; written before `key` */
} FcDepSlot;

#define FC_DEP_KEY(to, gated) (((to) << 1) | ((gated) ? 1 : 0))
#define FC_DEP_REMOVED 1    /* FC_DEP_KEY (0, TRUE): no lock has id 0 */

typedef struct
{
  guint       mask;       /* capacity - 1; a power of two minus one */
  guint       used;       /* slots not empty (edges and removed), under dep_mutex */
  guint       live;       /* edges, under dep_mutex */
  FcDepSlot   slots[];
} FcDepTable;

struct _FcDepNode
{
  guint64     id;         /* never reused; also in the lock's link */
  FcLockCore *core;
  FcDepTable *out;        /* atomic; the edges from here (owned), NULL if none */
  GHashTable *in;         /* FcDepEdge * set: the edges to here */
  GHashTable *gating;     /* FcDepEdge * set: edges with this node among their
                           * gates; NULL if none */
};

static GMutex dep_mutex;
static GHashTable *dep_nodes;        /* FcDepNode * set */
static GHashTable *reported_keys;    /* char * set */
static GPtrArray *cycle_reports;     /* FcReport * */
static guint64 dep_last_id;          /* under dep_mutex */

/* ---- The graph -------------------------------------------------------- */

static guint64 dep_mutex_entries;   /* atomic */
static guint64 dep_forget_steps;    /* under dep_mutex */

static inline guint
fc_dep_hash (guint64 id)
{
  return (guint) ((id * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> 32);
}

/* The slot of @table holding the edge to the lock @to, or NULL; its key
 * in *@key. */
static FcDepSlot *
fc_dep_table_find (FcDepTable *table,
                   guint64     to,
                   guint64    *key)
{
  if (table == NULL)
    return NULL;

  /* Never full: a probe always ends at an empty slot. */
  for (guint i = fc_dep_hash (to) & table->mask;; i = (i + 1) & table->mask)
    {
      *key = __atomic_load_n (&table->slots[i].key, __ATOMIC_ACQUIRE);
      if (*key >> 1 == to)
        return &table->slots[i];
      if (*key == 0)
        return NULL;
    }
}

/* Whether the edge from @node to the lock @to is known and has no gates.
 * Lock-free for the owner holding @node's lock (see the protocol above). */
static gboolean
fc_dep_known_without_gates (FcDepNode *node,
                            guint64    to)
{
  guint64 key;

  return fc_dep_table_find (__atomic_load_n (&node->out, __ATOMIC_ACQUIRE), to, &key) != NULL &&
         key == FC_DEP_KEY (to, FALSE);
}

/* The edge from @node to the lock @to, or NULL; under dep_mutex. */
static FcDepEdge *
fc_dep_table_lookup_locked (FcDepNode *node,
                            guint64    to)
{
  guint64 key;
  FcDepSlot *slot = fc_dep_table_find (node->out, to, &key);

  return slot != NULL ? __atomic_load_n (&slot->edge, __ATOMIC_RELAXED) : NULL;
}

/* The @i-th slot's edge, or NULL if it holds none; under dep_mutex. */
static inline FcDepEdge *
fc_dep_table_edge_locked (FcDepTable *table,
                          guint       i)
{
  guint64 key = __atomic_load_n (&table->slots[i].key, __ATOMIC_RELAXED);

  if (key == 0 || key == FC_DEP_REMOVED)
    return NULL;
  return __atomic_load_n (&table->slots[i].edge, __ATOMIC_RELAXED);
}

static void
fc_dep_table_put_locked (FcDepTable *table,
                         FcDepEdge  *edge)
{
  guint64 to = edge->to->id;

  for (guint i = fc_dep_hash (to) & table->mask;; i = (i + 1) & table->mask)
    {
      guint64 key = __atomic_load_n (&table->slots[i].key, __ATOMIC_RELAXED);

      if (key == 0 || key == FC_DEP_REMOVED)
        {
          if (key == 0)
            table->used++;
          table->live++;
          __atomic_store_n (&table->slots[i].edge, edge, __ATOMIC_RELAXED);
          __atomic_store_n (&table->slots[i].key, FC_DEP_KEY (to, edge->gates->len > 0),
                            __ATOMIC_RELEASE);
          return;
        }
    }
}

/* @edge has lost its last gate: says so in its slot, in place. */
static void
fc_dep_edge_ungated_locked (FcDepEdge *edge)
{
  guint64 key;
  FcDepSlot *slot = fc_dep_table_find (edge->from->out, edge->to->id, &key);

  if (slot != NULL)
    __atomic_store_n (&slot->key, FC_DEP_KEY (edge->to->id, FALSE), __ATOMIC_RELEASE);
}

/* Adds @edge (new) to its source's table. Called by the owner holding the
 * source's lock, the only one who may read the table without dep_mutex:
 * so the table may be replaced, and the old one freed, at once. */
static void
fc_dep_table_insert_locked (FcDepEdge *edge)
{
  FcDepNode *node = edge->from;
  FcDepTable *table = node->out;

  if (table == NULL || (table->used + 1) * 4 > (table->mask + 1) * 3)
    {
      guint n = (table != NULL ? table->live : 0) + 1;
      guint capacity = 8;
      FcDepTable *grown;

      while (capacity < 2 * n)
        capacity *= 2;
      grown = g_malloc0 (sizeof (FcDepTable) + capacity * sizeof (FcDepSlot));
      grown->mask = capacity - 1;
      for (guint i = 0; table != NULL && i <= table->mask; i++)
        {
          FcDepEdge *old = fc_dep_table_edge_locked (table, i);

          if (old != NULL)
            fc_dep_table_put_locked (grown, old);
        }
      __atomic_store_n (&node->out, grown, __ATOMIC_RELEASE);
      g_free (table);
      table = grown;
    }

  fc_dep_table_put_locked (table, edge);
}

/* Marks the edge from @node to @to removed, in place: a concurrent reader
 * (the holder of @node's lock) looks for another, live, target. */
static void
fc_dep_table_remove_locked (FcDepNode *node,
                            guint64    to)
{
  guint64 key;
  FcDepSlot *slot = fc_dep_table_find (node->out, to, &key);

  if (slot == NULL)
    return;
  __atomic_store_n (&slot->key, FC_DEP_REMOVED, __ATOMIC_RELEASE);
  __atomic_store_n (&slot->edge, NULL, __ATOMIC_RELAXED);
  node->out->live--;
}

/* Removes @edge from the gating index of each of its gates, and frees it. */
static void
fc_dep_edge_free_locked (FcDepEdge *edge)
{
  for (guint i = 0; i < edge->gates->len; i++)
    {
      FcDepNode *gate = edge->gates->pdata[i];

      g_hash_table_remove (gate->gating, edge);
    }
  g_free (edge->owner);
  g_ptr_array_unref (edge->gates);
  g_free (edge);
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
      g_hash_table_add (dep_nodes, node);
      __atomic_store_n (&link->node, node, __ATOMIC_RELEASE);
      __atomic_store_n (&link->id, node->id, __ATOMIC_RELEASE);
    }
  return node;
}

static gboolean
gates_contain (GPtrArray *gates,
               FcDepNode *gate)
{
  for (guint i = 0; i < gates->len; i++)
    if (gates->pdata[i] == gate)
      return TRUE;
  return FALSE;
}

static void
fc_dep_edge_add_gate_locked (FcDepEdge *edge,
                             FcDepNode *gate)
{
  if (gates_contain (edge->gates, gate))
    return;
  g_ptr_array_add (edge->gates, gate);
  if (gate->gating == NULL)
    gate->gating = g_hash_table_new (NULL, NULL);
  g_hash_table_add (gate->gating, edge);
}

/* Keeps in @edge's gates only what is also in @held; returns whether they
 * shrank. */
static gboolean
gates_intersect_locked (FcDepEdge          *edge,
                        FcLockCore * const *held,
                        guint               n_held)
{
  GPtrArray *gates = edge->gates;
  gboolean shrank = FALSE;

  if (gates->len == 0)
    return FALSE;

  for (guint i = gates->len; i > 0; i--)
    {
      FcDepNode *gate = gates->pdata[i - 1];
      gboolean found = FALSE;

      for (guint j = 0; j < n_held && !found; j++)
        found = held[j] == gate->core;
      if (!found)
        {
          g_ptr_array_remove_index_fast (gates, i - 1);
          g_hash_table_remove (gate->gating, edge);
          shrank = TRUE;
        }
    }
  if (gates->len == 0)
    fc_dep_edge_ungated_locked (edge);
  return shrank;
}

typedef struct
{
  FcDepNode  *target;
  GPtrArray  *path;       /* FcDepEdge *, the path being explored */
  GHashTable *dead;       /* nodes fully explored with no gates left */
  guint       budget;
} CycleSearch;

/* Depth-first search from @node for a path to search->target whose edges
 * (with the new one) share no gate. @gates: the gates common so far. */
static gboolean
fc_dep_search_locked (CycleSearch *search,
                      FcDepNode   *node,
                      GPtrArray   *gates)
{
  FcDepTable *table;

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

  table = node->out;
  for (guint s = 0; table != NULL && s <= table->mask; s++)
    {
      FcDepEdge *edge = fc_dep_table_edge_locked (table, s);
      g_autoptr(GPtrArray) next = NULL;
      gboolean on_path = FALSE;

      if (edge == NULL)
        continue;

      for (guint i = 0; i < search->path->len && !on_path; i++)
        on_path = ((FcDepEdge *) search->path->pdata[i])->from == edge->to;
      if (on_path && edge->to != search->target)
        continue;

      next = g_ptr_array_new ();
      for (guint i = 0; i < gates->len; i++)
        if (gates_contain (edge->gates, gates->pdata[i]))
          g_ptr_array_add (next, gates->pdata[i]);

      g_ptr_array_add (search->path, edge);
      if (fc_dep_search_locked (search, edge->to, next))
        return TRUE;
      g_ptr_array_remove_index (search->path, search->path->len - 1);
    }

  return FALSE;
}

/* A report for the cycle @path (edges, closed), unless it was reported. */
static FcReport *
fc_dep_report_cycle_locked (GPtrArray *path)
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

      if (g_strcmp0 (a->from->core->name, b->from->core->name) < 0)
        start = i;
    }

  report = fc_report_new (FC_REPORT_ORDER_CYCLE);
  for (guint k = 0; k < n; k++)
    {
      FcDepEdge *edge = path->pdata[(start + k) % n];
      FcLockCore *from = edge->from->core;
      FcLockCore *to = edge->to->core;

      g_string_append_printf (chain, "%s -> ", fc_lock_core_display_name (from));
      if (k > 0)
        g_string_append (detail, "; ");
      /* TRANSLATORS: one edge of a lock-order cycle: "a (10) -> b (20) by 'worker-1'" */
      g_string_append_printf (detail, _("%s (%d) -> %s (%d) by '%s'"),
                              fc_lock_core_display_name (from), from->order,
                              fc_lock_core_display_name (to), to->order, edge->owner);
      fc_report_add (report, from, edge->owner);
    }
  g_string_append (chain,
                   fc_lock_core_display_name (((FcDepEdge *) path->pdata[start])->from->core));

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
fc_dep_check_cycle_locked (FcDepEdge *edge)
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
  if (fc_dep_search_locked (&search, edge->to, gates))
    report = fc_dep_report_cycle_locked (search.path);

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
      if (node == NULL || !fc_dep_known_without_gates (node, to))
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
  FcDepNode *to_node;
  guint64 sig;

  /* First: with FC_DEBUG=nolockdep no lock has an id, and nothing is known. */
  if (fc_dep_all_known (cache, taken, held, n_held))
    return;

  if (fc_debug_flags () & FC_DEBUG_NOLOCKDEP)
    return;

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
      gboolean changed = FALSE;
      guint slot;

      if (held[i] == taken)
        continue;

      node = fc_dep_node_get (held[i], FALSE);
      edge = fc_dep_table_lookup_locked (node, to_node->id);
      if (edge == NULL)
        {
          edge = g_new0 (FcDepEdge, 1);
          edge->from = node;
          edge->to = to_node;
          edge->owner = g_strdup (owner);
          edge->gates = g_ptr_array_new ();
          for (guint j = 0; j < n_held; j++)
            if (held[j] != held[i] && held[j] != taken)
              fc_dep_edge_add_gate_locked (edge, fc_dep_node_get (held[j], FALSE));
          fc_dep_table_insert_locked (edge);
          g_hash_table_add (to_node->in, edge);
          changed = TRUE;
        }
      else
        changed = gates_intersect_locked (edge, held, n_held);

      if (changed)
        {
          FcReport *report = fc_dep_check_cycle_locked (edge);

          if (report != NULL)
            {
              if (reports == NULL)
                reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
              g_ptr_array_add (reports, report);
            }
        }

      /* Taken again under the same held set, an edge with gates keeps
       * them (they are already a subset of that set). */
      slot = fc_lockdep_cache_slot (node->id, to_node->id);
      cache->from[slot] = node->id;
      cache->to[slot] = to_node->id;
      cache->held[slot] = edge->gates->len == 0 ? 0 : sig;
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

  /* Its edges out, from its own table. */
  for (guint i = 0; table != NULL && i <= table->mask; i++)
    {
      FcDepEdge *edge = fc_dep_table_edge_locked (table, i);

      if (edge == NULL)
        continue;
      dep_forget_steps++;
      g_hash_table_remove (edge->to->in, edge);
      fc_dep_edge_free_locked (edge);
    }

  /* Its edges in, from their sources' tables. */
  g_hash_table_iter_init (&iter, node->in);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FcDepEdge *edge = key;

      dep_forget_steps++;
      fc_dep_table_remove_locked (edge->from, node->id);
      fc_dep_edge_free_locked (edge);
    }

  /* The edges it gates: a gate that is gone serialises nothing. */
  if (node->gating != NULL)
    {
      g_hash_table_iter_init (&iter, node->gating);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          FcDepEdge *edge = key;

          dep_forget_steps++;
          g_ptr_array_remove_fast (edge->gates, node);
          if (edge->gates->len == 0)
            fc_dep_edge_ungated_locked (edge);
        }
      g_hash_table_unref (node->gating);
    }

  g_hash_table_remove (dep_nodes, node);
  __atomic_store_n (&link->id, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&link->node, NULL, __ATOMIC_RELAXED);
  g_free (table);
  g_hash_table_unref (node->in);
  g_free (node);

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

static gboolean
fc_dep_node_in_registry (FcDepNode *node,
                         guint64    registry_id)
{
  /* The immutable id, not core->registry, which fc_registry_free() clears. */
  return __atomic_load_n (&node->core->registry_id, __ATOMIC_ACQUIRE) == registry_id;
}

char *
fc_lockdep_dump_dot (guint64 registry_id)
{
  GString *out = g_string_new ("digraph lock_order {\n"
                               "  rankdir=LR;\n"
                               "  node [shape=box, fontname=\"monospace\"];\n");
  GHashTableIter iter;
  gpointer key;

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
              FcDepEdge *edge = fc_dep_table_edge_locked (table, i);

              if (edge == NULL || !fc_dep_node_in_registry (edge->to, registry_id))
                continue;
              g_string_append (out, "  ");
              append_dot_id (out, fc_lock_core_display_name (edge->from->core));
              g_string_append (out, " -> ");
              append_dot_id (out, fc_lock_core_display_name (edge->to->core));
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

void
fc_lockdep_get_counters (FcLockdepCounters *counters)
{
  GHashTableIter iter;
  gpointer key;

  memset (counters, 0, sizeof *counters);
  counters->mutex_entries = __atomic_load_n (&dep_mutex_entries, __ATOMIC_RELAXED);

  fc_mutex_lock (&dep_mutex);
  counters->forget_steps = dep_forget_steps;
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
