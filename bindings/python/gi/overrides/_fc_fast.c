/* _fc_fast.c — the Python override's hot path, in C.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `with manager.acquire("a", "b"):` through the typelib costs two
 * introspected calls (about 400 ns each in PyGObject 3.42: argument
 * caches, a list of names marshalled to a new strv, the GIL released and
 * taken around each), which is most of its cost. This module makes the
 * same three C calls directly:
 *
 *   acquire (manager, names, timeout, blocking) -> Fc.LockGuard
 *       fc_lock_manager_acquire() with the GIL released while it may
 *       wait; the guard returned is the wrapper PyGObject itself makes
 *       for an FcLockGuard (pyg_boxed_new: the override's class, which
 *       unrefs it when collected). Names are checked as the override
 *       documents (TypeError for a non-str, ValueError for a NUL); a
 *       GError is raised through the override's translation, so it is
 *       the same exception class the introspected call raises.
 *   release (guard)
 *       fc_lock_guard_release().
 *
 * Nothing here keeps state but the callables install() is given and a
 * per-thread flag (is this thread's Python name given to the library
 * yet); the library does every check, so the contract is the typelib's.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pygobject.h>

#include <string.h>

#include <foundation-concurrency.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PyObject, Py_DecRef)

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

/* Raises @error (freed) as the override's exception for it. */
static PyObject *
raise_error (GError *error)
{
  PyObject *exception;

  exception = PyObject_CallFunction (translate, "ssi", error->message,
                                     g_quark_to_string (error->domain), error->code);
  g_error_free (error);
  if (exception != NULL)
    {
      PyErr_SetObject ((PyObject *) Py_TYPE (exception), exception);
      Py_DECREF (exception);
    }
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

static PyObject *
fast_acquire (PyObject         *module,
              PyObject * const *args,
              Py_ssize_t        n_args)
{
  PyObject *py_manager, *py_names, *py_timeout, *item_0;
  g_autoptr (PyObject) list_copy = NULL;
  const char *on_stack[NAMES_ON_STACK + 1];
  g_autofree const char **on_heap = NULL;
  const char **strv = on_stack;
  PyObject **names;
  Py_ssize_t n_names;
  double timeout;
  int blocking;
  FcLockGuard *guard;
  GError *error = NULL;

  if (n_args != 4)
    {
      PyErr_SetString (PyExc_TypeError, "acquire() takes 4 arguments");
      return NULL;
    }
  py_manager = args[0];
  py_names = args[1];
  py_timeout = args[2];
  if (!PyObject_TypeCheck (py_manager, &PyGObject_Type) ||
      !FC_IS_LOCK_MANAGER (pygobject_get (py_manager)))
    {
      PyErr_SetString (PyExc_TypeError, "acquire() needs an Fc.LockManager");
      return NULL;
    }
  if (!PyTuple_Check (py_names))
    {
      PyErr_SetString (PyExc_TypeError, "acquire() takes the names as a tuple");
      return NULL;
    }

  /* Names as separate arguments, or one list or tuple of them. */
  names = &PyTuple_GET_ITEM (py_names, 0);
  n_names = PyTuple_GET_SIZE (py_names);
  item_0 = n_names == 1 ? names[0] : NULL;
  if (item_0 != NULL && PyList_Check (item_0))
    {
      /* A copy: another thread could change the list, and free its str
       * objects, while the GIL is released below. */
      list_copy = PyList_AsTuple (item_0);
      if (list_copy == NULL)
        return NULL;
      item_0 = list_copy;
    }
  if (item_0 != NULL && PyTuple_Check (item_0))
    {
      names = &PyTuple_GET_ITEM (item_0, 0);
      n_names = PyTuple_GET_SIZE (item_0);
    }

  if (py_timeout == Py_None)
    timeout = FC_TIMEOUT_INFINITE;
  else
    {
      timeout = PyFloat_AsDouble (py_timeout);
      if (timeout == -1.0 && PyErr_Occurred ())
        return NULL;
    }
  blocking = PyObject_IsTrue (args[3]);
  if (blocking < 0)
    return NULL;

  if (n_names > NAMES_ON_STACK)
    strv = on_heap = g_new (const char *, n_names + 1);
  /* The UTF-8 is the str objects' own: the tuples hold them across the
   * call. */
  if (!names_to_strv (names, n_names, strv))
    return NULL;

  if (!thread_named)
    {
      PyObject *done = PyObject_CallNoArgs (name_thread);

      if (done == NULL)
        return NULL;
      Py_DECREF (done);
      thread_named = TRUE;
    }

  Py_BEGIN_ALLOW_THREADS
  guard = fc_lock_manager_acquire (FC_LOCK_MANAGER (pygobject_get (py_manager)),
                                   strv, timeout, blocking, &error);
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

static PyMethodDef fast_methods[] = {
  { "install", fast_install, METH_VARARGS,
    "install(name_thread, translate): the override's thread naming and error translation." },
  { "acquire", (PyCFunction) (void (*) (void)) fast_acquire, METH_FASTCALL,
    "acquire(manager, names, timeout, blocking) -> Fc.LockGuard" },
  { "release", fast_release, METH_O,
    "release(guard): fc_lock_guard_release()." },
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
