/* fc-handoff-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-handoff-private.h"
#include "fc-mutex-private.h"

typedef struct
{
  GSource         source;
  GSourceFunc     func;
  gpointer        data;
  GDestroyNotify  notify;
} FcHandoffSource;

static gboolean
fc_handoff_source_dispatch (GSource     *source,
                            GSourceFunc  callback,
                            gpointer     user_data)
{
  FcHandoffSource *self = (FcHandoffSource *) source;

  /* Made by the thread that attached it (see fc_handoff_source_attach()).
   * The callback's data is the source itself. */
  fc_tsan_acquire (self);
  return self->func (self->data);
}

static void
fc_handoff_source_finalize (GSource *source)
{
  FcHandoffSource *self = (FcHandoffSource *) source;

  fc_tsan_acquire (self);
  if (self->notify != NULL)
    self->notify (self->data);
}

static GSourceFuncs fc_handoff_source_funcs = {
  .dispatch = fc_handoff_source_dispatch,
  .finalize = fc_handoff_source_finalize,
};

GSource *
fc_handoff_source_new (GSourceFunc     func,
                       gpointer        data,
                       GDestroyNotify  notify)
{
  GSource *source = g_source_new (&fc_handoff_source_funcs, sizeof (FcHandoffSource));
  FcHandoffSource *self = (FcHandoffSource *) source;

  self->func = func;
  self->data = data;
  self->notify = notify;
  g_source_set_ready_time (source, 0);
  return source;
}

void
fc_handoff_source_attach (GSource      *source,
                          GMainContext *context)
{
  /* The callback's data is the source, its destroy notify drops the
   * caller's reference: GLib calls it when the source is destroyed (after
   * its dispatch, in the thread that dispatched it), before the context
   * drops its own, so the last reference is never ours. */
  g_source_set_callback (source, ((FcHandoffSource *) source)->func, source,
                         (GDestroyNotify) g_source_unref);
  /* What the source holds was written by this thread; the context's owner
   * finds it (to dispatch or destroy it) under the context's mutex, which
   * g_source_attach() takes, a raw futex TSan cannot see: say so. Whoever
   * finalizes it has found it the same way, or holds a reference taken
   * under the caller's own (annotated) mutex. */
  fc_tsan_release (source);
  /* Attaching may allocate the context's list for this priority, or grow
   * its id table, which the owner's thread frees; it calls none of our
   * code (no callback runs in g_source_attach()). */
  fc_tsan_ignore_begin ();
  g_source_attach (source, context);
  fc_tsan_ignore_end ();
}
