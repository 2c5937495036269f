/* async-test-util.h — helpers shared by the async lock tests.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <foundation-concurrency.h>

/* The outcome of one acquisition, recorded by on_acquired(). */
typedef struct
{
  gboolean          completed;
  FcAsyncLockGuard *guard;
  GError           *error;
  GMainContext     *context;   /* thread-default context in the callback (ref) */
  guint             seq;       /* completion rank, from *counter */
  guint            *counter;   /* nullable */
  gboolean          release;   /* release the guard at once in the callback */
} Outcome;

/* A manager with a, b, c and d registered at orders 10, 20, 30 and 40. */
static inline FcAsyncLockManager *
new_manager (void)
{
  FcAsyncLockManager *manager = fc_async_lock_manager_new ();
  static const struct { const char *name; int order; } locks[] = {
    { "a", 10 }, { "b", 20 }, { "c", 30 }, { "d", 40 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    g_assert_nonnull (fc_async_lock_manager_register_lock (manager, locks[i].name, locks[i].order,
                                                           NULL, NULL, NULL));
  return manager;
}

/* The lock registered as @name (transfer none); it must exist. */
static inline FcAsyncLock *
get_lock (FcAsyncLockManager *manager,
          const char         *name)
{
  FcAsyncLock *lock = fc_async_lock_manager_get_lock (manager, name, NULL);

  g_assert_nonnull (lock);
  return lock;
}

static inline void
outcome_clear (Outcome *o)
{
  g_clear_object (&o->guard);
  g_clear_error (&o->error);
  g_clear_pointer (&o->context, g_main_context_unref);
  o->completed = FALSE;
}

static inline void
on_acquired (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Outcome *o = data;

  if (FC_IS_ASYNC_LOCK_GUARD (source))
    o->guard = fc_async_lock_guard_acquire_finish (FC_ASYNC_LOCK_GUARD (source), result, &o->error);
  else
    o->guard = fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source), result, &o->error);
  o->context = g_main_context_ref_thread_default ();
  if (o->counter != NULL)
    o->seq = (*o->counter)++;
  if (o->release && o->guard != NULL)
    fc_async_lock_guard_release (o->guard);
  o->completed = TRUE;
}

static inline void
outcome_wait (Outcome *o)
{
  GMainContext *context = g_main_context_ref_thread_default ();

  while (!o->completed)
    g_main_context_iteration (context, TRUE);
  g_main_context_unref (context);
}

static inline void
acquire_start (FcAsyncLockManager *manager,
               FcAsyncLockGuard   *parent,
               const char * const *names,
               double              timeout,
               GCancellable       *cancellable,
               Outcome            *o)
{
  if (parent != NULL)
    fc_async_lock_guard_acquire_async (parent, names, timeout, cancellable, on_acquired, o);
  else
    fc_async_lock_manager_acquire_async (manager, names, timeout, cancellable, on_acquired, o);
}

/* Acquires and iterates the thread-default context until it completes. */
static inline void
acquire_wait (FcAsyncLockManager *manager,
              FcAsyncLockGuard   *parent,
              const char * const *names,
              double              timeout,
              GCancellable       *cancellable,
              Outcome            *o)
{
  acquire_start (manager, parent, names, timeout, cancellable, o);
  outcome_wait (o);
}

/* Every lock free and no waiter queued, according to the status. */
static inline void
assert_all_idle (FcAsyncLockManager *manager)
{
  g_autoptr(GVariant) status = fc_async_lock_manager_get_lock_status (manager);
  GVariantIter iter;
  const char *name;
  GVariant *entry;

  g_variant_iter_init (&iter, status);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &name, &entry))
    {
      gboolean locked = TRUE;
      guint32 waiters = G_MAXUINT32;

      g_assert_true (g_variant_lookup (entry, "is_locked", "b", &locked));
      g_assert_true (g_variant_lookup (entry, "waiters", "u", &waiters));
      if (locked || waiters != 0)
        g_error ("lock '%s' is_locked=%d waiters=%u", name, locked, waiters);
    }
}

static inline void
iterate_pending (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}
