/* test-lock-word.c — the lock word's hand-off, step by step: a release
 * while a waiter starves reserves the word for it, and neither a newcomer
 * nor a waiter that has not starved yet may take a reserved word; and its
 * wake-ups: no release leaves a waiter counted as woken that is not, and
 * only a waiter that may be asleep costs a release a wake-up call.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built against the library's objects, for fc-lock-word-private.h. No
 * assertion here is about time: the starving waiter is made one by
 * backdating its start, every wait for another thread is for a state of
 * the word, polled without a limit (a hang is the test's timeout), and a
 * waiter meant to give up is given ample time to look first (GIVE_UP_US).
 */

#include <foundation-concurrency.h>

#include "fc-lock-word-private.h"

/* How long a waiter that must give up waits. A wait past its deadline
 * returns before it looks at starving, so this must outlast the time
 * between taking the deadline and the wait's first look at the word:
 * nothing, natively, but under valgrind 200 us were not always enough. */
#define GIVE_UP_US (100 * 1000)

/* Owners are 8-byte aligned records: the flags live in their low bits. */
typedef struct { gint64 pad; } Owner;

static Owner holder, victim, fresh;

typedef struct
{
  FcLockWord word;
  int        taken;     /* atomic: the victim holds the word */
  int        release;   /* atomic: the victim may release it */
} Shared;

static void
await_int (int *value,
           int  want)
{
  while (g_atomic_int_get (value) != want)
    g_usleep (100);
}

static void
release (FcLockWord *word,
         gpointer    owner)
{
  gpointer now, released;

  if (fc_lock_word_release_fast (word, owner))
    return;
  do
    now = fc_lock_word_get (word);
  while (!fc_lock_word_release_from (word, now, &released));
  if (fc_lock_word_flags (now) & FC_LOCK_WORD_PARKED)
    fc_lock_word_wake (word, released);
}

static gpointer
victim_thread (gpointer data)
{
  Shared *shared = data;
  FcLockWaiter waiter;
  gboolean taken;

  fc_lock_word_wait_begin (&shared->word, &waiter);
  /* It has waited for a long time already: it starves at once. */
  waiter.since -= 10 * G_USEC_PER_SEC;
  taken = fc_lock_word_wait (&shared->word, &waiter, &victim, -1);
  fc_lock_word_wait_end (&shared->word, &waiter);
  g_assert_true (taken);
  g_atomic_int_set (&shared->taken, 1);

  await_int (&shared->release, 1);
  release (&shared->word, &victim);
  return NULL;
}

static void
test_handoff_to_starving (void)
{
  Shared shared = { { 0, }, };
  FcLockWaiter waiter;
  GThread *thread;
  gpointer word;

  g_assert_true (fc_lock_word_try_fast (&shared.word, &holder));
  thread = g_thread_new ("victim", victim_thread, &shared);

  /* The victim starves, says so in the word, and sleeps. */
  while (!(fc_lock_word_flags (fc_lock_word_get (&shared.word)) & FC_LOCK_WORD_HANDOFF))
    g_usleep (100);
  g_assert_cmpint (__atomic_load_n (&shared.word.starving, __ATOMIC_SEQ_CST), ==, 1);

  release (&shared.word, &holder);

  /* Reserved for the victim, or already the victim's: never free. */
  word = fc_lock_word_get (&shared.word);
  g_assert_true ((guintptr) word == FC_LOCK_WORD_HANDOFF ||
                 fc_lock_word_owner (word) == &victim);
  /* A newcomer cannot barge in... */
  g_assert_false (fc_lock_word_try (&shared.word, &fresh));
  /* ...nor can a waiter that has not starved yet take it, however soon it
   * looks (it gives up before its first millisecond is over). */
  fc_lock_word_wait_begin (&shared.word, &waiter);
  g_assert_false (fc_lock_word_wait (&shared.word, &waiter, &fresh,
                                     waiter.since + 500));
  fc_lock_word_wait_end (&shared.word, &waiter);

  /* The victim gets it, and gives it back. */
  await_int (&shared.taken, 1);
  g_assert_true (fc_lock_word_owner (fc_lock_word_get (&shared.word)) == &victim);
  g_atomic_int_set (&shared.release, 1);
  g_thread_join (thread);

  g_assert_null (fc_lock_word_get (&shared.word));
  g_assert_cmpint (shared.word.waiters, ==, 0);
  g_assert_cmpint (shared.word.starving, ==, 0);
}

static gpointer
leaver_thread (gpointer data)
{
  Shared *shared = data;
  FcLockWaiter waiter;
  gboolean taken;

  fc_lock_word_wait_begin (&shared->word, &waiter);
  waiter.since -= 10 * G_USEC_PER_SEC;
  /* Gives up once it has said it starves (see GIVE_UP_US). */
  taken = fc_lock_word_wait (&shared->word, &waiter, &victim, g_get_monotonic_time () + GIVE_UP_US);
  g_atomic_int_set (&shared->taken, taken ? 2 : 1);
  await_int (&shared->release, 1);
  fc_lock_word_wait_end (&shared->word, &waiter);
  if (taken)
    release (&shared->word, &victim);
  return NULL;
}

/* A starving waiter that gives up, the last one, leaves a word reserved
 * for nobody free again. */
static void
test_last_starving_leaves (void)
{
  Shared shared = { { 0, }, };
  GThread *thread;

  g_assert_true (fc_lock_word_try_fast (&shared.word, &holder));
  thread = g_thread_new ("leaver", leaver_thread, &shared);
  while (g_atomic_int_get (&shared.taken) == 0)
    g_usleep (100);
  /* It timed out while we held the word; it has not left yet. */
  g_assert_cmpint (shared.taken, ==, 1);
  release (&shared.word, &holder);
  g_assert_cmpuint ((guintptr) fc_lock_word_get (&shared.word), ==, FC_LOCK_WORD_HANDOFF);
  g_atomic_int_set (&shared.release, 1);
  g_thread_join (thread);

  g_assert_null (fc_lock_word_get (&shared.word));
  g_assert_cmpint (shared.word.waiters, ==, 0);
  g_assert_cmpint (shared.word.starving, ==, 0);
  g_assert_true (fc_lock_word_try_fast (&shared.word, &fresh));
}

/* A waiter that has waited long, given up quickly: whether it asked to
 * starve is in its own state. */
static gboolean
starves_when_waiting (FcLockWord *word)
{
  FcLockWaiter waiter;
  gboolean starving;

  fc_lock_word_wait_begin (word, &waiter);
  waiter.since -= 10 * G_USEC_PER_SEC;
  g_assert_false (fc_lock_word_wait (word, &waiter, &fresh, g_get_monotonic_time () + GIVE_UP_US));
  starving = waiter.starving;
  fc_lock_word_wait_end (word, &waiter);
  return starving;
}

/* One waiter starves at a time, and the next only once the last hand-off
 * is a millisecond old: with every waiter starving, every release would
 * be a hand-off and leave the lock idle while a sleeper is scheduled. */
static void
test_one_starving_at_a_time (void)
{
  Shared shared = { { 0, }, };
  GThread *thread;
  gint64 released_at;

  g_assert_true (fc_lock_word_try_fast (&shared.word, &holder));
  thread = g_thread_new ("victim", victim_thread, &shared);
  while (!(fc_lock_word_flags (fc_lock_word_get (&shared.word)) & FC_LOCK_WORD_HANDOFF))
    g_usleep (100);

  /* The victim starves: another waiter, however long it has waited, may
   * not too. */
  g_assert_false (starves_when_waiting (&shared.word));
  g_assert_cmpint (__atomic_load_n (&shared.word.starving, __ATOMIC_SEQ_CST), ==, 1);

  released_at = g_get_monotonic_time ();
  release (&shared.word, &holder);
  await_int (&shared.taken, 1);
  /* The hand-off put off the next one. */
  g_assert_cmpint (__atomic_load_n (&shared.word.fair_at, __ATOMIC_RELAXED), >=, released_at + 1000);
  g_assert_cmpint (__atomic_load_n (&shared.word.starving, __ATOMIC_SEQ_CST), ==, 0);

  /* Nobody starves, but the last hand-off is too recent. */
  __atomic_store_n (&shared.word.fair_at, g_get_monotonic_time () + 10 * G_USEC_PER_SEC,
                    __ATOMIC_RELAXED);
  g_assert_false (starves_when_waiting (&shared.word));
  /* Once it is old enough, a long wait starves. */
  __atomic_store_n (&shared.word.fair_at, 0, __ATOMIC_RELAXED);
  g_assert_true (starves_when_waiting (&shared.word));
  g_assert_cmpint (__atomic_load_n (&shared.word.starving, __ATOMIC_SEQ_CST), ==, 0);

  g_atomic_int_set (&shared.release, 1);
  g_thread_join (thread);
  g_assert_null (fc_lock_word_get (&shared.word));
  g_assert_cmpint (shared.word.waiters, ==, 0);
}

/* ---- Waking: .woken settles ---------------------------------------- */

/* Takes a free @word for the holder with P set, as a waiter among others
 * leaves it; returns the word's value. */
static gpointer
hold_with_parked (FcLockWord *word)
{
  gpointer held = (gpointer) ((guintptr) &holder | FC_LOCK_WORD_PARKED);

  g_assert_true (fc_lock_word_try_fast (word, &holder));
  g_assert_true (g_atomic_pointer_compare_and_exchange (&word->word, &holder, held));
  return held;
}

/* A release that wakes nobody (nobody is asleep) leaves none woken: were
 * .woken left 1, every later release would skip its wake-up. */
static void
test_wake_nobody_asleep (void)
{
  FcLockWord word = { 0, };

  hold_with_parked (&word);
  g_atomic_int_inc (&word.parked);   /* as if one were about to sleep */
  release (&word, &holder);
  g_assert_null (fc_lock_word_get (&word));
  g_assert_cmpint (word.woken, ==, 0);
}

/* A waiter that takes a free word while it is the only waiter sets no P:
 * nobody else can be asleep on it, and its release is the fast one. It
 * used to set P always, so that its release woke, in a system call,
 * nobody. */
static void
test_alone_sets_no_parked (void)
{
  FcLockWord word = { 0, };
  FcLockWaiter waiter;

  fc_lock_word_wait_begin (&word, &waiter);
  g_assert_true (fc_lock_word_wait (&word, &waiter, &holder, -1));
  fc_lock_word_wait_end (&word, &waiter);
  g_assert_true (fc_lock_word_get (&word) == (gpointer) &holder);
  g_assert_true (fc_lock_word_release_fast (&word, &holder));
  g_assert_null (fc_lock_word_get (&word));
}

/* With another waiter counted, the one that takes the word keeps P, so
 * that its release wakes the other if it is asleep. */
static void
test_among_others_keeps_parked (void)
{
  FcLockWord word = { 0, };
  FcLockWaiter other, waiter;

  fc_lock_word_wait_begin (&word, &other);
  fc_lock_word_wait_begin (&word, &waiter);
  g_assert_true (fc_lock_word_wait (&word, &waiter, &holder, -1));
  fc_lock_word_wait_end (&word, &waiter);
  g_assert_true (fc_lock_word_get (&word) == (gpointer) ((guintptr) &holder | FC_LOCK_WORD_PARKED));
  fc_lock_word_wait_end (&word, &other);
  release (&word, &holder);
  g_assert_null (fc_lock_word_get (&word));
  g_assert_cmpint (word.waiters, ==, 0);
}

/* A release of a word with P makes a wake-up call only while a waiter is
 * counted asleep on it (.parked); every release used to make one. */
static void
test_wake_only_the_parked (void)
{
  FcLockWord word = { 0, };
  gpointer held, released;

  held = hold_with_parked (&word);
  g_assert_true (fc_lock_word_release_from (&word, held, &released));
  g_assert_false (fc_lock_word_wake (&word, released));
  g_assert_cmpint (word.woken, ==, 0);

  /* As if a waiter had counted itself in and not yet slept: the call is
   * made (it finds nobody asleep, so none counts as woken). */
  held = hold_with_parked (&word);
  g_atomic_int_inc (&word.parked);
  g_assert_true (fc_lock_word_release_from (&word, held, &released));
  g_assert_true (fc_lock_word_wake (&word, released));
  g_assert_cmpint (word.woken, ==, 0);
  g_assert_null (fc_lock_word_get (&word));
}

#define N_RACERS 6
#define N_ROUNDS 3000

typedef struct
{
  FcLockWord word;
  guint      inside;    /* under the word */
  guint64    sections;  /* under the word */
} Race;

static Owner racers[N_RACERS];

typedef struct
{
  Race  *race;
  Owner *owner;
} Racer;

/* Takes the word N_ROUNDS times, waiting with deadlines from none to a
 * few hundred microseconds, so that wake-ups race releases, timeouts and
 * newcomers that barge. */
static gpointer
racer_thread (gpointer data)
{
  Racer *racer = data;
  FcLockWord *word = &racer->race->word;
  GRand *rand = g_rand_new ();

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      gboolean taken = fc_lock_word_try_fast (word, racer->owner);

      if (!taken)
        {
          FcLockWaiter waiter;
          gint64 until = g_rand_boolean (rand)
                         ? -1 : g_get_monotonic_time () + g_rand_int_range (rand, 0, 300);

          fc_lock_word_wait_begin (word, &waiter);
          taken = fc_lock_word_wait (word, &waiter, racer->owner, until);
          fc_lock_word_wait_end (word, &waiter);
        }
      if (!taken)
        continue;

      g_assert_cmpuint (racer->race->inside++, ==, 0);
      racer->race->sections++;
      if (g_rand_int_range (rand, 0, 8) == 0)
        g_usleep (g_rand_int_range (rand, 0, 50));
      racer->race->inside--;
      release (word, racer->owner);
    }

  g_rand_free (rand);
  return NULL;
}

/* Whatever raced, once everybody has left the word is free, nobody waits
 * or starves, and nobody counts as woken. */
static void
test_woken_settles (void)
{
  Race race = { { 0, }, };
  Racer args[N_RACERS];
  GThread *threads[N_RACERS];

  for (guint i = 0; i < N_RACERS; i++)
    {
      args[i] = (Racer) { &race, &racers[i] };
      threads[i] = g_thread_new ("racer", racer_thread, &args[i]);
    }
  for (guint i = 0; i < N_RACERS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (race.sections, >, 0);
  g_assert_null (fc_lock_word_get (&race.word));
  g_assert_cmpint (race.word.waiters, ==, 0);
  g_assert_cmpint (race.word.parked, ==, 0);
  g_assert_cmpint (race.word.starving, ==, 0);
  g_assert_cmpint (race.word.woken, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lock-word/handoff/to-starving", test_handoff_to_starving);
  g_test_add_func ("/lock-word/handoff/last-starving-leaves", test_last_starving_leaves);
  g_test_add_func ("/lock-word/handoff/one-starving-at-a-time", test_one_starving_at_a_time);
  g_test_add_func ("/lock-word/wake/nobody-asleep", test_wake_nobody_asleep);
  g_test_add_func ("/lock-word/wake/only-the-parked", test_wake_only_the_parked);
  g_test_add_func ("/lock-word/wait/alone-sets-no-parked", test_alone_sets_no_parked);
  g_test_add_func ("/lock-word/wait/among-others-keeps-parked", test_among_others_keeps_parked);
  g_test_add_func ("/lock-word/wake/woken-settles", test_woken_settles);

  return g_test_run ();
}
