/* fc-private.h — helpers shared by every part of the library; never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <time.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "fc-error.h"

G_BEGIN_DECLS

/* Translations: the text domain is bound once, lazily, the first time a
 * message is translated, so that merely loading the library costs nothing. */
#undef _
#define _(String) fc_gettext (String)

const char *fc_gettext (const char *msgid) G_GNUC_FORMAT (1);

/* Converts a timeout in seconds into a monotonic deadline in microseconds.
 * FC_TIMEOUT_INFINITE gives -1; 0 gives "now" (try once). Any other negative
 * value, NaN or infinity fails with FC_ERROR_INVALID_ARGUMENT. */
gboolean fc_timeout_to_deadline (double    timeout,
                                 gint64   *deadline,
                                 GError  **error);

/* Checks a timeout without reading the clock: FC_TIMEOUT_INFINITE, 0 or a
 * positive finite number of seconds. */
gboolean fc_timeout_invalid (GError **error);

/* An owner's name (a thread's, a guard's label) is quoted in messages:
 * at most this many bytes. */
#define FC_OWNER_NAME_MAX 255

char *fc_owner_name_dup (const char *name);

static inline gboolean
fc_timeout_validate (double   timeout,
                     GError **error)
{
  /* NaN fails both comparisons. */
  if (G_LIKELY ((timeout >= 0 && timeout <= G_MAXDOUBLE) || timeout == FC_TIMEOUT_INFINITE))
    return TRUE;
  return fc_timeout_invalid (error);
}

/* A deadline read off the clock only when somebody first has to wait, so
 * that uncontended acquisitions never pay for the clock. */
typedef struct
{
  double timeout;  /* validated */
  gint64 end;      /* monotonic µs, -1 = never; G_MININT64 until computed */
} FcDeadline;

#define FC_DEADLINE_INIT(timeout) { (timeout), G_MININT64 }

gint64 fc_deadline_end (FcDeadline *self);

/* The monotonic time, in microseconds, @seconds (finite, >= 0) from now;
 * absurdly long durations are clamped rather than overflow. */
gint64 fc_deadline_after (double seconds);

/* A cheap monotonic clock (CLOCK_MONOTONIC_COARSE, a few milliseconds of
 * resolution) for hold times, which only matter at human scales. */
/* A monotonic clock with a resolution of a few milliseconds, for what is
 * read on every acquisition (when a lock was taken, for how long). */
static inline gint64
fc_coarse_monotonic_time (void)
{
#ifdef CLOCK_MONOTONIC_COARSE
  struct timespec ts;

  if (G_LIKELY (clock_gettime (CLOCK_MONOTONIC_COARSE, &ts) == 0))
    return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
#endif
  return g_get_monotonic_time ();
}

/* The coarse clock, read once for all the locks one call takes or releases:
 * *@stamp is 0 until the first read. */
static inline gint64
fc_stamp (gint64 *stamp)
{
  if (*stamp == 0)
    *stamp = fc_coarse_monotonic_time ();
  return *stamp;
}

/* Wall-clock seconds since the epoch of a moment on the coarse clock. */
double fc_coarse_to_wall_seconds (gint64 coarse_usec);

/* A source that becomes ready once, at @deadline (monotonic µs; -1 never),
 * with microsecond resolution and no 49-day limit, unlike g_timeout_source_new().
 * Its callback is a plain #GSourceFunc. */
GSource *fc_deadline_source_new (gint64 deadline);

/* Attaches @source to @task's context with @func as its callback and a
 * reference to @task as the callback data, dropped when the source is
 * destroyed; returns @source (transfer none, owned by the caller). */
GSource *fc_task_attach_source (GTask       *task,
                                GSource     *source,
                                GSourceFunc  func);

/* Destroys and unrefs *@source if set. */
void fc_clear_source (GSource **source);

/* The sources an async operation attaches to its task's context: a
 * deadline and a cancellation watch, either NULL. */
typedef struct
{
  GSource      *timer;
  GSource      *cancel_source;
  /* Set by fc_task_sources_watch_cancellable() only. */
  GCancellable *cancellable;
  gulong        cancelling_id;
} FcTaskSources;

/* Sets @sources' cancellation watch: a source in @task's context that
 * calls @func (@cancellable, @task) once @cancellable is cancelled, for a
 * cancellable that another thread than the context's may cancel (see
 * fc-private.c: GLib 2.74 leaks a plain one then). FALSE, and nothing
 * attached, if @cancellable is cancelled already: the caller acts at once.
 * fc_task_sources_clear() then waits for a cancellation running in another
 * thread to end, so it must not be called from a ::cancelled handler. */
gboolean fc_task_sources_watch_cancellable (FcTaskSources          *sources,
                                            GTask                  *task,
                                            GCancellable           *cancellable,
                                            GCancellableSourceFunc  func);

/* Destroys both sources, leaving nothing attached; idempotent. */
void fc_task_sources_clear (FcTaskSources *sources);

G_END_DECLS
