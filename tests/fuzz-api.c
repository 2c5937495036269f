/* fuzz-api.c — a seeded, randomized API-sequence fuzzer with its own oracle.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Four threads drive one FcLockManager and three threads, each iterating
 * its own GMainContext, drive one FcAsyncLockManager, with random lock
 * sets, timeouts (0, small, infinite, invalid), blocking and not, nested
 * guards, cancellations (from the requesting thread and from the others),
 * unregistered names, direct fc_lock_lock()/try_lock() and the diagnostics
 * (status, detect, report, dump). Both managers run a watchdog every 5 ms
 * with a 1 ms hold threshold, and each belongs to one async thread's
 * context, which delivers its potential-deadlock signals while the thread
 * iterates it; cancellables are handed to the other threads before the
 * request is even made. The oracle predicts each call's outcome
 * from what it knows the thread holds:
 * - INVALID_ARGUMENT exactly for an invalid timeout, NOT_REGISTERED for an
 *   unknown name, ORDER_VIOLATION exactly when a new name's order is not
 *   above every order the thread (sync) or the guard chain (async) holds;
 *   otherwise success, or TIMEOUT / WOULD_BLOCK / CANCELLED where the call
 *   may wait, and never for an infinite wait;
 * - mutual exclusion: an occupancy word per lock, claimed on success;
 * - rollback: a failed acquisition left nothing of its own held;
 * - every async callback runs exactly once, in the requesting context;
 * - every potential-deadlock signal is emitted in its manager's context,
 *   with a UTF-8 message and a report that says its kind;
 * - at the end, nothing is locked and nothing waits.
 *
 * FC_FUZZ_SEED (or --fuzz-seed=N) fixes the seed, FC_FUZZ_SECONDS (or
 * --fuzz-seconds=S) the duration (default 10); the environment wins. The seed is printed first: a failing seed becomes
 * a regression test. With threads the interleaving still varies; the seed
 * fixes each thread's sequence of calls.
 */

#include <math.h>
#include <string.h>

#include <foundation-concurrency.h>

#include "fc-test-util.h"

#define N_LOCKS         6
#define N_SYNC_THREADS  4
#define N_ASYNC_THREADS 3
#define MAX_GUARDS      4

static guint32 seed;
static double seconds = 10;
static gint64 end_time;

static FcLockManager *manager;
static FcAsyncLockManager *amanager;
static FcLock *sync_locks[N_LOCKS];
static const char *sync_names[N_LOCKS] = { "s0", "s1", "s2", "s3", "s4", "s5" };
static const char *async_names[N_LOCKS] = { "a0", "a1", "a2", "a3", "a4", "a5" };
static int sync_inside[N_LOCKS];    /* atomic: 0 or the holder's id */
static int async_inside[N_LOCKS];   /* atomic: 0 or the holder's id */
/* The cancellables any thread may cancel (Handout), under to_cancel_mutex:
 * not a GAsyncQueue, whose hand-off (a GMutex) ThreadSanitizer cannot see. */
typedef struct _AsyncThread AsyncThread;
static GMutex to_cancel_mutex;
static GArray *to_cancel;
static GMainContext *sync_owner;    /* the contexts the managers signal in */
static GMainContext *async_owner;
static guint64 n_signals;           /* atomic: potential-deadlock emissions */
static guint64 n_logged;            /* atomic: reports logged */
static guint64 n_ops;               /* atomic */
static guint64 n_failures;          /* atomic: expected TIMEOUT etc. */

static int
order_of (guint i)
{
  return (int) (i + 1) * 10;
}

/* A random mask of 0 to 3 locks. */
static guint
pick_mask (GRand *rand)
{
  guint mask = 0;
  guint n = (guint) g_rand_int_range (rand, 0, 4);

  for (guint i = 0; i < n; i++)
    mask |= 1u << g_rand_int_range (rand, 0, N_LOCKS);
  return mask;
}

/* @mask as names in random order, with duplicates, maybe with an unknown
 * name; @out holds N_LOCKS * 2 + 2 entries. */
static gboolean
mask_to_names (GRand        *rand,
               guint         mask,
               const char  **table,
               const char  **out)
{
  guint n = 0;
  gboolean unknown = g_rand_int_range (rand, 0, 40) == 0;

  for (guint i = 0; i < N_LOCKS; i++)
    if (mask & (1u << i))
      {
        out[n++] = table[i];
        if (g_rand_int_range (rand, 0, 8) == 0)
          out[n++] = table[i];
      }
  if (unknown)
    out[n++] = "nobody";
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      const char *t = out[i - 1];

      out[i - 1] = out[j];
      out[j] = t;
    }
  out[n] = NULL;
  return unknown;
}

static int
max_order (guint mask)
{
  return mask == 0 ? G_MININT : order_of ((guint) g_bit_nth_msf (mask, -1));
}

/* A random timeout; *@valid says whether the library must accept it. */
static double
pick_timeout (GRand    *rand,
              gboolean  allow_infinite,
              gboolean *valid)
{
  static const double invalid[] = { -0.5, -2.0, -1e300, 1e300 * 1e300 };

  *valid = TRUE;
  switch (g_rand_int_range (rand, 0, 20))
    {
    case 0:
      *valid = FALSE;
      return g_rand_boolean (rand) ? NAN : invalid[g_rand_int_range (rand, 0, G_N_ELEMENTS (invalid))];
    case 1: case 2: case 3: case 4:
      return 0;
    case 5: case 6: case 7:
      if (allow_infinite)
        return FC_TIMEOUT_INFINITE;
      G_GNUC_FALLTHROUGH;
    default:
      return g_rand_double_range (rand, 0, 0.003);
    }
}

static void
claim (int   *inside,
       guint  mask,
       int    id,
       const char *what)
{
  for (guint i = 0; i < N_LOCKS; i++)
    if ((mask & (1u << i)) && !g_atomic_int_compare_and_exchange (&inside[i], 0, id))
      g_error ("seed %u: %s lock %u held by %d and %d at once", seed, what, i,
               g_atomic_int_get (&inside[i]), id);
}

static void
unclaim (int   *inside,
         guint  mask,
         int    id)
{
  for (guint i = 0; i < N_LOCKS; i++)
    if ((mask & (1u << i)) && !g_atomic_int_compare_and_exchange (&inside[i], id, 0))
      g_error ("seed %u: lock %u was not held by %d", seed, i, id);
}

static void
check_utf8 (const char *what,
            const char *text)
{
  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    g_error ("seed %u: %s is not UTF-8", seed, what);
}

static void
check_error (GError     *error,
             GQuark      domain,
             int         code,
             gboolean    may_fail,
             const char *call)
{
  if (domain == 0 && error == NULL)
    return;
  if (domain == 0 && may_fail &&
      (g_error_matches (error, FC_ERROR, FC_ERROR_TIMEOUT) ||
       g_error_matches (error, FC_ERROR, FC_ERROR_WOULD_BLOCK) ||
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    {
      check_utf8 ("error message", error->message);
      __atomic_add_fetch (&n_failures, 1, __ATOMIC_RELAXED);
      return;
    }
  if (domain != 0 && g_error_matches (error, domain, code))
    {
      check_utf8 ("error message", error->message);
      return;
    }
  g_error ("seed %u: %s: expected %s %d, got %s", seed, call,
           domain != 0 ? g_quark_to_string (domain) : "success", code,
           error != NULL ? error->message : "success");
}

static void
check_variant (GVariant   *variant,
               const char *what)
{
  if (variant == NULL || !g_variant_is_normal_form (variant))
    g_error ("seed %u: %s is not a valid variant", seed, what);
  g_variant_unref (variant);
}

static void
check_strv (char       **strv,
            const char  *what)
{
  if (strv == NULL)
    g_error ("seed %u: %s returned NULL", seed, what);
  for (guint i = 0; strv[i] != NULL; i++)
    check_utf8 (what, strv[i]);
  g_strfreev (strv);
}

/* ---- Cancellations and signals -------------------------------------- */

static void to_cancel_pop_and_cancel (void);

static void
on_potential_deadlock (GObject    *manager_object,
                       const char *message,
                       GVariant   *report,
                       gpointer    data)
{
  GMainContext *owner = data;
  const char *kind = NULL;

  if (g_main_context_get_thread_default () != owner)
    g_error ("seed %u: potential-deadlock emitted outside its manager's context", seed);
  check_utf8 ("signalled message", message);
  if (!g_variant_is_of_type (report, G_VARIANT_TYPE_VARDICT) ||
      !g_variant_lookup (report, "kind", "&s", &kind))
    g_error ("seed %u: a signalled report has no kind", seed);
  __atomic_add_fetch (&n_signals, 1, __ATOMIC_RELAXED);
}

/* Counts the reports the library logs (and checks their message), through
 * fc_test_report_writer(), rather than let GTest abort on their warning. */
static void
count_report (const char *message)
{
  check_utf8 ("logged report", message);
  __atomic_add_fetch (&n_logged, 1, __ATOMIC_RELAXED);
}

/* ---- Sync threads -------------------------------------------------- */

typedef struct
{
  int          id;
  GRand       *rand;
  FcLockGuard *guards[MAX_GUARDS];
  guint        took[MAX_GUARDS];   /* what each guard took */
  guint        n_guards;
} SyncThread;

static guint
sync_held (SyncThread *t)
{
  guint mask = 0;

  for (guint i = 0; i < t->n_guards; i++)
    mask |= t->took[i];
  return mask;
}

static void
sync_release (SyncThread *t,
              guint       index)
{
  FcLockGuard *guard = t->guards[index];

  unclaim (sync_inside, t->took[index], t->id);
  if (g_rand_boolean (t->rand))
    fc_lock_guard_release (guard);
  fc_test_guard_drop (&guard);
  memmove (&t->guards[index], &t->guards[index + 1], sizeof t->guards[0] * (t->n_guards - index - 1));
  memmove (&t->took[index], &t->took[index + 1], sizeof t->took[0] * (t->n_guards - index - 1));
  t->n_guards--;
}

static void
sync_acquire (SyncThread *t)
{
  const char *names[N_LOCKS * 2 + 2];
  guint mask = pick_mask (t->rand);
  gboolean unknown = mask_to_names (t->rand, mask, sync_names, names);
  guint held = sync_held (t);
  guint fresh = mask & ~held;
  gboolean blocking = g_rand_int_range (t->rand, 0, 5) != 0;
  gboolean valid;
  double timeout = pick_timeout (t->rand, TRUE, &valid);
  g_autoptr(GError) error = NULL;
  FcLockGuard *guard;

  guard = fc_lock_manager_acquire (manager, names, timeout, blocking, &error);

  if (!valid)
    check_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT, FALSE, "acquire");
  else if (unknown)
    check_error (error, FC_ERROR, FC_ERROR_NOT_REGISTERED, FALSE, "acquire");
  else if (held != 0 && fresh != 0 &&
           order_of ((guint) g_bit_nth_lsf (fresh, -1)) <= max_order (held))
    check_error (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION, FALSE, "acquire");
  else
    check_error (error, 0, 0, !(blocking && timeout == FC_TIMEOUT_INFINITE), "acquire");

  if (guard == NULL)
    {
      /* Rollback: none of the fresh locks is this thread's. */
      for (guint i = 0; i < N_LOCKS; i++)
        if ((fresh & (1u << i)) && fc_lock_try_lock (sync_locks[i]))
          {
            if (fc_lock_get_depth (sync_locks[i]) != 1)
              g_error ("seed %u: a failed acquisition kept lock %u", seed, i);
            fc_lock_unlock (sync_locks[i]);
          }
      return;
    }

  {
    g_auto(GStrv) got = fc_lock_guard_dup_names (guard);
    guint got_mask = 0;

    for (guint i = 0; got[i] != NULL; i++)
      got_mask |= 1u << (got[i][1] - '0');
    if (got_mask != fresh)
      g_error ("seed %u: guard took %x, expected %x", seed, got_mask, fresh);
  }
  claim (sync_inside, fresh, t->id, "sync");

  if (t->n_guards == MAX_GUARDS)
    {
      unclaim (sync_inside, fresh, t->id);
      fc_test_guard_drop (&guard);
      return;
    }
  t->guards[t->n_guards] = guard;
  t->took[t->n_guards++] = fresh;
}

/* fc_lock_lock() or try_lock() of one lock, given back at once. */
static void
sync_direct (SyncThread *t)
{
  guint i = (guint) g_rand_int_range (t->rand, 0, N_LOCKS);
  gboolean mine = (sync_held (t) & (1u << i)) != 0;
  guint depth = mine ? fc_lock_get_depth (sync_locks[i]) : 0;
  gboolean took;

  if (g_rand_boolean (t->rand))
    took = fc_lock_try_lock (sync_locks[i]);
  else
    {
      gboolean valid;
      double timeout = pick_timeout (t->rand, sync_held (t) == 0, &valid);
      g_autoptr(GError) error = NULL;

      /* Below what the thread holds, a wait would teach an inverted
       * order (a lockdep warning, rightly): only try then. */
      if (!mine && valid && sync_held (t) != 0 && order_of (i) <= max_order (sync_held (t)))
        timeout = 0;
      took = fc_lock_lock (sync_locks[i], timeout, &error);
      if (!valid)
        check_error (error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT, FALSE, "fc_lock_lock");
      else
        check_error (error, 0, 0, !mine && timeout != FC_TIMEOUT_INFINITE, "fc_lock_lock");
    }

  if (!took)
    return;
  if (mine)
    {
      if (fc_lock_get_depth (sync_locks[i]) != depth + 1)
        g_error ("seed %u: recursive take of lock %u: depth %u after %u", seed, i,
                 fc_lock_get_depth (sync_locks[i]), depth);
    }
  else
    claim (sync_inside, 1u << i, t->id, "sync direct");
  if (!mine)
    unclaim (sync_inside, 1u << i, t->id);
  fc_lock_unlock (sync_locks[i]);
}

static void
diagnostics (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 8))
    {
    case 0: check_variant (fc_lock_manager_get_lock_status (manager), "status"); break;
    case 1: check_strv (fc_lock_manager_detect_potential_deadlocks (manager), "detect"); break;
    case 2: check_variant (fc_lock_manager_get_deadlock_report (manager), "report"); break;
    case 3:
      {
        g_autofree char *dot = fc_lock_manager_dump_order_graph (manager);
        check_utf8 ("dump", dot);
      }
      break;
    case 4: check_variant (fc_async_lock_manager_get_lock_status (amanager), "async status"); break;
    case 5: check_strv (fc_async_lock_manager_detect_potential_deadlocks (amanager), "async detect"); break;
    case 6: check_variant (fc_async_lock_manager_get_deadlock_report (amanager), "async report"); break;
    default:
      {
        g_autofree char *dot = fc_async_lock_manager_dump_order_graph (amanager);
        check_utf8 ("async dump", dot);
      }
      break;
    }
}

static gpointer
sync_thread (gpointer data)
{
  SyncThread *t = data;

  while (g_get_monotonic_time () < end_time)
    {
      int op = g_rand_int_range (t->rand, 0, 20);

      __atomic_add_fetch (&n_ops, 1, __ATOMIC_RELAXED);
      if (op < 8)
        sync_acquire (t);
      else if (op < 13)
        {
          if (t->n_guards > 0)
            sync_release (t, g_rand_int_range (t->rand, 0, 4) == 0
                               ? (guint) g_rand_int_range (t->rand, 0, (gint32) t->n_guards)
                               : t->n_guards - 1);
        }
      else if (op < 16)
        sync_direct (t);
      else if (op < 18)
        diagnostics (t->rand);
      else
        to_cancel_pop_and_cancel ();
    }

  while (t->n_guards > 0)
    sync_release (t, t->n_guards - 1);
  return NULL;
}

/* ---- Async threads ------------------------------------------------- */

typedef struct _AsyncGuard AsyncGuard;
struct _AsyncGuard
{
  FcAsyncLockGuard *guard;
  AsyncGuard       *parent;
  guint             took;
  int               id;
  gboolean          live;
};

struct _AsyncThread
{
  int           id;
  GRand        *rand;
  GMainContext *context;
  AsyncGuard    guards[MAX_GUARDS];
  int           next_id;
  guint         started;
  guint         completed;
  GPtrArray    *returned;   /* cancellables given back, under to_cancel_mutex */
};

/* A cancellable handed to the other threads by @owner. Only its owner
 * drops references to it: a sync thread that cancelled it gives it back
 * (AsyncThread.returned). GObject counts references with atomics in GLib,
 * which ThreadSanitizer does not instrument, and the last unref frees the
 * object and its signal handlers (g_type_free_instance(),
 * g_signal_handlers_destroy()): done by another thread, TSan would see no
 * order between that and the owner's use. */
typedef struct
{
  GCancellable *cancellable;   /* a ref */
  AsyncThread  *owner;
} Handout;

static void
to_cancel_push (AsyncThread  *owner,
                GCancellable *cancellable)
{
  Handout handout = { g_object_ref (cancellable), owner };

  fc_mutex_lock (&to_cancel_mutex);
  g_array_append_val (to_cancel, handout);
  fc_mutex_unlock (&to_cancel_mutex);
}

/* Cancels the oldest cancellable handed out, if any, and gives it back. */
static void
to_cancel_pop_and_cancel (void)
{
  Handout handout = { NULL, NULL };

  fc_mutex_lock (&to_cancel_mutex);
  if (to_cancel->len > 0)
    {
      handout = g_array_index (to_cancel, Handout, 0);
      g_array_remove_index (to_cancel, 0);
    }
  fc_mutex_unlock (&to_cancel_mutex);

  if (handout.cancellable == NULL)
    return;
  g_cancellable_cancel (handout.cancellable);
  fc_mutex_lock (&to_cancel_mutex);
  g_ptr_array_add (handout.owner->returned, handout.cancellable);
  fc_mutex_unlock (&to_cancel_mutex);
}

/* Drops the references given back to @owner (from its own thread, or once
 * every thread is joined). */
static void
take_back (AsyncThread *owner)
{
  g_autoptr(GPtrArray) returned = g_ptr_array_new_with_free_func (g_object_unref);

  fc_mutex_lock (&to_cancel_mutex);
  {
    GPtrArray *given = owner->returned;

    owner->returned = returned;
    returned = given;
  }
  fc_mutex_unlock (&to_cancel_mutex);
}


typedef struct
{
  AsyncThread      *thread;
  FcAsyncLockGuard *guard;
  GError           *error;
  guint             calls;
} Request;

static void
on_acquired (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Request *req = data;

  if (g_main_context_get_thread_default () != req->thread->context)
    g_error ("seed %u: async callback in the wrong context", seed);
  if (FC_IS_ASYNC_LOCK_GUARD (source))
    req->guard = fc_async_lock_guard_acquire_finish (FC_ASYNC_LOCK_GUARD (source), result, &req->error);
  else
    req->guard = fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source), result, &req->error);
  req->calls++;
  req->thread->completed++;
}

static guint
chain_held (AsyncGuard *g)
{
  guint mask = 0;

  for (; g != NULL; g = g->parent)
    mask |= g->took;
  return mask;
}

static guint
live_guards (AsyncThread *t)
{
  guint n = 0;

  for (guint i = 0; i < MAX_GUARDS; i++)
    n += t->guards[i].live;
  return n;
}

/* Marks @g and its live descendants released (the library releases the
 * children first). */
static void
async_forget (AsyncThread *t,
              AsyncGuard  *g)
{
  for (guint i = 0; i < MAX_GUARDS; i++)
    if (t->guards[i].live && t->guards[i].parent == g)
      async_forget (t, &t->guards[i]);
  unclaim (async_inside, g->took, g->id);
  g->live = FALSE;
}

static void
async_release (AsyncThread *t,
               AsyncGuard  *g)
{
  FcAsyncLockGuard *guard = g->guard;

  async_forget (t, g);
  fc_async_lock_guard_release (guard);
  for (guint i = 0; i < MAX_GUARDS; i++)
    if (!t->guards[i].live && t->guards[i].guard != NULL)
      {
        if (!fc_async_lock_guard_is_released (t->guards[i].guard))
          g_error ("seed %u: a released guard's child is not released", seed);
        g_clear_object (&t->guards[i].guard);
        t->guards[i].parent = NULL;
      }
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
async_acquire (AsyncThread *t)
{
  const char *names[N_LOCKS * 2 + 2];
  guint mask = pick_mask (t->rand);
  gboolean unknown = mask_to_names (t->rand, mask, async_names, names);
  AsyncGuard *parent = NULL;
  AsyncGuard *slot = NULL;
  gboolean valid;
  double timeout;
  guint held, fresh;
  gboolean arg_error;
  g_autoptr(GCancellable) cancellable = NULL;
  /* 0: cancelled first; 1: by a timeout in this context; 2: handed to
   * the other threads before the request, 3: after it; 4, 5: none; 6:
   * none, and no infinite wait. */
  int cancel_how = g_rand_int_range (t->rand, 0, 7);
  Request req = { t, NULL, NULL, 0 };

  for (guint i = 0; i < MAX_GUARDS && slot == NULL; i++)
    if (!t->guards[i].live && t->guards[i].guard == NULL)
      slot = &t->guards[i];
  if (slot == NULL)
    return;
  if (live_guards (t) > 0 && g_rand_boolean (t->rand))
    {
      guint k = (guint) g_rand_int_range (t->rand, 0, MAX_GUARDS);

      while (!t->guards[k].live)
        k = (k + 1) % MAX_GUARDS;
      parent = &t->guards[k];
    }

  /* An infinite wait only by a thread holding nothing: another guard of
   * this thread could hold what a thread waits for while we wait. */
  timeout = pick_timeout (t->rand, live_guards (t) == 0 && cancel_how != 6, &valid);
  held = chain_held (parent);
  fresh = mask & ~held;
  arg_error = !valid || unknown ||
              (parent != NULL && fresh != 0 &&
               order_of ((guint) g_bit_nth_lsf (fresh, -1)) <= max_order (held));

  if (cancel_how < 4)
    cancellable = g_cancellable_new ();
  if (cancel_how == 0 && !arg_error)
    g_cancellable_cancel (cancellable);
  else if (cancel_how == 2)
    to_cancel_push (t, cancellable);

  t->started++;
  if (parent != NULL)
    fc_async_lock_guard_acquire_async (parent->guard, names, timeout, cancellable, on_acquired, &req);
  else
    fc_async_lock_manager_acquire_async (amanager, names, timeout, cancellable, on_acquired, &req);

  if (cancel_how == 1)
    {
      GSource *source = g_timeout_source_new (g_rand_int_range (t->rand, 0, 3));

      g_source_set_callback (source, cancel_cb, g_object_ref (cancellable), g_object_unref);
      g_source_attach (source, t->context);
      g_source_unref (source);
    }
  else if (cancel_how == 3)
    to_cancel_push (t, cancellable);

  while (req.calls == 0)
    g_main_context_iteration (t->context, TRUE);

  if (!valid)
    check_error (req.error, FC_ERROR, FC_ERROR_INVALID_ARGUMENT, FALSE, "acquire_async");
  else if (unknown)
    check_error (req.error, FC_ERROR, FC_ERROR_NOT_REGISTERED, FALSE, "acquire_async");
  else if (arg_error)
    check_error (req.error, FC_ERROR, FC_ERROR_ORDER_VIOLATION, FALSE, "acquire_async");
  else
    check_error (req.error, 0, 0, cancellable != NULL || timeout != FC_TIMEOUT_INFINITE,
                 "acquire_async");
  g_clear_error (&req.error);

  if (req.guard == NULL)
    return;

  {
    g_auto(GStrv) got = fc_async_lock_guard_dup_names (req.guard);
    guint got_mask = 0;

    for (guint i = 0; got[i] != NULL; i++)
      got_mask |= 1u << (got[i][1] - '0');
    if (got_mask != fresh)
      g_error ("seed %u: async guard took %x, expected %x", seed, got_mask, fresh);
  }
  slot->guard = req.guard;
  slot->parent = parent;
  slot->took = fresh;
  slot->id = t->id * 1000 + ++t->next_id;
  slot->live = TRUE;
  claim (async_inside, fresh, slot->id, "async");
  if (g_rand_int_range (t->rand, 0, 4) == 0)
    {
      g_autofree char *label = g_strdup_printf ("task-%d-é", slot->id);

      fc_async_lock_guard_set_label (slot->guard, label);
    }
}

static gpointer
async_thread (gpointer data)
{
  AsyncThread *t = data;

  g_main_context_push_thread_default (t->context);

  while (g_get_monotonic_time () < end_time)
    {
      int op = g_rand_int_range (t->rand, 0, 10);

      __atomic_add_fetch (&n_ops, 1, __ATOMIC_RELAXED);
      if (op < 5)
        async_acquire (t);
      else if (op < 9)
        {
          guint k = (guint) g_rand_int_range (t->rand, 0, MAX_GUARDS);

          if (t->guards[k].live)
            async_release (t, &t->guards[k]);
        }
      else
        diagnostics (t->rand);
      while (g_main_context_iteration (t->context, FALSE))
        ;
      take_back (t);
    }

  for (guint i = 0; i < MAX_GUARDS; i++)
    if (t->guards[i].live && t->guards[i].parent == NULL)
      async_release (t, &t->guards[i]);
  /* Late sources (cancellations) run; no callback runs twice. */
  while (g_main_context_iteration (t->context, FALSE))
    ;
  if (t->completed != t->started)
    g_error ("seed %u: %u async requests, %u completions", seed, t->started, t->completed);

  g_main_context_pop_thread_default (t->context);
  return NULL;
}

/* ---- The run ------------------------------------------------------- */

static void
check_clean (GVariant *status)
{
  GVariantIter iter;
  const char *name;
  GVariant *info;

  g_variant_iter_init (&iter, status);
  while (g_variant_iter_loop (&iter, "{&s@a{sv}}", &name, &info))
    {
      gboolean locked = TRUE;
      guint32 waiters = 1;

      g_assert_true (g_variant_lookup (info, "is_locked", "b", &locked));
      g_assert_true (g_variant_lookup (info, "waiters", "u", &waiters));
      if (locked || waiters != 0)
        g_error ("seed %u: %s is %s with %u waiters at the end", seed, name,
                 locked ? "locked" : "free", waiters);
    }
}

/* A manager of the given kind whose signals are emitted in @owner, with
 * a fast watchdog and a hold threshold most holds cross. */
static gpointer
new_watched_manager (GType         type,
                     GMainContext *owner)
{
  gpointer self;

  g_main_context_push_thread_default (owner);
  self = g_object_new (type, "watchdog-interval", 0.005, "hold-warning-threshold", 0.001, NULL);
  g_main_context_pop_thread_default (owner);
  g_signal_connect (self, "potential-deadlock", G_CALLBACK (on_potential_deadlock), owner);
  return self;
}

/* Delivers the signals still waiting in @context, from this thread. */
static void
drain (GMainContext *context)
{
  g_main_context_push_thread_default (context);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
}

static void
test_fuzz (void)
{
  SyncThread sync[N_SYNC_THREADS] = { { 0, } };
  AsyncThread async[N_ASYNC_THREADS] = { { 0, } };
  GThread *threads[N_SYNC_THREADS + N_ASYNC_THREADS];
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GVariant) astatus = NULL;
  gpointer cancellable_class;

  /* GType makes a class on first use and publishes it under its own
   * locks, which ThreadSanitizer cannot see: the threads would race, for
   * TSan, on GCancellableClass (read by every G_IS_CANCELLABLE()). Made
   * here, before any thread starts. */
  cancellable_class = g_type_class_ref (G_TYPE_CANCELLABLE);
  for (guint i = 0; i < N_ASYNC_THREADS; i++)
    {
      async[i].context = g_main_context_new ();
      async[i].returned = g_ptr_array_new_with_free_func (g_object_unref);
    }
  /* The async manager signals in the first async thread's context, the
   * sync one in the second's. */
  async_owner = async[0].context;
  sync_owner = async[1 % N_ASYNC_THREADS].context;
  manager = new_watched_manager (FC_TYPE_LOCK_MANAGER, sync_owner);
  amanager = new_watched_manager (FC_TYPE_ASYNC_LOCK_MANAGER, async_owner);
  to_cancel = g_array_new (FALSE, FALSE, sizeof (Handout));
  for (guint i = 0; i < N_LOCKS; i++)
    {
      sync_locks[i] = fc_lock_manager_register_lock (manager, sync_names[i], order_of (i), "sync é", NULL, NULL);
      g_assert_nonnull (sync_locks[i]);
      g_assert_nonnull (fc_async_lock_manager_register_lock (amanager, async_names[i], order_of (i), NULL, NULL, NULL));
    }

  end_time = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  for (guint i = 0; i < N_SYNC_THREADS; i++)
    {
      sync[i].id = (int) i + 1;
      sync[i].rand = g_rand_new_with_seed (seed + i);
    }
  for (guint i = 0; i < N_ASYNC_THREADS; i++)
    {
      async[i].id = (int) i + 100;
      async[i].rand = g_rand_new_with_seed (seed + 100 + i);
    }
  fc_test_threads_start (threads, N_SYNC_THREADS, "fuzz-sync", sync_thread, sync, sizeof sync[0]);
  fc_test_threads_start (threads + N_SYNC_THREADS, N_ASYNC_THREADS, "fuzz-async", async_thread,
                         async, sizeof async[0]);
  fc_test_threads_join (threads, G_N_ELEMENTS (threads));

  /* Every thread is joined: what is left is dropped here. */
  for (guint i = 0; i < to_cancel->len; i++)
    g_object_unref (g_array_index (to_cancel, Handout, i).cancellable);
  g_array_unref (to_cancel);
  for (guint i = 0; i < N_ASYNC_THREADS; i++)
    {
      take_back (&async[i]);
      g_ptr_array_unref (async[i].returned);
    }

  /* No new report from here on; those already queued reach their handler. */
  fc_lock_manager_set_watchdog_interval (manager, 0);
  fc_async_lock_manager_set_watchdog_interval (amanager, 0);
  for (guint i = 0; i < N_ASYNC_THREADS; i++)
    drain (async[i].context);

  status = fc_lock_manager_get_lock_status (manager);
  astatus = fc_async_lock_manager_get_lock_status (amanager);
  check_clean (status);
  check_clean (astatus);
  for (guint i = 0; i < N_LOCKS; i++)
    {
      g_assert_cmpint (sync_inside[i], ==, 0);
      g_assert_cmpint (async_inside[i], ==, 0);
    }
  g_test_message ("seed %u: %" G_GUINT64_FORMAT " operations, %" G_GUINT64_FORMAT
                  " expected failures, %" G_GUINT64_FORMAT " reports logged, %"
                  G_GUINT64_FORMAT " signalled", seed, n_ops, n_failures, n_logged, n_signals);

  for (guint i = 0; i < N_SYNC_THREADS; i++)
    g_rand_free (sync[i].rand);
  for (guint i = 0; i < N_ASYNC_THREADS; i++)
    g_rand_free (async[i].rand);

  g_object_add_weak_pointer (G_OBJECT (manager), (gpointer *) &manager);
  g_object_add_weak_pointer (G_OBJECT (amanager), (gpointer *) &amanager);
  g_object_unref (manager);
  g_object_unref (amanager);
  g_assert_null (manager);
  g_assert_null (amanager);
  for (guint i = 0; i < N_ASYNC_THREADS; i++)
    g_main_context_unref (async[i].context);
  g_type_class_unref (cancellable_class);
}

/* Takes the last "@prefix=VALUE" argument out of @argv: VALUE, or NULL. */
static const char *
take_option (int        *argc,
             char      **argv,
             const char *prefix)
{
  const char *value = NULL;

  for (int i = 1; i < *argc; i++)
    if (g_str_has_prefix (argv[i], prefix))
      {
        value = argv[i] + strlen (prefix);
        memmove (&argv[i], &argv[i + 1], sizeof argv[0] * (size_t) (*argc - i));
        (*argc)--;
        i--;
      }
  return value;
}

int
main (int    argc,
      char **argv)
{
  const char *arg_seed = take_option (&argc, argv, "--fuzz-seed=");
  const char *arg_seconds = take_option (&argc, argv, "--fuzz-seconds=");
  const char *env_seed = g_getenv ("FC_FUZZ_SEED");
  const char *env_seconds = g_getenv ("FC_FUZZ_SECONDS");

  /* The environment wins: it runs the CI's tests longer, or elsewhere. */
  if (env_seed != NULL)
    arg_seed = env_seed;
  if (env_seconds != NULL)
    arg_seconds = env_seconds;
  seed = arg_seed != NULL ? (guint32) g_ascii_strtoull (arg_seed, NULL, 10) : g_random_int ();
  if (arg_seconds != NULL)
    seconds = g_ascii_strtod (arg_seconds, NULL);

  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (fc_test_report_writer, (gpointer) count_report, NULL);
  g_test_message ("fuzz-api: seed %u (FC_FUZZ_SEED=%u), %.0f s", seed, seed, seconds);
  g_printerr ("fuzz-api: FC_FUZZ_SEED=%u FC_FUZZ_SECONDS=%g\n", seed, seconds);
  g_test_add_func ("/fuzz/api", test_fuzz);
  return g_test_run ();
}
