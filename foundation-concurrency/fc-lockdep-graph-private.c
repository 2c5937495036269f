/* fc-lockdep-graph-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The store of the order graph: each node's out-edge table (read without
 * the graph's mutex by an owner holding the node's lock: see the protocol
 * in fc-lockdep-private.c), and each edge's instances with the gating index
 * (gate node → the edges it gates) that lets a finalized gate be removed
 * at the cost of what it gates. Everything here runs under the graph's
 * mutex.
 */

#define _GNU_SOURCE /* dladdr() */
#include "config.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <string.h>

#include "fc-lockdep-graph-private.h"
#include "fc-report-private.h"

static inline guint
fc_dep_hash (guint64 id)
{
  return (guint) ((id * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> 32);
}

FcDepSlot *
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

FcDepEdge *
fc_dep_table_lookup (FcDepNode *node,
                     guint64    to)
{
  guint64 key;
  FcDepSlot *slot = fc_dep_table_find (node->out, to, &key);

  return slot != NULL ? __atomic_load_n (&slot->edge, __ATOMIC_RELAXED) : NULL;
}

FcDepEdge *
fc_dep_table_edge (FcDepTable *table,
                   guint       i)
{
  guint64 key = __atomic_load_n (&table->slots[i].key, __ATOMIC_RELAXED);

  if (key == 0 || key == FC_DEP_REMOVED)
    return NULL;
  return __atomic_load_n (&table->slots[i].edge, __ATOMIC_RELAXED);
}

static void
fc_dep_table_put (FcDepTable *table,
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
          __atomic_store_n (&table->slots[i].key, FC_DEP_KEY (to, !edge->plain),
                            __ATOMIC_RELEASE);
          return;
        }
    }
}

void
fc_dep_table_insert (FcDepEdge *edge)
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
          FcDepEdge *old = fc_dep_table_edge (table, i);

          if (old != NULL)
            fc_dep_table_put (grown, old);
        }
      __atomic_store_n (&node->out, grown, __ATOMIC_RELEASE);
      g_free (table);
      table = grown;
    }

  fc_dep_table_put (table, edge);
}

void
fc_dep_table_remove (FcDepNode *node,
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

/* @edge has an instance without gates now: says so in its slot, in place
 * (the fast path then needs nothing more for it). */
static void
fc_dep_edge_set_plain (FcDepEdge *edge)
{
  guint64 key;
  FcDepSlot *slot;

  if (edge->plain)
    return;
  edge->plain = TRUE;
  slot = fc_dep_table_find (edge->from->out, edge->to->id, &key);
  if (slot != NULL)
    __atomic_store_n (&slot->key, FC_DEP_KEY (edge->to->id, FALSE), __ATOMIC_RELEASE);
}

FcDepEdge *
fc_dep_edge_new (FcDepNode *from,
                 FcDepNode *to)
{
  FcDepEdge *edge = g_new0 (FcDepEdge, 1);

  edge->from = from;
  edge->to = to;
  edge->instances = g_ptr_array_new ();
  return edge;
}

static void
fc_dep_instance_free (FcDepInstance *instance)
{
  g_free (instance->owner);
  g_free (instance->gates);
  g_free (instance->stack);
  g_free (instance);
}

static gboolean
instance_has_gate (const FcDepInstance *instance,
                   FcDepNode           *gate)
{
  for (guint i = 0; i < instance->n_gates; i++)
    if (instance->gates[i] == gate)
      return TRUE;
  return FALSE;
}

/* Whether some instance of @edge other than @except is gated by @gate. */
static gboolean
edge_has_gate (FcDepEdge     *edge,
               FcDepNode     *gate,
               FcDepInstance *except)
{
  for (guint i = 0; i < edge->instances->len; i++)
    if (edge->instances->pdata[i] != except && instance_has_gate (edge->instances->pdata[i], gate))
      return TRUE;
  return FALSE;
}

/* Gates kept past their lock's finalization (fc_dep_node_free()). */
static guint dead_gates;

/* @edge is no longer gated by @gate: takes it out of the gate's index, and
 * frees a gate whose lock is gone once it gates nothing. */
static void
gate_forget_edge (FcDepNode *gate,
                  FcDepEdge *edge)
{
  if (gate->gating == NULL || !g_hash_table_remove (gate->gating, edge))
    return;
  if (gate->core == NULL && g_hash_table_size (gate->gating) == 0)
    {
      g_hash_table_unref (gate->gating);
      g_free (gate);
      dead_gates--;
    }
}

/* Drops @instance's gates that are not in @gates; keeps the index exact. */
static void
instance_intersect (FcDepEdge     *edge,
                    FcDepInstance *instance,
                    FcDepNode    **gates,
                    guint          n_gates)
{
  guint kept = 0;

  for (guint i = 0; i < instance->n_gates; i++)
    {
      FcDepNode *gate = instance->gates[i];
      gboolean keep = FALSE;

      for (guint j = 0; j < n_gates && !keep; j++)
        keep = gates[j] == gate;
      if (keep)
        instance->gates[kept++] = gate;
      else if (!edge_has_gate (edge, gate, instance))
        gate_forget_edge (gate, edge);
    }
  instance->n_gates = kept;
}

static int
compare_pointers (gconstpointer a,
                  gconstpointer b)
{
  guintptr x = (guintptr) *(gpointer const *) a;
  guintptr y = (guintptr) *(gpointer const *) b;

  return x < y ? -1 : x > y;
}

gboolean
fc_dep_edge_add_instance (FcDepEdge   *edge,
                          const char  *owner,
                          guint64      tid,
                          FcDepNode  **gates,
                          guint        n_gates,
                          char        *stack)
{
  g_autofree FcDepNode **sorted = n_gates > 0 ? g_memdup2 (gates, n_gates * sizeof *gates) : NULL;
  FcDepInstance *instance;

  if (sorted != NULL)
    qsort (sorted, n_gates, sizeof *sorted, compare_pointers);

  for (guint i = 0; i < edge->instances->len; i++)
    {
      FcDepInstance *known = edge->instances->pdata[i];

      if (known->tid == tid && known->n_gates == n_gates &&
          g_strcmp0 (known->owner, owner) == 0 &&
          (n_gates == 0 || memcmp (known->gates, sorted, n_gates * sizeof *sorted) == 0))
        {
          g_free (stack);
          return FALSE;
        }
    }

  if (edge->instances->len == FC_DEP_MAX_INSTANCES)
    {
      /* Bounded: the last instance stands for all the rest. Fewer gates
       * can only make more cycles feasible, never fewer. */
      FcDepInstance *last = edge->instances->pdata[edge->instances->len - 1];
      guint before = last->n_gates;

      g_free (stack);
      edge->merged = TRUE;
      instance_intersect (edge, last, sorted, n_gates);
      if (last->n_gates == 0)
        fc_dep_edge_set_plain (edge);
      return last->n_gates != before;
    }

  instance = g_new0 (FcDepInstance, 1);
  instance->owner = g_strdup (owner != NULL ? owner : "");
  instance->tid = tid;
  instance->gates = g_steal_pointer (&sorted);
  instance->n_gates = n_gates;
  instance->stack = stack;
  g_ptr_array_add (edge->instances, instance);

  for (guint i = 0; i < n_gates; i++)
    {
      FcDepNode *gate = instance->gates[i];

      if (gate->gating == NULL)
        gate->gating = g_hash_table_new (NULL, NULL);
      g_hash_table_add (gate->gating, edge);
    }
  if (n_gates == 0)
    fc_dep_edge_set_plain (edge);
  return TRUE;
}

void
fc_dep_node_free (FcDepNode *node)
{
  node->core = NULL;
  if (node->gating != NULL && g_hash_table_size (node->gating) > 0)
    {
      dead_gates++;
      return;
    }
  g_clear_pointer (&node->gating, g_hash_table_unref);
  g_free (node);
}

guint
fc_dep_n_dead_gates (void)
{
  return dead_gates;
}

void
fc_dep_edge_free (FcDepEdge *edge)
{
  /* Each gate once: forgetting the edge may free a gate whose lock is
   * gone, which later instances still point to (compared, not read). */
  for (guint i = 0; i < edge->instances->len; i++)
    {
      FcDepInstance *instance = edge->instances->pdata[i];

      for (guint j = 0; j < instance->n_gates; j++)
        {
          gboolean seen = FALSE;

          for (guint k = 0; k < i && !seen; k++)
            seen = instance_has_gate (edge->instances->pdata[k], instance->gates[j]);
          if (!seen)
            gate_forget_edge (instance->gates[j], edge);
        }
    }
  for (guint i = 0; i < edge->instances->len; i++)
    fc_dep_instance_free (edge->instances->pdata[i]);
  g_ptr_array_unref (edge->instances);
  g_free (edge);
}

/* Frames kept, from the library's entry point on. */
#define FC_STACK_DEPTH 8
#define FC_STACK_MAX 32

char *
fc_dep_capture_stack (void)
{
  gpointer frames[FC_STACK_MAX];
  Dl_info self = { 0, };
  GString *out;
  int n, first = 0;

  if (!(fc_debug_flags () & FC_DEBUG_BACKTRACE))
    return NULL;

  n = backtrace (frames, G_N_ELEMENTS (frames));
  /* The leading frames are the library's own learning path: keep only the
   * last of them, the function the program called (fc_lock_lock() …). */
  if (dladdr ((gpointer) fc_dep_capture_stack, &self) != 0)
    for (int i = 1; i < n; i++)
      {
        Dl_info info = { 0, };

        if (dladdr (frames[i], &info) == 0 || info.dli_fbase != self.dli_fbase)
          break;
        first = i;
      }

  out = g_string_new (NULL);
  for (int i = first; i < n && i < first + FC_STACK_DEPTH; i++)
    {
      Dl_info info = { 0, };

      if (out->len > 0)
        g_string_append_c (out, '\n');
      if (dladdr (frames[i], &info) != 0 && info.dli_sname != NULL)
        g_string_append_printf (out, "%s+0x%tx", info.dli_sname,
                                (char *) frames[i] - (char *) info.dli_saddr);
      else
        g_string_append_printf (out, "%p", frames[i]);
      if (info.dli_fname != NULL)
        {
          const char *base = strrchr (info.dli_fname, '/');

          g_string_append_printf (out, " (%s)", base != NULL ? base + 1 : info.dli_fname);
        }
    }
  return g_string_free (out, FALSE);
}
