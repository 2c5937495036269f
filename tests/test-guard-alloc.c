/* test-guard-alloc.c — a warm thread allocates nothing to hold locks: its
 * guards are recycled, and fc_lock_lock() never allocates.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The program defines malloc() and its siblings itself, counting each
 * thread's allocations before handing them to glibc's: the dynamic linker
 * binds the library's and GLib's calls to these. Where something else owns
 * malloc (a sanitizer's runtime, or valgrind when told to replace the
 * program's), the count does not move for a plain g_malloc() and the test
 * says it skips. Not built in sanitizer builds, whose runtimes define
 * malloc too.
 */

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include <foundation-concurrency.h>

extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);
extern void *__libc_memalign (size_t alignment, size_t size);
extern void  __libc_free (void *ptr);

/* Initial-exec TLS in the program: reading it never allocates. */
static __thread guint64 n_allocs;

void *
malloc (size_t size)
{
  n_allocs++;
  return __libc_malloc (size);
}

void *
calloc (size_t n,
        size_t size)
{
  n_allocs++;
  return __libc_calloc (n, size);
}

void *
realloc (void   *ptr,
         size_t  size)
{
  n_allocs++;
  return __libc_realloc (ptr, size);
}

void *
memalign (size_t alignment,
          size_t size)
{
  n_allocs++;
  return __libc_memalign (alignment, size);
}

void *
aligned_alloc (size_t alignment,
               size_t size)
{
  n_allocs++;
  return __libc_memalign (alignment, size);
}

int
posix_memalign (void   **out,
                size_t   alignment,
                size_t   size)
{
  void *ptr;

  n_allocs++;
  ptr = __libc_memalign (alignment, size);
  if (ptr == NULL)
    return ENOMEM;
  *out = ptr;
  return 0;
}

void
free (void *ptr)
{
  __libc_free (ptr);
}

static const char *one[] = { "a", NULL };
static const char *three[] = { "a", "b", "c", NULL };

/* TRUE if this program's malloc() is the one GLib calls. */
static gboolean
counting (void)
{
  guint64 before = n_allocs;

  g_free (g_malloc (32));
  return n_allocs != before;
}

static FcLockManager *
new_manager (void)
{
  FcLockManager *manager = fc_lock_manager_new ();

  g_assert_nonnull (fc_lock_manager_register_lock (manager, "a", 1, NULL, NULL, NULL));
  g_assert_nonnull (fc_lock_manager_register_lock (manager, "b", 2, NULL, NULL, NULL));
  g_assert_nonnull (fc_lock_manager_register_lock (manager, "c", 3, NULL, NULL, NULL));
  return manager;
}

/* One round of everything a warm thread does to hold locks. */
static void
hold_locks (FcLockManager *manager)
{
  FcLock *lock = fc_lock_manager_get_lock (manager, "b", NULL);

  {
    g_autoptr(FcLockGuard) guard = fc_lock_manager_acquire (manager, one, 1.0, TRUE, NULL);

    g_assert_nonnull (guard);
  }
  {
    g_autoptr(FcLockGuard) guard = fc_lock_manager_acquire (manager, three, FC_TIMEOUT_INFINITE,
                                                            TRUE, NULL);

    g_assert_nonnull (guard);
    /* Recursively, under a guard, along a known order edge. */
    g_assert_true (fc_lock_lock (lock, 1.0, NULL));
    fc_lock_unlock (lock);
    fc_lock_guard_release (guard);
  }
  {
    /* Non-blocking, and a reference taken and dropped. */
    FcLockGuard *guard = fc_lock_manager_acquire (manager, one, 0, FALSE, NULL);

    g_assert_nonnull (guard);
    fc_lock_guard_unref (fc_lock_guard_ref (guard));
    fc_lock_guard_unref (guard);
  }
  g_assert_true (fc_lock_lock (lock, FC_TIMEOUT_INFINITE, NULL));
  g_assert_true (fc_lock_try_lock (lock));
  fc_lock_unlock (lock);
  fc_lock_unlock (lock);
}

static void
test_warm_thread_allocates_nothing (void)
{
  g_autoptr(FcLockManager) manager = NULL;
  guint64 before;

  if (!counting ())
    {
      g_test_skip ("malloc() is not this program's to count here");
      return;
    }

  manager = new_manager ();
  /* Warm: the thread's record, its spare guards, the order edges. */
  for (int i = 0; i < 4; i++)
    hold_locks (manager);

  before = n_allocs;
  for (int i = 0; i < 1000; i++)
    hold_locks (manager);
  g_assert_cmpuint (n_allocs - before, ==, 0);
}

/* The counting itself: a guard's first use on a cold thread allocates
 * (its record and guard), so a count of 0 above means something. */
static gpointer
cold_thread (gpointer data)
{
  FcLockManager *manager = data;
  guint64 before = n_allocs;

  hold_locks (manager);
  return GSIZE_TO_POINTER (n_allocs - before);
}

static void
test_cold_thread_allocates (void)
{
  g_autoptr(FcLockManager) manager = NULL;
  GThread *thread;

  if (!counting ())
    {
      g_test_skip ("malloc() is not this program's to count here");
      return;
    }

  manager = new_manager ();
  thread = g_thread_new ("cold", cold_thread, manager);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_thread_join (thread)), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/guard-alloc/warm-thread-allocates-nothing", test_warm_thread_allocates_nothing);
  g_test_add_func ("/guard-alloc/cold-thread-allocates", test_cold_thread_allocates);

  return g_test_run ();
}
