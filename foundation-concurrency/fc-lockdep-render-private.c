/* fc-lockdep-render-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reports name what a reader needs to find the problem: the locks, the
 * owner whose instance of each edge makes the cycle possible, with the
 * thread id when two owners share a name, the manager whenever a lock name
 * alone could be another manager's, and with FC_DEBUG=backtrace where each
 * edge was first made. Long cycles are cut short in the message only.
 */

#include "config.h"

#include "fc-lockdep-render-private.h"
#include "fc-private.h"

/* Whether another chosen instance has @instance's owner name but another
 * thread. */
static gboolean
owner_name_collides (GPtrArray           *choice,
                     const FcDepInstance *instance)
{
  for (guint i = 0; i < choice->len; i++)
    {
      const FcDepInstance *other = choice->pdata[i];

      if (other->tid != instance->tid && g_strcmp0 (other->owner, instance->owner) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
append_owner (GString             *out,
              GPtrArray           *choice,
              const FcDepInstance *instance)
{
  g_string_append_printf (out, "'%s'", instance->owner);
  if (instance->tid != 0 && owner_name_collides (choice, instance))
    /* TRANSLATORS: follows an owner's name when two threads share it: "'pool' (tid 4711)" */
    g_string_append_printf (out, _(" (tid %" G_GUINT64_FORMAT ")"), instance->tid);
}

/* The managers of the cycle's locks, quoted and comma-separated, if a lock
 * name alone could be ambiguous; NULL if not. */
static char *
managers_if_ambiguous (FcReport *report)
{
  g_autoptr(GString) out = NULL;

  if (report->registries->len <= 1 && !fc_report_names_ambiguous ())
    return NULL;

  out = g_string_new (NULL);
  for (guint i = 0; i < report->managers->len; i++)
    {
      const char *name = report->managers->pdata[i];
      gboolean seen = FALSE;

      for (guint j = 0; j < i && !seen; j++)
        seen = g_str_equal (report->managers->pdata[j], name);
      if (seen || *name == '\0')
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append_printf (out, "'%s'", name);
    }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

void
fc_dep_render_append_edge (GString    *detail,
                           const char *from,
                           int         from_order,
                           const char *to,
                           int         to_order,
                           const char *owner)
{
  /* TRANSLATORS: one edge of a lock-order cycle: "a (10) -> b (20) by 'worker-1'" */
  g_string_append_printf (detail, _("%s (%d) -> %s (%d) by %s"), from, from_order, to, to_order, owner);
}

void
fc_dep_render_append_cycle (GString    *message,
                            const char *chain,
                            const char *detail)
{
  /* TRANSLATORS: the first %s is a cycle of lock names, "a -> b -> a"; the
   * second lists its edges, "a (10) -> b (20) by 'worker-1'; …" */
  g_string_append_printf (message, _("Potential deadlock: lock order cycle %s (%s)"), chain, detail);
}

FcReport *
fc_dep_render_cycle (GPtrArray *path,
                     GPtrArray *choice)
{
  g_autoptr(GString) chain = g_string_new (NULL);
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autoptr(GString) key = g_string_new ("order-cycle:");
  g_autoptr(GString) stacks = g_string_new (NULL);
  g_autofree char *managers = NULL;
  FcReport *report;
  gboolean merged = FALSE;
  guint start = 0;
  guint first_id = 0;
  guint n = path->len;
  GString *message;

  /* The key starts at the lock with the smallest id, so that it is
   * canonical and names locks by identity; the message at the smallest
   * name (then id), so that it reads the same each time. */
  for (guint i = 1; i < n; i++)
    {
      FcDepNode *a = ((FcDepEdge *) path->pdata[i])->from;
      FcDepNode *b = ((FcDepEdge *) path->pdata[start])->from;
      int cmp = g_strcmp0 (fc_lock_core_display_name (a->core),
                           fc_lock_core_display_name (b->core));

      if (cmp < 0 || (cmp == 0 && a->id < b->id))
        start = i;
      if (a->id < ((FcDepEdge *) path->pdata[first_id])->from->id)
        first_id = i;
    }
  for (guint k = 0; k < n; k++)
    g_string_append_printf (key, "%" G_GUINT64_FORMAT "->",
                            ((FcDepEdge *) path->pdata[(first_id + k) % n])->from->id);

  report = fc_report_new (FC_REPORT_ORDER_CYCLE);
  for (guint k = 0; k < n; k++)
    {
      FcDepEdge *edge = path->pdata[(start + k) % n];
      FcDepInstance *instance = choice->pdata[(start + k) % n];
      FcLockCore *from = edge->from->core;
      FcLockCore *to = edge->to->core;
      g_autoptr(GString) owner = g_string_new (NULL);

      merged |= edge->merged;
      fc_report_add_edge (report, from, instance->owner, instance->tid, instance->stack);
      if (k >= FC_DEP_EDGES_SHOWN)
        continue;

      append_owner (owner, choice, instance);
      if (k < FC_DEP_EDGES_SHOWN - 1 || n == FC_DEP_EDGES_SHOWN)
        g_string_append_printf (chain, "%s -> ", fc_lock_core_display_name (from));
      else
        g_string_append_printf (chain, "%s -> … -> ", fc_lock_core_display_name (from));
      if (k > 0)
        g_string_append (detail, "; ");
      fc_dep_render_append_edge (detail, fc_lock_core_display_name (from), from->order,
                                 fc_lock_core_display_name (to), to->order, owner->str);
      if (instance->stack != NULL)
        {
          g_auto(GStrv) frames = g_strsplit (instance->stack, "\n", -1);
          g_autofree char *indented = g_strjoinv ("\n    ", frames);

          /* TRANSLATORS: introduces the backtrace of where an edge "a -> b" was first made */
          g_string_append_printf (stacks, _("\n  %s -> %s first taken at:\n    %s"),
                                  fc_lock_core_display_name (from),
                                  fc_lock_core_display_name (to), indented);
        }
    }
  g_string_append (chain,
                   fc_lock_core_display_name (((FcDepEdge *) path->pdata[start])->from->core));
  if (n > FC_DEP_EDGES_SHOWN)
    {
      g_string_append (detail, "; ");
      /* TRANSLATORS: ends a list of lock-order edges cut short, "… and 192 more" */
      g_string_append_printf (detail, _("… and %u more"), n - FC_DEP_EDGES_SHOWN);
    }

  report->key = g_string_free (g_steal_pointer (&key), FALSE);
  message = g_string_new (NULL);
  fc_dep_render_append_cycle (message, chain->str, detail->str);
  managers = managers_if_ambiguous (report);
  if (managers != NULL)
    /* TRANSLATORS: %s lists the managers of a report's locks: "'default', 'manager-3'" */
    g_string_append_printf (message, _(" [manager %s]"), managers);
  if (merged)
    g_string_append_printf (message, " %s",
                            _("(approximate: an edge had more distinct instances than are kept)"));
  g_string_append (message, stacks->str);
  report->message = g_string_free (message, FALSE);
  return report;
}

FcReport *
fc_dep_render_limit (FcDepEdge *edge,
                     guint      budget)
{
  FcReport *report = fc_report_new (FC_REPORT_ORDER_LIMIT);
  FcDepInstance *instance = edge->instances->pdata[0];

  fc_report_add_edge (report, edge->from->core, instance->owner, instance->tid, instance->stack);
  fc_report_add_edge (report, edge->to->core, instance->owner, instance->tid, NULL);
  report->key = g_strdup_printf ("order-limit:%" G_GUINT64_FORMAT "->%" G_GUINT64_FORMAT,
                                 edge->from->id, edge->to->id);
  /* TRANSLATORS: %u is a number of search steps, the %s lock names */
  report->message = g_strdup_printf (_("Lock order search gave up after %u steps: a potential deadlock through %s -> %s may be missed"),
                                     budget, fc_lock_core_display_name (edge->from->core),
                                     fc_lock_core_display_name (edge->to->core));
  return report;
}

void
fc_dep_render_dot_id (GString    *out,
                      const char *name)
{
  g_string_append_c (out, '"');
  for (const char *p = name; *p != '\0'; p++)
    {
      /* In a DOT quoted string only \" is an escape; labels and tooltips
       * (escString) also read \\ and \n. A raw newline would be read as a
       * line continuation after a backslash: write it as \n, which keeps
       * the mapping one to one (a backslash is always doubled). */
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
fc_dep_render_dot_node (GString    *out,
                        FcLockCore *core)
{
  g_autofree char *label = g_strdup_printf ("%s\n(%d)", fc_lock_core_display_name (core),
                                            core->order);

  g_string_append (out, "  ");
  fc_dep_render_dot_id (out, fc_lock_core_display_name (core));
  g_string_append (out, " [label=");
  fc_dep_render_dot_id (out, label);
  g_string_append (out, "];\n");
}

void
fc_dep_render_dot_edge (GString   *out,
                        FcDepEdge *edge)
{
  g_autoptr(GString) owners = g_string_new (NULL);
  g_autoptr(GString) tooltip = g_string_new (NULL);

  for (guint i = 0; i < edge->instances->len; i++)
    {
      FcDepInstance *instance = edge->instances->pdata[i];
      gboolean seen = FALSE;

      for (guint j = 0; j < i && !seen; j++)
        seen = g_str_equal (((FcDepInstance *) edge->instances->pdata[j])->owner, instance->owner);
      if (!seen)
        g_string_append_printf (owners, "%s%s", owners->len > 0 ? ", " : "", instance->owner);
      if (instance->stack != NULL)
        g_string_append_printf (tooltip, "%s%s:\n%s", tooltip->len > 0 ? "\n\n" : "",
                                instance->owner, instance->stack);
    }

  g_string_append (out, "  ");
  fc_dep_render_dot_id (out, fc_lock_core_display_name (edge->from->core));
  g_string_append (out, " -> ");
  fc_dep_render_dot_id (out, fc_lock_core_display_name (edge->to->core));
  g_string_append (out, " [label=");
  fc_dep_render_dot_id (out, owners->str);
  if (tooltip->len > 0)
    {
      g_string_append (out, ", tooltip=");
      fc_dep_render_dot_id (out, tooltip->str);
    }
  if (edge->in_cycle)
    g_string_append (out, ", color=red, fontcolor=red, penwidth=2");
  else if (!edge->plain)
    g_string_append (out, ", style=dashed");
  g_string_append (out, "];\n");
}
