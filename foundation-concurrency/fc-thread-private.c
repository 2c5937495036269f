/* fc-thread-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>
#ifdef __linux__
# include <sys/prctl.h>
# include <sys/syscall.h>
#endif

#include "fc-mutex-private.h"
#include "fc-thread-private.h"

static GMutex free_mutex;
static FcThread *free_list;
static FcThread *all_list;

__thread FcThread *fc_thread_current;
void (*fc_thread_exit_hook) (FcThread *self);

static void
fc_thread_release (gpointer data)
{
  FcThread *self = data;

  /* The record stays current meanwhile: what is released may call back
   * (a finalizer, a log writer taking a lock). */
  fc_thread_current = self;
  fc_thread_drain_abandoned (self);
  /* A thread that exits holding locks gives them up, with a critical (as
   * robust mutexes do): nobody else could ever release them. */
  if (self->held.len > 0 && fc_thread_exit_hook != NULL)
    fc_thread_exit_hook (self);
  /* Guards of this thread abandoned from now on need no hand-over. */
  g_atomic_int_inc (&self->serial);
  fc_thread_drain_abandoned (self);

  /* Later destructors that lock again get a record of their own. */
  fc_thread_current = NULL;

  /* Something still names this record as owner (a critical at exit said
   * what): keep it, so that the name stays valid. */
  if (self->held.len > 0)
    return;

  fc_mutex_lock (&free_mutex);
  self->next_free = free_list;
  free_list = self;
  fc_mutex_unlock (&free_mutex);
}

static GPrivate current = G_PRIVATE_INIT (fc_thread_release);

/* Thread names are interned in a table of our own (not g_intern_string(),
 * whose GMutex ThreadSanitizer cannot see) and never freed, so that another
 * thread can read a record's name at any time. */
static const char *
fc_thread_intern (const char *name)
{
  static GHashTable *names;
  const char *interned;

  fc_mutex_lock (&free_mutex);
  if (names == NULL)
    names = g_hash_table_new (g_str_hash, g_str_equal);
  interned = g_hash_table_lookup (names, name);
  if (interned == NULL)
    {
      interned = g_strdup (name);
      g_hash_table_add (names, (gpointer) interned);
    }
  fc_mutex_unlock (&free_mutex);

  return interned;
}

static const char *
fc_thread_query_name (void)
{
#ifdef __linux__
  char name[17] = { 0, };

  if ((pid_t) syscall (SYS_gettid) == getpid ())
    return fc_thread_intern ("main");

  if (prctl (PR_GET_NAME, name, 0, 0, 0) == 0 && name[0] != '\0')
    {
      const char *end;
      g_autofree char *valid = NULL;

      /* The kernel keeps 15 bytes of a name, cutting a multi-byte
       * character in two: drop the cut character, then replace whatever
       * else is not UTF-8, since the name reaches GVariants and GErrors. */
      if (!g_utf8_validate (name, -1, &end) &&
          g_utf8_get_char_validated (end, (gssize) strlen (end)) == (gunichar) -2)
        name[end - name] = '\0';
      valid = g_utf8_make_valid (name, -1);
      if (valid[0] != '\0')
        return fc_thread_intern (valid);
    }
#endif
  return fc_thread_intern ("thread");
}

void
fc_thread_set_name (FcThread   *self,
                    const char *name)
{
  g_atomic_pointer_set (&self->name, name != NULL ? fc_thread_intern (name)
                                                  : fc_thread_query_name ());
}

FcThread *
fc_thread_self_slow (void)
{
  FcThread *self;

  fc_mutex_lock (&free_mutex);
  self = free_list;
  if (self != NULL)
    free_list = self->next_free;
  fc_mutex_unlock (&free_mutex);

  if (self == NULL)
    {
      self = g_aligned_alloc0 (1, sizeof (FcThread), G_ALIGNOF (FcThread));
      fc_mutex_lock (&free_mutex);
      self->next_all = all_list;
      all_list = self;
      fc_mutex_unlock (&free_mutex);
    }
  else
    memset (&self->lockdep, 0, sizeof self->lockdep);

  self->next_free = NULL;
  g_atomic_pointer_set (&self->name, fc_thread_query_name ());
  g_private_set (&current, self);
  fc_thread_current = self;
  /* Guards abandoned while the last user of the record was exiting: their
   * locks were given up then; what keeps their manager alive goes now. */
  fc_thread_drain_abandoned (self);
  return self;
}

void
fc_thread_grow_held (FcThread *self)
{
  guint alloc = MAX (8, self->held.alloc * 2);
  gpointer *items = g_aligned_alloc0 (alloc, sizeof (gpointer), FC_CACHE_LINE);

  if (self->held.len > 0)
    memcpy (items, self->held.items, sizeof (gpointer) * self->held.len);
  g_aligned_free (self->held.items);
  self->held.items = items;
  self->held.alloc = alloc;
}

void
fc_thread_abandon (FcThread    *thread,
                   FcAbandoned *item)
{
  FcAbandoned *head;

  do
    {
      head = g_atomic_pointer_get (&thread->abandoned);
      item->next = head;
    }
  while (!g_atomic_pointer_compare_and_exchange (&thread->abandoned, head, item));
}

void
fc_thread_drain_abandoned_slow (FcThread *self)
{
  FcAbandoned *item;

  /* Releasing may abandon more (a finalizer), hence the loop. */
  while ((item = g_atomic_pointer_exchange (&self->abandoned, NULL)) != NULL)
    {
      /* Oldest first. */
      FcAbandoned *in_order = NULL;

      while (item != NULL)
        {
          FcAbandoned *next = item->next;

          item->next = in_order;
          in_order = item;
          item = next;
        }
      while (in_order != NULL)
        {
          FcAbandoned *next = in_order->next;

          in_order->release (in_order, self);
          in_order = next;
        }
    }
}

void
fc_thread_foreach (FcThreadFunc func,
                   gpointer     user_data)
{
  fc_mutex_lock (&free_mutex);
  for (FcThread *thread = all_list; thread != NULL; thread = thread->next_all)
    func (thread, user_data);
  fc_mutex_unlock (&free_mutex);
}
