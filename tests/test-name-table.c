/* test-name-table.c — the registry's name table: names that differ only
 * in a few characters spread over its slots, whatever the characters, and
 * each finds its own lock.
 *
 * Built against the library's objects (not the shared library) so that it
 * can reach fc_registry_longest_probe().
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <foundation-concurrency.h>

#include "fc-lock-hold-private.h"
#include "fc-registry-private.h"

/* With a table at most half full and a hash that spreads the names, the
 * longest probe over a thousand names stays in the tens (15 here);
 * names that hashed into a handful of slots made it 734. */
#define PROBE_BOUND 40

/* Registers prefix0suffix, prefix1suffix, ... */
static void
register_all (FcRegistry  *registry,
              const char  *prefix,
              const char  *suffix,
              guint        n,
              int          first_order)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("%s%u%s", prefix, i, suffix);

      g_assert_nonnull (fc_registry_register (registry, name, first_order + (int) i,
                                              NULL, NULL, &error));
      g_assert_no_error (error);
    }
}

/* Short names that differ in their last character or two ("lock.1",
 * "lock.2", ...): the hash used to see only 3 of their bits. */
static void
test_suffixes (void)
{
  FcRegistry *registry = fc_registry_new (&fc_lock_kind);

  register_all (registry, "lock.", "", 1000, 0);
  g_assert_cmpuint (fc_registry_longest_probe (registry), <=, PROBE_BOUND);
  fc_registry_free (registry);
}

/* Longer names, differing in the middle and at the end, as the
 * contention benchmark's forks are named. */
static void
test_middles (void)
{
  FcRegistry *registry = fc_registry_new (&fc_lock_kind);

  register_all (registry, "app.fork", ".left", 500, 0);
  register_all (registry, "a.rather.long.prefix.shared.by.all.", ".and.a.long.suffix.too", 500, 1000);
  g_assert_cmpuint (fc_registry_longest_probe (registry), <=, PROBE_BOUND);
  fc_registry_free (registry);
}

/* Every registered name finds its own lock, whatever its length; a name
 * that shares a registered one's first and last eight bytes and length,
 * or all but its last byte, finds none. */
static void
test_lookups (void)
{
  static const char *names[] = {
    "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop",
    "abcdefghijklmnopq", "abcdefgh.middle.1.ijklmnop", "abcdefgh.middle.2.ijklmnop",
    "lock.é", NULL,
  };
  static const char *strangers[] = {
    "b", "abcdefgi", "abcdefghj", "abcdefghijklmnoq", "abcdefgh.middle.3.ijklmnop",
    "abcdefgh.middle.1.ijklmno", "lock.è", NULL,
  };
  FcRegistry *registry = fc_registry_new (&fc_lock_kind);
  gpointer locks[G_N_ELEMENTS (names)];

  for (guint i = 0; names[i] != NULL; i++)
    {
      locks[i] = fc_registry_register (registry, names[i], (int) i, NULL, NULL, NULL);
      g_assert_nonnull (locks[i]);
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *copy = g_strdup (names[i]);

      g_assert_true (fc_registry_lookup (registry, copy, NULL) == locks[i]);
    }
  for (guint i = 0; strangers[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (fc_registry_lookup (registry, strangers[i], &error));
      g_assert_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED);
    }
  fc_registry_free (registry);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/name-table/suffixes", test_suffixes);
  g_test_add_func ("/name-table/middles", test_middles);
  g_test_add_func ("/name-table/lookups", test_lookups);

  return g_test_run ();
}
