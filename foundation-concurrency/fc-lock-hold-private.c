/* fc-lock-hold-private.c — the holds of an FcLock: taking one (at once,
 * recursively, or after waiting on the lock word), giving it up, and what
 * a thread's exit or a timeout does to them.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The protocol of the word itself (spinning, parking, hand-off) is
 * fc-lock-word-private.c's; this module keeps, on top of it, what only the
 * owner writes (depth, acquired_at, holder, statistics), the thread's list
 * of held locks, and the bridges to the diagnostics (order learning, the
 * wait-for graph, deadlock checks, explained timeouts).
 */

#include "config.h"

#include <string.h>

#include "fc-lock-hold-private.h"

/* How long a waiter waits before it looks for a deadlock it may be in. */
#define FC_DEADLOCK_CHECK_DELAY (G_USEC_PER_SEC / 10)
/* How many of the locks a thread holds take part in order learning. */
#define FC_LOCKDEP_MAX_HELD 16

/* Order learning runs before a lock is taken (as Linux lockdep does), so
 * that a report is published, and a log writer runs, while the thread
 * holds only what it held before: never the lock that taught it, nor any
 * internal mutex. A cycle is then reported even if this very acquisition
 * is the one that deadlocks. */
void
fc_lock_note_order (FcThread  *thread,
                    FcLockVec *locks)
{
  FcLockCore *held[FC_LOCKDEP_MAX_HELD];
  guint n = MIN (thread->held.len, FC_LOCKDEP_MAX_HELD);
  guint first = thread->held.len - n;

  for (guint i = 0; i < n; i++)
    held[i] = fc_lock_get_core (thread->held.items[first + i]);

  /* Issue 12: a limit hit is said, never silent (fc-lockdep-private.h). */
  if (G_UNLIKELY (thread->held.len + locks->len > FC_LOCKDEP_MAX_HELD + 1))
    fc_lockdep_note_held_limit (fc_lock_get_core (locks->items[locks->len - 1]),
                                thread->held.len + locks->len - 1, FC_LOCKDEP_MAX_HELD, FALSE);

  for (guint i = 0; i < locks->len; i++)
    {
      FcLock *lock = locks->items[i];

      if (fc_lock_get_owner_thread (lock) == thread)
        continue;

      if (n > 0)
        fc_lockdep_note_acquire (&thread->lockdep, fc_lock_get_core (lock), held, n,
                                 g_atomic_pointer_get (&thread->name), FALSE);
      if (n == FC_LOCKDEP_MAX_HELD)
        {
          memmove (held, held + 1, sizeof held[0] * (FC_LOCKDEP_MAX_HELD - 1));
          n--;
        }
      held[n++] = fc_lock_get_core (lock);
    }
}


/* Called by a waiter that has waited a while: reports the deadlock it is
 * part of, if any (once), in the log and through the managers' signals. */
static void
fc_lock_check_deadlock (void)
{
  g_autoptr(GPtrArray) reports = fc_waitfor_find_deadlocks (&fc_lock_kind, NULL);

  for (guint i = 0; i < reports->len; i++)
    fc_report_publish_once (reports->pdata[i]);
}

/* Waits for the lock (fc-lock-word-private.c has the protocol): spins a
 * little, then sleeps until it is taken or @deadline passes, looking for a
 * deadlock once it has waited FC_DEADLOCK_CHECK_DELAY. */
static gboolean
fc_lock_acquire_slow (FcLock     *self,
                      FcThread   *thread,
                      gint64      deadline)
{
  FcLockWord *word = &fc_lock_lines (self)->word;
  FcLockWaiter waiter;
  gint64 check_at;
  gboolean taken;

  /* ---- The acquisition starts to wait -------------------------------
   * The one place where a thread that has to wait for an FcLock shows
   * itself: on the wait-for graph (fc_lock_kind_get_waiting_for()), and
   * to anything else that wants to know who starts to wait (lock-order
   * learning may hook here). */
  g_atomic_pointer_set (&thread->waiting_for, self);
  fc_lock_word_wait_begin (word, &waiter);
  /* ---- */

  check_at = waiter.since + FC_DEADLOCK_CHECK_DELAY;
  for (;;)
    {
      gboolean check = check_at >= 0 && (deadline < 0 || check_at < deadline);

      taken = fc_lock_word_wait (word, &waiter, thread, check ? check_at : deadline);
      if (taken || !check)
        break;
      /* Waited long enough to look for a deadlock we may be part of. */
      check_at = -1;
      fc_lock_check_deadlock ();
    }

  fc_lock_word_wait_end (word, &waiter);
  /* A thread that gave up still shows as waiting until its timeout error
   * is made (fc_lock_set_timeout_error()), so that two threads timing out
   * of one deadlock at once each see the other waiting. */
  if (taken)
    {
      /* We own the lock: the statistics are ours to write. */
      fc_lock_stats_waited (fc_lock_get_core (self), g_get_monotonic_time () - waiter.since);
      g_atomic_pointer_set (&thread->waiting_for, NULL);
    }

  return taken;
}

gboolean
fc_lock_acquire_contended (FcLock     *self,
                           FcThread   *thread,
                           FcDeadline *deadline,
                           gpointer    holder,
                           gint64     *stamp)
{
  gint64 end;

  if (fc_lock_word_try (&fc_lock_lines (self)->word, thread))
    {
      fc_lock_took (self, thread, holder, stamp);
      return TRUE;
    }

  if (deadline != NULL &&
      ((end = fc_deadline_end (deadline)) < 0 || end > g_get_monotonic_time ()) &&
      fc_lock_acquire_slow (self, thread, end))
    {
      *stamp = 0;   /* time has passed: read the clock again */
      fc_lock_took (self, thread, holder, stamp);
      return TRUE;
    }

  return FALSE;
}

/* The release of a lock marked with flags. Once the lock is published
 * free, anyone may take it, release it and drop the last reference to it
 * ("last one out frees it"): so nothing of it is touched after the
 * compare-and-swap below, except under a reference taken before it. */
void
fc_lock_release_slow (FcLock   *self,
                      FcThread *thread)
{
  FcLockWord *lock_word = &fc_lock_lines (self)->word;
  gpointer word, released;
  gboolean ref = FALSE;

  for (;;)
    {
      word = fc_lock_word_get (lock_word);
      /* We hold the lock, so it is alive; an orphan is kept alive by the
       * reference we drop last. The wake-up below needs it alive. */
      if (!ref && (fc_lock_word_flags (word) & (FC_LOCK_WORD_PARKED | FC_LOCK_ORPHAN)) == FC_LOCK_WORD_PARKED)
        {
          g_object_ref (self);
          ref = TRUE;
        }
      if (fc_lock_word_release_from (lock_word, word, &released))
        break;
    }

  if (fc_lock_word_flags (word) & FC_LOCK_WORD_PARKED)
    fc_lock_word_wake (lock_word, released);

  if (fc_lock_word_flags (word) & FC_LOCK_ORPHAN)
    g_object_unref (self);
  if (ref)
    g_object_unref (self);
}


void
fc_lock_thread_exit (FcThread *thread)
{
  g_autoptr(GString) names = g_string_new (NULL);
  gint64 stamp = 0;

  for (guint i = 0; i < thread->held.len; i++)
    {
      FcLock *lock = thread->held.items[i];

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append_printf (names, "'%s'", fc_lock_core_display_name (fc_lock_get_core (lock)));
    }

  g_critical ("Thread '%s' exited holding %s: released, as nobody else could",
              g_atomic_pointer_get (&thread->name), names->str);

  /* In reverse order, as the thread would have. */
  while (thread->held.len > 0)
    fc_lock_release_all (thread->held.items[thread->held.len - 1], thread, &stamp);
}

void
fc_lock_set_timeout_error (FcLock    *self,
                           FcThread  *thread,
                           GError   **error)
{
  fc_set_timeout_error (error, &fc_lock_kind, g_atomic_pointer_get (&fc_lock_get_core (self)->registry),
                        self, thread);
  g_atomic_pointer_set (&thread->waiting_for, NULL);
}

