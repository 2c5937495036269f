# Tests what the override's C hot path (gi/overrides/_fc_fast) must keep of
# the introspected calls it replaces: the guard is the typelib's, errors
# are the override's classes, names of any number and form, threads named,
# the GIL released while a thread waits, and a collected guard released;
# for async acquisitions, the callback called as PyGObject calls it (a
# Gio.Task, user_data only when given, an exception printed), dropped once
# called, and bad arguments refused before anything is queued.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import io
import sys
import threading
import time
import weakref
import unittest

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc, Gio, GLib  # noqa: E402
from gi.overrides import _fc_fast  # noqa: E402

MANY = ["m%02d" % i for i in range(12)]


class TestFastPath(unittest.TestCase):
    def setUp(self):
        self.manager = Fc.LockManager()
        for i, name in enumerate(["a", "b"] + MANY):
            self.manager.register_lock(name, 10 + i)

    def locked(self, *names):
        return [n for n in names if self.manager.get_lock(n).is_locked()]

    def test_the_guard_is_the_typelibs(self):
        guard = self.manager.acquire("b", "a")
        self.assertIs(type(guard), Fc.LockGuard)
        self.assertEqual(guard.names, ["a", "b"])
        self.assertFalse(guard.is_released())
        with guard:
            pass
        self.assertTrue(guard.is_released())
        self.assertEqual(self.locked("a", "b"), [])

    def test_more_names_than_fit_on_the_stack(self):
        for names in (MANY, tuple(MANY)):
            with self.subTest(form=type(names).__name__):
                with self.manager.acquire(names) as guard:
                    self.assertEqual(guard.names, MANY)
                    self.assertEqual(self.locked(*MANY), MANY)
                self.assertEqual(self.locked(*MANY), [])
        with self.manager.acquire(*reversed(MANY)) as guard:
            self.assertEqual(guard.names, MANY)

    def test_a_list_changed_while_its_thread_waits(self):
        # The names are taken from a copy: another thread may empty the
        # list (freeing its strings) while the GIL is released.
        names = ["".join(["m", "0", "1"])]
        got = []
        waiting = threading.Event()

        def waiter():
            waiting.set()
            with self.manager.acquire(names, timeout=5.0) as guard:
                got.append(guard.names)

        with self.manager.acquire("m01"):
            thread = threading.Thread(target=waiter)
            thread.start()
            waiting.wait(5.0)
            time.sleep(0.05)
            names.clear()
            names.extend(["x" * 3 for _ in range(100)])
            gc.collect()
        thread.join(10.0)
        self.assertEqual(got, [["m01"]])

    def test_the_gil_is_released_while_waiting(self):
        # If the waiter kept the GIL, this thread could not run to
        # release "a" before the waiter's timeout: it would time out.
        outcome = []
        waiting = threading.Event()

        def waiter():
            waiting.set()
            try:
                with self.manager.acquire("a", timeout=3.0):
                    outcome.append("granted")
            except TimeoutError:
                outcome.append("timed out")

        guard = self.manager.acquire("a")
        thread = threading.Thread(target=waiter)
        thread.start()
        waiting.wait(5.0)
        time.sleep(0.2)
        guard.release()
        thread.join(10.0)
        self.assertEqual(outcome, ["granted"])

    def test_errors_are_the_overrides_classes(self):
        cases = [
            (Fc.NotRegisteredError, KeyError, Fc.Error.NOT_REGISTERED, ("nope",), {}),
            (Fc.InvalidArgumentError, ValueError, Fc.Error.INVALID_ARGUMENT, ("a",),
             {"timeout": -5.0}),
        ]
        for cls, builtin, code, args, kwargs in cases:
            with self.subTest(error=cls.__name__):
                with self.assertRaises(cls) as cm:
                    self.manager.acquire(*args, **kwargs)
                self.assertIsInstance(cm.exception, builtin)
                self.assertTrue(cm.exception.matches(Fc.error_quark(), code))
        with self.manager.acquire("a"):
            with self.assertRaises(Fc.OrderViolationError) as cm:
                # Lower order than "a": refused, "a" stays held once.
                self.manager.register_lock("low", 1)
                self.manager.acquire("low")
            self.assertIsInstance(cm.exception, RuntimeError)
            self.assertEqual(self.manager.get_lock("a").get_depth(), 1)
        self.assertEqual(self.locked("a", "low"), [])

    def test_bad_arguments(self):
        for bad, error in ((None, TypeError), (3, TypeError), ("a\0b", ValueError)):
            with self.subTest(name=repr(bad)):
                self.assertRaises(error, self.manager.acquire, "a", bad)
                self.assertRaises(error, self.manager.acquire, ["a", bad])
                self.assertEqual(self.locked("a"), [])
        self.assertRaises(TypeError, self.manager.acquire, "a", timeout="soon")
        self.assertEqual(self.locked("a"), [])
        # The module refuses what is not a manager or a guard.
        self.assertRaises(TypeError, _fc_fast.acquire, object(), ("a",), 1.0, True)
        self.assertRaises(TypeError, _fc_fast.acquire, Fc.AsyncLockManager(), ("a",), 1.0, True)
        self.assertRaises(TypeError, _fc_fast.acquire, self.manager, ["a"], 1.0, True)
        self.assertRaises(TypeError, _fc_fast.acquire, self.manager, ("a",))
        self.assertRaises(TypeError, _fc_fast.release, object())
        self.assertRaises(TypeError, _fc_fast.release, GLib.Variant("s", "a"))

    def test_each_thread_is_named(self):
        owners = []

        def work():
            with self.manager.acquire("b"):
                owners.append(self.manager.get_lock_status()["b"]["owner"])

        for name in ("fast-1", "fast-2"):
            thread = threading.Thread(target=work, name=name)
            thread.start()
            thread.join(10.0)
        self.assertEqual(owners, ["fast-1", "fast-2"])

    def test_a_collected_guard_releases(self):
        self.manager.acquire("a", "b")
        gc.collect()
        self.assertEqual(self.locked("a", "b"), [])

    def test_infinite_timeout(self):
        with self.manager.acquire("a", timeout=None) as guard:
            self.assertEqual(guard.names, ["a"])
        with self.manager.acquire("a", timeout=Fc.TIMEOUT_INFINITE, blocking=0):
            pass


class Callback:
    """A callable that records its calls and quits a loop; weakly
    referenceable, to see that the module drops it."""

    def __init__(self, loop, finish=True):
        self.loop, self.finish, self.calls = loop, finish, []

    def __call__(self, source, result, *user_data):
        outcome = None
        if self.finish:
            try:
                outcome = source.acquire_finish(result)
            except GLib.Error as e:
                outcome = e
        self.calls.append((source, result, user_data, outcome))
        self.loop.quit()


class TestFastAsync(unittest.TestCase):
    def setUp(self):
        self.manager = Fc.AsyncLockManager()
        self.manager.register_lock("a", 1)
        self.manager.register_lock("b", 2)
        self.loop = GLib.MainLoop()

    def run_until_called(self, callback):
        source = GLib.timeout_add(5000, self.loop.quit)
        self.loop.run()
        GLib.source_remove(source)
        self.assertEqual(len(callback.calls), 1, "the callback was not called once")
        return callback.calls[0]

    def test_called_back_as_pygobject_does(self):
        for user_data in ((), ("data",), (0,)):
            with self.subTest(user_data=user_data):
                callback = Callback(self.loop)
                self.manager.acquire("b", "a", callback=callback,
                                     **({"user_data": user_data[0]} if user_data else {}))
                self.assertEqual(callback.calls, [], "called back before the main loop ran")
                source, result, got_data, guard = self.run_until_called(callback)
                self.assertIs(source, self.manager)
                self.assertIsInstance(result, Gio.Task)
                self.assertTrue(Gio.Task.is_valid(result, self.manager))
                self.assertEqual(got_data, user_data)
                self.assertIsInstance(guard, Fc.AsyncLockGuard)
                self.assertEqual(guard.names, ["a", "b"])
                guard.release()
                self.assertTrue(guard.is_released())
                self.assertFalse(self.manager.get_lock("a").is_locked())

    def test_nested_from_a_guard(self):
        callback = Callback(self.loop)
        self.manager.acquire("a", callback=callback)
        outer = self.run_until_called(callback)[3]
        inner_callback = Callback(self.loop)
        outer.acquire("b", callback=inner_callback)
        source, _, _, inner = self.run_until_called(inner_callback)
        self.assertIs(source, outer)
        self.assertEqual(inner.names, ["b"])
        inner.release()
        outer.release()
        self.assertFalse(self.manager.get_lock("b").is_locked())

    def test_errors_are_the_overrides_classes(self):
        callback = Callback(self.loop)
        self.manager.acquire("a", callback=callback)
        holder = self.run_until_called(callback)[3]
        late = Callback(self.loop)
        self.manager.acquire("a", timeout=0.05, callback=late)
        error = self.run_until_called(late)[3]
        self.assertIsInstance(error, Fc.TimeoutError)
        self.assertIsInstance(error, TimeoutError)
        cancellable = Gio.Cancellable()
        cancelled = Callback(self.loop)
        self.manager.acquire("a", cancellable=cancellable, callback=cancelled)
        GLib.idle_add(cancellable.cancel)
        error = self.run_until_called(cancelled)[3]
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), error)
        holder.release()
        self.assertEqual(self.manager.get_lock_status()["a"]["waiters"], 0)
        self.assertFalse(self.manager.get_lock("a").is_locked())

    def test_the_callback_is_dropped_once_called(self):
        callback = Callback(self.loop)
        data = Callback(self.loop, finish=False)
        self.manager.acquire("a", callback=callback, user_data=data)
        self.run_until_called(callback)[3].release()
        references = weakref.ref(callback), weakref.ref(data)
        del callback, data
        gc.collect()
        self.assertEqual([r() for r in references], [None, None])

    def test_an_exception_in_the_callback_is_printed(self):
        def raising(source, result):
            source.acquire_finish(result).release()
            self.loop.quit()
            raise ZeroDivisionError("from the callback")

        self.manager.acquire("a", callback=raising)
        stderr, sys.stderr = sys.stderr, io.StringIO()
        try:
            self.loop.run()
            printed = sys.stderr.getvalue()
        finally:
            sys.stderr = stderr
        self.assertIn("ZeroDivisionError: from the callback", printed)
        self.assertFalse(self.manager.get_lock("a").is_locked())

    def test_bad_arguments_queue_nothing(self):
        callback = Callback(self.loop)
        for args, kwargs, error in (
                (("a", None), {}, TypeError),
                (("a\0",), {}, ValueError),
                (("a",), {"timeout": "soon"}, TypeError),
                (("a",), {"cancellable": object()}, TypeError)):
            with self.subTest(args=args, kwargs=kwargs):
                self.assertRaises(error, self.manager.acquire, *args, callback=callback, **kwargs)
        self.assertRaises(TypeError, self.manager.acquire, "a", callback=42)
        self.assertRaises(TypeError, _fc_fast.acquire_async, Fc.LockManager(), ("a",), 1.0,
                          None, callback, None)
        self.assertRaises(TypeError, self.manager.acquire_finish, object())
        self.assertRaises(TypeError, _fc_fast.acquire_finish, object(), object())
        self.assertRaises(TypeError, _fc_fast.release_async, object())
        # Nothing was started: the loop has nothing to call back.
        GLib.timeout_add(100, self.loop.quit)
        self.loop.run()
        self.assertEqual(callback.calls, [])
        self.assertFalse(self.manager.get_lock("a").is_locked())
        self.assertEqual(self.manager.get_lock_status()["a"]["waiters"], 0)

    def test_a_bad_name_is_refused_by_the_library(self):
        callback = Callback(self.loop)
        self.manager.acquire("nope", callback=callback)
        error = self.run_until_called(callback)[3]
        self.assertIsInstance(error, Fc.NotRegisteredError)


if __name__ == "__main__":
    unittest.main()
