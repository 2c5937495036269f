/* fc-thread-private.h — what the library knows of each thread that uses a
 * FcLock. Never installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "fc-lockdep-private.h"

G_BEGIN_DECLS

typedef struct _FcThread FcThread;

struct _FcThread
{
  /* Interned (never freed), so other threads may read it at any time. */
  const char *name;
  /* FcLock * this thread holds, in the order it took them (first take only,
   * not recursive re-takes). Only ever touched by the thread itself. */
  GPtrArray  *held;
  /* Records are recycled, never freed: a lock's owner pointer stays valid. */
  FcThread   *next_free;
  /* Every record ever made, for the wait-for graph. */
  FcThread   *next_all;
  /* The FcLock this thread is blocked on (atomic), NULL if none. */
  gpointer    waiting_for;
  /* Lock-order edges this thread knows need no more bookkeeping. */
  FcLockdepCache lockdep;
};

/* The calling thread's record, created on first use. */
FcThread *fc_thread_self (void);

void      fc_thread_push_held   (FcThread *self,
                                 gpointer  lock);
void      fc_thread_remove_held (FcThread *self,
                                 gpointer  lock);

typedef void (*FcThreadFunc) (FcThread *thread,
                              gpointer  user_data);

/* Calls @func for every thread record (including idle ones), under the
 * records' mutex: @func must not take locks of its own. */
void      fc_thread_foreach     (FcThreadFunc func,
                                 gpointer     user_data);

G_END_DECLS
