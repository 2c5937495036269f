/* fc-lockdep-order-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Completeness without a step limit. The nodes are grouped in strongly
 * connected components (a node alone is one), and the components are kept
 * in a topological order (`ord`), updated as each edge arrives as Pearce
 * and Kelly do ("A dynamic topological sort algorithm for directed acyclic
 * graphs", 2006): an edge u → v with ord(u) < ord(v) costs nothing more;
 * otherwise only the components whose ord lies between the two are
 * visited: forward from v (F), backward from u (B). If F reaches u the edge
 * closes a cycle, and the components on it (F ∩ B) are merged into one.
 * Most new edges against the order come from a lock with few predecessors
 * (a new lock taken before an old one): so B is looked at first, and if
 * the ords just below v's are free (ords are spaced, and an index sorted
 * by ord finds v's predecessor), B moves there and F is never visited.
 * An edge lies on a cycle exactly when both its ends are in one component,
 * so no cycle is ever missed for want of search.
 *
 * Whether a cycle is feasible depends on its gates (fc-lockdep-graph):
 * it is when one instance per edge can be chosen so that no two chosen
 * instances share a gate. The search for one runs inside the component
 * only: first along edges with an ungated instance (a path of those always
 * makes a feasible cycle; linear), then, if the component has gated edges,
 * a depth-first search over simple paths and instances, pruned on shared
 * gates and bounded by FC_DEP_SEARCH_BUDGET: a search that gives up says
 * so (FC_DEP_SEARCH_LIMIT) and is reported as such.
 *
 * Removing a node only takes it out of its component: the order stays
 * topological, and a component may stay bigger than it needs to be, which
 * costs search, never a cycle.
 */

#include "config.h"

#include "fc-lockdep-order-private.h"

struct _FcDepComp
{
  guint64     ord;
  GPtrArray  *members;    /* FcDepNode * */
  guint       fmark;      /* in F of the current insertion */
  guint       bmark;      /* in B of the current insertion */
};

static guint64 next_ord;
static guint epoch;
static guint64 order_steps;
static GTree *by_ord;      /* FcDepComp * set, sorted by ord */

/* New components are this far apart, leaving room to move others in. */
#define FC_DEP_ORD_GAP (G_GUINT64_CONSTANT (1) << 24)
/* A component moved into a gap takes this little of it (at the gap's
 * bottom, leaving the rest for the next one moved before the same node). */
#define FC_DEP_ORD_STEP (G_GUINT64_CONSTANT (1) << 10)

static int
compare_comps (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const FcDepComp *x = a;
  const FcDepComp *y = b;

  return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static void
comp_set_ord (FcDepComp *comp,
              guint64    ord)
{
  if (comp->ord == ord)
    return;
  g_tree_remove (by_ord, comp);
  comp->ord = ord;
  g_tree_insert (by_ord, comp, comp);
}

guint64
fc_dep_order_steps (void)
{
  return order_steps;
}

void
fc_dep_order_add_node (FcDepNode *node)
{
  FcDepComp *comp = g_new0 (FcDepComp, 1);

  /* A new node has no edges: it may go anywhere, the end will do. */
  if (by_ord == NULL)
    by_ord = g_tree_new_full (compare_comps, NULL, NULL, NULL);
  next_ord += FC_DEP_ORD_GAP;
  comp->ord = next_ord;
  g_tree_insert (by_ord, comp, comp);
  comp->members = g_ptr_array_new ();
  g_ptr_array_add (comp->members, node);
  node->comp = comp;
  node->comp_index = 0;
}

void
fc_dep_order_remove_node (FcDepNode *node)
{
  FcDepComp *comp = node->comp;
  FcDepNode *last = g_ptr_array_steal_index_fast (comp->members, node->comp_index);

  if (last != node)
    g_assert_not_reached ();
  if (node->comp_index < comp->members->len)
    ((FcDepNode *) comp->members->pdata[node->comp_index])->comp_index = node->comp_index;
  node->comp = NULL;
  if (comp->members->len == 0)
    {
      g_tree_remove (by_ord, comp);
      g_ptr_array_unref (comp->members);
      g_free (comp);
    }
}

/* Visits the components reachable from @start (forward) or reaching it
 * (backward) whose ord lies strictly inside the bound, plus @start; adds
 * them to @out. Returns whether @goal was reached. */
static gboolean
visit (FcDepComp *start,
       FcDepComp *goal,
       gboolean   forward,
       guint64    bound,
       GPtrArray *out)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  gboolean reached = FALSE;

  if (forward)
    start->fmark = epoch;
  else
    start->bmark = epoch;
  g_ptr_array_add (stack, start);

  while (stack->len > 0)
    {
      FcDepComp *comp = g_ptr_array_steal_index (stack, stack->len - 1);

      g_ptr_array_add (out, comp);
      order_steps++;
      for (guint m = 0; m < comp->members->len; m++)
        {
          FcDepNode *node = comp->members->pdata[m];
          GHashTableIter iter;
          gpointer key;

          if (forward)
            {
              for (guint s = 0; node->out != NULL && s <= node->out->mask; s++)
                {
                  FcDepEdge *edge = fc_dep_table_edge (node->out, s);
                  FcDepComp *next;

                  if (edge == NULL)
                    continue;
                  next = edge->to->comp;
                  if (next == goal)
                    reached = TRUE;
                  else if (next->fmark != epoch && next->ord < bound)
                    {
                      next->fmark = epoch;
                      g_ptr_array_add (stack, next);
                    }
                }
              continue;
            }

          g_hash_table_iter_init (&iter, node->in);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            {
              FcDepComp *next = ((FcDepEdge *) key)->from->comp;

              if (next == goal)
                reached = TRUE;
              else if (next->bmark != epoch && next->ord > bound)
                {
                  next->bmark = epoch;
                  g_ptr_array_add (stack, next);
                }
            }
        }
    }
  return reached;
}

static int
compare_ord (gconstpointer a,
             gconstpointer b)
{
  const FcDepComp *x = *(FcDepComp * const *) a;
  const FcDepComp *y = *(FcDepComp * const *) b;

  return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static int
compare_u64 (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a;
  guint64 y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* Moves every member of @from into @into. */
static void
merge_into (FcDepComp *into,
            FcDepComp *from)
{
  for (guint i = 0; i < from->members->len; i++)
    {
      FcDepNode *node = from->members->pdata[i];

      node->comp = into;
      node->comp_index = into->members->len;
      g_ptr_array_add (into->members, node);
    }
  g_ptr_array_unref (from->members);
  g_free (from);
}

/* Pearce–Kelly for the new edge @edge; merges a closed cycle. */
static void
order_insert (FcDepEdge *edge)
{
  FcDepComp *cu = edge->from->comp;
  FcDepComp *cv = edge->to->comp;
  g_autoptr(GPtrArray) forward = NULL;
  g_autoptr(GPtrArray) backward = NULL;
  g_autoptr(GPtrArray) low = NULL;
  g_autoptr(GPtrArray) high = NULL;
  g_autoptr(GArray) pool = NULL;
  FcDepComp *merged = NULL;
  gboolean cycle;
  guint k = 0;

  if (cu == cv || cu->ord < cv->ord)
    return;

  forward = g_ptr_array_new ();
  backward = g_ptr_array_new ();
  epoch++;
  cycle = visit (cu, cv, FALSE, cv->ord, backward);
  if (!cycle)
    {
      GTreeNode *before = g_tree_node_previous (g_tree_lookup_node (by_ord, cv));
      guint64 floor = before != NULL ? ((FcDepComp *) g_tree_node_key (before))->ord : 0;
      guint64 room = cv->ord - floor;

      if (room > backward->len)
        {
          /* B, in its order, into the free ords just below v: whatever
           * points into B is below them, whatever B points to above. */
          guint64 step = MIN (room / (backward->len + 1), FC_DEP_ORD_STEP);

          g_ptr_array_sort (backward, compare_ord);
          for (guint i = 0; i < backward->len; i++)
            comp_set_ord (backward->pdata[i], floor + step * (i + 1));
          return;
        }
    }
  visit (cv, cu, TRUE, cu->ord, forward);
  if (cycle)
    {
      /* cu was reached, not visited, going forward; cv likewise backward. */
      cu->fmark = epoch;
      g_ptr_array_add (forward, cu);
      cv->bmark = epoch;
      g_ptr_array_add (backward, cv);
    }

  pool = g_array_new (FALSE, FALSE, sizeof (guint64));
  low = g_ptr_array_new ();
  high = g_ptr_array_new ();
  for (guint i = 0; i < backward->len; i++)
    {
      FcDepComp *comp = backward->pdata[i];

      g_array_append_val (pool, comp->ord);
      if (comp->fmark != epoch)
        g_ptr_array_add (low, comp);
    }
  for (guint i = 0; i < forward->len; i++)
    {
      FcDepComp *comp = forward->pdata[i];

      if (comp->bmark != epoch)
        {
          g_array_append_val (pool, comp->ord);
          g_ptr_array_add (high, comp);
        }
    }
  g_array_sort (pool, compare_u64);
  /* Out of the index while their ords are dealt anew (an ord may pass
   * from one to another meanwhile); back in once all are set. */
  for (guint i = 0; i < backward->len; i++)
    g_tree_remove (by_ord, backward->pdata[i]);
  for (guint i = 0; i < forward->len; i++)
    g_tree_remove (by_ord, forward->pdata[i]);
  g_ptr_array_sort (low, compare_ord);
  g_ptr_array_sort (high, compare_ord);

  /* B \ F at the bottom of the pool, F \ B at its top, and the merged
   * cycle (F ∩ B) in between: B's ords only fall, F's only rise. */
  for (guint i = 0; i < low->len; i++)
    ((FcDepComp *) low->pdata[i])->ord = g_array_index (pool, guint64, k++);
  if (cycle)
    {
      for (guint i = 0; i < forward->len; i++)
        {
          FcDepComp *comp = forward->pdata[i];

          if (comp->bmark != epoch)
            continue;
          if (merged == NULL)
            merged = comp;
          else if (comp->members->len > merged->members->len)
            {
              merge_into (comp, merged);
              merged = comp;
            }
          else
            merge_into (merged, comp);
        }
      merged->ord = g_array_index (pool, guint64, k);
      g_tree_insert (by_ord, merged, merged);
    }
  k = pool->len - high->len;
  for (guint i = 0; i < high->len; i++)
    ((FcDepComp *) high->pdata[i])->ord = g_array_index (pool, guint64, k++);
  for (guint i = 0; i < low->len; i++)
    g_tree_insert (by_ord, low->pdata[i], low->pdata[i]);
  for (guint i = 0; i < high->len; i++)
    g_tree_insert (by_ord, high->pdata[i], high->pdata[i]);
}

/* Whether @instance shares no gate with the chosen ones. */
static gboolean
disjoint (const FcDepInstance *instance,
          GPtrArray           *used)
{
  for (guint i = 0; i < instance->n_gates; i++)
    for (guint j = 0; j < used->len; j++)
      if (instance->gates[i] == used->pdata[j])
        return FALSE;
  return TRUE;
}

/* An instance of @edge without gates, or NULL. */
static FcDepInstance *
plain_instance (FcDepEdge *edge)
{
  for (guint i = 0; i < edge->instances->len; i++)
    if (((FcDepInstance *) edge->instances->pdata[i])->n_gates == 0)
      return edge->instances->pdata[i];
  return NULL;
}

/* Breadth-first, along edges with an ungated instance inside @comp, from
 * @start to @goal; fills @path (edges) on success. */
static gboolean
plain_path (FcDepComp *comp,
            FcDepNode *start,
            FcDepNode *goal,
            GPtrArray *path)
{
  g_autoptr(GHashTable) via = g_hash_table_new (NULL, NULL);
  g_autoptr(GQueue) queue = g_queue_new ();
  guint mark = ++epoch;

  if (start == goal)
    return TRUE;
  start->mark = mark;
  g_queue_push_tail (queue, start);
  while (!g_queue_is_empty (queue))
    {
      FcDepNode *node = g_queue_pop_head (queue);

      for (guint s = 0; node->out != NULL && s <= node->out->mask; s++)
        {
          FcDepEdge *edge = fc_dep_table_edge (node->out, s);

          if (edge == NULL || !edge->plain || edge->to->comp != comp || edge->to->mark == mark)
            continue;
          edge->to->mark = mark;
          g_hash_table_insert (via, edge->to, edge);
          if (edge->to == goal)
            {
              guint first = path->len;

              for (FcDepNode *at = goal; at != start;)
                {
                  FcDepEdge *step = g_hash_table_lookup (via, at);

                  g_ptr_array_insert (path, first, step);
                  at = step->from;
                }
              return TRUE;
            }
          g_queue_push_tail (queue, edge->to);
        }
    }
  return FALSE;
}

typedef struct
{
  FcDepComp  *comp;
  FcDepNode  *goal;
  GPtrArray  *path;
  GPtrArray  *choice;
  GPtrArray  *used;      /* gate nodes of the chosen instances */
  guint       on_path;
  guint       budget;
} GatedSearch;

static gboolean
gated_search (GatedSearch *search,
              FcDepNode   *node)
{
  gboolean found = FALSE;

  if (node == search->goal)
    return TRUE;

  node->mark = search->on_path;
  for (guint s = 0; !found && node->out != NULL && s <= node->out->mask; s++)
    {
      FcDepEdge *edge = fc_dep_table_edge (node->out, s);
      FcDepInstance *plain;

      if (edge == NULL || edge->to->comp != search->comp ||
          (edge->to->mark == search->on_path && edge->to != search->goal))
        continue;

      /* An ungated instance conflicts with nothing: any other can only do
       * worse. */
      plain = plain_instance (edge);
      for (guint i = 0; !found && i < edge->instances->len; i++)
        {
          FcDepInstance *instance = plain != NULL ? plain : edge->instances->pdata[i];
          guint used = search->used->len;

          if (search->budget == 0)
            break;
          search->budget--;
          if (!disjoint (instance, search->used))
            continue;
          for (guint g = 0; g < instance->n_gates; g++)
            g_ptr_array_add (search->used, instance->gates[g]);
          g_ptr_array_add (search->path, edge);
          g_ptr_array_add (search->choice, instance);
          found = gated_search (search, edge->to);
          if (!found)
            {
              g_ptr_array_set_size (search->path, search->path->len - 1);
              g_ptr_array_set_size (search->choice, search->choice->len - 1);
              g_ptr_array_set_size (search->used, used);
            }
          if (plain != NULL)
            break;
        }
    }
  node->mark = 0;
  return found;
}

FcDepVerdict
fc_dep_order_check (FcDepEdge *edge,
                    gboolean   is_new,
                    GPtrArray *path,
                    GPtrArray *choice)
{
  FcDepComp *comp;
  FcDepInstance *first;
  gboolean gated = FALSE;
  GatedSearch search = { 0, };
  g_autoptr(GPtrArray) used = NULL;

  if (is_new)
    order_insert (edge);
  comp = edge->from->comp;
  if (comp != edge->to->comp)
    return FC_DEP_NO_CYCLE;

  /* Along ungated edges, any instance of @edge will do: the ungated one if
   * it has one, else the first made. */
  g_ptr_array_set_size (path, 0);
  g_ptr_array_set_size (choice, 0);
  g_ptr_array_add (path, edge);
  if (plain_path (comp, edge->to, edge->from, path))
    {
      first = plain_instance (edge);
      g_ptr_array_add (choice, first != NULL ? first : edge->instances->pdata[0]);
      for (guint i = 1; i < path->len; i++)
        g_ptr_array_add (choice, plain_instance (path->pdata[i]));
      return FC_DEP_CYCLE;
    }

  for (guint m = 0; m < comp->members->len && !gated; m++)
    {
      FcDepNode *node = comp->members->pdata[m];

      for (guint s = 0; node->out != NULL && s <= node->out->mask && !gated; s++)
        {
          FcDepEdge *e = fc_dep_table_edge (node->out, s);

          gated = e != NULL && !e->plain && e->to->comp == comp;
        }
    }
  g_ptr_array_set_size (path, 0);
  if (!gated)
    return FC_DEP_NO_CYCLE;

  used = g_ptr_array_new ();
  search.comp = comp;
  search.goal = edge->from;
  search.path = path;
  search.choice = choice;
  search.used = used;
  epoch++;
  search.on_path = ++epoch;
  search.budget = FC_DEP_SEARCH_BUDGET;
  for (guint i = 0; i < edge->instances->len; i++)
    {
      FcDepInstance *instance = edge->instances->pdata[i];

      g_ptr_array_set_size (used, 0);
      for (guint g = 0; g < instance->n_gates; g++)
        g_ptr_array_add (used, instance->gates[g]);
      g_ptr_array_add (path, edge);
      g_ptr_array_add (choice, instance);
      /* The edge's source is the goal: it must not count as on the path. */
      if (gated_search (&search, edge->to))
        return FC_DEP_CYCLE;
      g_ptr_array_set_size (path, 0);
      g_ptr_array_set_size (choice, 0);
      if (search.budget == 0)
        return FC_DEP_SEARCH_LIMIT;
    }
  return FC_DEP_NO_CYCLE;
}
