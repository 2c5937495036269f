/* fc-lock-word-private.c — the protocol of the lock word.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * ---- The protocol ------------------------------------------------------
 *
 * One pointer-sized word says who holds the lock (FcLockWord.word): the
 * owner (an 8-byte aligned record, NULL when nobody owns it) and three
 * flags in its low bits, P (FC_LOCK_WORD_PARKED), U (FC_LOCK_WORD_USER, the
 * user's: FcLock's "orphaned", set and cleared only while held) and H
 * (FC_LOCK_WORD_HANDOFF). Beside it: .waiters (threads waiting), .parked
 * (those of them asleep on the word, or about to be), .starving (0 or 1:
 * the one waiter that has waited 1 ms and asked for the lock to be handed
 * to it), .handoff (the futex the starving waiter sleeps on),
 * .fair_at (before this moment nobody may start to starve) and .woken (1
 * while a waiter that a release woke has not yet taken the lock, parked
 * again or left). The states:
 *
 *   0          free: anybody may take it (fast path: CAS 0 -> T).
 *   T          held by T; nobody parked: T's release is CAS T -> 0.
 *   T|P        held; some waiter may be parked (asleep on the word).
 *   T|P|H      held; a waiter is starving.
 *   H          free, but reserved for the starving waiter: only it may
 *              take it (H -> T|P); a newcomer, a try or a waiter not
 *              starving must wait or fail, unless nobody starves any
 *              more (then H -> T|P by anyone).
 *   (U rides along with any held state; 0 and H never carry U or P.)
 *
 * Transitions, and who makes them:
 *
 *   acquire   0 -> T                by a newcomer (barging);
 *             0 -> T|P              by a waiter while others wait
 *                                   (.waiters > 1), which leaves P set:
 *                                   some may be parked, so its release
 *                                   wakes the next one (as Drepper's
 *                                   mutex);
 *             0 -> T                by the only waiter: nobody else can
 *                                   be asleep (see "Waking");
 *             H -> T|P              by the starving waiter, which then
 *                                   sets .fair_at to 1 ms from now;
 *   starve    .starving 0 -> 1      by a waiter that has waited 1 ms,
 *                                   once .fair_at has passed (CAS: one
 *                                   at a time);
 *   announce  T -> T|P              by a waiter, just before it parks;
 *             T[|P] -> T|P|H        by the starving waiter, before it
 *                                   parks on .handoff;
 *   release   T -> 0                by the owner (fast path);
 *             T|P -> 0              by the owner, which then wakes one
 *                                   waiter parked on the word, unless
 *                                   none is (.parked 0) or .woken is 1
 *                                   (see Waking);
 *             T|P|H -> H            by the owner while .starving is 1; it
 *                                   then bumps .handoff and wakes the
 *                                   starving waiter (-> 0 and a wake on
 *                                   the word if it has just left);
 *   give up   H -> 0                by the starving waiter leaving (timed
 *                                   out), which then wakes one waiter
 *                                   parked on the word;
 *             T -> T|P              by a waiter leaving without the lock
 *                                   while others wait (or, the word free,
 *                                   it wakes one): it may have taken the
 *                                   wake-up meant for another;
 *             T|U... -> ...         U is dropped with the hold.
 *
 * Parking. A waiter not starving reads the word W (held, P set by itself
 * or earlier; or H), counts itself in .parked, then sleeps with
 * FUTEX_WAIT on the word's low 32 bits expecting W's, for at most a
 * millisecond (then it wakes by itself to ask to starve) or until its
 * deadline, and counts itself out when FUTEX_WAIT returns. The starving
 * waiter reads .handoff first, then the word; if the word is held it
 * makes sure H is set, then sleeps on .handoff expecting the value it
 * read, until its deadline. The kernel compares and sleeps atomically.
 *
 * Waking. P says that a waiter may sleep on the word; .parked says whether
 * one does. A release that finds P reads .parked after its compare-and-
 * swap, and makes no FUTEX_WAKE if it is 0: a waiter counts itself in
 * before FUTEX_WAIT compares the word, so one that the release does not
 * see counted compares the released word, not the value it expects, and
 * FUTEX_WAIT returns at once (both are sequentially consistent; the
 * kernel's compare comes after the waiter's increment, as glibc's mutexes
 * assume). Waiters that yield (below) are not parked. Likewise a waiter
 * that takes a free word while it is the only one (.waiters 1: itself)
 * sets no P: any other waiter counts itself in .waiters before it looks
 * at the word, so one that came later finds the word held without P and
 * sets P itself before it parks. Before both, every hand-over to a waiter
 * left P set, and its release made a FUTEX_WAKE that found nobody: two
 * threads on one FcLock for a second made 535,000 futex calls at 53 ns a
 * section, against 8,000 at 33 ns since (8 threads: 224,000 -> 1,250); in
 * benchmarks/bench-contention.c fc_lock_lock() on 2 threads went from
 * about 2.1x a GMutex to 1.45x, on a 2-vCPU virtual machine. The model
 * tests/models/lock-word-wake.pml checks these wake-ups with spin, for
 * three threads, every interleaving: no thread is left asleep, and each
 * of four mutations (one waiter miscounted, .parked read before the
 * release or counted after the kernel's compare, a park without P) leaves
 * one asleep.
 *
 * A release that wakes a parked waiter sets .woken 0 -> 1 first
 * (CAS), and a release that finds it 1 wakes nobody: a waiter woken
 * before has not run yet, and it will take the lock or park again (with
 * P, so that a later release wakes the next one). The woken waiter (the
 * one whose FUTEX_WAIT returned 0: FcLockWaiter.awoke) sets .woken back
 * to 0 when it takes the lock, parks again or leaves; the releaser does,
 * if its FUTEX_WAKE found nobody asleep. Waking at every release instead
 * turned parked waiters around on the word faster than any could use it:
 * at 8 threads on 2 cores each release woke another, and fc_lock_lock()
 * cost 2.2x a GMutex with 3.5 sleeps per 1000 sections, against 0.7x and
 * 0.2 with .woken (as Go's sync.Mutex keeps mutexWoken).
 *
 * Why no wake-up is lost. A waiter not starving never sleeps more than a
 * millisecond, whatever happens; it sleeps only on a word that has P (a
 * held word: its owner's release wakes one, since the waiter is counted
 * in .parked before it sleeps) or on a reserved word (which the starving
 * waiter takes, and that one's word then has P). A word taken without P
 * had no other waiter; any that comes sets P before it sleeps. If the
 * release happens between its read and its sleep, the word no longer
 * matches and FUTEX_WAIT returns at once. A waiter that leaves without the
 * lock passes on the wake-up it may have taken. The starving waiter sleeps
 * only on a held word with H, whose release makes it H and bumps .handoff:
 * if the bump comes between its read of .handoff and its sleep, FUTEX_WAIT
 * returns at once; if after, the wake-up that follows the bump wakes it.
 * A release that skips its wake-up for .woken leaves a woken waiter
 * running, which parks again only with P set, or takes the lock and keeps
 * P: either way a later release wakes one. The one gap: between a
 * releaser's .woken 0 -> 1 and its own 1 -> 0 after a FUTEX_WAKE that
 * found nobody, another release skips its wake-up while no woken waiter
 * runs; a waiter that parked meanwhile then wakes by itself, within its
 * millisecond, as above. Lost wake-ups cost latency, never progress.
 * There is only one starving waiter, so that wake-up is its. H is set only
 * by the starving waiter and cleared only by the hand-off to it or by its
 * leaving (which frees a reserved word and wakes one parked waiter): a
 * reserved word is never left without someone to take it. A wake-up that
 * finds nobody asleep costs a system call and nothing else: waiters always
 * look at the word before sleeping.
 *
 * Fairness. Newcomers barge (take a free word before parked waiters get
 * scheduled), which is what makes the lock fast: the owner can take it
 * again while the line is in its cache. A waiter that has waited 1 ms
 * starves, once .fair_at allows: it marks the word H and moves to
 * .handoff, and the owner's release leaves the word reserved for it and
 * wakes it. One waiter starves at a time and a hand-off happens at most
 * once a millisecond (FC_LOCK_WORD_FAIR_US), as parking_lot's fair unlocks
 * are timed: every hand-off leaves the lock idle while the starving thread
 * is scheduled, and with many waiters all starving each release would be
 * one (8 threads on 2 cores ran at 40% of the speed). So no thread waits
 * for ever: every waiter wakes each millisecond and asks to starve, and
 * each hand-off lets one in. Only the starving waiter may take a reserved
 * word: were any waiter allowed, a thread that has just started to wait
 * would take the hand-off meant for one that has waited for seconds (seen
 * under valgrind, which runs one thread at a time: a victim waited 7.4 s).
 *
 * Spinning. Only a waiter just woken spins (FC_LOCK_WORD_SPIN_MAX, an
 * adaptive estimate as glibc's adaptive mutexes keep): the lock was just
 * released and will often be again soon. A newcomer does not spin: the
 * owner usually takes the lock again at once, and a spinner reading the
 * word takes its cache line from the owner at every look and then the lock
 * at every release, which turns barging into a hand-over per section (a
 * guard of one name on 2 threads went from 55 to 340 ns).
 *
 * Yielding. Before it parks, a waiter that has just begun to wait, or was
 * just woken, gives up the CPU (sched_yield()) FC_LOCK_WORD_YIELDS_PER_LOOK
 * times and then looks at the word again, FC_LOCK_WORD_LOOKS times
 * (FcLockWaiter.looks), as WTF::Lock yields before it parks. When sections
 * are shorter than a system call, a waiter that parks at once finds the
 * word changed when the kernel compares it (FUTEX_WAIT returns at once),
 * sets P again, and every P costs the owner a FUTEX_WAKE at its next
 * release: on a 2-core virtual machine whose system calls cost about
 * 0.5 us, fc_lock_lock() on 2 threads spent half its time in the kernel
 * and cost 4x a GMutex, against about 2.2x with yields. It looks only
 * every few yields because every look that finds the word free takes the
 * lock from an owner that would have taken it again a few nanoseconds
 * later: a hand-over, with the lock's lines moving to the waiter's cache
 * and back. An owner between two sections leaves the word free for about
 * a third of the time, so a waiter that looked after every yield took the
 * lock within a microsecond or two, and on 2 threads a guard of one name
 * cost 3.4-4.4x a GMutex, against 2.0-2.3x looking every eighth yield
 * (fc_lock_lock() 1.4x -> 1.25-1.35x, benchmarks/bench-contention.c).
 * Eight yields take about 4 us on an idle core there, which a waiter may
 * add to a hand-over that it would have seen at once: about as long as a
 * GMutex's waiter, which parks at once, takes to be woken. A yield costs
 * the owner nothing but a look at its line; at 8 threads on 2 cores it
 * lets the owner run. Yielding is not parking: a
 * woken waiter that yields keeps .woken 1 (below), since it is running
 * and will take the lock or park with P. A waiter past its deadline or
 * starving does not yield (the checks come first), and one whose deadline
 * passes, or that may ask to starve, during a batch of yields stops it.
 *
 * ThreadSanitizer. FUTEX_WAIT and FUTEX_WAKE are invisible to it, and
 * nothing relies on them for ordering: every hand-over is a sequentially
 * consistent compare-and-swap of the word (the releaser's CAS is the
 * release, the taker's CAS the acquire), and a woken waiter reads the word
 * again before it trusts anything. The counters and .fair_at are atomics
 * too; .spins and .fair_at are hints, read and written relaxed.
 */

#include "config.h"

#include <errno.h>
#include <sched.h>
#include <time.h>
#ifdef __linux__
# include <linux/futex.h>
# include <sys/syscall.h>
# include <unistd.h>
#endif

#include "fc-lock-word-private.h"

/* How long a waiter waits before it asks for a direct hand-off. */
#define FC_LOCK_WORD_STARVE_US 1000
#define FC_LOCK_WORD_SPIN_MAX  30
/* How many times a waiter looks at the word again after yielding the CPU
 * before it parks, once it began to wait or was woken, and how many times
 * it yields before each look (see "Yielding" above). */
#define FC_LOCK_WORD_LOOKS     2
#define FC_LOCK_WORD_YIELDS_PER_LOOK 8
/* How often, at most, the lock is handed to a starving waiter. */
#define FC_LOCK_WORD_FAIR_US   1000

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

/* .starving is a 16-bit atomic (the word's fields share one cache line
 * with the owner's bookkeeping), so not one for g_atomic_int_*(). */
static inline gint
starving_get (FcLockWord *self)
{
  return __atomic_load_n (&self->starving, __ATOMIC_SEQ_CST);
}

static inline gboolean
starving_claim (FcLockWord *self)
{
  gint16 none = 0;

  return __atomic_compare_exchange_n (&self->starving, &none, 1, FALSE,
                                      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

static inline void
starving_leave (FcLockWord *self)
{
  __atomic_fetch_sub (&self->starving, 1, __ATOMIC_SEQ_CST);
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
static gboolean
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
  return syscall (FC_NR_FUTEX, futex, (gsize) FUTEX_WAIT_PRIVATE, expected,
                  timeout_us >= 0 ? &ts : NULL, NULL, 0) == 0;
#else
  /* No futex: poll. */
  if (g_atomic_int_get (futex) == expected)
    g_usleep (timeout_us >= 0 ? MIN (timeout_us, 50) : 50);
  return FALSE;
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
      else if ((guintptr) word == FC_LOCK_WORD_HANDOFF && starving_get (self) == 0)
        {
          /* Left reserved by a starving waiter that is just leaving:
           * others may be parked, so keep P for them. */
          if (g_atomic_pointer_compare_and_exchange (&self->word, word,
                                                     (gpointer) ((guintptr) owner | FC_LOCK_WORD_PARKED)))
            return TRUE;
        }
      else
        return FALSE;
    }
}

/* A waiter just woken by a release, before it parks again: the lock was
 * just released and is often about to be again, so watch the word a
 * short, adaptive while for it to come free. Only a woken waiter spins:
 * a newcomer that spun on the word would take the cache line from the
 * owner at every look and turn barging into a hand-over at every
 * release (on 2 cores a guard under contention cost 6x as much). */
static void
spin_after_wake (FcLockWord *self)
{
  gint estimate = __atomic_load_n (&self->spins, __ATOMIC_RELAXED);
  gint max = MIN (FC_LOCK_WORD_SPIN_MAX, estimate * 2 + 10);

  for (gint count = 0; count < max; count++)
    {
      gpointer word = g_atomic_pointer_get (&self->word);

      if (fc_lock_word_owner (word) == NULL)
        {
          /* Relaxed, racy on purpose: a hint, as glibc's adaptive
           * mutexes keep theirs. */
          __atomic_store_n (&self->spins, estimate + (count - estimate) / 8, __ATOMIC_RELAXED);
          return;
        }
      fc_cpu_relax ();
    }
  __atomic_store_n (&self->spins, estimate + (max - estimate) / 8, __ATOMIC_RELAXED);
}

/* Wakes one starving waiter asleep on .handoff: the word has just been
 * reserved for them (or handed on). */
static void
wake_starving (FcLockWord *self)
{
  g_atomic_int_inc (&self->handoff);
#ifdef __linux__
  syscall (FC_NR_FUTEX, &self->handoff, (gsize) FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#endif
}

/* Wakes one parked waiter; how many were woken (0 or 1). */
static long
wake_parked (FcLockWord *self)
{
#ifdef __linux__
  return syscall (FC_NR_FUTEX, fc_lock_word_futex (self), (gsize) FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#else
  (void) self;
  return 0;
#endif
}

/* A release wakes one parked waiter, unless nobody is asleep on the word
 * (.parked, see "Waking") or one that a release woke has not run yet: that
 * one will take the lock or park again, and waking more only turns them
 * around on the word (as Go's mutexWoken). A wake-up that found nobody
 * asleep leaves none woken. Returns whether it made the system call. */
static gboolean
wake_parked_once (FcLockWord *self)
{
  gint8 none = 0;

  if (__atomic_load_n (&self->parked, __ATOMIC_SEQ_CST) == 0)
    return FALSE;
  if (!__atomic_compare_exchange_n (&self->woken, &none, 1, FALSE,
                                    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
    return FALSE;
  if (wake_parked (self) <= 0)
    __atomic_store_n (&self->woken, 0, __ATOMIC_SEQ_CST);
  return TRUE;
}

/* Sleeps on the word while it holds @expected (its low half), counted in
 * .parked from before the kernel compares until after it returns. */
static gboolean
park_on_word (FcLockWord *self,
              gpointer    expected,
              gint64      timeout_us)
{
  gboolean woken;

  __atomic_fetch_add (&self->parked, 1, __ATOMIC_SEQ_CST);
  woken = futex_wait (fc_lock_word_futex (self), low_half (expected), timeout_us);
  __atomic_fetch_sub (&self->parked, 1, __ATOMIC_SEQ_CST);
  return woken;
}

/* The waiter, woken, takes the lock, parks again or leaves: the next
 * release may wake another. */
static inline void
awoke_done (FcLockWord   *self,
            FcLockWaiter *waiter)
{
  if (waiter->awoke)
    {
      waiter->awoke = FALSE;
      __atomic_store_n (&self->woken, 0, __ATOMIC_SEQ_CST);
    }
}

gboolean
fc_lock_word_wake (FcLockWord *self,
                   gpointer    released)
{
  if ((guintptr) released == FC_LOCK_WORD_HANDOFF)
    {
      wake_starving (self);
      return TRUE;
    }
  return wake_parked_once (self);
}

void
fc_lock_word_wait_begin (FcLockWord   *self,
                         FcLockWaiter *waiter)
{
  waiter->since = g_get_monotonic_time ();
  waiter->starving = FALSE;
  waiter->awoke = FALSE;
  waiter->looks = 0;
  waiter->owner = NULL;
  g_atomic_int_inc (&self->waiters);
}

/* The starving waiter leaves without the lock: a word reserved for it is
 * freed, and the wake-up it may have taken passed on. */
static void
leave_starving (FcLockWord *self)
{
  starving_leave (self);
  if (g_atomic_pointer_compare_and_exchange (&self->word, (gpointer) FC_LOCK_WORD_HANDOFF, NULL))
    wake_parked (self);
}

/* A waiter that leaves without the lock may have taken the wake-up meant
 * for another, who would then sleep out its millisecond: if others wait,
 * make sure the word's next release wakes one (P), or wake one now if it
 * is free. */
static void
pass_on (FcLockWord *self)
{
  for (;;)
    {
      gpointer word = g_atomic_pointer_get (&self->word);

      if (g_atomic_int_get (&self->waiters) <= 1)
        return;
      if (word == NULL)
        {
          wake_parked (self);
          return;
        }
      if (fc_lock_word_owner (word) == NULL ||
          (fc_lock_word_flags (word) & FC_LOCK_WORD_PARKED) ||
          g_atomic_pointer_compare_and_exchange (&self->word, word,
                                                 (gpointer) ((guintptr) word | FC_LOCK_WORD_PARKED)))
        return;   /* reserved (its taker sets P), or the release will wake one */
    }
}

void
fc_lock_word_wait_end (FcLockWord   *self,
                       FcLockWaiter *waiter)
{
  awoke_done (self, waiter);
  if (waiter->starving)
    {
      waiter->starving = FALSE;
      if (fc_lock_word_owner (g_atomic_pointer_get (&self->word)) == waiter->owner)
        starving_leave (self);   /* took it */
      else
        leave_starving (self);
    }
  else if (fc_lock_word_owner (g_atomic_pointer_get (&self->word)) != waiter->owner)
    pass_on (self);
  g_atomic_int_add (&self->waiters, -1);
}

/* Whether @waiter, not starving yet, may ask to starve at @now: it has
 * waited FC_LOCK_WORD_STARVE_US, and the last hand-off is old enough. */
static inline gboolean
may_starve (FcLockWord   *self,
            FcLockWaiter *waiter,
            gint64        now)
{
  return !waiter->starving && now - waiter->since >= FC_LOCK_WORD_STARVE_US &&
         now >= __atomic_load_n (&self->fair_at, __ATOMIC_RELAXED);
}

/* Yields the CPU FC_LOCK_WORD_YIELDS_PER_LOOK times before a look, or
 * fewer once @until has passed or the waiter may ask to starve: neither
 * waits for the rest of the batch, which on 2 cores shared by many
 * threads can last many time slices. */
static void
yield_before_look (FcLockWord   *self,
                   FcLockWaiter *waiter,
                   gint64        until)
{
  for (guint i = 0; i < FC_LOCK_WORD_YIELDS_PER_LOOK; i++)
    {
      gint64 now;

      sched_yield ();
      now = g_get_monotonic_time ();
      if ((until >= 0 && now >= until) || may_starve (self, waiter, now))
        return;
    }
}

/* How long a waiter not starving sleeps: until @until, but at most
 * FC_LOCK_WORD_STARVE_US, after which it asks to starve. */
static gint64
sleep_for (gint64 until,
           gint64 now)
{
  gint64 left = until >= 0 ? until - now : G_MAXINT64;

  return MAX (MIN (left, FC_LOCK_WORD_STARVE_US), 0);
}

gboolean
fc_lock_word_wait (FcLockWord   *self,
                   FcLockWaiter *waiter,
                   gpointer      owner,
                   gint64        until)
{
  waiter->owner = owner;
  for (;;)
    {
      gint handoff = g_atomic_int_get (&self->handoff);
      gpointer word = g_atomic_pointer_get (&self->word);
      gpointer want;
      gint64 now;

      if (word == NULL ||
          ((guintptr) word == FC_LOCK_WORD_HANDOFF &&
           (waiter->starving || starving_get (self) == 0)))
        {
          /* Free, or reserved for the starving waiter and we are it (or
           * nobody is any more: it left as the word was handed over).
           * Others may be parked, so P stays, unless we are the only
           * waiter (see "Waking"). */
          gpointer take = word == NULL && g_atomic_int_get (&self->waiters) <= 1
                          ? owner
                          : (gpointer) ((guintptr) owner | FC_LOCK_WORD_PARKED);

          if (g_atomic_pointer_compare_and_exchange (&self->word, word, take))
            {
              awoke_done (self, waiter);
              /* The owner now: the next waiter may starve a while later. */
              if (waiter->starving)
                __atomic_store_n (&self->fair_at, g_get_monotonic_time () + FC_LOCK_WORD_FAIR_US,
                                  __ATOMIC_RELAXED);
              return TRUE;
            }
          continue;
        }

      now = g_get_monotonic_time ();
      if (until >= 0 && now >= until)
        return FALSE;
      /* One waiter starves at a time, and only once the last hand-off
       * is FC_LOCK_WORD_FAIR_US old. */
      if (may_starve (self, waiter, now) && starving_claim (self))
        {
          waiter->starving = TRUE;
          continue;   /* read .handoff again, now that we count */
        }

      if (fc_lock_word_owner (word) == NULL)
        {
          /* Reserved for the starving waiter, and we are not it: wait a
           * millisecond at most, then ask to starve again. */
          awoke_done (self, waiter);
          waiter->awoke = park_on_word (self, word, sleep_for (until, now));
          continue;
        }

      if (!waiter->starving && waiter->looks < FC_LOCK_WORD_LOOKS)
        {
          waiter->looks++;
          yield_before_look (self, waiter, until);
          continue;
        }
      want = (gpointer) ((guintptr) word | FC_LOCK_WORD_PARKED |
                         (waiter->starving ? FC_LOCK_WORD_HANDOFF : 0));
      if (want != word && !g_atomic_pointer_compare_and_exchange (&self->word, word, want))
        continue;

      awoke_done (self, waiter);
      if (waiter->starving)
        {
          /* Sleep until the word is reserved for us (.handoff moves). */
          futex_wait (&self->handoff, handoff, until >= 0 ? until - now : -1);
          continue;
        }

      /* Not starving yet: a release wakes us (P is set), or we wake
       * ourselves to ask to starve. */
      waiter->awoke = park_on_word (self, want, sleep_for (until, now));
      if (waiter->awoke)
        waiter->looks = 0;
      spin_after_wake (self);
    }
}

gboolean
fc_lock_word_release_from (FcLockWord *self,
                           gpointer    word,
                           gpointer   *released)
{
  *released = (fc_lock_word_flags (word) & FC_LOCK_WORD_HANDOFF) &&
              starving_get (self) > 0
              ? (gpointer) FC_LOCK_WORD_HANDOFF : NULL;

  return g_atomic_pointer_compare_and_exchange (&self->word, word, *released);
}
