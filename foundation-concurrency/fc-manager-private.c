/* fc-manager-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fc-handoff-private.h"
#include "fc-lock-core-private.h"
#include "fc-lockdep-private.h"
#include "fc-manager-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"
#include "fc-report-private.h"
#include "fc-waitfor-private.h"

/* One report per lock held longer than the threshold. */
char *
fc_manager_long_hold_message (const char *name,
                              const char *owner,
                              double      held_for)
{
  /* TRANSLATORS: the first %s is a lock name, the second the name of
   * the thread (or async guard, or cluster member) holding it; %.1fs is a
   * duration in seconds, e.g. "31.2s" */
  return g_strdup_printf (_("Lock '%s' held by '%s' for %.1fs - potential deadlock or resource leak"),
                          name, owner, held_for);
}

static void
fc_registry_find_long_holds (FcRegistry *self,
                             GPtrArray  *reports)
{
  g_autoptr(GPtrArray) locks = fc_registry_dup_locks (self);
  double threshold = fc_registry_get_hold_warning_threshold (self);
  gint64 now = fc_coarse_monotonic_time ();

  for (guint i = 0; i < locks->len; i++)
    {
      gpointer lock = g_ptr_array_index (locks, i);
      FcLockCore *core = fc_registry_core (self, lock);
      FcLockState state = { 0, };
      double held_for;

      self->kind->get_state (lock, &state);
      held_for = (double) (now - state.acquired_at) / G_USEC_PER_SEC;

      if (state.locked && held_for > threshold)
        {
          FcReport *report = fc_report_new (FC_REPORT_LONG_HOLD);
          /* TRANSLATORS: stands for the owner (a thread or guard name) of a
           * lock whose owner is not known */
          const char *owner = state.owner != NULL ? state.owner : _("unknown");

          fc_report_add (report, core, owner);
          /* One finding per hold: the lock, its owner and when it was taken. */
          report->key = g_strdup_printf ("long-hold:%s:%s:%" G_GINT64_FORMAT,
                                         core->name, owner, state.acquired_at);
          report->message = fc_manager_long_hold_message (core->name, owner, held_for);
          g_ptr_array_add (reports, report);
        }

      g_free (state.owner);
    }
}

GPtrArray *
fc_registry_find_all (FcRegistry *self)
{
  GPtrArray *reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
  g_autoptr(GPtrArray) cycles = fc_lockdep_dup_reports (self->id);
  g_autoptr(GPtrArray) deadlocks = fc_waitfor_find_deadlocks (self->kind, self);

  fc_registry_find_long_holds (self, reports);
  g_ptr_array_extend_and_steal (reports, g_steal_pointer (&cycles));
  for (guint i = 0; i < deadlocks->len; i++)
    if (fc_report_involves (deadlocks->pdata[i], self->id))
      g_ptr_array_add (reports, fc_report_ref (deadlocks->pdata[i]));
  return reports;
}

char **
fc_reports_to_strv (GPtrArray *reports)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;

  for (guint i = 0; i < reports->len; i++)
    g_strv_builder_add (builder, ((FcReport *) reports->pdata[i])->message);
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

GVariant *
fc_reports_to_variant (GPtrArray *reports)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < reports->len; i++)
    g_variant_builder_add_value (&builder, fc_report_to_variant (reports->pdata[i]));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

char **
fc_registry_detect (FcRegistry *self)
{
  g_autoptr(GPtrArray) reports = fc_registry_find_all (self);

  return fc_reports_to_strv (reports);
}

GVariant *
fc_registry_get_deadlock_report (FcRegistry *self)
{
  g_autoptr(GPtrArray) reports = fc_registry_find_all (self);

  return fc_reports_to_variant (reports);
}

char *
fc_registry_dump_order_graph (FcRegistry *self)
{
  g_autoptr(GPtrArray) locks = fc_registry_dup_locks (self);
  g_autofree FcLockCore **cores = g_new (FcLockCore *, locks->len + 1);

  /* Every registered lock is a node, with or without edges. */
  for (guint i = 0; i < locks->len; i++)
    cores[i] = fc_registry_core (self, g_ptr_array_index (locks, i));
  return fc_lockdep_dump_dot (self->id, cores, locks->len);
}

double
fc_registry_get_hold_warning_threshold (FcRegistry *self)
{
  double threshold;

  __atomic_load (&self->hold_warning_threshold, &threshold, __ATOMIC_RELAXED);
  return threshold;
}

void
fc_registry_set_hold_warning_threshold (FcRegistry *self,
                                        double      threshold)
{
  __atomic_store (&self->hold_warning_threshold, &threshold, __ATOMIC_RELAXED);
}

void
fc_registry_install_class (GObjectClass *klass,
                           GParamSpec  **pspecs,
                           guint        *potential_deadlock_signal)
{
  pspecs[FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD] =
    g_param_spec_double ("hold-warning-threshold", "Hold warning threshold", "Seconds a lock may be held before it is reported",
                         0.0, G_MAXDOUBLE, 30.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  pspecs[FC_REGISTRY_PROP_WATCHDOG_INTERVAL] =
    g_param_spec_double ("watchdog-interval", "Watchdog interval", "Seconds between the watchdog's checks, 0 for none",
                         0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  pspecs[FC_REGISTRY_PROP_NAME] =
    g_param_spec_string ("name", "Name", "The manager's name in diagnostics",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  pspecs[FC_REGISTRY_PROP_LOG_REPORTS] =
    g_param_spec_boolean ("log-reports", "Log reports", "Whether the manager's reports are logged",
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (klass, FC_REGISTRY_N_PROPS, pspecs);

  *potential_deadlock_signal =
    g_signal_new ("potential-deadlock",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_VARIANT);
}

void
fc_registry_get_property (FcRegistry *self,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  if (prop_id == FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD)
    g_value_set_double (value, fc_registry_get_hold_warning_threshold (self));
  else if (prop_id == FC_REGISTRY_PROP_WATCHDOG_INTERVAL)
    g_value_set_double (value, fc_registry_get_watchdog_interval (self));
  else if (prop_id == FC_REGISTRY_PROP_NAME)
    g_value_take_string (value, fc_report_dup_registry_name (self->id));
  else if (prop_id == FC_REGISTRY_PROP_LOG_REPORTS)
    g_value_set_boolean (value, fc_report_get_registry_logs (self->id));
  else
    g_assert_not_reached ();
}

void
fc_registry_set_double (FcRegistry *self,
                        GObject    *owner,
                        GParamSpec *pspec,
                        double      value)
{
  gboolean threshold = pspec->param_id == FC_REGISTRY_PROP_HOLD_WARNING_THRESHOLD;

  /* GObject's own range check already turns these away from
   * g_object_set() with a warning; the C setters come here directly. */
  if (!threshold && !(value >= 0 && isfinite (value)))
    {
      g_critical ("%s: watchdog-interval must be finite and non-negative, not %g",
                  G_STRFUNC, value);
      return;
    }

  if (value == (threshold ? fc_registry_get_hold_warning_threshold (self)
                          : fc_registry_get_watchdog_interval (self)))
    return;

  if (threshold)
    fc_registry_set_hold_warning_threshold (self, value);
  else
    fc_registry_set_watchdog_interval (self, value);
  g_object_notify_by_pspec (owner, pspec);
}

void
fc_registry_set_property (FcRegistry   *self,
                          GObject      *owner,
                          GParamSpec   *pspec,
                          const GValue *value)
{
  const char *name;
  g_autofree char *old = NULL;

  if (pspec->param_id == FC_REGISTRY_PROP_LOG_REPORTS)
    {
      gboolean logs = g_value_get_boolean (value);

      if (logs != fc_report_get_registry_logs (self->id))
        {
          fc_report_set_registry_logs (self->id, logs);
          g_object_notify_by_pspec (owner, pspec);
        }
      return;
    }
  if (pspec->param_id != FC_REGISTRY_PROP_NAME)
    {
      fc_registry_set_double (self, owner, pspec, g_value_get_double (value));
      return;
    }

  name = g_value_get_string (value);
  if (name != NULL && (*name == '\0' || !g_utf8_validate (name, -1, NULL)))
    {
      g_critical ("%s: a manager's name must be non-empty valid UTF-8", G_STRFUNC);
      return;
    }

  /* NULL goes back to the default, manager-N. */
  old = fc_report_dup_registry_name (self->id);
  fc_report_set_registry_name (self->id, name);
  if (name == NULL || g_strcmp0 (old, name) != 0)
    g_object_notify_by_pspec (owner, pspec);
}

/* The reports waiting to be emitted as signals on the owner, in its
 * context: one idle source at most at a time drains them all. Shared by
 * the registry and that source (reference counted), so the source can
 * outlive the registry; it holds only a weak reference to the owner, so a
 * pending emission never keeps a manager alive. In a context that is never
 * iterated again, at most FC_EMISSION_MAX reports wait; the rest are only
 * logged. */
#define FC_EMISSION_MAX 256

typedef struct
{
  gint          ref_count;
  GMutex        mutex;      /* guards the fields below */
  GWeakRef      owner;
  guint         signal_id;
  GMainContext *context;
  GQueue        reports;    /* FcReport *, a ref each */
  GSource      *source;     /* the pending idle, a ref; NULL if none */
  gboolean      shut_down;
} Emission;

static Emission *
emission_ref (Emission *emission)
{
  g_atomic_int_inc (&emission->ref_count);
  return emission;
}

static void
emission_unref (gpointer data)
{
  Emission *emission = data;

  if (!g_atomic_int_dec_and_test (&emission->ref_count))
    return;

  g_queue_clear_full (&emission->reports, (GDestroyNotify) fc_report_unref);
  g_weak_ref_clear (&emission->owner);
  g_main_context_unref (emission->context);
  g_mutex_clear (&emission->mutex);
  g_free (emission);
}

static gboolean
emit_in_owner_context (gpointer data)
{
  Emission *emission = data;
  GQueue reports = G_QUEUE_INIT;
  GObject *owner;
  FcReport *report;

  fc_mutex_lock (&emission->mutex);
  reports = emission->reports;
  g_queue_init (&emission->reports);
  g_clear_pointer (&emission->source, g_source_unref);
  fc_mutex_unlock (&emission->mutex);

  owner = g_weak_ref_get (&emission->owner);
  while ((report = g_queue_pop_head (&reports)) != NULL)
    {
      if (owner != NULL)
        {
          g_autoptr(GVariant) variant = g_variant_ref_sink (fc_report_to_variant (report));

          g_signal_emit (owner, emission->signal_id, 0, report->message, variant);
        }
      fc_report_unref (report);
    }
  g_clear_object (&owner);
  return G_SOURCE_REMOVE;
}

/* The registry is being freed: drops what is pending. */
static void
fc_emission_shutdown (Emission *emission)
{
  GQueue reports = G_QUEUE_INIT;
  GSource *source;

  if (emission == NULL)
    return;

  fc_mutex_lock (&emission->mutex);
  emission->shut_down = TRUE;
  reports = emission->reports;
  g_queue_init (&emission->reports);
  source = g_steal_pointer (&emission->source);
  fc_mutex_unlock (&emission->mutex);

  g_queue_clear_full (&reports, (GDestroyNotify) fc_report_unref);
  /* Releases the source's reference to @emission, even in a context that
   * is never iterated. */
  if (source != NULL)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
  emission_unref (emission);
}

/* Runs under the listeners' mutex: only queues, and schedules one idle. */
static void
fc_registry_notify_locked (FcReport *report,
                           gpointer  user_data)
{
  FcRegistry *self = user_data;
  Emission *emission = self->emission;
  GSource *source = NULL;

  fc_mutex_lock (&emission->mutex);
  if (!emission->shut_down && emission->reports.length < FC_EMISSION_MAX)
    {
      g_queue_push_tail (&emission->reports, fc_report_ref (report));
      if (emission->source == NULL)
        {
          source = fc_handoff_source_new (emit_in_owner_context, emission_ref (emission),
                                          emission_unref);
          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_static_name (source, "[foundation-concurrency] potential-deadlock");
          emission->source = g_source_ref (source);
        }
    }
  fc_mutex_unlock (&emission->mutex);

  /* Attached outside the emission's mutex: the source may dispatch at
   * once. (Still under the listeners' mutex, which fc_registry_free()
   * takes before fc_emission_shutdown(): no shutdown races with this.)
   * Everything the owner's thread reads of the reports and the source was
   * written before the emission's mutex was released above, and
   * emit_in_owner_context() takes that mutex first. Our reference goes to
   * the source (fc_handoff_source_attach()): the last one is never this
   * thread's, so GLib never frees here what the owner's thread allocated. */
  if (source != NULL)
    fc_handoff_source_attach (source, emission->context);
}

/* Undoes fc_registry_attach_owner(), from fc_registry_free(). */
static void
fc_registry_detach_owner (FcRegistry *self)
{
  fc_registry_set_watchdog_interval (self, 0);
  fc_report_unlisten (self->id);
  fc_report_forget_registry (self->id);
  fc_emission_shutdown (g_steal_pointer (&self->emission));
  g_clear_pointer (&self->long_hold_keys, g_hash_table_unref);
  g_weak_ref_clear (&self->owner);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_cond_clear (&self->watchdog_cond);
}

void
fc_registry_attach_owner (FcRegistry *self,
                          GObject    *owner,
                          guint       signal_id)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->ref_count = 1;
  g_mutex_init (&emission->mutex);
  g_weak_ref_init (&emission->owner, owner);
  emission->signal_id = signal_id;
  emission->context = g_main_context_ref_thread_default ();
  g_queue_init (&emission->reports);

  g_weak_ref_init (&self->owner, NULL);
  g_cond_init (&self->watchdog_cond);
  self->detach = fc_registry_detach_owner;
  g_weak_ref_set (&self->owner, owner);
  self->owner_context = g_main_context_ref (emission->context);
  self->signal_id = signal_id;
  self->emission = emission;
  fc_report_listen (self->id, fc_registry_notify_locked, self);
  /* Alive, with the default name, until the name property says otherwise. */
  fc_report_set_registry_name (self->id, NULL);
}

/* Publishes, once each, the findings of a scan. */
static void
fc_registry_publish_new (FcRegistry *self)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) fc_report_unref);
  g_autoptr(GPtrArray) deadlocks = fc_waitfor_find_deadlocks (self->kind, self);

  GHashTable *current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *previous;
  GHashTableIter iter;
  gpointer key;

  fc_registry_find_long_holds (self, reports);
  for (guint i = 0; i < reports->len; i++)
    g_hash_table_add (current, g_strdup (((FcReport *) reports->pdata[i])->key));
  g_ptr_array_extend_and_steal (reports, g_steal_pointer (&deadlocks));
  for (guint i = 0; i < reports->len; i++)
    fc_report_publish_once (reports->pdata[i]);

  /* A hold that ended is never seen again: forget its key. */
  fc_mutex_lock (&self->mutex);
  previous = g_steal_pointer (&self->long_hold_keys);
  self->long_hold_keys = current;
  fc_mutex_unlock (&self->mutex);
  if (previous == NULL)
    return;
  g_hash_table_iter_init (&iter, previous);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (current, key))
      fc_report_forget (key);
  g_hash_table_unref (previous);
}

/* Each watchdog thread has its own stop flag: a stopped one still sees it
 * after another setter started the next one. */
typedef struct
{
  FcRegistry *registry;
  gboolean    stop;       /* under the registry's mutex */
} Watchdog;

static gpointer
fc_registry_watchdog (gpointer data)
{
  Watchdog *watchdog = data;
  FcRegistry *self = watchdog->registry;

  fc_mutex_lock (&self->mutex);
  while (!watchdog->stop)
    {
      /* Clamped: a huge interval must not overflow into the past. */
      gint64 until = fc_deadline_after (self->watchdog_interval);

      if (fc_cond_wait_until (&self->watchdog_cond, &self->mutex, until) || watchdog->stop)
        continue;

      fc_mutex_unlock (&self->mutex);
      fc_registry_publish_new (self);
      fc_mutex_lock (&self->mutex);
    }
  fc_mutex_unlock (&self->mutex);

  return NULL;
}

double
fc_registry_get_watchdog_interval (FcRegistry *self)
{
  double interval;

  fc_mutex_lock (&self->mutex);
  interval = self->watchdog_interval;
  fc_mutex_unlock (&self->mutex);
  return interval;
}

void
fc_registry_set_watchdog_interval (FcRegistry *self,
                                   double      interval)
{
  GThread *stopped = NULL;
  Watchdog *watchdog = NULL;

  fc_mutex_lock (&self->mutex);
  self->watchdog_interval = interval;
  if (interval <= 0 && self->watchdog != NULL)
    {
      watchdog = g_steal_pointer (&self->watchdog_state);
      watchdog->stop = TRUE;
      stopped = g_steal_pointer (&self->watchdog);
    }
  else if (interval > 0 && self->watchdog == NULL)
    {
      Watchdog *started = g_new0 (Watchdog, 1);

      started->registry = self;
      self->watchdog_state = started;
      self->watchdog = g_thread_new ("fc-watchdog", fc_registry_watchdog, started);
    }
  g_cond_broadcast (&self->watchdog_cond);
  fc_mutex_unlock (&self->mutex);

  if (stopped != NULL)
    {
      g_thread_join (stopped);
      g_free (watchdog);
    }
}
