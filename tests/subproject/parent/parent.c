/* parent.c — a program of a parent project, built with foundation-concurrency
 * as a subproject.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>

#include <foundation-concurrency.h>

int
main (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(FcLockGuard) guard = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "b", "a", NULL };
  const char *mismatch = fc_check_version (FC_MAJOR_VERSION, FC_MINOR_VERSION, FC_MICRO_VERSION);

  if (mismatch != NULL)
    {
      fprintf (stderr, "%s\n", mismatch);
      return 1;
    }

  fc_lock_manager_register_lock (manager, "a", 1, NULL, NULL, NULL);
  fc_lock_manager_register_lock (manager, "b", 2, NULL, NULL, NULL);
  guard = fc_lock_manager_acquire (manager, names, 1.0, TRUE, &error);
  if (guard == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  fc_lock_guard_release (guard);
  printf ("parent: built with foundation-concurrency %s as a subproject\n", FC_VERSION_S);
  return 0;
}
