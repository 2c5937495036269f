/* test-i18n.c — error messages come back translated.
 *
 * The test generates a German locale without root (localedef into a
 * temporary directory, found through LOCPATH), then runs itself in a child
 * process with that locale and FC_LOCALEDIR pointing at the build's
 * catalogs (<builddir>/po/<lang>/LC_MESSAGES/foundation-concurrency-1.mo,
 * see tests/meson.build). The child prints the message of the error
 * fc_lock_manager_get_lock() reports for an unknown lock; the parent checks
 * it. Each language runs in a fresh process because gettext caches the
 * locale and the library binds its text domain only once.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>

#include <glib/gstdio.h>

#include <foundation-concurrency.h>

static char *self_path;        /* absolute, to run ourselves */
static char *locpath;          /* the generated locales, or NULL */
static gboolean locale_tried;

/* In the child: print the message for an unregistered lock 'x'. */
static int
child_main (void)
{
  g_autoptr(FcLockManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  FcLock *lock;

  if (setlocale (LC_ALL, "") == NULL)
    {
      g_printerr ("setlocale failed for LC_ALL=%s\n", g_getenv ("LC_ALL"));
      return 2;
    }

  manager = fc_lock_manager_new ();
  lock = fc_lock_manager_get_lock (manager, "x", &error);
  if (lock != NULL || !g_error_matches (error, FC_ERROR, FC_ERROR_NOT_REGISTERED))
    {
      g_printerr ("expected FC_ERROR_NOT_REGISTERED\n");
      return 3;
    }

  g_print ("%s\n", error->message);
  return 0;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

/* Generates de_DE.UTF-8 under a temporary directory, once; returns that
 * directory (for LOCPATH) or NULL, with the reason in @why. */
static const char *
ensure_german_locale (char **why)
{
  static char *reason;

  if (!locale_tried)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("fc-test-i18n-XXXXXX", &error);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *target = NULL;
      g_autofree char *ctype = NULL;
      int status = 0;

      locale_tried = TRUE;
      if (dir == NULL)
        {
          reason = g_strdup (error->message);
          goto done;
        }

      target = g_build_filename (dir, "de_DE.UTF-8", NULL);
      {
        const char *argv[] = { "localedef", "-i", "de_DE", "-f", "UTF-8", target, NULL };

        /* localedef exits 1 for mere warnings, with the locale written:
         * judge by the result, not the status. */
        if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                           &out, &err, &status, &error))
          {
            reason = g_strdup_printf ("cannot run localedef: %s", error->message);
            remove_tree (dir);
            goto done;
          }
      }

      ctype = g_build_filename (target, "LC_CTYPE", NULL);
      if (!g_file_test (ctype, G_FILE_TEST_IS_REGULAR))
        {
          reason = g_strdup_printf ("localedef -i de_DE -f UTF-8 failed (status %d; is the "
                                    "'locales' package installed?): %s", status, err);
          remove_tree (dir);
          goto done;
        }

      locpath = g_steal_pointer (&dir);
    }

done:
  *why = reason;
  return locpath;
}

/* Runs this program as a child in @lc_all (and @language, if not NULL) and
 * returns what it printed, without the newline. */
static char *
run_child (const char *lc_all,
           const char *language)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *argv[] = { self_path, "--child", NULL };
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  envp = g_environ_setenv (envp, "LC_ALL", lc_all, TRUE);
  if (language != NULL)
    envp = g_environ_setenv (envp, "LANGUAGE", language, TRUE);
  else
    envp = g_environ_unsetenv (envp, "LANGUAGE");
  if (locpath != NULL)
    envp = g_environ_setenv (envp, "LOCPATH", locpath, TRUE);

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("child (LC_ALL=%s) failed: %s\n%s", lc_all, error->message, err);

  g_strchomp (out);
  return out;
}

/* The tests need the build's catalogs; meson points FC_LOCALEDIR at them. */
static gboolean
check_catalogs (void)
{
  const char *localedir = g_getenv ("FC_LOCALEDIR");
  const char *langs[] = { "de", "fr" };

  if (localedir == NULL || *localedir == '\0')
    {
      g_test_skip ("FC_LOCALEDIR is not set: run through meson test");
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (langs); i++)
    {
      g_autofree char *mo = g_build_filename (localedir, langs[i], "LC_MESSAGES",
                                              "foundation-concurrency-1.mo", NULL);

      if (!g_file_test (mo, G_FILE_TEST_IS_REGULAR))
        g_error ("%s was not built", mo);
    }
  return TRUE;
}

static gboolean
require_german_locale (void)
{
  char *why = NULL;

  if (ensure_german_locale (&why) == NULL)
    {
      g_test_skip (why);
      return FALSE;
    }
  return TRUE;
}

static void
test_german (void)
{
  g_autofree char *message = NULL;

  if (!check_catalogs () || !require_german_locale ())
    return;

  message = run_child ("de_DE.UTF-8", NULL);
  g_assert_cmpstr (message, ==, "Sperre 'x' ist nicht registriert");
}

/* LANGUAGE picks the catalog once the locale is not C: French messages in a
 * German locale, without generating a second locale. */
static void
test_french_by_language (void)
{
  g_autofree char *message = NULL;

  if (!check_catalogs () || !require_german_locale ())
    return;

  message = run_child ("de_DE.UTF-8", "fr");
  g_assert_cmpstr (message, ==, "Verrou 'x' non enregistré");
}

/* The C locale is never translated, whatever LANGUAGE says. */
static void
test_c_locale (void)
{
  g_autofree char *message = NULL;

  if (!check_catalogs ())
    return;

  message = run_child ("C", "de");
  g_assert_cmpstr (message, ==, "Lock 'x' not registered");
}

int
main (int    argc,
      char **argv)
{
  int ret;

  if (argc == 2 && g_str_equal (argv[1], "--child"))
    return child_main ();

  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/i18n/german", test_german);
  g_test_add_func ("/i18n/french-by-language", test_french_by_language);
  g_test_add_func ("/i18n/c-locale", test_c_locale);

  ret = g_test_run ();

  if (locpath != NULL)
    remove_tree (locpath);
  g_free (locpath);
  g_free (self_path);
  return ret;
}
