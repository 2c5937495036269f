# The bad-input sweep of tests/test-bad-input.c, through the override
# (issue 16): strings Python cannot pass as UTF-8, huge names, name lists
# with holes and 10,000 entries, every bad timeout, orders at the ends of
# C's int, and the managers' setters. Each kind of input is a table; the
# sync and the async manager (and an async guard, nesting) get the same.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import math
import sys
import unittest

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc  # noqa: E402

HUGE = "h" * (1 << 20)
MANY = 10000
INT_MIN, INT_MAX = -2**31, 2**31 - 1

# Timeouts: what each one is (None: it works, the lock being free).
TIMEOUTS = [(-0.5, Fc.InvalidArgumentError), (math.nan, Fc.InvalidArgumentError),
            (math.inf, Fc.InvalidArgumentError), (-math.inf, Fc.InvalidArgumentError),
            (-sys.float_info.min, Fc.InvalidArgumentError), (1e300, None)]

# Name lists: what each one is, or how many locks its guard holds.
LISTS = [(["a", None, "b"], TypeError), (["a", "", "b"], Fc.InvalidArgumentError),
         (["a", "b\0"], ValueError), (["a", "\udcff"], UnicodeEncodeError),
         (["a", HUGE], Fc.InvalidArgumentError),
         (["many.%05d" % i for i in reversed(range(MANY))], MANY),
         (["b"] * MANY, 1), (["unknown.%d" % i for i in range(MANY)], Fc.NotRegisteredError)]

# A single name where the API takes one (register_lock, get_lock).
NAMES = [(None, TypeError), ("", Fc.InvalidArgumentError), ("z\0z", ValueError),
         ("\udcff", UnicodeEncodeError), (HUGE, Fc.InvalidArgumentError)]


def make(cls):
    manager = cls()
    manager.register_lock("a", 300, "Lock A")
    manager.register_lock("b", 310)
    return manager


class Sweep:
    """The cases, for a manager class; acquire() returns the guard's names
    and releases it."""

    def setUp(self):
        self.manager = make(self.cls)

    def assertIdle(self, names=None):
        """Nothing locked (of names, if given: a status of 10,000 locks
        takes PyGObject seconds to unpack)."""
        if names is None:
            status = self.manager.get_lock_status()
            self.assertEqual([name for name, entry in status.items() if entry["is_locked"]], [])
        else:
            self.assertEqual([n for n in names if self.manager.get_lock(n).is_locked()], [])
        for warning in self.manager.detect_potential_deadlocks():
            self.assertIsInstance(warning, str)
        self.assertIsInstance(self.manager.dump_order_graph(), str)

    def test_names(self):
        for name, error in NAMES:
            with self.subTest(name=name and name[:8]):
                for call in (lambda: self.manager.register_lock(name, 1),
                             lambda: self.manager.get_lock(name)):
                    with self.assertRaises(error):
                        call()
                self.assertIdle()
        self.assertEqual(sorted(self.manager.get_lock_status()), ["a", "b"])

    def test_descriptions(self):
        with self.assertRaises(UnicodeEncodeError):
            self.manager.register_lock("d", 1, "\udcff")
        self.manager.register_lock("e", 2, HUGE)
        self.assertEqual(self.manager.get_lock_status()["e"]["description"], HUGE)

    def test_lists(self):
        for i in range(MANY):
            self.manager.register_lock("many.%05d" % i, 1000 + i)
        for names, outcome in LISTS:
            with self.subTest(names=names[:3], n=len(names)):
                if isinstance(outcome, int):
                    self.assertEqual(len(self.acquire(names)), outcome)
                else:
                    with self.assertRaises(outcome):
                        self.acquire(names)
                self.assertIdle(["a", "b", "many.00000", "many.09999"])
        self.assertIdle()

    def test_timeouts(self):
        for timeout, error in TIMEOUTS:
            with self.subTest(timeout=timeout):
                if error is None:
                    self.assertEqual(self.acquire(["b", "a"], timeout=timeout), ["a", "b"])
                else:
                    with self.assertRaises(error) as cm:
                        self.acquire(["a"], timeout=timeout)
                    self.assertIsInstance(cm.exception, ValueError)
                self.assertIdle()
        with self.assertRaises(TypeError):
            self.acquire(["a"], timeout="soon")

    def test_orders(self):
        self.assertEqual(self.manager.register_lock("min", INT_MIN).get_order(), INT_MIN)
        self.assertEqual(self.manager.register_lock("max", INT_MAX).get_order(), INT_MAX)
        with self.assertRaises(Fc.OrderConflictError):
            self.manager.register_lock("max2", INT_MAX)
        for order in (INT_MIN - 1, INT_MAX + 1, 2**64):
            with self.assertRaises(OverflowError):
                self.manager.register_lock("over", order)
        self.assertEqual(self.acquire(["max", "a", "min"]), ["min", "a", "max"])
        self.assertNotIn("over", self.manager.get_lock_status())
        self.assertIdle()

    def test_setters(self):
        bad = {"set_hold_warning_threshold": (-0.5, math.nan, -math.inf, -sys.float_info.min),
               "set_watchdog_interval": (-0.5, math.nan, math.inf, -math.inf,
                                         -sys.float_info.min)}
        for setter, values in bad.items():
            getter = getattr(self.manager, setter.replace("set_", "get_"))
            for value in values:
                with self.subTest(setter=setter, value=value):
                    getattr(self.manager, setter)(7.0)
                    with self.assertRaises(ValueError):
                        getattr(self.manager, setter)(value)
                    self.assertEqual(getter(), 7.0)
            getattr(self.manager, setter)(1e300)
            self.assertEqual(getter(), 1e300)
        self.manager.set_watchdog_interval(0)
        self.manager.set_hold_warning_threshold(math.inf)
        self.assertEqual(self.manager.get_hold_warning_threshold(), math.inf)


class TestSync(Sweep, unittest.TestCase):
    cls = Fc.LockManager

    def acquire(self, names, timeout=5):
        with self.manager.acquire(names, timeout=timeout) as guard:
            return guard.names

    def test_lock_timeouts(self):
        lock = self.manager.get_lock("a")
        for timeout, error in TIMEOUTS:
            with self.subTest(timeout=timeout):
                if error is None:
                    with lock:
                        pass
                    lock.lock(timeout)
                    lock.unlock()
                else:
                    with self.assertRaises(error):
                        lock.lock(timeout)
                self.assertFalse(lock.is_locked())

    def test_thread_names(self):
        with self.assertRaises(UnicodeEncodeError):
            Fc.set_thread_name("\udcff")
        Fc.set_thread_name(HUGE)
        try:
            with self.manager.acquire("a"):
                owner = self.manager.get_lock("a").dup_owner()
            self.assertEqual(owner, HUGE[:255])
        finally:
            Fc.set_thread_name(None)


class TestAsync(Sweep, unittest.TestCase):
    cls = Fc.AsyncLockManager

    def acquire(self, names, timeout=5):
        async def main():
            async with self.manager.acquire(names, timeout=timeout) as guard:
                return guard.names
        return asyncio.run(asyncio.wait_for(main(), 60))

    def test_labels(self):
        async def main():
            async with self.manager.acquire("a") as guard:
                with self.assertRaises(UnicodeEncodeError):
                    guard.set_label("\udcff")
                guard.set_label(HUGE)
                self.assertEqual(guard.get_label(), HUGE[:255])
                with self.assertRaises(Fc.TimeoutError) as cm:
                    await self.manager.acquire("a", timeout=0)
                self.assertLess(len(cm.exception.message), 1024)
        asyncio.run(asyncio.wait_for(main(), 60))
        self.assertIdle()


class TestAsyncGuard(TestAsync):
    """The same through a guard that holds nothing: nesting (the cases
    that do not acquire are TestAsync's)."""

    test_names = test_descriptions = test_setters = test_labels = None

    def acquire(self, names, timeout=5):
        async def main():
            async with self.manager.acquire([]) as parent:
                async with parent.acquire(names, timeout=timeout) as guard:
                    return guard.names
        return asyncio.run(asyncio.wait_for(main(), 60))


if __name__ == "__main__":
    unittest.main(verbosity=2)
