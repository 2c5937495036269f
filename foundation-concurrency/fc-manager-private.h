/* fc-manager-private.h — what FcLockManager and FcAsyncLockManager share
 * above the registry: their common properties and signal, the delivery of
 * reports as that signal, the watchdog, hold-time checks and the
 * diagnostics calls. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "fc-lock-core-private.h"
#include "fc-registry-private.h"

G_BEGIN_DECLS

/* The message of a long hold (also the cluster manager's). */
char     *fc_manager_long_hold_message    (const char   *name,
                                           const char   *owner,
                                           double        held_for);

/* Diagnostics: long holds, order cycles, live deadlocks. find_all gives
 * them as FcReports (owned array), for a manager to add its own findings
 * to; the two forms a manager returns are made from such an array. */
GPtrArray *fc_registry_find_all           (FcRegistry   *self);
char    **fc_reports_to_strv              (GPtrArray    *reports);
GVariant *fc_reports_to_variant           (GPtrArray    *reports);
char    **fc_registry_detect              (FcRegistry   *self);
GVariant *fc_registry_get_deadlock_report (FcRegistry   *self);
char     *fc_registry_dump_order_graph    (FcRegistry   *self);

double    fc_registry_get_hold_warning_threshold (FcRegistry *self);
void      fc_registry_set_hold_warning_threshold (FcRegistry *self,
                                                  double      threshold);

/* What both managers' classes have: the hold-warning-threshold,
 * watchdog-interval, name and log-reports properties (at these ids) and the
 * potential-deadlock signal. Installed once per class, handled by the registry. */
enum
{
  FC_REGISTRY_PROP_0,
  FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD,
  FC_REGISTRY_PROP_WATCHDOG_INTERVAL,
  FC_REGISTRY_PROP_NAME,
  FC_REGISTRY_PROP_LOG_REPORTS,
  FC_REGISTRY_N_PROPS
};

void      fc_registry_install_class  (GObjectClass *klass,
                                      GParamSpec  **pspecs,
                                      guint        *potential_deadlock_signal);
void      fc_registry_get_property   (FcRegistry   *self,
                                      guint         prop_id,
                                      GValue       *value,
                                      GParamSpec   *pspec);
/* Sets a property and notifies @owner if it changed. */
void      fc_registry_set_double     (FcRegistry   *self,
                                      GObject      *owner,
                                      GParamSpec   *pspec,
                                      double        value);
/* Sets any of the properties above (fc_registry_set_double() for the
 * numbers) and notifies @owner if it changed. */
void      fc_registry_set_property   (FcRegistry   *self,
                                      GObject      *owner,
                                      GParamSpec   *pspec,
                                      const GValue *value);
/* Delivers every new report touching this registry as @signal_id on
 * @owner (signature: const char *message, GVariant *report), emitted in the
 * thread-default main context of the caller of this function. */
void      fc_registry_attach_owner        (FcRegistry   *self,
                                           GObject      *owner,
                                           guint         signal_id);

/* Runs the checks every @interval seconds on a thread of its own (0 stops
 * it), publishing new findings. A huge interval is clamped (the watchdog
 * then never runs); a negative or non-finite one is a programming error
 * (a critical, and nothing changes) in fc_registry_set_double(). */
double    fc_registry_get_watchdog_interval (FcRegistry *self);
void      fc_registry_set_watchdog_interval (FcRegistry *self,
                                             double      interval);

G_END_DECLS
