/* fc-thread-name.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-private.h"
#include "fc-thread-name.h"
#include "fc-thread-private.h"

/**
 * SECTION:fc-thread-name
 * @title: Thread names
 * @short_description: the name a thread is shown under as a lock owner
 *
 * Wherever the library names the thread that holds a #FcLock — the `owner`
 * of fc_lock_manager_get_lock_status(), fc_lock_dup_owner(), the hold-time
 * warnings and deadlock reports, the `held by 'worker-2'` of a timeout
 * message — it uses the calling thread's name: `main` for the process's
 * main thread, otherwise the name the system knows the thread by (the
 * #GThread name given to g_thread_new(), cut to 15 bytes by Linux).
 *
 * fc_set_thread_name() gives the calling thread another name, for threads
 * whose system name says nothing: those of a language runtime (the Python
 * override calls it with the name of each `threading.Thread`, so that a
 * thread named `py-holder` shows as `'py-holder'`), of a thread pool, or
 * names longer than the system allows.
 *
 * Since: 1.0
 */

/**
 * fc_set_thread_name:
 * @name: (nullable): the name to show for the calling thread, or %NULL for
 *   the name the system knows it by
 *
 * Names the calling thread as lock owner in every status, report and
 * message of this library, from now on (locks it holds already show the new
 * name too). The name is not given to the system (see g_thread_new() for
 * that). Invalid UTF-8 is made valid, and a name longer than 255 bytes is
 * cut at a character boundary.
 *
 * Since: 1.0
 */
void
fc_set_thread_name (const char *name)
{
  /* Names are interned and never freed: this caps what one call adds. */
  g_autofree char *valid = name != NULL ? fc_owner_name_dup (name) : NULL;

  fc_thread_set_name (fc_thread_self (), valid);
}
