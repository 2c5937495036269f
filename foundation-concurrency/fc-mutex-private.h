/* fc-mutex-private.h — every internal GMutex/GCond operation goes through here.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Debian's GLib implements GMutex with raw futexes, which ThreadSanitizer
 * cannot see: it would report false races on everything a GMutex protects.
 * Under TSan these wrappers tell it about the happens-before edges that the
 * mutex creates (acquire after locking, release before unlocking or waiting).
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
