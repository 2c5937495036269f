/* fc-private.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <time.h>

#include "fc-error.h"
#include "fc-private.h"

const char *
fc_gettext (const char *msgid)
{
  static gsize bound = 0;

  if (g_once_init_enter (&bound))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&bound, 1);
    }

  return g_dgettext (GETTEXT_PACKAGE, msgid);
}

gboolean
fc_timeout_validate (double   timeout,
                     GError **error)
{
  if (timeout == FC_TIMEOUT_INFINITE)
    return TRUE;

  if (isnan (timeout) || isinf (timeout) || timeout < 0)
    {
      g_set_error_literal (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT,
                           _("Timeout must be non-negative"));
      return FALSE;
    }

  return TRUE;
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
        {
          /* Clamp absurdly long (but finite) timeouts rather than overflow. */
          timeout = MIN (timeout, (double) (G_MAXINT64 / 4) / G_USEC_PER_SEC);
          self->end = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
        }
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
fc_coarse_monotonic_time (void)
{
  struct timespec ts;

#ifdef CLOCK_MONOTONIC_COARSE
  if (clock_gettime (CLOCK_MONOTONIC_COARSE, &ts) == 0)
    return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
#endif
  return g_get_monotonic_time ();
}

double
fc_coarse_to_wall_seconds (gint64 coarse_usec)
{
  gint64 age = fc_coarse_monotonic_time () - coarse_usec;

  return (double) (g_get_real_time () - MAX (age, 0)) / G_USEC_PER_SEC;
}
