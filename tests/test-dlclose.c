/* test-dlclose.c — a thread that used the library may exit after the
 * library was dlclose()d (as a plug-in host does when it unloads a plug-in).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The library keeps per-thread state in a GPrivate whose destructor is a
 * function of the library: if dlclose() unmapped it, the thread's exit would
 * call into unmapped memory (SIGSEGV). The library is linked -z nodelete, as
 * GLib is, so dlclose() leaves it mapped.
 *
 * Usage: test-dlclose PATH-TO-LIBRARY. Deliberately neither GTest nor GLib
 * (the library is only reached through dlsym()); exits 0 on success, 77
 * (skipped) if the library cannot be loaded.
 */

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void *(*LockNewFunc)   (void);
typedef int   (*LockLockFunc)  (void *lock, double timeout, void **error);
typedef void  (*LockUnlockFunc) (void *lock);
typedef void  (*UnrefFunc)     (void *object);

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int used, closed;

static LockNewFunc lock_new;
static LockLockFunc lock_lock;
static LockUnlockFunc lock_unlock;
static UnrefFunc object_unref;

static void *
worker (void *data)
{
  void *lock = lock_new ();

  (void) data;
  if (!lock_lock (lock, 1.0, NULL))
    {
      fprintf (stderr, "fc_lock_lock failed\n");
      exit (1);
    }
  lock_unlock (lock);
  object_unref (lock);

  /* The thread now has the library's per-thread state; wait for the
   * library to be closed, then exit (running the thread's destructors). */
  pthread_mutex_lock (&mutex);
  used = 1;
  pthread_cond_broadcast (&cond);
  while (!closed)
    pthread_cond_wait (&cond, &mutex);
  pthread_mutex_unlock (&mutex);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  pthread_t thread;
  void *handle;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s PATH-TO-LIBRARY\n", argv[0]);
      return 2;
    }

  handle = dlopen (argv[1], RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      fprintf (stderr, "cannot load %s: %s\n", argv[1], dlerror ());
      return 77;
    }

  lock_new = (LockNewFunc) dlsym (handle, "fc_lock_new");
  lock_lock = (LockLockFunc) dlsym (handle, "fc_lock_lock");
  lock_unlock = (LockUnlockFunc) dlsym (handle, "fc_lock_unlock");
  object_unref = (UnrefFunc) dlsym (handle, "g_object_unref");
  if (lock_new == NULL || lock_lock == NULL || lock_unlock == NULL || object_unref == NULL)
    {
      fprintf (stderr, "missing symbol: %s\n", dlerror ());
      return 1;
    }

  if (pthread_create (&thread, NULL, worker, NULL) != 0)
    return 1;

  pthread_mutex_lock (&mutex);
  while (!used)
    pthread_cond_wait (&cond, &mutex);
  pthread_mutex_unlock (&mutex);

  if (dlclose (handle) != 0)
    {
      fprintf (stderr, "dlclose failed: %s\n", dlerror ());
      return 1;
    }

  pthread_mutex_lock (&mutex);
  closed = 1;
  pthread_cond_broadcast (&cond);
  pthread_mutex_unlock (&mutex);

  pthread_join (thread, NULL);
  printf ("thread exited after dlclose\n");
  return 0;
}
