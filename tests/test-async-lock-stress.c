/* test-async-lock-stress.c — random lock sets from several threads, each on
 * its own GMainContext, with random timeouts and cancellations racing the
 * grants, releases from other threads and nested acquisitions (whose
 * parents are sometimes released while the child still waits). At the end
 * every lock must be free with no waiter queued.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "async-test-util.h"
/* GAsyncQueue locks a futex GMutex ThreadSanitizer cannot see: the helper's
 * queue goes through the library's annotated wrappers instead. */
#include "fc-mutex-private.h"

#define N_WORKERS     4
#define N_OPS         2500   /* per worker */
#define MAX_IN_FLIGHT 6
#define N_LOCKS       6

static const char *lock_names[N_LOCKS] = { "l0", "l1", "l2", "l3", "l4", "l5" };

typedef enum { ACTION_CANCEL, ACTION_RELEASE, ACTION_STOP } ActionKind;

typedef struct
{
  ActionKind  kind;
  gpointer    object;  /* ref */
} Action;

typedef struct
{
  GMutex  mutex;
  GCond   cond;
  GQueue  actions;
} HelperQueue;

static void
helper_queue_push (HelperQueue *q,
                   gpointer     action)
{
  fc_mutex_lock (&q->mutex);
  g_queue_push_tail (&q->actions, action);
  g_cond_signal (&q->cond);
  fc_mutex_unlock (&q->mutex);
}

static gpointer
helper_queue_pop (HelperQueue *q)
{
  gpointer action;

  fc_mutex_lock (&q->mutex);
  while (g_queue_is_empty (&q->actions))
    fc_cond_wait (&q->cond, &q->mutex);
  action = g_queue_pop_head (&q->actions);
  fc_mutex_unlock (&q->mutex);
  return action;
}

typedef struct
{
  FcAsyncLockManager *manager;
  HelperQueue        *helper_queue;
  GMainContext       *context;
  GRand              *rand;
  guint               started;
  guint               completed;
  guint               succeeded;
  guint               wrong_context;
  guint               unexpected_errors;
  guint               parent_cancelled;  /* children failed by their parent's release */
  guint               in_flight;
} Worker;

typedef struct
{
  Worker           *worker;
  GCancellable     *cancellable;
  FcAsyncLockGuard *parent;   /* for a nested acquisition; ref */
} Op;

static void
helper_push (Worker     *w,
             ActionKind  kind,
             gpointer    object)
{
  Action *action = g_new0 (Action, 1);

  action->kind = kind;
  action->object = object != NULL ? g_object_ref (object) : NULL;
  helper_queue_push (w->helper_queue, action);
}

static gpointer
helper_thread (gpointer data)
{
  HelperQueue *queue = data;

  for (;;)
    {
      Action *action = helper_queue_pop (queue);
      ActionKind kind = action->kind;

      if (kind == ACTION_CANCEL)
        g_cancellable_cancel (action->object);
      else if (kind == ACTION_RELEASE)
        fc_async_lock_guard_release (action->object);
      g_clear_object (&action->object);
      g_free (action);
      if (kind == ACTION_STOP)
        return NULL;
    }
}

static const char **
random_names (GRand *rand,
              guint  min_index)
{
  const char **names = g_new0 (const char *, N_LOCKS + 2);
  guint n = 0;

  for (guint i = min_index; i < N_LOCKS; i++)
    if (g_rand_int_range (rand, 0, 3) == 0)
      names[n++] = lock_names[i];
  /* Unsorted, with a duplicate now and then. */
  if (n > 1 && g_rand_boolean (rand))
    {
      const char *t = names[0];
      names[0] = names[n - 1];
      names[n - 1] = t;
    }
  if (n > 0 && g_rand_int_range (rand, 0, 8) == 0)
    names[n++] = names[0];
  return names;
}

static double
random_timeout (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      return FC_TIMEOUT_INFINITE;
    case 1:
      return 0;
    default:
      return g_rand_double_range (rand, 0.0005, 0.005);
    }
}

/* g_idle_add() would use the global default context: use the worker's. */
static void
idle_in (GMainContext   *context,
         GSourceFunc     func,
         gpointer        object)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, func, g_object_ref (object), g_object_unref);
  g_source_attach (idle, context);
  g_source_unref (idle);
}

static gboolean
release_idle_cb (gpointer data)
{
  fc_async_lock_guard_release (data);
  return G_SOURCE_REMOVE;
}

static void start_op (Worker *w, FcAsyncLockGuard *parent);

static void
op_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Op *op = data;
  Worker *w = op->worker;
  g_autoptr(GError) error = NULL;
  g_autoptr(FcAsyncLockGuard) guard = NULL;

  if (op->parent != NULL)
    guard = fc_async_lock_guard_acquire_finish (op->parent, result, &error);
  else
    guard = fc_async_lock_manager_acquire_finish (w->manager, result, &error);

  if (g_main_context_get_thread_default () != w->context)
    w->wrong_context++;
  w->completed++;
  w->in_flight--;

  if (guard == NULL)
    {
      if (!g_error_matches (error, FC_ERROR, FC_ERROR_TIMEOUT) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (error, FC_ERROR, FC_ERROR_ORDER_VIOLATION))
        {
          g_printerr ("unexpected error: %s\n", error->message);
          w->unexpected_errors++;
        }
      if (op->parent != NULL && op->cancellable == NULL &&
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        w->parent_cancelled++;
    }
  else
    {
      w->succeeded++;
      switch (g_rand_int_range (w->rand, 0, 5))
        {
        case 0:
          fc_async_lock_guard_release (guard);
          break;
        case 1:
          idle_in (w->context, release_idle_cb, guard);
          break;
        case 2:
          helper_push (w, ACTION_RELEASE, guard);
          break;
        default:
          /* Nested: the child's callback releases the child, and then this
           * guard (sometimes through the parent first). */
          if (op->parent == NULL && w->started < N_OPS)
            {
              start_op (w, guard);
              /* Now and then the parent goes while its child may still
               * wait: the child must fail, never be granted part of its
               * set once the skipped locks are someone else's. */
              if (g_rand_int_range (w->rand, 0, 3) == 0)
                helper_push (w, ACTION_RELEASE, guard);
            }
          else
            fc_async_lock_guard_release (guard);
          break;
        }
    }

  if (op->parent != NULL)
    {
      /* Release the parent: with a live child, that releases the child too. */
      if (g_rand_boolean (w->rand))
        fc_async_lock_guard_release (op->parent);
      else
        helper_push (w, ACTION_RELEASE, op->parent);
    }

  g_clear_object (&op->cancellable);
  g_clear_object (&op->parent);
  g_free (op);
}

static gboolean
cancel_idle_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
start_op (Worker           *w,
          FcAsyncLockGuard *parent)
{
  Op *op = g_new0 (Op, 1);
  g_autofree const char **names = random_names (w->rand, parent != NULL ? 2 : 0);
  double timeout = random_timeout (w->rand);
  guint cancel_mode = g_rand_int_range (w->rand, 0, 8);

  op->worker = w;
  op->parent = parent != NULL ? g_object_ref (parent) : NULL;
  if (cancel_mode < 4)
    op->cancellable = g_cancellable_new ();
  if (cancel_mode == 0)
    g_cancellable_cancel (op->cancellable);

  w->started++;
  w->in_flight++;
  if (parent != NULL)
    fc_async_lock_guard_acquire_async (parent, names, timeout, op->cancellable, op_done, op);
  else
    fc_async_lock_manager_acquire_async (w->manager, names, timeout, op->cancellable, op_done, op);

  if (cancel_mode == 1)
    g_cancellable_cancel (op->cancellable);
  else if (cancel_mode == 2)
    idle_in (w->context, cancel_idle_cb, op->cancellable);
  else if (cancel_mode == 3)
    helper_push (w, ACTION_CANCEL, op->cancellable);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  g_main_context_push_thread_default (w->context);
  while (w->started < N_OPS || w->in_flight > 0)
    {
      while (w->started < N_OPS && w->in_flight < MAX_IN_FLIGHT)
        start_op (w, NULL);
      g_main_context_iteration (w->context, TRUE);
    }
  /* Let the idles that release or cancel run out. */
  iterate_pending (w->context);
  g_main_context_pop_thread_default (w->context);
  return NULL;
}

static void
test_stress (void)
{
  g_autoptr(FcAsyncLockManager) manager = fc_async_lock_manager_new ();
  HelperQueue *helper_queue = g_new0 (HelperQueue, 1);
  Worker workers[N_WORKERS] = { { 0, }, };
  GThread *threads[N_WORKERS];
  GThread *helper;
  guint total_succeeded = 0;

  /* GType's class fast path reads the class pointer without an atomic, so
   * ThreadSanitizer flags classes first initialized inside the workers:
   * initialize them here, before any worker starts. */
  g_type_class_unref (g_type_class_ref (G_TYPE_CANCELLABLE));
  g_type_class_unref (g_type_class_ref (G_TYPE_TASK));
  g_type_class_unref (g_type_class_ref (FC_TYPE_ASYNC_LOCK_GUARD));

  for (guint i = 0; i < N_LOCKS; i++)
    fc_async_lock_manager_register_lock (manager, lock_names[i], 100 + (int) i * 10, NULL, NULL, NULL);

  helper = g_thread_new ("helper", helper_thread, helper_queue);
  for (guint i = 0; i < N_WORKERS; i++)
    {
      workers[i].manager = manager;
      workers[i].helper_queue = helper_queue;
      workers[i].context = g_main_context_new ();
      workers[i].rand = g_rand_new_with_seed (g_test_rand_int ());
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }
  for (guint i = 0; i < N_WORKERS; i++)
    g_thread_join (threads[i]);

  {
    Action *stop = g_new0 (Action, 1);

    stop->kind = ACTION_STOP;
    helper_queue_push (helper_queue, stop);
    g_thread_join (helper);
  }

  for (guint i = 0; i < N_WORKERS; i++)
    {
      Worker *w = &workers[i];

      g_test_message ("worker %u: %u started, %u completed, %u succeeded, "
                      "%u children failed by their parent's release", i,
                      w->started, w->completed, w->succeeded, w->parent_cancelled);
      g_assert_cmpuint (w->completed, ==, w->started);
      g_assert_cmpuint (w->in_flight, ==, 0);
      g_assert_cmpuint (w->wrong_context, ==, 0);
      g_assert_cmpuint (w->unexpected_errors, ==, 0);
      total_succeeded += w->succeeded;
      iterate_pending (w->context);
      g_main_context_unref (w->context);
      g_rand_free (w->rand);
    }
  g_assert_cmpuint (total_succeeded, >, 0);

  assert_all_idle (manager);
  g_free (helper_queue);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/async-lock-manager/stress", test_stress);

  return g_test_run ();
}
