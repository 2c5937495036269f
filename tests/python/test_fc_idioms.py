# Tests the override's Python idioms: argument forms and bad input, the
# exception classes, thread names, plain values from the signal, and the
# asyncio bridge.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import gc
import math
import os
import subprocess
import sys
import threading
import time
import unittest
import warnings

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc, Gio, GLib  # noqa: E402

QUARK = Fc.error_quark()


def sync_manager():
    manager = Fc.LockManager()
    manager.register_lock("a", 300, "Lock A")
    manager.register_lock("b", 310)
    manager.register_lock("c", 320)
    return manager


class NamedHolder(threading.Thread):
    """Holds locks of a sync manager on a thread named name."""

    def __init__(self, manager, *names, name="py-holder"):
        super().__init__(name=name)
        self.manager, self.names = manager, names
        self.holding, self.stop = threading.Event(), threading.Event()

    def run(self):
        with self.manager.acquire(*self.names, timeout=5.0):
            self.holding.set()
            self.stop.wait(10.0)

    def __enter__(self):
        self.start()
        self.holding.wait(5.0)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join()


class TestArguments(unittest.TestCase):
    def setUp(self):
        self.manager = sync_manager()

    def locked(self, name):
        return self.manager.get_lock(name).is_locked()

    def test_names_as_list_or_tuple(self):
        for names in (["c", "a"], ("c", "a")):
            with self.manager.acquire(names) as guard:
                self.assertEqual(guard.names, ["a", "c"])
        with self.manager.acquire([]) as guard:
            self.assertEqual(guard.names, [])

    def test_timeout_none_waits_forever(self):
        with NamedHolder(self.manager, "b") as holder:
            threading.Timer(0.3, holder.stop.set).start()
            start = time.monotonic()
            with self.manager.acquire("b", timeout=None):
                self.assertGreaterEqual(time.monotonic() - start, 0.25)
        lock = self.manager.get_lock("a")
        lock.lock(None)
        lock.unlock()

    def test_none_and_non_str_names(self):
        # The C array would end at the None: only "a" would be taken.
        for bad in (("a", None, "b"), (None,), ("a", 1), ([None],), (b"a",)):
            with self.subTest(names=bad):
                with self.assertRaises(TypeError):
                    self.manager.acquire(*bad)
                self.assertFalse(self.locked("a") or self.locked("b"))
        for call in (self.manager.get_lock, lambda n: self.manager.register_lock(n, 1)):
            with self.assertRaises(TypeError):
                call(None)
            with self.assertRaises(TypeError):
                call(7)

    def test_nul_in_names(self):
        # C would see "a" only.
        for bad in (("a\0b",), (["b", "a\0"],)):
            with self.subTest(names=bad):
                with self.assertRaises(ValueError):
                    self.manager.acquire(*bad)
                self.assertFalse(self.locked("a") or self.locked("b"))
        with self.assertRaises(ValueError):
            self.manager.get_lock("a\0b")
        with self.assertRaises(ValueError):
            self.manager.register_lock("z\0z", 1)
        self.assertNotIn("z", self.manager.get_lock_status())

    def test_empty_names(self):
        with self.assertRaises(ValueError) as cm:
            self.manager.register_lock("", 1)
        self.assertIsInstance(cm.exception, Fc.InvalidArgumentError)
        # An empty name is never a lock's: invalid, not unknown.
        with self.assertRaises(ValueError) as cm:
            self.manager.acquire("")
        self.assertIsInstance(cm.exception, Fc.InvalidArgumentError)

    def test_bad_timeouts(self):
        for bad in (-0.5, -2.0, math.nan, math.inf, -math.inf):
            with self.subTest(timeout=bad):
                with self.assertRaises(ValueError) as cm:
                    self.manager.acquire("a", timeout=bad)
                self.assertTrue(cm.exception.matches(QUARK, Fc.Error.INVALID_ARGUMENT))
                self.assertEqual(cm.exception.message, "Timeout must be non-negative or "
                                 "FC_TIMEOUT_INFINITE (-1) to wait forever")
                with self.assertRaises(ValueError):
                    self.manager.get_lock("a").lock(bad)
                self.assertFalse(self.locked("a"))
        with self.assertRaises(TypeError):
            self.manager.acquire("a", timeout="soon")

    def test_double_release(self):
        guard = self.manager.acquire("a")
        guard.release()
        guard.release()
        self.assertTrue(guard.is_released())
        with self.manager.acquire("a") as guard:
            guard.release()
        self.assertFalse(self.locked("a"))

    def test_run_needs_a_function(self):
        # A clear TypeError from PyGObject, not a critical from C (made
        # fatal here, in a process of its own).
        code = ("import gi; gi.require_version('Fc', '1'); from gi.repository import Fc\n"
                "try:\n    Fc.run(None, None, 0)\nexcept TypeError as e:\n    print(e)\n")
        env = dict(os.environ, G_DEBUG="fatal-criticals")
        result = subprocess.run([sys.executable, "-c", code], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("does not allow None", result.stdout)


class TestExceptions(unittest.TestCase):
    def setUp(self):
        self.manager = sync_manager()

    def check(self, cls, builtin, code, func, *args, **kwargs):
        with self.assertRaises(builtin) as cm:
            func(*args, **kwargs)
        e = cm.exception
        self.assertIsInstance(e, cls)
        self.assertIsInstance(e, GLib.Error)
        self.assertIsInstance(e, Fc.FcError)
        self.assertTrue(e.matches(Fc.error_quark(), code), e)
        self.assertEqual((e.domain, e.code), ("fc-error-quark", int(code)))
        return e

    def test_one_class_per_code(self):
        classes = [Fc.InvalidArgumentError, Fc.AlreadyRegisteredError, Fc.OrderConflictError,
                   Fc.NotRegisteredError, Fc.OrderViolationError, Fc.WouldBlockError,
                   Fc.TimeoutError, Fc.UnavailableError]
        self.assertEqual(len(set(classes)), len(Fc.Error.__enum_values__))

    def test_registration(self):
        e = self.check(Fc.AlreadyRegisteredError, ValueError, Fc.Error.ALREADY_REGISTERED,
                       self.manager.register_lock, "a", 1)
        self.assertEqual(e.message, "Lock 'a' already registered")
        self.check(Fc.OrderConflictError, ValueError, Fc.Error.ORDER_CONFLICT,
                   self.manager.register_lock, "z", 300)
        self.check(Fc.NotRegisteredError, KeyError, Fc.Error.NOT_REGISTERED,
                   self.manager.get_lock, "nope")
        self.check(Fc.NotRegisteredError, KeyError, Fc.Error.NOT_REGISTERED,
                   self.manager.acquire, "a", "nope")

    def test_acquisition(self):
        with self.manager.acquire("b"):
            e = self.check(Fc.OrderViolationError, RuntimeError, Fc.Error.ORDER_VIOLATION,
                           self.manager.acquire, "a")
            self.assertEqual(e.message, "Lock ordering violation: trying to acquire a "
                             "(order 300) after higher-order locks. Current max order: 310 "
                             "(held: 'b')")
        with NamedHolder(self.manager, "b"):
            self.check(Fc.WouldBlockError, RuntimeError, Fc.Error.WOULD_BLOCK,
                       self.manager.acquire, "b", blocking=False)
            self.check(Fc.TimeoutError, TimeoutError, Fc.Error.TIMEOUT,
                       self.manager.acquire, "a", "b", timeout=0.05)
            self.check(Fc.TimeoutError, TimeoutError, Fc.Error.TIMEOUT,
                       self.manager.get_lock("b").lock, 0.01)
        self.assertFalse(self.manager.get_lock("a").is_locked())


class TestThreadNames(unittest.TestCase):
    def test_owner_is_the_python_thread_name(self):
        manager = sync_manager()
        manager.props.hold_warning_threshold = 0.0
        with NamedHolder(manager, "b", name="py-holder"):
            self.assertEqual(manager.get_lock_status()["b"]["owner"], "py-holder")
            self.assertEqual(manager.get_lock("b").dup_owner(), "py-holder")
            with self.assertRaises(TimeoutError) as cm:
                manager.acquire("b", timeout=0.05)
            self.assertTrue(cm.exception.message.startswith(
                "Timeout acquiring lock 'b': held by 'py-holder' for "), cm.exception.message)
            warnings = manager.detect_potential_deadlocks()
            self.assertTrue(any(w.startswith("Lock 'b' held by 'py-holder' for ")
                                for w in warnings), warnings)
            report = [r for r in manager.get_deadlock_report() if r["kind"] == "long-hold"]
            self.assertEqual(report[0]["owners"], ["py-holder"])
        with manager.acquire("a"):
            self.assertEqual(manager.get_lock_status()["a"]["owner"],
                             threading.current_thread().name)


class TestSignal(unittest.TestCase):
    def test_report_as_python_values(self):
        manager = Fc.LockManager(log_reports=False)  # heard, not logged
        a = manager.register_lock("sig.a", 1)
        b = manager.register_lock("sig.b", 2)
        heard = []
        manager.connect("potential-deadlock", lambda m, msg, report: heard.append(report))
        manager.connect_after("potential-deadlock",
                              lambda m, msg, report, extra: heard.append(extra), "extra")

        def nest(first, second):
            first.lock(1.0)
            second.lock(1.0)
            second.unlock()
            first.unlock()
        with warnings.catch_warnings():
            for first, second in ((a, b), (b, a)):
                t = threading.Thread(target=nest, args=(first, second))
                t.start()
                t.join()
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + 5.0
        while len(heard) < 2 and time.monotonic() < deadline:
            ctx.iteration(False) or time.sleep(0.01)
        self.assertEqual(len(heard), 2, heard)
        report, extra = heard
        self.assertIsInstance(report, dict)
        self.assertEqual(report["kind"], "order-cycle")
        self.assertIsInstance(report["message"], str)
        self.assertEqual(sorted(report["locks"][:2]), ["sig.a", "sig.b"])
        self.assertIsInstance(report["orders"], list)
        self.assertEqual(extra, "extra")


def async_manager():
    manager = Fc.AsyncLockManager()
    manager.register_lock("a", 300, "Lock A")
    manager.register_lock("b", 310)
    manager.register_lock("c", 320)
    return manager


class TestAsyncio(unittest.TestCase):
    """FcAsyncLockManager on a plain asyncio.run() loop."""

    def setUp(self):
        self.manager = async_manager()

    def run_async(self, coro):
        return asyncio.run(asyncio.wait_for(coro, 30))

    def state(self):
        status = self.manager.get_lock_status()
        return {name: (entry["is_locked"], entry["waiters"]) for name, entry in status.items()}

    def idle(self):
        return {name: (False, 0) for name in "abc"}

    def test_async_with_and_nesting(self):
        self.manager.register_lock("low", 1)

        async def main():
            async with self.manager.acquire("b", "a", timeout=5) as guard:
                self.assertIsInstance(guard, Fc.AsyncLockGuard)
                self.assertEqual(guard.names, ["a", "b"])
                async with guard.acquire("c", "a") as inner:
                    self.assertEqual(inner.names, ["c"])
                    self.assertTrue(self.manager.get_lock("c").is_locked())
                self.assertFalse(self.manager.get_lock("c").is_locked())
                with self.assertRaises(RuntimeError) as cm:
                    async with guard.acquire(["low"]):
                        pass
                self.assertIsInstance(cm.exception, Fc.OrderViolationError)
            guard = await self.manager.acquire(["c"], timeout=None)
            self.assertEqual(guard.names, ["c"])
            guard.release()
        self.run_async(main())
        self.assertEqual(self.state(), dict(self.idle(), low=(False, 0)))

    def test_timeout(self):
        async def main():
            async with self.manager.acquire("b"):
                start = time.monotonic()
                with self.assertRaises(TimeoutError) as cm:
                    async with self.manager.acquire("a", "b", timeout=0.1):
                        pass
                self.assertGreaterEqual(time.monotonic() - start, 0.09)
                self.assertTrue(cm.exception.matches(QUARK, Fc.Error.TIMEOUT))
                self.assertEqual(self.state()["a"], (False, 0))
                self.assertEqual(self.state()["b"], (True, 0))
        self.run_async(main())
        self.assertEqual(self.state(), self.idle())

    def test_cancel_rolls_back(self):
        async def main():
            async with self.manager.acquire("b"):
                task = asyncio.create_task(self.wait_for_ab())
                for _ in range(200):
                    if self.state()["b"][1] == 1:
                        break
                    await asyncio.sleep(0.01)
                self.assertEqual(self.state()["b"], (True, 1))
                self.assertEqual(self.state()["a"], (True, 0))   # taken, then waiting for b
                task.cancel()
                with self.assertRaises(asyncio.CancelledError):
                    await task
                # Rolled back, nothing queued, as soon as the task is done.
                self.assertEqual(self.state()["a"], (False, 0))
                self.assertEqual(self.state()["b"], (True, 0))
        self.run_async(main())
        self.assertEqual(self.state(), self.idle())

    async def wait_for_ab(self):
        async with self.manager.acquire("a", "b", timeout=None):
            raise AssertionError("got the locks")

    def test_cancel_with_a_cancellable(self):
        async def main():
            cancellable = Gio.Cancellable()
            async with self.manager.acquire("b"):
                asyncio.get_running_loop().call_later(0.05, cancellable.cancel)
                with self.assertRaises(GLib.Error) as cm:
                    await self.manager.acquire("a", "b", cancellable=cancellable)
                self.assertTrue(cm.exception.matches(Gio.io_error_quark(),
                                                     Gio.IOErrorEnum.CANCELLED))
                self.assertEqual(self.state()["a"], (False, 0))
                self.assertEqual(self.state()["b"], (True, 0))
        self.run_async(main())

    def test_fifo(self):
        async def main():
            served = []

            async def worker(index):
                async with self.manager.acquire("a"):
                    served.append(index)
                    await asyncio.sleep(0.01)
            async with self.manager.acquire("a"):
                tasks = [asyncio.create_task(worker(i)) for i in range(5)]
                for _ in range(200):
                    if self.state()["a"][1] == 5:
                        break
                    await asyncio.sleep(0.01)
                self.assertEqual(self.state()["a"], (True, 5))
            await asyncio.gather(*tasks)
            return served
        self.assertEqual(self.run_async(main()), [0, 1, 2, 3, 4])
        self.assertEqual(self.state(), self.idle())

    def test_without_callback_or_await(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            acquisition = self.manager.acquire("a")
            self.assertFalse(self.manager.get_lock("a").is_locked())
            self.assertTrue(hasattr(acquisition, "__await__"))
            del acquisition
            gc.collect()
        self.assertTrue(any(issubclass(w.category, RuntimeWarning) and "never awaited"
                            in str(w.message) for w in caught), caught)
        self.assertEqual(self.state(), self.idle())
        with self.assertRaises(TypeError):
            self.manager.acquire("a", user_data=1)

    def test_bad_input(self):
        async def main():
            with self.assertRaises(TypeError):
                self.manager.acquire("a", None, "b")
            with self.assertRaises(ValueError):
                self.manager.acquire("a\0b")
            for bad in (-0.5, math.nan, math.inf):
                with self.assertRaises(ValueError) as cm:
                    await self.manager.acquire("a", timeout=bad)
                self.assertIsInstance(cm.exception, Fc.InvalidArgumentError)
            with self.assertRaises(KeyError):
                await self.manager.acquire("nope")
            guard = await self.manager.acquire("a")
            guard.release()
            guard.release()
            acquisition = self.manager.acquire("b")
            (await acquisition).release()
            with self.assertRaises(RuntimeError):
                await acquisition
        self.run_async(main())
        self.assertEqual(self.state(), self.idle())


if __name__ == "__main__":
    unittest.main(verbosity=2)
