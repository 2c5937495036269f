/* lock-word-wake.pml — a model of the lock word's wake-ups, for the spin
 * model checker: fc-lock-word-private.c's P flag, .waiters and .parked.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Three threads take the word ROUNDS times each: the fast compare-and-swap
 * of a free word, else as waiters, which look at the word (any number of
 * times: the yields), take it when free (setting P unless they are the only
 * waiter, "0 -> T" and "0 -> T|P"), or set P and park: count themselves in
 * .parked, then FUTEX_WAIT (the kernel's compare and sleep, one atomic
 * step). A release is the fast compare-and-swap T -> 0, or the slow one of
 * a word with P, after which it wakes one sleeper unless .parked is 0.
 * Every step is one sequentially consistent access, as in the library.
 *
 * What it leaves out: parked waiters' one-millisecond timeout (here they
 * sleep until woken, so a lost wake-up is a thread asleep for ever, which
 * spin reports as an invalid end state), .woken (whose one known gap the
 * protocol comment names, covered by that timeout), starving and hand-off.
 *
 * It checks mutual exclusion (the assertion) and that no thread is left
 * asleep. tests/check-model.sh also runs it with each of the mutations
 * below and expects spin to find the lost wake-up each one makes:
 *   BUG_ALONE       a waiter counts one waiter fewer than there are, and
 *                   takes the word without P while another may sleep;
 *   BUG_EARLY_READ  a release reads .parked before its compare-and-swap;
 *   BUG_LATE_COUNT  a waiter counts itself in .parked after the kernel's
 *                   compare;
 *   BUG_NO_P        a waiter parks on a held word without setting P.
 */

#define N 3
#define P 4

#ifndef ROUNDS
#define ROUNDS 2
#endif

byte word = 0;       /* the owner (1..N), | P */
byte waiters = 0;
byte parked = 0;
bool asleep[N + 1];  /* in FUTEX_WAIT */
byte inside = 0;     /* threads between taking and releasing the word */

/* FUTEX_WAKE of one: whoever is asleep, if anybody. */
inline futex_wake ()
{
  atomic {
    if
    :: asleep[1] -> asleep[1] = false
    :: asleep[2] -> asleep[2] = false
    :: asleep[3] -> asleep[3] = false
    :: else -> skip
    fi
  }
}

proctype thread (byte me)
{
  byte w, want, n, rounds = 0;
  bool ok;

again:
  if
  :: rounds == ROUNDS -> goto done
  :: else -> rounds++
  fi;
  /* fc_lock_word_try_fast() */
  atomic { if :: word == 0 -> word = me; ok = true :: else -> ok = false fi };
  if :: ok -> goto took :: else -> skip fi;
  /* fc_lock_word_wait_begin() */
  waiters++;
look:
  w = word;
  if
  :: w == 0 ->
#ifdef BUG_ALONE
       n = waiters - 1;
#else
       n = waiters;
#endif
       if :: n <= 1 -> want = me :: else -> want = me | P fi;
       atomic { if :: word == 0 -> word = want; ok = true :: else -> ok = false fi };
       /* fc_lock_word_wait_end() */
       if :: ok -> waiters--; goto took :: else -> goto look fi
  :: else ->
       if
       :: goto look    /* a yield, then another look */
       :: skip         /* park */
       fi;
#ifdef BUG_NO_P
       want = w;
#else
       want = w | P;
#endif
       if
       :: want != w ->
            atomic { if :: word == w -> word = want; ok = true :: else -> ok = false fi };
            if :: !ok -> goto look :: else -> skip fi
       :: else -> skip
       fi;
       /* park_on_word() */
#ifndef BUG_LATE_COUNT
       parked++;
#endif
       atomic { if :: word == want -> asleep[me] = true :: else -> skip fi };
#ifdef BUG_LATE_COUNT
       parked++;
#endif
       !asleep[me];
       parked--;
       goto look
  fi;

took:
  inside++;
  assert (inside == 1);
  inside--;
  /* fc_lock_word_release_fast(), else fc_lock_release_slow() */
  atomic { if :: word == me -> word = 0; ok = true :: else -> ok = false fi };
  if
  :: !ok ->
#ifdef BUG_EARLY_READ
       n = parked;
#endif
       do
       :: w = word;
          atomic { if :: word == w -> word = 0; ok = true :: else -> ok = false fi };
          if :: ok -> break :: else -> skip fi
       od;
#ifndef BUG_EARLY_READ
       n = parked;
#endif
       if :: n > 0 -> futex_wake () :: else -> skip fi
  :: else -> skip
  fi;
  goto again;
done:
  skip
}

init
{
  atomic {
    run thread (1);
    run thread (2);
    run thread (3)
  }
}
