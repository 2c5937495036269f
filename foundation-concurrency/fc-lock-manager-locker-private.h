/* fc-lock-manager-locker-private.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "fc-lock-manager-locker.h"
#include "fc-lock-private.h"

G_BEGIN_DECLS

/* Lockers are recycled through a list kept in their thread's record, so
 * that taking a set of locks allocates nothing once the thread is warm. */
struct _FcLockManagerLocker
{
  FcThread             *thread;
  FcLockManagerLocker  *next_free;
  FcLockVec             locks;     /* FcLock *, in acquisition order */
};

/* An empty locker for @thread (the calling thread). */
FcLockManagerLocker *fc_locker_get     (FcThread            *thread);
/* Releases what @self took, in reverse order; @self still lists them. Must
 * be called by @self's thread. */
void                 fc_locker_unlock  (FcLockManagerLocker *self);
/* Disposes of @self, whose locks were released: recycled if called by its
 * thread, freed otherwise. */
void                 fc_locker_recycle (FcLockManagerLocker *self);
/* Frees @self, whatever it holds. */
void                 fc_locker_free    (FcLockManagerLocker *self);

G_END_DECLS
