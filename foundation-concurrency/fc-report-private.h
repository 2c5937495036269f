/* fc-report-private.h — deadlock diagnostics' findings (reports), their
 * deduplication and their delivery to whoever listens; FC_DEBUG. Never
 * installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "fc-lock-core-private.h"

G_BEGIN_DECLS

/* FC_DEBUG, read once: a comma-separated list of these, or `all`. */
typedef enum
{
  FC_DEBUG_NOLOCKDEP = 1 << 0,   /* no lock-order graph bookkeeping */
  FC_DEBUG_WATCHDOG  = 1 << 1,   /* the default managers run a watchdog */
  FC_DEBUG_BACKTRACE = 1 << 2,   /* order edges keep where they were made */
  FC_DEBUG_FATAL     = 1 << 3,   /* abort once a report is logged */
} FcDebugFlags;

/* What `all` turns on: every aid that adds information. Not nolockdep,
 * which takes the order graph away, nor fatal, which ends the program at
 * the first report (both stay available by name, beside `all`). */
#define FC_DEBUG_ALL (FC_DEBUG_WATCHDOG | FC_DEBUG_BACKTRACE)

guint fc_debug_flags (void);

/* ---- Reports ---------------------------------------------------------- */

typedef enum
{
  FC_REPORT_LONG_HOLD,
  FC_REPORT_ORDER_CYCLE,
  FC_REPORT_DEADLOCK,
  FC_REPORT_ORDER_LIMIT,       /* the order graph gave up a search: say so */
  FC_REPORT_UNDELIVERED,       /* an async grant waits for a context nobody runs */
} FcReportKind;

typedef struct
{
  gint          ref_count;
  FcReportKind  kind;
  char         *key;           /* identifies the finding, for deduplication */
  char         *message;       /* translated, as detect_potential_deadlocks() gives it */
  GPtrArray    *locks;         /* char *: lock names, in cycle or chain order */
  GPtrArray    *owners;        /* char *: who made each edge / holds each lock */
  GArray       *orders;        /* int */
  GArray       *registries;    /* guint64 registry ids involved */
  GPtrArray    *managers;      /* char *: the manager of each lock (its name) */
  GArray       *tids;          /* guint64: each owner's thread id, 0 if none */
  GPtrArray    *stacks;        /* char *: where each edge was made; NULL if not kept */
} FcReport;

FcReport *fc_report_new        (FcReportKind  kind);
FcReport *fc_report_ref        (FcReport     *self);
void      fc_report_unref      (FcReport     *self);
void      fc_report_add        (FcReport     *self,
                                FcLockCore   *lock,
                                const char   *owner);
/* The same, with the owner's thread id and where the edge was made
 * (NULL: not kept). */
void      fc_report_add_edge   (FcReport     *self,
                                FcLockCore   *lock,
                                const char   *owner,
                                guint64       tid,
                                const char   *stack);
gboolean  fc_report_involves   (FcReport     *self,
                                guint64       registry_id);
/* Manager names, by registry id, for reports: a name set by the manager
 * (NULL: back to the default, `manager-N` with N the id). */
void      fc_report_set_registry_name (guint64     registry_id,
                                       const char *name);
char     *fc_report_dup_registry_name (guint64     registry_id);
/* Whether reports involving this registry are logged (TRUE unless set
 * otherwise): a report is logged unless every registry it involves says
 * not to. */
void      fc_report_set_registry_logs (guint64     registry_id,
                                       gboolean    logs);
gboolean  fc_report_get_registry_logs (guint64     registry_id);
/* Forgets a freed registry's name and log setting. */
void      fc_report_forget_registry   (guint64     registry_id);
/* Whether a lock name alone may not say which manager a lock is of: more
 * than one manager is alive. */
gboolean  fc_report_names_ambiguous   (void);
GVariant *fc_report_to_variant (FcReport     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FcReport, fc_report_unref)

/* Whoever wants to hear of new reports touching a registry. @notify runs
 * on whatever thread found the report, under the listeners' mutex (see the
 * lock order in fc-mutex-private.h): it must only schedule work. */
typedef void (*FcReportNotify) (FcReport *report,
                                gpointer  user_data);

void fc_report_listen   (guint64         registry_id,
                         FcReportNotify  notify,
                         gpointer        user_data);
void fc_report_unlisten (guint64         registry_id);

/* Logs a new report (g_log_structured, WARNING; MESSAGE for an
 * ORDER_LIMIT notice) unless every registry it involves has its log turned
 * off, aborts after logging a WARNING with FC_DEBUG=fatal, and tells the
 * listeners of every registry it involves. */
void fc_report_publish  (FcReport       *report);

/* The same, unless a report with the same key was published before. The
 * keys remembered are bounded: the least recently seen are forgotten
 * first, beyond FC_REPORT_KEYS_MAX. */
#define FC_REPORT_KEYS_MAX 4096
gboolean fc_report_publish_once (FcReport *report);

/* Forgets @key: a finding that ended (a long hold released). */
void     fc_report_forget       (const char *key);

/* How many report keys are remembered (for the tests). */
guint    fc_report_n_remembered_keys (void);

/* ---- The lock-order graph --------------------------------------------- */

G_END_DECLS
