/* dining-philosophers.c — the demo of foundation-concurrency.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Five philosophers sit around a table with five forks between them. Each
 * needs both neighbouring forks to eat. Taken naively (left, then right),
 * they can deadlock: everyone holds a left fork and waits for a right one.
 * Through FcLockManager each asks for both forks in one call; the manager
 * takes them in ascending order, so the cycle can never close.
 *
 * While they eat, a waiter prints the table's status. At the end one
 * impatient philosopher grabs a fork and then reaches for a lower-numbered
 * one: the manager refuses with FC_ERROR_ORDER_VIOLATION instead of letting
 * a deadlock happen.
 *
 * Usage: dining-philosophers [MEALS]
 */

#include <stdio.h>
#include <stdlib.h>

#include <foundation-concurrency.h>

#define N_PHILOSOPHERS 5

static const char *philosopher_names[N_PHILOSOPHERS] = {
  "Aristotle", "Kant", "Spinoza", "Marx", "Russell",
};

typedef struct
{
  FcLockManager *manager;
  guint          index;
  guint          meals_wanted;
  int            meals;       /* atomic */
} Philosopher;

static int finished;          /* atomic: philosophers done eating */

static char *
fork_name (guint i)
{
  return g_strdup_printf ("fork-%u", i % N_PHILOSOPHERS);
}

static gpointer
dine (gpointer data)
{
  Philosopher *p = data;
  g_autofree char *left = fork_name (p->index);
  g_autofree char *right = fork_name (p->index + 1);
  const char *forks[] = { left, right, NULL };

  while ((guint) g_atomic_int_get (&p->meals) < p->meals_wanted)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FcLockGuard) guard = NULL;

      /* Both forks at once, whatever order we name them in. */
      guard = fc_lock_manager_acquire (p->manager, forks, 5.0, TRUE, &error);
      if (guard == NULL)
        {
          g_printerr ("%s could not eat: %s\n", philosopher_names[p->index], error->message);
          continue;
        }

      g_usleep (g_random_int_range (100, 1500));  /* eat */
      g_atomic_int_inc (&p->meals);
      fc_lock_guard_release (guard);

      g_usleep (g_random_int_range (50, 800));    /* think */
    }

  g_atomic_int_inc (&finished);
  return NULL;
}

static void
print_status (FcLockManager *manager)
{
  g_autoptr(GVariant) status = fc_lock_manager_get_lock_status (manager);

  printf ("  %-8s %5s  %-7s  %s\n", "lock", "order", "locked", "owner");
  for (guint i = 0; i < N_PHILOSOPHERS; i++)
    {
      g_autofree char *name = fork_name (i);
      g_autoptr(GVariant) info = g_variant_lookup_value (status, name, G_VARIANT_TYPE_VARDICT);
      g_autoptr(GVariant) owner = NULL;
      g_autoptr(GVariant) owner_value = NULL;
      gboolean locked = FALSE;
      gint32 order = 0;

      g_variant_lookup (info, "order", "i", &order);
      g_variant_lookup (info, "is_locked", "b", &locked);
      owner = g_variant_lookup_value (info, "owner", G_VARIANT_TYPE ("ms"));
      owner_value = owner != NULL ? g_variant_get_maybe (owner) : NULL;

      printf ("  %-8s %5d  %-7s  %s\n", name, order, locked ? "yes" : "no",
              owner_value != NULL ? g_variant_get_string (owner_value, NULL) : "-");
    }
}

static void
impatient_philosopher (FcLockManager *manager)
{
  const char *high[] = { "fork-4", NULL };
  const char *low[] = { "fork-0", NULL };
  g_autoptr(FcLockGuard) right_fork = NULL;
  g_autoptr(FcLockGuard) left_fork = NULL;
  g_autoptr(GError) error = NULL;

  printf ("\nAn impatient philosopher grabs fork-4 first, then reaches for fork-0...\n");
  right_fork = fc_lock_manager_acquire (manager, high, 5.0, TRUE, &error);
  g_assert_no_error (error);

  left_fork = fc_lock_manager_acquire (manager, low, 5.0, TRUE, &error);
  if (g_error_matches (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION))
    printf ("  refused, no deadlock possible: %s\n", error->message);
  else
    g_error ("expected an order violation");

  fc_lock_guard_release (right_fork);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  Philosopher philosophers[N_PHILOSOPHERS];
  GThread *threads[N_PHILOSOPHERS];
  guint meals = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 200;
  guint round = 0;
  gboolean everyone_ate = TRUE;

  printf ("foundation-concurrency demo: the dining philosophers\n"
          "\n"
          "Five philosophers share five forks; each needs both neighbouring forks to eat.\n"
          "Taken one at a time they can deadlock. Here each asks the lock manager for both\n"
          "forks in one call, and the manager takes locks in ascending order, so the cycle\n"
          "never closes. You will see the table's locks while they eat, every philosopher's\n"
          "meals, and then one philosopher who breaks the order being refused instead of\n"
          "deadlocking.\n"
          "\n");
  printf ("Five philosophers, five forks, %u meals each.\n", meals);

  for (guint i = 0; i < N_PHILOSOPHERS; i++)
    {
      g_autofree char *name = fork_name (i);
      g_autofree char *description = g_strdup_printf ("Fork between %s and %s",
                                                      philosopher_names[i],
                                                      philosopher_names[(i + N_PHILOSOPHERS - 1) % N_PHILOSOPHERS]);
      g_autoptr(GError) error = NULL;

      if (!fc_lock_manager_register_lock (manager, name, 300 + (int) i, description, NULL, &error))
        g_error ("%s", error->message);
    }

  for (guint i = 0; i < N_PHILOSOPHERS; i++)
    {
      philosophers[i] = (Philosopher) { manager, i, meals, 0 };
      threads[i] = g_thread_new (philosopher_names[i], dine, &philosophers[i]);
    }

  while (g_atomic_int_get (&finished) < N_PHILOSOPHERS)
    {
      if (round++ % 5 == 0)
        {
          printf ("\nThe table now:\n");
          print_status (manager);
        }
      g_usleep (G_USEC_PER_SEC / 10);
    }

  for (guint i = 0; i < N_PHILOSOPHERS; i++)
    g_thread_join (threads[i]);

  printf ("\nEveryone has eaten:\n");
  for (guint i = 0; i < N_PHILOSOPHERS; i++)
    {
      guint eaten = (guint) g_atomic_int_get (&philosophers[i].meals);

      printf ("  %-10s %u meals\n", philosopher_names[i], eaten);
      everyone_ate &= eaten == meals;
    }

  printf ("\nThe table at the end:\n");
  print_status (manager);

  impatient_philosopher (manager);

  return everyone_ate ? EXIT_SUCCESS : EXIT_FAILURE;
}
