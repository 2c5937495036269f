/* fc-mutex-private.h — every internal GMutex/GCond operation goes through here.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Debian's GLib implements GMutex with raw futexes, which ThreadSanitizer
 * cannot see: it would report false races on everything a GMutex protects.
 * Under TSan these wrappers tell it about the happens-before edges that the
 * mutex creates (acquire after locking, release before unlocking or waiting).
 */

/* ---- The internal lock order -------------------------------------------
 *
 * The one place that says which internal mutex may be taken while another
 * is held. Outermost first; a mutex may only be taken while holding
 * mutexes above it in this list, and "leaf" means no mutex of ours is
 * taken under it.
 *
 *  1. Async state mutex (FcAsyncState.mutex, one per FcAsyncLockManager,
 *     fc-async-engine-private.h): every lock, queue, request and guard of
 *     that manager. Under it: the lockdep graph mutex (the engine's
 *     chain_note_order_locked(), reports deferred with fc_lockdep_flush()),
 *     and GLib's GMainContext lock (g_source_attach(),
 *     g_source_set_ready_time()). Never the registry mutex: names are
 *     resolved lock-free, before it is taken.
 *  1a. Live registries mutex (live_mutex, fc-waitfor-private.c): the set
 *     of registries not yet freed. Under it: a registry mutex, to find a
 *     waiter's lock among that registry's and take a reference (never
 *     under an async state mutex: diagnostics run with none held).
 *  2. Registry mutex (FcRegistry.mutex, per manager): registration, the
 *     lock list, the watchdog's fields (with FcRegistry.watchdog_cond). Leaf
 *     (fc_registry_register() makes the new lock under it: a lock's init
 *     takes no mutex). The watchdog thread drops it before a scan.
 *  3. (none: an FcLock has no internal mutex; its waiters sleep on its
 *     lock word, fc-lock-word-private.c, holding nothing of ours.)
 *  4. FcGather.mutex (per gather, fc-gather.c). Leaf: callbacks, logging
 *     and cancellation happen once it is released.
 *  5. Thread records mutex (free_mutex, fc-thread-private.c): the record
 *     lists and interned names. Leaf: fc_thread_foreach() callbacks only
 *     read atomics and copy.
 *  6. Lockdep graph mutex (dep_mutex, fc-lockdep-private.c): the learned
 *     order graph and its cycle reports (also fc-lockdep-graph,
 *     fc-lockdep-order and fc-lockdep-render, which run under it). Under
 *     it only the manager names mutex (8a), while a report is made.
 *  7. Report listeners mutex (listen_mutex, fc-report-private.c). Under it
 *     a listener (fc_registry_notify_locked()) only queues the report and
 *     schedules one idle: the emission mutex, then GLib's GMainContext lock.
 *  7a. Emission mutex (Emission.mutex, per manager, fc-manager-private.c):
 *     the reports waiting for the owner's context. Leaf.
 *  8. Published report keys mutex (published_mutex, fc-report-private.c).
 *     Leaf.
 *  8a. Manager names mutex (names_mutex, fc-report-private.c): the name of
 *     each live registry, read while a report is made (under any of the
 *     above). Leaf.
 *  9. Cluster client mutex (FcClusterClient.mutex, per cluster manager,
 *     fc-cluster-client-private.c): its live guards, what the process
 *     holds, closed. Leaf. (Its session's thread owns everything else of
 *     the cluster manager, and takes no mutex of ours but this one.)
 *
 * No internal mutex is held while calling user code, logging, emitting a
 * signal or dropping a reference that may finalize one of our objects.
 *
 * Naming: a function that must be called with one of these held ends in
 * _locked. Exceptions, all static: the heap_*() helpers of
 * fc-async-engine-deadlines-private.c, which only touch the heap they are
 * given; the fc_dep_*() graph helpers of fc-lockdep-private.c and the
 * fc-lockdep-graph, -order and -render modules, all under the graph mutex; and fc_thread_foreach() callbacks (collect_thread_wait()
 * in fc-lock.c), under the thread records mutex.
 */

#pragma once

#include <glib.h>

#if defined (__SANITIZE_THREAD__)
# define FC_TSAN 1
#elif defined (__has_feature)
# if __has_feature (thread_sanitizer)
#  define FC_TSAN 1
# endif
#endif

#ifdef FC_TSAN
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);
# define fc_tsan_acquire(addr) __tsan_acquire ((void *) (addr))
# define fc_tsan_release(addr) __tsan_release ((void *) (addr))
#else
# define fc_tsan_acquire(addr) G_STMT_START { (void) (addr); } G_STMT_END
# define fc_tsan_release(addr) G_STMT_START { (void) (addr); } G_STMT_END
#endif

G_BEGIN_DECLS

static inline void
fc_mutex_lock (GMutex *mutex)
{
  g_mutex_lock (mutex);
  fc_tsan_acquire (mutex);
}

static inline void
fc_mutex_unlock (GMutex *mutex)
{
  fc_tsan_release (mutex);
  g_mutex_unlock (mutex);
}

static inline void
fc_cond_wait (GCond  *cond,
              GMutex *mutex)
{
  fc_tsan_release (mutex);
  g_cond_wait (cond, mutex);
  fc_tsan_acquire (mutex);
}

/* end_time is on the monotonic clock, as for g_cond_wait_until(). */
static inline gboolean
fc_cond_wait_until (GCond  *cond,
                    GMutex *mutex,
                    gint64  end_time)
{
  gboolean signalled;

  fc_tsan_release (mutex);
  signalled = g_cond_wait_until (cond, mutex, end_time);
  fc_tsan_acquire (mutex);
  return signalled;
}

G_END_DECLS
