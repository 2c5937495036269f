/* fc-lock-word-private.c — the protocol of the lock word.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * ---- The protocol ------------------------------------------------------
 *
 * One pointer-sized word says everything (FcLockWord.word): the owner (an
 * 8-byte aligned record, NULL when nobody owns it) and three flags in its
 * low bits, P (FC_LOCK_WORD_PARKED), U (FC_LOCK_WORD_USER, the user's:
 * FcLock's "orphaned", set and cleared only while held) and H
 * (FC_LOCK_WORD_HANDOFF). Its states:
 *
 *   0          free: anybody may take it (fast path: CAS 0 -> T).
 *   T          held by T; nobody parked: T's release is CAS T -> 0.
 *   T|P        held; some waiter may be parked (asleep on the futex).
 *   T|P|H      held; a waiter has waited longer than 1 ms (starving).
 *   H          free, but reserved for the waiters: only a thread that is
 *              counted in FcLockWord.waiters may take it (H -> T|P[|H]);
 *              a newcomer, a spinner or a try must wait or fail, unless
 *              nobody waits any more (then anybody may: H -> T).
 *   (U rides along with any held state; 0 and H never carry U or P.)
 *
 * Transitions, and who makes them:
 *
 *   acquire   0 -> T                by a newcomer or a spinner (barging);
 *             0 or H -> T|P[|H]     by a waiter, which always leaves P
 *                                   set: others may still be parked (it
 *                                   cannot know), so its release wakes
 *                                   the next one (as Drepper's mutex);
 *                                   H is kept only if it starved itself
 *                                   and others still wait;
 *   announce  T -> T|P, T|P -> T|P|H
 *                                   by a waiter, just before it parks;
 *                                   H once it has waited 1 ms;
 *   release   T -> 0                by the owner (fast path);
 *             T|P -> 0, T|P|H -> H  by the owner, which then wakes one
 *                                   parked waiter (FUTEX_WAKE, 1).
 *             T|U... -> ...         U is dropped with the hold.
 *
 * Parking: a waiter reads the word W (held, P set by itself or earlier),
 * then sleeps with FUTEX_WAIT on the word's low 32 bits, expecting W's.
 * The kernel compares and sleeps atomically, so:
 *
 * Why no wake-up is lost. A waiter sleeps only while the low half of the
 * word equals W's, which has P set, and P is only ever set in a held word
 * (0 and H carry none). So whenever a waiter is asleep, or about to be
 * with a matching word, the lock is held with P, and its owner's release
 * (T|P -> 0 or H) wakes one sleeper. If the release happens between the
 * waiter's read and its sleep, the word no longer matches (P is gone) and
 * FUTEX_WAIT returns at once. The woken waiter takes the word with P set
 * again (or, beaten by a barging newcomer, sets P on the newcomer's word
 * before it sleeps again), so the next release wakes the next sleeper: as
 * long as anybody sleeps, a P-marked release is on its way. A wake-up that
 * finds nobody asleep (the waiter had not slept yet, or timed out) costs a
 * system call and nothing else: waiters always look at the word before
 * sleeping.
 *
 * Fairness. Newcomers barge (take a free word before parked waiters get
 * scheduled), which is what makes the lock fast. A waiter that has waited
 * 1 ms (it wakes itself up then, if need be) marks the word H. Its owner's
 * release then leaves it reserved (H), and wakes one sleeper (the kernel
 * wakes sleepers first come, first served), so the lock goes directly to a
 * waiter: newcomers and spinners queue behind. The one that takes it keeps
 * H if it starved too and others still wait; the mode ends once a waiter
 * gets the lock within 1 ms of asking. No thread waits much longer than
 * the waiters before it have held the lock.
 *
 * A reserved word whose waiters all left (timed out) would keep newcomers
 * out: a waiter that leaves and finds H with no waiter left frees it
 * (H -> 0), and a try or newcomer that finds H with no waiter takes it.
 *
 * ThreadSanitizer. FUTEX_WAIT and FUTEX_WAKE are invisible to it, and
 * nothing relies on them for ordering: every hand-over is a sequentially
 * consistent compare-and-swap of the word (the releaser's CAS is the
 * release, the taker's CAS the acquire), and a woken waiter reads the word
 * again before it trusts anything. FcLockWord.waiters and .spins are
 * atomics too.
 *
 * Spinning. Before parking, a thread spins a little (up to an adaptive
 * estimate of how long the lock takes to come free, as glibc's adaptive
 * mutexes do, at most FC_LOCK_WORD_SPIN_MAX), and never while somebody is
 * parked or starving: then spinning would only delay them.
 */

#include "config.h"

#include <errno.h>
#include <time.h>
#ifdef __linux__
# include <linux/futex.h>
# include <sys/syscall.h>
# include <unistd.h>
#endif

#include "fc-lock-word-private.h"

/* How long a waiter waits before it asks for a direct hand-off. */
#define FC_LOCK_WORD_STARVE_US 1000
#define FC_LOCK_WORD_SPIN_MAX  100

#if defined (__x86_64__) || defined (__i386__)
# define fc_cpu_relax() __builtin_ia32_pause ()
#elif defined (__aarch64__)
# define fc_cpu_relax() __asm__ __volatile__ ("yield" ::: "memory")
#else
# define fc_cpu_relax() G_STMT_START { } G_STMT_END
#endif

/* The futex is the low half of the word, where the flags are. */
static inline gint *
fc_lock_word_futex (FcLockWord *self)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN && GLIB_SIZEOF_VOID_P == 8
  return (gint *) &self->word + 1;
#else
  return (gint *) &self->word;
#endif
}

static inline gint
low_half (gpointer word)
{
  return (gint) (guint32) (guintptr) word;
}

#ifdef __linux__
/* As GLib's gthread-posix.c: the plain futex system call, or its 64-bit
 * time variant where only that exists. */
# if !defined (__NR_futex) && defined (__NR_futex_time64)
#  define FC_NR_FUTEX __NR_futex_time64
# else
#  define FC_NR_FUTEX __NR_futex
# endif
#endif

/* Sleeps while the futex holds @expected, at most @timeout_us (-1: no
 * limit). Returns whenever: the caller reads the word again. */
static void
futex_wait (gint   *futex,
            gint    expected,
            gint64  timeout_us)
{
#ifdef __linux__
  struct timespec ts;

  if (timeout_us >= 0)
    {
      ts.tv_sec = timeout_us / G_USEC_PER_SEC;
      ts.tv_nsec = (timeout_us % G_USEC_PER_SEC) * 1000;
    }
  syscall (FC_NR_FUTEX, futex, (gsize) FUTEX_WAIT_PRIVATE, expected,
           timeout_us >= 0 ? &ts : NULL, NULL, 0);
#else
  /* No futex: poll. */
  if (g_atomic_int_get (futex) == expected)
    g_usleep (timeout_us >= 0 ? MIN (timeout_us, 50) : 50);
#endif
}

void
fc_lock_word_wake (FcLockWord *self)
{
#ifdef __linux__
  syscall (FC_NR_FUTEX, fc_lock_word_futex (self), (gsize) FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#else
  (void) self;
#endif
}

gboolean
fc_lock_word_try (FcLockWord *self,
                  gpointer    owner)
{
  for (;;)
    {
      gpointer word = g_atomic_pointer_get (&self->word);

      if (word == NULL)
        {
          if (g_atomic_pointer_compare_and_exchange (&self->word, NULL, owner))
            return TRUE;
        }
      else if ((guintptr) word == FC_LOCK_WORD_HANDOFF && g_atomic_int_get (&self->waiters) == 0)
        {
          if (g_atomic_pointer_compare_and_exchange (&self->word, word, owner))
            return TRUE;
        }
      else
        return FALSE;
    }
}

gboolean
fc_lock_word_spin (FcLockWord *self,
                   gpointer    owner)
{
  gint estimate = __atomic_load_n (&self->spins, __ATOMIC_RELAXED);
  gint max = MIN (FC_LOCK_WORD_SPIN_MAX, estimate * 2 + 10);

  for (gint count = 0; count < max; count++)
    {
      gpointer word = g_atomic_pointer_get (&self->word);

      if (word == NULL)
        {
          if (g_atomic_pointer_compare_and_exchange (&self->word, NULL, owner))
            {
              /* We hold it: the estimate is ours to move. */
              __atomic_store_n (&self->spins, estimate + (count - estimate) / 8,
                                __ATOMIC_RELAXED);
              return TRUE;
            }
          continue;
        }
      if (fc_lock_word_flags (word) & (FC_LOCK_WORD_PARKED | FC_LOCK_WORD_HANDOFF))
        return FALSE;
      fc_cpu_relax ();
    }

  return FALSE;
}

void
fc_lock_word_wait_begin (FcLockWord   *self,
                         FcLockWaiter *waiter)
{
  waiter->since = g_get_monotonic_time ();
  waiter->starving = FALSE;
  g_atomic_int_inc (&self->waiters);
}

void
fc_lock_word_wait_end (FcLockWord   *self,
                       FcLockWaiter *waiter)
{
  /* The last waiter out frees a word still reserved for the waiters. */
  if (g_atomic_int_dec_and_test (&self->waiters))
    g_atomic_pointer_compare_and_exchange (&self->word, (gpointer) FC_LOCK_WORD_HANDOFF, NULL);
}

gboolean
fc_lock_word_wait (FcLockWord   *self,
                   FcLockWaiter *waiter,
                   gpointer      owner,
                   gint64        until)
{
  for (;;)
    {
      gpointer word = g_atomic_pointer_get (&self->word);
      gpointer want;
      gint64 now, wake_at;

      if (fc_lock_word_owner (word) == NULL)
        {
          /* Free or reserved: a waiter may take either. */
          guintptr keep = (fc_lock_word_flags (word) & FC_LOCK_WORD_HANDOFF) &&
                          waiter->starving && g_atomic_int_get (&self->waiters) > 1
                          ? FC_LOCK_WORD_HANDOFF : 0;

          if (g_atomic_pointer_compare_and_exchange (&self->word, word,
                                                     (gpointer) ((guintptr) owner |
                                                                 FC_LOCK_WORD_PARKED | keep)))
            return TRUE;
          continue;
        }

      now = g_get_monotonic_time ();
      if (until >= 0 && now >= until)
        return FALSE;
      if (!waiter->starving && now - waiter->since >= FC_LOCK_WORD_STARVE_US)
        waiter->starving = TRUE;

      want = (gpointer) ((guintptr) word | FC_LOCK_WORD_PARKED |
                         (waiter->starving ? FC_LOCK_WORD_HANDOFF : 0));
      if (want != word && !g_atomic_pointer_compare_and_exchange (&self->word, word, want))
        continue;

      /* A waiter not starving yet wakes itself up when it is, to say so. */
      wake_at = until;
      if (!waiter->starving && (wake_at < 0 || wake_at > waiter->since + FC_LOCK_WORD_STARVE_US))
        wake_at = waiter->since + FC_LOCK_WORD_STARVE_US;
      futex_wait (fc_lock_word_futex (self), low_half (want), wake_at >= 0 ? MAX (wake_at - now, 0) : -1);
    }
}

gboolean
fc_lock_word_release_from (FcLockWord *self,
                           gpointer    word)
{
  gpointer next = (fc_lock_word_flags (word) & FC_LOCK_WORD_HANDOFF) &&
                  g_atomic_int_get (&self->waiters) > 0
                  ? (gpointer) FC_LOCK_WORD_HANDOFF : NULL;

  return g_atomic_pointer_compare_and_exchange (&self->word, word, next);
}
