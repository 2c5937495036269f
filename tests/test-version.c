/* test-version.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <foundation-concurrency.h>

/* The defaults: the current stable series, both ways. */
G_STATIC_ASSERT (FC_VERSION_MIN_REQUIRED == FC_VERSION_1_0);
G_STATIC_ASSERT (FC_VERSION_MAX_ALLOWED == FC_VERSION_1_0);
G_STATIC_ASSERT (FC_CHECK_VERSION (1, 0, 0));
G_STATIC_ASSERT (!FC_CHECK_VERSION (FC_MAJOR_VERSION + 1, 0, 0));

static void
test_version_getters (void)
{
  g_assert_cmpuint (fc_get_major_version (), ==, FC_MAJOR_VERSION);
  g_assert_cmpuint (fc_get_minor_version (), ==, FC_MINOR_VERSION);
  g_assert_cmpuint (fc_get_micro_version (), ==, FC_MICRO_VERSION);
}

static void
test_version_string (void)
{
  g_autofree char *s = g_strdup_printf ("%u.%u.%u", fc_get_major_version (),
                                        fc_get_minor_version (),
                                        fc_get_micro_version ());

  g_assert_cmpstr (s, ==, FC_VERSION_S);
  g_assert_cmpint (FC_VERSION, ==, FC_ENCODE_VERSION (FC_MAJOR_VERSION,
                                                      FC_MINOR_VERSION,
                                                      FC_MICRO_VERSION));
}

static void
test_check_version_compatible (void)
{
  guint major = fc_get_major_version ();
  guint minor = fc_get_minor_version ();
  guint micro = fc_get_micro_version ();

  g_assert_null (fc_check_version (major, minor, micro));
  g_assert_null (fc_check_version (major, 0, 0));
  if (micro > 0)
    g_assert_null (fc_check_version (major, minor, micro - 1));
  if (minor > 0)
    g_assert_null (fc_check_version (major, minor - 1, G_MAXUINT));
}

static void
test_check_version_mismatch (void)
{
  guint major = fc_get_major_version ();
  guint minor = fc_get_minor_version ();
  guint micro = fc_get_micro_version ();
  const char *msg;

  msg = fc_check_version (major + 1, 0, 0);
  g_assert_nonnull (msg);
  g_assert_nonnull (strstr (msg, "too old (major mismatch)"));

  msg = fc_check_version (major - 1, minor, micro);
  g_assert_nonnull (msg);
  g_assert_nonnull (strstr (msg, "too new (major mismatch)"));

  msg = fc_check_version (major, minor + 1, 0);
  g_assert_nonnull (msg);
  g_assert_nonnull (strstr (msg, "too old (minor mismatch)"));

  msg = fc_check_version (major, minor, micro + 1);
  g_assert_nonnull (msg);
  g_assert_nonnull (strstr (msg, "too old (micro mismatch)"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/version/getters", test_version_getters);
  g_test_add_func ("/version/string", test_version_string);
  g_test_add_func ("/version/check-compatible", test_check_version_compatible);
  g_test_add_func ("/version/check-mismatch", test_check_version_mismatch);

  return g_test_run ();
}
