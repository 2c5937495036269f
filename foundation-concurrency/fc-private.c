/* fc-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "fc-error.h"
#include "fc-private.h"

/* Translates @msgid in the foundation-concurrency-1 text domain, binding the
 * domain the first time a message is translated.
 *
 * The catalogs are looked up under LOCALEDIR, the install prefix's locale
 * directory, unless the environment variable FC_LOCALEDIR is set (and not
 * empty) when the first message is translated: then under $FC_LOCALEDIR,
 * which must have the same layout, <dir>/<lang>/LC_MESSAGES/<domain>.mo.
 * It is read once, and exists so that tests can use the catalogs of an
 * uninstalled build (<builddir>/po); installed programs never need it. */
const char *
fc_gettext (const char *msgid)
{
  static gsize bound = 0;

  if (g_once_init_enter (&bound))
    {
      const char *localedir = g_getenv ("FC_LOCALEDIR");

      if (localedir == NULL || *localedir == '\0')
        localedir = LOCALEDIR;
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&bound, 1);
    }

  return g_dgettext (GETTEXT_PACKAGE, msgid);
}

gboolean
fc_timeout_invalid (GError **error)
{
  g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                       _("Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever"));
  return FALSE;
}

/* @name made valid UTF-8 and cut at a character boundary to at most
 * FC_OWNER_NAME_MAX bytes, so that no message quotes a megabyte. */
char *
fc_owner_name_dup (const char *name)
{
  char *valid = g_utf8_make_valid (name, -1);

  if (strlen (valid) > FC_OWNER_NAME_MAX)
    *g_utf8_find_prev_char (valid, valid + FC_OWNER_NAME_MAX + 1) = '\0';
  return valid;
}

gint64
fc_deadline_end (FcDeadline *self)
{
  if (self->end == G_MININT64)
    {
      double timeout = self->timeout;

      if (timeout == FC_TIMEOUT_INFINITE)
        self->end = -1;
      else
        self->end = fc_deadline_after (timeout);
    }

  return self->end;
}

gboolean
fc_timeout_to_deadline (double   timeout,
                        gint64  *deadline,
                        GError **error)
{
  FcDeadline d = FC_DEADLINE_INIT (timeout);

  if (!fc_timeout_validate (timeout, error))
    return FALSE;

  *deadline = fc_deadline_end (&d);
  return TRUE;
}

gint64
fc_deadline_after (double seconds)
{
  /* Clamp absurdly long (but finite) durations rather than overflow. */
  if (seconds > (double) (G_MAXINT64 / 4) / G_USEC_PER_SEC)
    seconds = (double) (G_MAXINT64 / 4) / G_USEC_PER_SEC;

  return g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
}

double
fc_coarse_to_wall_seconds (gint64 coarse_usec)
{
  gint64 age = fc_coarse_monotonic_time () - coarse_usec;

  return (double) (g_get_real_time () - MAX (age, 0)) / G_USEC_PER_SEC;
}

static gboolean
fc_deadline_source_dispatch (GSource     *source,
                             GSourceFunc  callback,
                             gpointer     user_data)
{
  /* Fire once unless the callback asks for more and re-arms it. */
  g_source_set_ready_time (source, -1);

  return callback != NULL ? callback (user_data) : G_SOURCE_REMOVE;
}

static GSourceFuncs fc_deadline_source_funcs = {
  .dispatch = fc_deadline_source_dispatch,
};

GSource *
fc_deadline_source_new (gint64 deadline)
{
  GSource *source = g_source_new (&fc_deadline_source_funcs, sizeof (GSource));

  g_source_set_name (source, "[foundation-concurrency] deadline");
  g_source_set_ready_time (source, deadline);
  return source;
}

GSource *
fc_task_attach_source (GTask       *task,
                       GSource     *source,
                       GSourceFunc  func)
{
  g_source_set_priority (source, g_task_get_priority (task));
  g_source_set_callback (source, func, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  return source;
}

void
fc_clear_source (GSource **source)
{
  GSource *s = g_steal_pointer (source);

  if (s != NULL)
    {
      g_source_destroy (s);
      g_source_unref (s);
    }
}

/* GLib 2.74 leaks a GCancellableSource whose last reference goes while its
 * cancellable's ::cancelled is being emitted: its dispose function, seeing
 * the emission running, takes a reference that only its own ::cancelled
 * handler would drop, and disconnects that handler. That is what a caller
 * cancelling from its own thread does to a task of another thread, which
 * wakes up as soon as the source fires, completes and drops the source
 * while the caller's thread is still in the emission (LeakSanitizer and
 * valgrind: the sources of cancelled cluster calls). So the watch also
 * connects a handler that does nothing: g_cancellable_disconnect() waits
 * for a running emission to end, and only then is the source dropped. */
static void
cancelling_cb (GCancellable *cancellable,
               gpointer      data)
{
}

gboolean
fc_task_sources_watch_cancellable (FcTaskSources          *sources,
                                   GTask                  *task,
                                   GCancellable           *cancellable,
                                   GCancellableSourceFunc  func)
{
  /* 0 if already cancelled (the handler ran): no source then. */
  sources->cancelling_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelling_cb), NULL, NULL);
  if (sources->cancelling_id == 0)
    return FALSE;
  sources->cancellable = g_object_ref (cancellable);
  sources->cancel_source = fc_task_attach_source (task, g_cancellable_source_new (cancellable),
                                                  (GSourceFunc) (void (*) (void)) func);
  return TRUE;
}

void
fc_task_sources_clear (FcTaskSources *sources)
{
  if (sources->cancelling_id != 0)
    {
      g_cancellable_disconnect (sources->cancellable, sources->cancelling_id);
      sources->cancelling_id = 0;
    }
  g_clear_object (&sources->cancellable);
  fc_clear_source (&sources->timer);
  fc_clear_source (&sources->cancel_source);
}
