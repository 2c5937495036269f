# Tests what the override's C hot path (gi/overrides/_fc_fast) must keep of
# the introspected calls it replaces: the guard is the typelib's, errors
# are the override's classes, names of any number and form, threads named,
# the GIL released while a thread waits, and a collected guard released.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import threading
import time
import unittest

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc, GLib  # noqa: E402
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


if __name__ == "__main__":
    unittest.main()
