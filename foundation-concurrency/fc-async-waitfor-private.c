/* fc-async-waitfor-private.c — the async wait-for graph, read from the
 * engine's state under its mutex.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-async-engine-private.h"
#include "fc-async-waitfor-private.h"
#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-registry-private.h"

static void
add_wait_locked (GArray           *waits,
                 FcAsyncLockGuard *who,
                 FcAsyncLock      *lock)
{
  FcWait wait;

  wait.who = who;
  wait.label = g_strdup (fc_async_lock_guard_label_locked (who));
  wait.lock = lock;
  g_array_append_val (waits, wait);
}

/* With the order rule, this graph has no cycle within one manager: a
 * guard's pending requests (its own, or its children's) want locks ordered
 * above every lock the guard holds, so each edge leads to a higher order.
 * What it gives is the chain a timeout explanation follows. */
void
fc_async_lock_manager_collect_waits (FcRegistry *registry,
                                     GArray     *waits)
{
  g_autoptr(GPtrArray) locks = NULL;
  FcAsyncState *state = NULL;
  GMutex *mutex;

  if (registry == NULL)
    return;

  /* Every lock of the registry shares its manager's state; a lock without
   * one was never held, so nobody waits for it. */
  locks = fc_registry_dup_locks (registry);
  for (guint i = 0; i < locks->len && state == NULL; i++)
    state = g_atomic_pointer_get (&((FcAsyncLock *) g_ptr_array_index (locks, i))->state);
  if (state == NULL)
    return;
  mutex = &state->mutex;
  fc_mutex_lock (mutex);
  for (guint i = 0; i < locks->len; i++)
    {
      FcAsyncLock *lock = g_ptr_array_index (locks, i);

      for (GList *l = lock->waiters.head; l != NULL; l = l->next)
        {
          FcAsyncRequest *req = l->data;

          add_wait_locked (waits, req->guard, lock);
          /* Queued, hence undecided: a child request is in its parent's
           * pending list, and the parent waits on it. */
          if (req->pending_link.data != NULL)
            add_wait_locked (waits, req->guard->parent, lock);
        }
    }
  fc_mutex_unlock (mutex);
}
