/* fc-lock.h
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (FC_INSIDE) && !defined (FC_COMPILATION)
# error "Only <foundation-concurrency.h> can be included directly."
#endif

#include <glib-object.h>

#include "fc-version-macros.h"

G_BEGIN_DECLS

#define FC_TYPE_LOCK (fc_lock_get_type ())

FC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (FcLock, fc_lock, FC, LOCK, GObject)

FC_AVAILABLE_IN_ALL
FcLock     *fc_lock_new             (void);
FC_AVAILABLE_IN_ALL
const char *fc_lock_get_name        (FcLock  *self);
FC_AVAILABLE_IN_ALL
int         fc_lock_get_order       (FcLock  *self);
FC_AVAILABLE_IN_ALL
const char *fc_lock_get_description (FcLock  *self);
FC_AVAILABLE_IN_ALL
gboolean    fc_lock_is_locked       (FcLock  *self);
FC_AVAILABLE_IN_ALL
char       *fc_lock_dup_owner       (FcLock  *self);
FC_AVAILABLE_IN_ALL
guint       fc_lock_get_depth       (FcLock  *self);
FC_AVAILABLE_IN_ALL
gboolean    fc_lock_lock            (FcLock  *self,
                                     double   timeout,
                                     GError **error);
FC_AVAILABLE_IN_ALL
gboolean    fc_lock_try_lock        (FcLock  *self);
FC_AVAILABLE_IN_ALL
void        fc_lock_unlock          (FcLock  *self);

G_END_DECLS
