/* fc-waitfor-private.h — the wait-for graph: who waits for a lock whose
 * owner waits, live deadlocks, and timeouts explained. Never installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

#include "fc-lock-core-private.h"

G_BEGIN_DECLS

/* Registries not yet freed (fc_registry_new() and fc_registry_free(),
 * first thing): their locks are the ones a waiter's lock pointer is
 * matched against before it is dereferenced. */
void       fc_waitfor_track_registry (FcRegistry       *registry,
                                      gboolean          live);

/* The live deadlocks among owners of locks of @kind, as new reports. */
GPtrArray *fc_waitfor_find_deadlocks (const FcLockKind *kind,
                                      FcRegistry       *registry);

/* Why @lock is not free: "held by 'x' for 1.2s, which waits for 'b' held
 * by 'y'", or NULL if it is free. @self_id: the owner asking. */
char      *fc_waitfor_explain        (const FcLockKind *kind,
                                      FcRegistry       *registry,
                                      gpointer          lock,
                                      gpointer          self_id);

/* Sets a FC_ERROR_TIMEOUT error for @lock, explained when possible. */
void       fc_set_timeout_error      (GError          **error,
                                      const FcLockKind *kind,
                                      FcRegistry       *registry,
                                      gpointer          lock,
                                      gpointer          self_id);

/* The same for a lock named @name, with @why (NULL: unexplained). */
void       fc_set_timeout_error_why  (GError          **error,
                                      const char       *name,
                                      const char       *why);

/* Appends "held by '@owner' for 1.2s" (@owner NULL: unknown). */
void       fc_waitfor_append_held_by (GString         *out,
                                      const char       *owner,
                                      double            seconds);

/* Appends one participant of a deadlock report ("Deadlock: " first). */
void       fc_waitfor_append_participant (GString     *message,
                                          gboolean     first,
                                          const char  *label,
                                          const char  *held,
                                          const char  *wanted);

G_END_DECLS
