/* fc-handoff-private.h — sources attached to a context another thread
 * iterates, without TSan false reports on GLib's bookkeeping. Never
 * installed.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A source that calls @func (@data) as soon as its context is iterated,
 * for a context another thread may be iterating. Freeing a source, GLib
 * also frees the context's list of sources of its priority once it is
 * empty, in the thread that drops the last reference, under the context's
 * mutex, a raw futex that ThreadSanitizer cannot see. A thread that
 * attached a source and then dropped its own reference could drop the
 * last one (the source already dispatched), freeing memory the context's
 * owner allocated with no order TSan knows of. fc_handoff_source_attach()
 * hands the caller's reference to the source itself, which drops it when
 * it is destroyed: in the owner's thread once it has run, or wherever the
 * source or the context is destroyed. @notify (@data) runs when it is freed. */
GSource *fc_handoff_source_new    (GSourceFunc     func,
                                   gpointer        data,
                                   GDestroyNotify  notify);
/* Attaches @source (an fc_handoff_source_new()) to @context; consumes the
 * caller's reference, so @source may be freed by the time this returns. */
void     fc_handoff_source_attach (GSource        *source,
                                   GMainContext   *context);

G_END_DECLS
