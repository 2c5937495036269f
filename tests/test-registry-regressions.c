/* test-registry-regressions.c — regressions of the registry (issue 10,
 * findings 3 and 14) and of the async guard's label (finding 7).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <foundation-concurrency.h>

#include "async-test-util.h"
#include "fc-test-heap.h"

/* fc_test_heap_in_use() is 0 where the heap is not known (a sanitizer or
 * valgrind replaces malloc): then the bound below holds trivially and the
 * test checks the lookups only. The tests run with G_SLICE=always-malloc,
 * so GObjects are counted too. */

#define MANY_LOCKS       8000
#define MANY_LOCKS_BOUND (64 * 1024 * 1024)

/* Finding 3: each registration kept a copy of the whole name table, so
 * 8,000 registrations retained some 1.5 GiB. The heap the manager holds
 * after them, locks included, must stay far below that; checked along the
 * way, so the unfixed code fails early instead of exhausting memory. */
static void
test_register_many_bounded_heap (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  gint64 heap0 = fc_test_heap_in_use ();
  char name[64];

  for (guint i = 0; i < MANY_LOCKS; i++)
    {
      g_autoptr(GError) error = NULL;

      g_snprintf (name, sizeof name, "regression.many.lock-%u", i);
      g_assert_nonnull (fc_lock_manager_register_lock (manager, name, 1000 + (int) i, NULL, NULL, &error));
      g_assert_no_error (error);

      if (i % 256 == 255 && fc_test_heap_in_use () - heap0 > MANY_LOCKS_BOUND)
        g_error ("%u registrations hold %" G_GINT64_FORMAT " MiB of heap (bound: %d MiB)",
                 i + 1, (fc_test_heap_in_use () - heap0) >> 20, MANY_LOCKS_BOUND >> 20);
    }

  g_test_message ("%d registrations: heap +%.2f MiB", MANY_LOCKS,
                  (double) (fc_test_heap_in_use () - heap0) / (1024 * 1024));
  g_assert_cmpint (fc_test_heap_in_use () - heap0, <, MANY_LOCKS_BOUND);
}

/* Finding 3: with the table filled in place and grown by doubling, every
 * name still resolves, to its own lock, and the order rule still sees a
 * conflict among thousands of orders. Both managers share the code. */
static void
test_register_many_lookups_resolve (void)
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(FcAsyncLockManager) async_manager = fc_async_lock_manager_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FcLockGuard) guard = NULL;
  const guint n = 10000;
  char name[64];

  for (guint i = 0; i < n; i++)
    {
      g_snprintf (name, sizeof name, "regression.lookup.%u", i);
      /* Scrambled orders: the order index is not the registration order. */
      g_assert_nonnull (fc_lock_manager_register_lock (manager, name, (int) ((i * 7919) % n), NULL, NULL, NULL));
      g_assert_nonnull (fc_async_lock_manager_register_lock (async_manager, name, (int) i, NULL, NULL, NULL));
    }

  for (guint i = 0; i < n; i++)
    {
      FcLock *lock;
      FcAsyncLock *async_lock;

      g_snprintf (name, sizeof name, "regression.lookup.%u", i);
      lock = fc_lock_manager_get_lock (manager, name, &error);
      g_assert_no_error (error);
      g_assert_nonnull (lock);
      g_assert_cmpstr (fc_lock_get_name (lock), ==, name);
      g_assert_cmpint (fc_lock_get_order (lock), ==, (int) ((i * 7919) % n));

      async_lock = fc_async_lock_manager_get_lock (async_manager, name, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (fc_async_lock_get_name (async_lock), ==, name);
    }

  g_assert_null (fc_lock_manager_get_lock (manager, "regression.lookup.missing", &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED);
  g_clear_error (&error);

  /* An order in use, however many there are, is a conflict. */
  g_assert_null (fc_lock_manager_register_lock (manager, "regression.lookup.again", 4321, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ORDER_CONFLICT);
  g_clear_error (&error);
  g_assert_null (fc_lock_manager_register_lock (manager, "regression.lookup.17", n + 1, NULL, NULL, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_ALREADY_REGISTERED);
  g_clear_error (&error);

  /* Resolving a set takes them in order. */
  {
    const char *names[] = { "regression.lookup.9999", "regression.lookup.0", "regression.lookup.5000", NULL };

    guard = fc_lock_manager_acquire (manager, names, 1.0, TRUE, &error);
    g_assert_no_error (error);
    g_assert_true (fc_lock_is_locked (fc_lock_manager_get_lock (manager, "regression.lookup.5000", NULL)));
    fc_lock_guard_release (guard);
  }
}

/* Finding 3: lookups take no lock while another thread registers (and
 * grows the table many times over); run under ThreadSanitizer too. */
typedef struct
{
  FcLockManager *manager;
  guint          registered;   /* atomic: names 0 .. registered-1 exist */
  gboolean       done;         /* atomic */
} Concurrent;

#define CONCURRENT_LOCKS 3000

static gpointer
concurrent_reader (gpointer data)
{
  Concurrent *c = data;
  guint checked = 0;
  char name[64];

  while (!g_atomic_int_get (&c->done) || checked == 0)
    {
      guint registered = (guint) g_atomic_int_get (&c->registered);

      for (guint i = registered > 64 ? registered - 64 : 0; i < registered; i++)
        {
          FcLock *lock;

          g_snprintf (name, sizeof name, "regression.concurrent.%u", i);
          lock = fc_lock_manager_get_lock (c->manager, name, NULL);
          if (lock == NULL || fc_lock_get_order (lock) != (int) i)
            g_error ("lookup of %s, registered before, failed", name);
          checked++;
        }
    }
  return NULL;
}

static void
test_register_while_looking_up (void)
{
  Concurrent c = { fc_lock_manager_new (), 0, FALSE };
  GThread *readers[2];
  char name[64];

  for (guint t = 0; t < G_N_ELEMENTS (readers); t++)
    readers[t] = g_thread_new ("reader", concurrent_reader, &c);

  for (guint i = 0; i < CONCURRENT_LOCKS; i++)
    {
      g_snprintf (name, sizeof name, "regression.concurrent.%u", i);
      g_assert_nonnull (fc_lock_manager_register_lock (c.manager, name, (int) i, NULL, NULL, NULL));
      g_atomic_int_set (&c.registered, i + 1);
    }
  g_atomic_int_set (&c.done, TRUE);

  for (guint t = 0; t < G_N_ELEMENTS (readers); t++)
    g_thread_join (readers[t]);
  g_object_unref (c.manager);
}

/* Finding 14: a lock registered with a manager that died could be
 * registered again, its name and order overwritten (the old strings
 * leaked). Once registered, a lock is registered for good. */
static void
test_register_after_manager_died (void)
{
  g_autoptr(FcLock) lock = fc_lock_new ();
  g_autoptr(FcLockManager) second = fc_lock_manager_new ();
  g_autoptr(GError) error = NULL;
  FcLockManager *first = fc_lock_manager_new ();

  g_assert_true (fc_lock_manager_register_lock (first, "regression.first", 1, "first", lock, &error) == lock);
  g_assert_no_error (error);

  /* While the first manager lives… */
  g_assert_null (fc_lock_manager_register_lock (second, "regression.second", 2, "second", lock, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* …and after it died. */
  g_object_unref (first);
  g_assert_null (fc_lock_manager_register_lock (second, "regression.second", 2, "second", lock, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_cmpstr (fc_lock_get_name (lock), ==, "regression.first");
  g_assert_cmpint (fc_lock_get_order (lock), ==, 1);
  g_assert_cmpstr (fc_lock_get_description (lock), ==, "first");
  g_assert_null (fc_lock_manager_get_lock (second, "regression.second", NULL));

  /* The refused name and order are still free in the second manager. */
  g_assert_nonnull (fc_lock_manager_register_lock (second, "regression.second", 2, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_register_async_after_manager_died (void)
{
  g_autoptr(FcAsyncLock) lock = fc_async_lock_new ();
  g_autoptr(FcAsyncLockManager) second = fc_async_lock_manager_new ();
  g_autoptr(GError) error = NULL;
  FcAsyncLockManager *first = fc_async_lock_manager_new ();

  g_assert_true (fc_async_lock_manager_register_lock (first, "regression.first", 1, NULL, lock, &error) == lock);
  g_assert_no_error (error);
  g_object_unref (first);

  g_assert_null (fc_async_lock_manager_register_lock (second, "regression.second", 2, NULL, lock, &error));
  g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpstr (fc_async_lock_get_name (lock), ==, "regression.first");
  g_assert_cmpint (fc_async_lock_get_order (lock), ==, 1);
}

/* Finding 14: two managers racing to register the same lock: exactly one
 * wins, the other gets FC_ERROR_INVALID_ARGUMENT. */
typedef struct
{
  FcLock        *lock;
  FcLockManager *manager;
  const char    *name;
  int            order;
  gint          *go;
  gboolean       won;
} Racer;

static gpointer
racer_run (gpointer data)
{
  Racer *r = data;
  g_autoptr(GError) error = NULL;

  while (!g_atomic_int_get (r->go))
    ;
  r->won = fc_lock_manager_register_lock (r->manager, r->name, r->order, NULL, r->lock, &error) != NULL;
  if (!r->won)
    g_assert_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT);
  return NULL;
}

static void
test_register_race (void)
{
  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(FcLock) lock = fc_lock_new ();
      g_autoptr(FcLockManager) a = fc_lock_manager_new ();
      g_autoptr(FcLockManager) b = fc_lock_manager_new ();
      gint go = 0;
      Racer racers[2] = {
        { lock, a, "regression.race.a", 1, &go, FALSE },
        { lock, b, "regression.race.b", 2, &go, FALSE },
      };
      GThread *threads[2];

      for (guint t = 0; t < 2; t++)
        threads[t] = g_thread_new ("racer", racer_run, &racers[t]);
      g_atomic_int_set (&go, 1);
      for (guint t = 0; t < 2; t++)
        g_thread_join (threads[t]);

      g_assert_cmpint (racers[0].won + racers[1].won, ==, 1);
      g_assert_cmpstr (fc_lock_get_name (lock), ==, racers[0].won ? "regression.race.a" : "regression.race.b");
    }
}

/* Finding 7: fc_async_lock_guard_get_label() returned a string another
 * thread's set_label() could free; dup_label() copies it under the lock.
 * Under AddressSanitizer, reading get_label()'s result here instead is a
 * heap-use-after-free within a few thousand rounds. */
#define LABEL_ROUNDS 20000

typedef struct
{
  FcAsyncLockGuard *guard;
  gboolean          done;   /* atomic */
} LabelRace;

static gpointer
label_setter (gpointer data)
{
  LabelRace *race = data;
  char label[64];

  for (guint i = 0; i < LABEL_ROUNDS; i++)
    {
      /* Lengths vary, so each string is a fresh allocation. */
      g_snprintf (label, sizeof label, "label-%u-%.*s", i, (int) (i % 24), "xxxxxxxxxxxxxxxxxxxxxxxx");
      fc_async_lock_guard_set_label (race->guard, label);
    }
  g_atomic_int_set (&race->done, TRUE);
  return NULL;
}

static void
test_dup_label_race (void)
{
  g_autoptr(FcAsyncLockManager) manager = fc_async_lock_manager_new ();
  const char *names[] = { "a", NULL };
  Outcome o = { 0, };
  LabelRace race = { NULL, FALSE };
  GThread *setter;
  guint reads = 0;

  g_assert_nonnull (fc_async_lock_manager_register_lock (manager, "a", 1, NULL, NULL, NULL));
  acquire_wait (manager, NULL, names, 1.0, NULL, &o);
  g_assert_no_error (o.error);
  race.guard = o.guard;

  {
    g_autofree char *first = fc_async_lock_guard_dup_label (race.guard);
    g_assert_true (g_str_has_prefix (first, "guard-"));
    g_assert_cmpstr (first, ==, fc_async_lock_guard_get_label (race.guard));
  }

  setter = g_thread_new ("label-setter", label_setter, &race);
  while (!g_atomic_int_get (&race.done) || reads == 0)
    {
      g_autofree char *label = fc_async_lock_guard_dup_label (race.guard);
      g_autofree char *owner = fc_async_lock_dup_owner (fc_async_lock_manager_get_lock (manager, "a", NULL));

      g_assert_true (g_str_has_prefix (label, "guard-") || g_str_has_prefix (label, "label-"));
      g_assert_true (g_str_has_prefix (owner, "guard-") || g_str_has_prefix (owner, "label-"));
      reads++;
    }
  g_thread_join (setter);

  {
    g_autofree char *last = fc_async_lock_guard_dup_label (race.guard);
    g_assert_true (g_str_has_prefix (last, "label-19999-"));
  }
  g_test_message ("%u reads raced with %d label changes", reads, LABEL_ROUNDS);

  fc_async_lock_guard_release (race.guard);
  outcome_clear (&o);
}

static void
test_dup_label_null (void)
{
  if (g_test_subprocess ())
    {
      g_test_expect_message ("FoundationConcurrency", G_LOG_LEVEL_CRITICAL, "*FC_IS_ASYNC_LOCK_GUARD*");
      g_assert_null (fc_async_lock_guard_dup_label (NULL));
      g_test_assert_expected_messages ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/regression/register-many-bounded-heap", test_register_many_bounded_heap);
  g_test_add_func ("/regression/register-many-lookups-resolve", test_register_many_lookups_resolve);
  g_test_add_func ("/regression/register-while-looking-up", test_register_while_looking_up);
  g_test_add_func ("/regression/register-after-manager-died", test_register_after_manager_died);
  g_test_add_func ("/regression/register-async-after-manager-died", test_register_async_after_manager_died);
  g_test_add_func ("/regression/register-race", test_register_race);
  g_test_add_func ("/regression/async-guard-dup-label-race", test_dup_label_race);
  g_test_add_func ("/regression/async-guard-dup-label-null", test_dup_label_null);

  return g_test_run ();
}
