/* _fc_fast.c — the Python override's hot path, in C.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Through the typelib, `with manager.acquire("a", "b"):` costs two
 * introspected calls (about 400 ns each in PyGObject 3.42: argument
 * caches, the names marshalled to a new strv, the GIL released and taken
 * around each), most of its cost; an async acquisition with a callback
 * costs three, and a new ffi closure for the callback. This module makes
 * the same library calls directly, for the override (Fc.py) to use:
 *
 *   acquire (manager, names, timeout, blocking) -> Fc.LockGuard
 *       fc_lock_manager_acquire(), with the GIL released while it may
 *       wait. The guard is the wrapper PyGObject itself makes for an
 *       FcLockGuard (pyg_boxed_new(): the override's class, which unrefs
 *       it when collected).
 *   release (guard)
 *       fc_lock_guard_release().
 *   acquire_async (source, names, timeout, cancellable, callback, user_data)
 *       fc_async_lock_manager_acquire_async(), or for a guard (nesting)
 *       fc_async_lock_guard_acquire_async(). callback(source, result),
 *       plus user_data when it is not None, is called as PyGObject calls
 *       a GAsyncReadyCallback: result is the Gio.Task, an exception it
 *       raises is printed.
 *   acquire_finish (source, result) -> Fc.AsyncLockGuard
 *   release_async (guard)
 *       fc_async_lock_guard_release().
 *
 * names is a tuple: the names as separate arguments, or one list or tuple
 * of them. A name that is not a str is a TypeError and one with a NUL a
 * ValueError, as the override documents (C would cut the name there); a
 * GError is raised as the exception the override translates it to, the
 * same class the introspected call raises. Every other check is the
 * library's, so the contract is the typelib's.
 *
 * The module keeps no state but what install() is given and a per-thread
 * flag: whether the thread's Python name was given to the library yet.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pygobject.h>

#include <string.h>

#include <foundation-concurrency.h>


/* What install() was given: name_thread() names the calling thread for
 * the library, translate(message, domain, code) returns the exception to
 * raise for a GError. */
static PyObject *name_thread;
static PyObject *translate;

/* Whether name_thread() ran in this thread. */
static __thread gboolean thread_named;

#define NAMES_ON_STACK 8

static PyObject *
fast_install (PyObject *module,
              PyObject *args)
{
  PyObject *new_name_thread, *new_translate;

  if (!PyArg_ParseTuple (args, "OO:install", &new_name_thread, &new_translate))
    return NULL;
  if (!PyCallable_Check (new_name_thread) || !PyCallable_Check (new_translate))
    {
      PyErr_SetString (PyExc_TypeError, "install() takes two callables");
      return NULL;
    }
  Py_XSETREF (name_thread, Py_NewRef (new_name_thread));
  Py_XSETREF (translate, Py_NewRef (new_translate));
  Py_RETURN_NONE;
}

/* Raises @error (freed) as the override's exception for it; as
 * PyGObject's GLib.Error if install() was not called. */
static PyObject *
raise_error (GError *error)
{
  PyObject *exception;

  if (translate == NULL)
    {
      pyg_error_check (&error);
      return NULL;
    }
  exception = PyObject_CallFunction (translate, "ssi", error->message,
                                     g_quark_to_string (error->domain), error->code);
  g_error_free (error);
  if (exception != NULL && !PyExceptionInstance_Check (exception))
    PyErr_Format (PyExc_TypeError, "the error translation returned %s, not an exception",
                  Py_TYPE (exception)->tp_name);
  else if (exception != NULL)
    PyErr_SetObject ((PyObject *) Py_TYPE (exception), exception);
  Py_XDECREF (exception);
  return NULL;
}

/* Fills @out (of @n_names + 1) with @names' UTF-8, borrowed from the
 * str objects; FALSE with an exception set if one is not a str or holds a
 * NUL. */
static gboolean
names_to_strv (PyObject    **names,
               Py_ssize_t    n_names,
               const char  **out)
{
  for (Py_ssize_t i = 0; i < n_names; i++)
    {
      Py_ssize_t size;

      if (!PyUnicode_Check (names[i]))
        {
          PyErr_Format (PyExc_TypeError, "lock names must be str, not %s",
                        Py_TYPE (names[i])->tp_name);
          return FALSE;
        }
      out[i] = PyUnicode_AsUTF8AndSize (names[i], &size);
      if (out[i] == NULL)
        return FALSE;
      if ((size_t) size != strlen (out[i]))
        {
          PyErr_Format (PyExc_ValueError, "a lock name contains a NUL character: %R",
                        names[i]);
          return FALSE;
        }
    }
  out[n_names] = NULL;
  return TRUE;
}

/* A names argument as a strv that borrows the str objects' UTF-8. The
 * tuples hold the str objects: a list is copied (into .keep), since
 * another thread could change it, and free its str objects, while the GIL
 * is released. */
typedef struct
{
  const char *on_stack[NAMES_ON_STACK + 1];
  const char **strv;
  PyObject *keep;
} FastNames;

static void
fast_names_clear (FastNames *names)
{
  if (names->strv != names->on_stack)
    g_free (names->strv);
  Py_CLEAR (names->keep);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FastNames, fast_names_clear)

/* Fills @names from @py_names; FALSE with an exception set for a bad
 * name (@names is to be cleared either way). */
static gboolean
fast_names_init (FastNames *names,
                 PyObject  *py_names)
{
  PyObject *items = py_names;

  names->strv = names->on_stack;
  names->keep = NULL;
  if (!PyTuple_Check (py_names))
    {
      PyErr_SetString (PyExc_TypeError, "the names must be a tuple");
      return FALSE;
    }
  if (PyTuple_GET_SIZE (py_names) == 1 && PyList_Check (PyTuple_GET_ITEM (py_names, 0)))
    {
      items = names->keep = PyList_AsTuple (PyTuple_GET_ITEM (py_names, 0));
      if (items == NULL)
        return FALSE;
    }
  else if (PyTuple_GET_SIZE (py_names) == 1 && PyTuple_Check (PyTuple_GET_ITEM (py_names, 0)))
    items = PyTuple_GET_ITEM (py_names, 0);

  if (PyTuple_GET_SIZE (items) > NAMES_ON_STACK)
    names->strv = g_new (const char *, PyTuple_GET_SIZE (items) + 1);
  return names_to_strv (&PyTuple_GET_ITEM (items, 0), PyTuple_GET_SIZE (items), names->strv);
}

/* @py_timeout as seconds: None waits forever. */
static gboolean
fast_timeout (PyObject *py_timeout,
              double   *timeout)
{
  if (py_timeout == Py_None)
    *timeout = FC_TIMEOUT_INFINITE;
  else if ((*timeout = PyFloat_AsDouble (py_timeout)) == -1.0 && PyErr_Occurred ())
    return FALSE;
  return TRUE;
}

/* Gives the library the calling thread's Python name, once per thread. */
static gboolean
fast_name_thread (void)
{
  PyObject *done;

  if (thread_named || name_thread == NULL)
    return TRUE;
  done = PyObject_CallNoArgs (name_thread);
  if (done == NULL)
    return FALSE;
  Py_DECREF (done);
  thread_named = TRUE;
  return TRUE;
}

/* The GObject of @py_object if it is a wrapper of an instance of @type,
 * else NULL with a TypeError naming @what. */
static gpointer
fast_gobject (PyObject   *py_object,
              GType       type,
              const char *what)
{
  if (PyObject_TypeCheck (py_object, &PyGObject_Type) &&
      G_TYPE_CHECK_INSTANCE_TYPE (pygobject_get (py_object), type))
    return pygobject_get (py_object);
  PyErr_Format (PyExc_TypeError, "%s, not %s", what, Py_TYPE (py_object)->tp_name);
  return NULL;
}

static PyObject *
fast_acquire (PyObject         *module,
              PyObject * const *args,
              Py_ssize_t        n_args)
{
  g_auto (FastNames) names = { 0, };
  FcLockManager *manager;
  double timeout;
  int blocking;
  FcLockGuard *guard;
  GError *error = NULL;

  if (n_args != 4)
    {
      PyErr_SetString (PyExc_TypeError, "acquire() takes 4 arguments");
      return NULL;
    }
  if ((manager = fast_gobject (args[0], FC_TYPE_LOCK_MANAGER, "acquire() needs an Fc.LockManager")) == NULL ||
      !fast_names_init (&names, args[1]) ||
      !fast_timeout (args[2], &timeout) ||
      (blocking = PyObject_IsTrue (args[3])) < 0 ||
      !fast_name_thread ())
    return NULL;

  Py_BEGIN_ALLOW_THREADS
  guard = fc_lock_manager_acquire (manager, names.strv, timeout, blocking, &error);
  Py_END_ALLOW_THREADS

  if (guard == NULL)
    return raise_error (error);
  return pyg_boxed_new (FC_TYPE_LOCK_GUARD, guard, FALSE, TRUE);
}

static PyObject *
fast_release (PyObject *module,
              PyObject *py_guard)
{
  if (!pyg_boxed_check (py_guard, FC_TYPE_LOCK_GUARD))
    {
      PyErr_SetString (PyExc_TypeError, "release() needs an Fc.LockGuard");
      return NULL;
    }
  fc_lock_guard_release (pyg_boxed_get (py_guard, FcLockGuard));
  Py_RETURN_NONE;
}

/* ---- Async acquisitions ------------------------------------------------ */

typedef struct
{
  PyObject *callback;
  PyObject *user_data;  /* NULL: not given */
} FastCall;

static void
fast_call_back (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  FastCall *call = data;
  PyGILState_STATE gil = PyGILState_Ensure ();
  PyObject *py_source = pygobject_new (source);
  PyObject *py_result = pygobject_new (G_OBJECT (result));
  PyObject *returned = NULL;

  if (py_source != NULL && py_result != NULL)
    returned = call->user_data != NULL
      ? PyObject_CallFunctionObjArgs (call->callback, py_source, py_result, call->user_data, NULL)
      : PyObject_CallFunctionObjArgs (call->callback, py_source, py_result, NULL);
  if (returned == NULL)
    PyErr_Print ();
  Py_XDECREF (returned);
  Py_XDECREF (py_result);
  Py_XDECREF (py_source);
  Py_DECREF (call->callback);
  Py_XDECREF (call->user_data);
  g_free (call);
  PyGILState_Release (gil);
}

/* The FcAsyncLockManager or FcAsyncLockGuard of @py_source, else NULL with
 * a TypeError naming @function. */
static GObject *
fast_async_source (PyObject   *py_source,
                   const char *function)
{
  if (PyObject_TypeCheck (py_source, &PyGObject_Type) &&
      (FC_IS_ASYNC_LOCK_MANAGER (pygobject_get (py_source)) ||
       FC_IS_ASYNC_LOCK_GUARD (pygobject_get (py_source))))
    return pygobject_get (py_source);
  PyErr_Format (PyExc_TypeError, "%s() needs an Fc.AsyncLockManager or Fc.AsyncLockGuard, not %s",
                function, Py_TYPE (py_source)->tp_name);
  return NULL;
}

static PyObject *
fast_acquire_async (PyObject         *module,
                    PyObject * const *args,
                    Py_ssize_t        n_args)
{
  g_auto (FastNames) names = { 0, };
  GObject *source;
  GCancellable *cancellable = NULL;
  double timeout;
  FastCall *call;

  if (n_args != 6)
    {
      PyErr_SetString (PyExc_TypeError, "acquire_async() takes 6 arguments");
      return NULL;
    }
  if ((source = fast_async_source (args[0], "acquire_async")) == NULL)
    return NULL;
  if (args[3] != Py_None &&
      (cancellable = fast_gobject (args[3], G_TYPE_CANCELLABLE, "cancellable must be a Gio.Cancellable or None")) == NULL)
    return NULL;
  if (!PyCallable_Check (args[4]))
    {
      PyErr_Format (PyExc_TypeError, "callback must be callable, not %s", Py_TYPE (args[4])->tp_name);
      return NULL;
    }
  if (!fast_names_init (&names, args[1]) ||
      !fast_timeout (args[2], &timeout))
    return NULL;

  call = g_new (FastCall, 1);
  call->callback = Py_NewRef (args[4]);
  call->user_data = args[5] == Py_None ? NULL : Py_NewRef (args[5]);
  /* It never blocks, and calls back from the main context, never from
   * in here: the GIL stays held. */
  if (FC_IS_ASYNC_LOCK_MANAGER (source))
    fc_async_lock_manager_acquire_async (FC_ASYNC_LOCK_MANAGER (source), names.strv, timeout,
                                         cancellable, fast_call_back, call);
  else
    fc_async_lock_guard_acquire_async (FC_ASYNC_LOCK_GUARD (source), names.strv, timeout,
                                       cancellable, fast_call_back, call);
  Py_RETURN_NONE;
}

static PyObject *
fast_acquire_finish (PyObject         *module,
                     PyObject * const *args,
                     Py_ssize_t        n_args)
{
  GObject *source;
  GAsyncResult *result;
  FcAsyncLockGuard *guard;
  PyObject *py_guard;
  GError *error = NULL;

  if (n_args != 2)
    {
      PyErr_SetString (PyExc_TypeError, "acquire_finish() takes 2 arguments");
      return NULL;
    }
  if ((source = fast_async_source (args[0], "acquire_finish")) == NULL ||
      (result = fast_gobject (args[1], G_TYPE_ASYNC_RESULT, "acquire_finish() needs a Gio.AsyncResult")) == NULL)
    return NULL;

  /* The library checks that @result is @source's (a critical if not). */
  if (FC_IS_ASYNC_LOCK_MANAGER (source))
    guard = fc_async_lock_manager_acquire_finish (FC_ASYNC_LOCK_MANAGER (source), result, &error);
  else
    guard = fc_async_lock_guard_acquire_finish (FC_ASYNC_LOCK_GUARD (source), result, &error);

  if (guard == NULL && error != NULL)
    return raise_error (error);
  if (guard == NULL)
    {
      PyErr_SetString (PyExc_TypeError, "acquire_finish() was given another call's result");
      return NULL;
    }
  py_guard = pygobject_new (G_OBJECT (guard));
  g_object_unref (guard);
  return py_guard;
}

static PyObject *
fast_release_async (PyObject *module,
                    PyObject *py_guard)
{
  FcAsyncLockGuard *guard = fast_gobject (py_guard, FC_TYPE_ASYNC_LOCK_GUARD,
                                          "release_async() needs an Fc.AsyncLockGuard");

  if (guard == NULL)
    return NULL;
  fc_async_lock_guard_release (guard);
  Py_RETURN_NONE;
}

static PyMethodDef fast_methods[] = {
  { "install", fast_install, METH_VARARGS,
    "install(name_thread, translate): the override's thread naming and error translation." },
  { "acquire", (PyCFunction) (void (*) (void)) fast_acquire, METH_FASTCALL,
    "acquire(manager, names, timeout, blocking) -> Fc.LockGuard" },
  { "release", fast_release, METH_O,
    "release(guard): fc_lock_guard_release()." },
  { "acquire_async", (PyCFunction) (void (*) (void)) fast_acquire_async, METH_FASTCALL,
    "acquire_async(source, names, timeout, cancellable, callback, user_data)" },
  { "acquire_finish", (PyCFunction) (void (*) (void)) fast_acquire_finish, METH_FASTCALL,
    "acquire_finish(source, result) -> Fc.AsyncLockGuard" },
  { "release_async", fast_release_async, METH_O,
    "release_async(guard): fc_async_lock_guard_release()." },
  { NULL, NULL, 0, NULL }
};

static struct PyModuleDef fast_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_fc_fast",
  .m_doc = "The Fc override's hot path (acquire and release of FcLockManager guards).",
  .m_size = -1,
  .m_methods = fast_methods,
};

PyMODINIT_FUNC PyInit__fc_fast (void);

PyMODINIT_FUNC
PyInit__fc_fast (void)
{
  if (pygobject_init (-1, -1, -1) == NULL)
    return NULL;
  return PyModule_Create (&fast_module);
}
