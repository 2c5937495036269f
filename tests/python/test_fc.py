# Tests the Fc-1 typelib and the gi.overrides.Fc override from PyGObject.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Never assert inside a GLib callback (PyGObject prints and swallows the
# exception): callbacks store what they got and quit the loop; the test
# asserts after loop.run().

import ast
import os
import re
import subprocess
import sys
import threading
import time
import unittest

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc, Gio, GLib, GObject  # noqa: E402
from gi import _gi as GIRepository  # noqa: E402  (the typelib's infos)

QUARK = Fc.error_quark()


class FcTestCase(unittest.TestCase):
    def assertFcError(self, code, func, *args, **kwargs):
        with self.assertRaises(GLib.Error) as cm:
            func(*args, **kwargs)
        self.assertTrue(cm.exception.matches(QUARK, code), cm.exception)
        self.assertEqual(cm.exception.domain, "fc-error-quark")
        self.assertEqual(cm.exception.code, int(code))
        return cm.exception

    def run_loop(self, start, timeout=5.0):
        """Runs a main loop until start(done) calls done(value); returns it."""
        loop = GLib.MainLoop()
        box = []

        def done(value):
            box.append(value)
            loop.quit()

        def give_up():
            loop.quit()
            return GLib.SOURCE_REMOVE

        start(done)
        source = GLib.timeout_add(int(timeout * 1000), give_up)
        loop.run()
        if box:
            GLib.source_remove(source)
        self.assertEqual(len(box), 1, "the operation never completed")
        return box[0]

    def run_async(self, start_op, finish):
        """Starts a GIO async call with start_op(callback) and returns what
        finish(source, result) gave, or the GLib.Error it raised."""
        def start(done):
            def ready(source, result):
                try:
                    done(finish(source, result))
                except GLib.Error as e:
                    done(e)
            start_op(ready)
        return self.run_loop(start)


class Holder(threading.Thread):
    """Holds some locks of a manager on another thread until told to stop."""

    def __init__(self, manager, *names):
        super().__init__(name="holder")
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


class TestVersion(unittest.TestCase):
    def test_getters(self):
        version = (Fc.get_major_version(), Fc.get_minor_version(), Fc.get_micro_version())
        self.assertEqual(version, (Fc.MAJOR_VERSION, Fc.MINOR_VERSION, Fc.MICRO_VERSION))
        self.assertEqual("%d.%d.%d" % version, Fc.VERSION_S)

    def test_check_version(self):
        major, minor, micro = (Fc.get_major_version(), Fc.get_minor_version(),
                               Fc.get_micro_version())
        self.assertIsNone(Fc.check_version(major, minor, micro))
        self.assertIsNone(Fc.check_version(major, 0, 0))
        self.assertIn("too old (major mismatch)", Fc.check_version(major + 1, 0, 0))
        self.assertIn("too new (major mismatch)", Fc.check_version(major - 1, 0, 0))
        self.assertIn("too old (minor mismatch)", Fc.check_version(major, minor + 1, 0))
        self.assertIn("too old (micro mismatch)", Fc.check_version(major, minor, micro + 1))


def c_defines():
    """{name: value} of the C headers' numeric and string #defines FC_<name>."""
    headers = [(os.environ["FC_SOURCE_DIR"], "foundation-concurrency/fc-error.h"),
               (os.environ["FC_BUILD_DIR"], "foundation-concurrency/fc-version.h")]
    defines = {}
    for directory, name in headers:
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            for m in re.finditer(r'^#define FC_([A-Z0-9_]+) +(\(-?[0-9.]+\)|"[^"]*")$',
                                 f.read(), re.M):
                defines[m.group(1)] = ast.literal_eval(m.group(2))
    return defines


class TestConstants(unittest.TestCase):
    def test_every_constant_is_the_c_value(self):
        repository = GIRepository.Repository.get_default()
        names = sorted(info.get_name() for info in repository.get_infos("Fc")
                       if isinstance(info, GIRepository.ConstantInfo))
        self.assertGreaterEqual(len(names), 5, names)
        defines = c_defines()
        for name in names:
            with self.subTest(name=name):
                self.assertIn(name, defines)
                self.assertEqual(getattr(Fc, name), defines[name])
                self.assertEqual(type(getattr(Fc, name)), type(defines[name]))

    def test_timeout_infinite(self):
        self.assertEqual(Fc.TIMEOUT_INFINITE, -1.0)


class TestLockManager(FcTestCase):
    def setUp(self):
        self.manager = Fc.LockManager()
        self.manager.register_lock("a", 300, "Lock A")
        self.manager.register_lock("b", 310)
        self.manager.register_lock("c", 320, "Lock C")

    def test_register_and_get(self):
        lock = self.manager.get_lock("a")
        self.assertIsInstance(lock, Fc.Lock)
        self.assertEqual((lock.props.name, lock.props.order, lock.props.description),
                         ("a", 300, "Lock A"))
        own = Fc.Lock.new()
        self.assertIs(self.manager.register_lock("d", 330, None, own), own)
        self.assertEqual(own.get_name(), "d")

    def test_register_errors(self):
        e = self.assertFcError(Fc.Error.ALREADY_REGISTERED, self.manager.register_lock, "a", 1)
        self.assertEqual(e.message, "Lock 'a' already registered")
        e = self.assertFcError(Fc.Error.ORDER_CONFLICT, self.manager.register_lock, "z", 300)
        self.assertEqual(e.message,
                         "Lock order 300 already used by 'a'. Each lock must have a unique order.")
        self.assertFcError(Fc.Error.INVALID_ARGUMENT, self.manager.register_lock, "", 1)
        e = self.assertFcError(Fc.Error.NOT_REGISTERED, self.manager.get_lock, "nope")
        self.assertEqual(e.message, "Lock 'nope' not registered")
        self.assertFcError(Fc.Error.NOT_REGISTERED, self.manager.acquire, "a", "nope")

    def test_foundation_locks(self):
        default = Fc.LockManager.get_default()
        self.assertIs(default, Fc.LockManager.get_default())
        self.assertEqual(default.get_lock("foundation.config").props.order, 200)
        self.assertEqual(default.get_lock_status()["foundation.hub.components"]["description"],
                         "Hub component management")

    def test_acquire_in_order(self):
        with self.manager.acquire("c", "a", "b", "a") as guard:
            self.assertEqual(guard.names, ["a", "b", "c"])
            self.assertTrue(all(self.manager.get_lock(n).is_locked() for n in "abc"))
        self.assertTrue(guard.is_released())
        self.assertFalse(any(self.manager.get_lock(n).is_locked() for n in "abc"))
        guard.release()  # idempotent
        with self.manager.acquire() as empty:
            self.assertEqual(empty.names, [])

    def test_reentrant(self):
        with self.manager.acquire("a"):
            with self.manager.acquire("a", "b") as inner:
                self.assertEqual(inner.names, ["b"])
                self.assertEqual(self.manager.get_lock("a").get_depth(), 1)
            self.assertTrue(self.manager.get_lock("a").is_locked())
            self.assertFalse(self.manager.get_lock("b").is_locked())
        self.assertFalse(self.manager.get_lock("a").is_locked())

    def test_order_violation(self):
        with self.manager.acquire("b"):
            e = self.assertFcError(Fc.Error.ORDER_VIOLATION, self.manager.acquire, "a", "c")
            self.assertEqual(e.message,
                             "Lock ordering violation: trying to acquire a (order 300) after "
                             "higher-order locks. Current max order: 310 (held: 'b')")
            self.assertFalse(self.manager.get_lock("c").is_locked())

    def test_invalid_timeout(self):
        for bad in (-2.0, float("nan"), float("inf")):
            e = self.assertFcError(Fc.Error.INVALID_ARGUMENT, self.manager.acquire, "a", timeout=bad)
            self.assertEqual(e.message, "Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever")
        self.manager.acquire("a", timeout=Fc.TIMEOUT_INFINITE).release()

    def test_timeout_and_would_block(self):
        with Holder(self.manager, "b"):
            start = time.monotonic()
            e = self.assertFcError(Fc.Error.TIMEOUT, self.manager.acquire, "a", "b", timeout=0.1)
            self.assertGreaterEqual(time.monotonic() - start, 0.09)
            self.assertTrue(e.message.startswith("Timeout acquiring lock 'b'"), e.message)
            # What it took before failing is released.
            self.assertFalse(self.manager.get_lock("a").is_locked())
            e = self.assertFcError(Fc.Error.WOULD_BLOCK, self.manager.acquire, "b", blocking=False)
            self.assertEqual(e.message, "Could not acquire lock 'b' immediately")
            self.assertFcError(Fc.Error.TIMEOUT, self.manager.acquire, "b", timeout=0)
        self.manager.acquire("b", timeout=0).release()

    def test_context_manager_releases_on_exception(self):
        with self.assertRaises(ZeroDivisionError):
            with self.manager.acquire("a", "c"):
                1 / 0
        self.assertFalse(self.manager.get_lock("a").is_locked())
        self.assertFalse(self.manager.get_lock("c").is_locked())

    def test_status(self):
        status = self.manager.get_lock_status()
        self.assertIsInstance(status, dict)
        self.assertEqual(set(status), {"a", "b", "c"})
        free = status["a"]
        self.assertEqual((free["order"], free["description"], free["is_locked"]),
                         (300, "Lock A", False))
        self.assertIsNone(free["owner"])
        self.assertIsNone(free["acquired_at"])
        with self.manager.acquire("a"):
            held = self.manager.get_lock_status()["a"]
        self.assertTrue(held["is_locked"])
        # The owner is the Python thread's name.
        self.assertEqual(held["owner"], threading.current_thread().name)
        self.assertAlmostEqual(held["acquired_at"], time.time(), delta=5.0)

    def test_direct_lock(self):
        lock = self.manager.get_lock("a")
        with lock:
            self.assertTrue(lock.try_lock())  # recursive
            self.assertEqual(lock.get_depth(), 2)
            lock.unlock()
        self.assertFalse(lock.is_locked())
        self.assertIsNone(lock.dup_owner())
        with Holder(self.manager, "a"):
            self.assertFalse(lock.try_lock())
            self.assertIsInstance(lock.dup_owner(), str)
            self.assertFcError(Fc.Error.TIMEOUT, lock.lock, 0.05)

    def test_detect_long_hold(self):
        self.assertEqual(self.manager.detect_potential_deadlocks(), [])
        self.manager.props.hold_warning_threshold = 0.0
        with Holder(self.manager, "c"):
            time.sleep(0.05)
            warnings = self.manager.detect_potential_deadlocks()
        self.assertIsInstance(warnings, list)
        self.assertTrue(any(re.fullmatch(r"Lock 'c' held by '.+' for [0-9.]+s - "
                                         r"potential deadlock or resource leak", w)
                            for w in warnings), warnings)


def nest(first, second):
    """Takes lock first, then second, and releases both: teaches their
    manager that order."""
    first.lock(1.0)
    second.lock(1.0)
    second.unlock()
    first.unlock()


def iterate_until(condition, timeout=5.0):
    """Iterates the default main context until condition() or timeout."""
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        ctx.iteration(False) or time.sleep(0.01)


class TestDiagnostics(FcTestCase):
    def test_inversion_by_two_threads(self):
        manager = Fc.LockManager(log_reports=False)  # heard, not logged
        a = manager.register_lock("inv.a", 1)
        b = manager.register_lock("inv.b", 2)
        heard = []
        manager.connect("potential-deadlock", lambda m, msg, report: heard.append(msg))

        for first, second in ((a, b), (b, a)):
            t = threading.Thread(target=nest, args=(first, second))
            t.start()
            t.join()

        warnings = manager.detect_potential_deadlocks()
        self.assertTrue(any(w.startswith("Potential deadlock: lock order cycle inv.a -> inv.b -> inv.a")
                            for w in warnings), warnings)
        report = manager.get_deadlock_report()
        self.assertIsInstance(report, list)
        cycle = [r for r in report if r["kind"] == "order-cycle"]
        self.assertEqual(len(cycle), 1)
        self.assertEqual(sorted(cycle[0]["locks"][:2]), ["inv.a", "inv.b"])
        self.assertIsInstance(cycle[0]["message"], str)

        dot = manager.dump_order_graph()
        self.assertTrue(dot.startswith("digraph"))
        self.assertIn('"inv.a" -> "inv.b"', dot)
        self.assertIn('"inv.b" -> "inv.a"', dot)

        # The signal is delivered in this thread's main context.
        iterate_until(lambda: heard)
        self.assertTrue(any("inv.a -> inv.b -> inv.a" in m for m in heard), heard)


# A child that teaches a manager an inversion, with log-reports as its
# argument says, and prints the report kinds the signal brought.
LOG_CHILD = """
import sys
import gi
gi.require_version("Fc", "1")
from gi.repository import Fc, GLib

manager = Fc.LockManager(log_reports=sys.argv[1] == "on")
a = manager.register_lock("log.a", 1)
b = manager.register_lock("log.b", 2)
heard = []
manager.connect("potential-deadlock", lambda m, message, report: heard.append(report["kind"]))
for first, second in ((a, b), (b, a)):
    first.lock(1.0)
    second.lock(1.0)
    second.unlock()
    first.unlock()
while not heard:
    GLib.MainContext.default().iteration(True)
print(heard)
"""


class TestManagerProperties(FcTestCase):
    MANAGERS = (Fc.LockManager, Fc.AsyncLockManager)

    def test_name(self):
        for cls, default in zip(self.MANAGERS, ("default", "async-default")):
            with self.subTest(manager=cls.__name__):
                self.assertEqual(cls.get_default().props.name, default)
                manager = cls()
                self.assertRegex(manager.props.name, r"^manager-[0-9]+$")
                notified = []
                manager.connect("notify::name", lambda m, pspec: notified.append(m.props.name))
                manager.props.name = "billing"
                manager.props.name = "billing"
                self.assertEqual(manager.props.name, "billing")
                manager.props.name = None
                self.assertRegex(manager.props.name, r"^manager-[0-9]+$")
                self.assertEqual(notified[0], "billing")
                self.assertEqual(len(notified), 2, notified)
                self.assertEqual(cls(name="jobs").props.name, "jobs")

    def test_name_in_reports(self):
        manager = Fc.LockManager(name="billing", log_reports=False)
        a = manager.register_lock("named.a", 1)
        b = manager.register_lock("named.b", 2)
        nest(a, b)
        nest(b, a)
        cycle = [r for r in manager.get_deadlock_report() if r["kind"] == "order-cycle"]
        self.assertEqual(len(cycle), 1, cycle)
        self.assertEqual(cycle[0]["managers"][:2], ["billing", "billing"])

    def test_log_reports(self):
        for cls in self.MANAGERS:
            with self.subTest(manager=cls.__name__):
                manager = cls()
                self.assertIs(manager.props.log_reports, True)
                notified = []
                manager.connect("notify::log-reports", lambda m, pspec: notified.append(m.props.log_reports))
                manager.props.log_reports = False
                manager.props.log_reports = False
                self.assertIs(manager.props.log_reports, False)
                manager.props.log_reports = True
                self.assertEqual(notified, [False, True])
                self.assertIs(cls(log_reports=False).props.log_reports, False)

    def run_log_child(self, log_reports):
        return subprocess.run([sys.executable, "-c", LOG_CHILD, log_reports],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60, check=True)

    def test_log_reports_false_logs_nothing_but_emits(self):
        quiet = self.run_log_child("off")
        self.assertEqual(quiet.stdout.strip(), "['order-cycle']")
        # (Python's development mode may warn about imports: only ours count.)
        self.assertNotIn("FoundationConcurrency", quiet.stderr)
        self.assertNotIn("lock order cycle", quiet.stderr)

        loud = self.run_log_child("on")
        self.assertEqual(loud.stdout.strip(), "['order-cycle']")
        self.assertRegex(loud.stderr, r"FoundationConcurrency-WARNING \*\*.*"
                                      r"Potential deadlock: lock order cycle log\.a -> log\.b -> log\.a")


class TestAsyncHelpers(FcTestCase):
    def sleep(self, delay, cancel=False):
        cancellable = Gio.Cancellable()

        def start_op(ready):
            Fc.sleep_async(delay, cancellable, ready)
            if cancel:
                cancellable.cancel()
        return self.run_async(start_op, lambda source, result: Fc.sleep_finish(result))

    def test_sleep(self):
        self.assertIs(self.sleep(0.01), True)

    def test_sleep_errors(self):
        e = self.sleep(-1.0)
        self.assertTrue(e.matches(QUARK, Fc.Error.INVALID_ARGUMENT), e)
        self.assertEqual(e.message, "Sleep delay must be non-negative")
        e = self.sleep(10.0, cancel=True)
        self.assertTrue(e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), e)

    def gather(self, gather, timeout):
        return self.run_async(lambda ready: gather.wait_async(timeout, None, ready),
                              lambda source, result: source.wait_finish(result))

    def sleep_into(self, gather, delay, value):
        slot = gather.add()

        def ready(source, result):
            try:
                Fc.sleep_finish(result)
                gather.return_value(slot, GObject.Value(GObject.TYPE_INT, value))
            except GLib.Error as e:
                gather.return_error(slot, e)
        Fc.sleep_async(delay, gather.get_cancellable(), ready)

    def test_gather_values_in_slot_order(self):
        gather = Fc.Gather.new(False)
        self.sleep_into(gather, 0.03, 1)
        self.sleep_into(gather, 0.01, 2)
        outcomes = self.gather(gather, Fc.TIMEOUT_INFINITE)
        self.assertEqual([o.get_value() for o in outcomes], [1, 2])
        self.assertFalse(any(o.is_error() for o in outcomes))

    def test_gather_return_exceptions(self):
        gather = Fc.Gather.new(True)
        self.sleep_into(gather, 0.01, 7)
        self.sleep_into(gather, -1.0, 0)
        ok, failed = self.gather(gather, 5.0)
        self.assertEqual(ok.get_value(), 7)
        self.assertTrue(failed.is_error())
        self.assertTrue(failed.get_error().matches(QUARK, Fc.Error.INVALID_ARGUMENT))

    def test_gather_timeout_cancels_the_group(self):
        gather = Fc.Gather.new(False)
        self.sleep_into(gather, 30.0, 1)
        e = self.gather(gather, 0.05)
        self.assertTrue(e.matches(QUARK, Fc.Error.TIMEOUT), e)
        self.assertEqual(e.message, "Operation timed out")
        self.assertTrue(gather.get_cancellable().is_cancelled())

    def test_gather_needs_operations(self):
        e = self.gather(Fc.Gather.new(False), 1.0)
        self.assertTrue(e.matches(QUARK, Fc.Error.INVALID_ARGUMENT), e)
        self.assertEqual(e.message, "At least one operation must be provided")


class TestAsyncLockManager(FcTestCase):
    """FcAsyncLockManager and FcAsyncLockGuard through the override."""

    def setUp(self):
        self.manager = Fc.AsyncLockManager()
        self.manager.register_lock("a", 300, "Lock A")
        self.manager.register_lock("b", 310)
        self.manager.register_lock("c", 320)
        self.guards = []

    def tearDown(self):
        # An unreleased guard warns when finalized.
        for guard in self.guards:
            guard.release()

    def acquire(self, source, *names, then=None, **kwargs):
        """source.acquire(*names) on a main loop, calling then() once it is
        started: the guard, or the error."""
        def start_op(ready):
            source.acquire(*names, callback=ready, **kwargs)
            if then is not None:
                then()

        outcome = self.run_async(start_op, lambda source, result: source.acquire_finish(result))
        if isinstance(outcome, Fc.AsyncLockGuard):
            self.guards.append(outcome)
        return outcome

    def assertFails(self, outcome, domain, code, message=None):
        self.assertIsInstance(outcome, GLib.Error)
        self.assertTrue(outcome.matches(domain, code), outcome)
        if message is not None:
            self.assertTrue(outcome.message.startswith(message), outcome.message)

    def locked(self, name):
        return self.manager.get_lock(name).is_locked()

    def test_acquire_on_main_loop(self):
        guard = self.acquire(self.manager, "c", "a", "a")
        self.assertIsInstance(guard, Fc.AsyncLockGuard)
        self.assertEqual(guard.names, ["a", "c"])
        self.assertTrue(self.locked("a") and self.locked("c"))
        self.assertFalse(self.locked("b"))
        with guard:
            pass
        self.assertTrue(guard.is_released())
        self.assertFalse(self.locked("a") or self.locked("c"))
        guard.release()  # idempotent
        self.assertEqual(self.acquire(self.manager).names, [])

    def test_user_data(self):
        loop, got = GLib.MainLoop(), []

        def ready(source, result, data):
            got.append((source.acquire_finish(result), data))
            loop.quit()
        self.manager.acquire("a", callback=ready, user_data="hello")
        loop.run()
        self.assertEqual(len(got), 1)
        guard, data = got[0]
        self.guards.append(guard)
        self.assertEqual((guard.names, data), (["a"], "hello"))

    def test_fifo_and_waiters(self):
        holder = self.acquire(self.manager, "a")
        loop, served = GLib.MainLoop(), []

        def ready(source, result, index):
            try:
                with source.acquire_finish(result):
                    served.append(index)
            except GLib.Error as e:
                served.append(e)
            if len(served) == 3:
                loop.quit()
        for index in range(3):
            self.manager.acquire("a", callback=ready, user_data=index)

        status = self.manager.get_lock_status()
        self.assertEqual(status["a"]["waiters"], 3)
        self.assertEqual(status["a"]["owner"], holder.get_label())
        self.assertEqual(self.manager.get_lock("a").get_waiters(), 3)
        holder.release()
        source = GLib.timeout_add(5000, loop.quit)
        loop.run()
        GLib.source_remove(source)
        self.assertEqual(served, [0, 1, 2])
        self.assertEqual(self.manager.get_lock_status()["a"]["waiters"], 0)
        self.assertFalse(self.locked("a"))

    def test_nesting(self):
        outer = self.acquire(self.manager, "b")
        outer.set_label("task-1")
        inner = self.acquire(outer, "b", "c")
        self.assertEqual(inner.names, ["c"])  # b is held by the parent: skipped
        self.assertEqual(inner.get_label(), "task-1")  # inherited
        again = self.acquire(inner, "b", "c")
        self.assertEqual(again.names, [])

        e = self.acquire(inner, "a")
        self.assertFails(e, QUARK, Fc.Error.ORDER_VIOLATION,
                         "Lock ordering violation: trying to acquire a (order 300) after "
                         "higher-order locks. Current max order: 320 (held: 'c')")
        self.assertFalse(self.locked("a"))

        inner.release()
        self.assertTrue(self.locked("b"))
        self.assertFalse(self.locked("c"))
        deeper = self.acquire(outer, "c")
        outer.release()  # releases its live children first
        self.assertTrue(deeper.is_released())
        self.assertFalse(self.locked("b") or self.locked("c"))

    def test_timeout(self):
        holder = self.acquire(self.manager, "b")
        holder.set_label("slowpoke")
        start = time.monotonic()
        e = self.acquire(self.manager, "a", "b", timeout=0.1)
        self.assertGreaterEqual(time.monotonic() - start, 0.09)
        self.assertFails(e, QUARK, Fc.Error.TIMEOUT, "Timeout acquiring lock 'b'")
        # What it took is rolled back; nothing stays queued.
        self.assertFalse(self.locked("a"))
        self.assertEqual(self.manager.get_lock("b").get_waiters(), 0)
        self.assertFails(self.acquire(self.manager, "b", timeout=0), QUARK, Fc.Error.TIMEOUT)
        e = self.acquire(self.manager, "a", timeout=-2.0)
        self.assertFails(e, QUARK, Fc.Error.INVALID_ARGUMENT, "Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever")
        e = self.acquire(self.manager, "nope")
        self.assertFails(e, QUARK, Fc.Error.NOT_REGISTERED, "Lock 'nope' not registered")

    def test_cancellation(self):
        holder = self.acquire(self.manager, "b")
        cancellable = Gio.Cancellable()
        GLib.timeout_add(20, lambda: cancellable.cancel() and False)
        e = self.acquire(self.manager, "a", "b", cancellable=cancellable)
        self.assertFails(e, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
        self.assertFalse(self.locked("a"))
        self.assertEqual(self.manager.get_lock_status()["b"]["waiters"], 0)
        holder.release()
        # Already cancelled: fails without taking anything.
        e = self.acquire(self.manager, "c", cancellable=cancellable)
        self.assertFails(e, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
        self.assertFalse(self.locked("c"))

    def test_release_from_another_thread(self):
        holder = self.acquire(self.manager, "a")
        waiter = self.acquire(self.manager, "a",
                              then=threading.Thread(target=holder.release).start)
        self.assertIsInstance(waiter, Fc.AsyncLockGuard)
        self.assertTrue(holder.is_released())
        self.assertEqual(self.manager.get_lock("a").dup_owner(), waiter.get_label())

    def test_labels_and_status(self):
        guard = self.acquire(self.manager, "a")
        self.assertTrue(guard.get_label().startswith("guard-"), guard.get_label())
        guard.set_label("worker-1")
        self.assertEqual(self.manager.get_lock("a").dup_owner(), "worker-1")
        status = self.manager.get_lock_status()
        self.assertIsInstance(status, dict)
        held, free = status["a"], status["b"]
        self.assertEqual((held["order"], held["description"], held["is_locked"], held["owner"]),
                         (300, "Lock A", True, "worker-1"))
        self.assertAlmostEqual(held["acquired_at"], time.time(), delta=5.0)
        self.assertEqual((free["is_locked"], free["owner"], free["waiters"]), (False, None, 0))
        guard.release()
        self.assertIsNone(self.manager.get_lock("a").dup_owner())

    def test_dup_label(self):
        guard = self.acquire(self.manager, "a")
        self.assertEqual(guard.dup_label(), guard.get_label())
        self.assertTrue(guard.dup_label().startswith("guard-"), guard.dup_label())
        setter = threading.Thread(target=lambda: [guard.set_label("t-%d" % i) for i in range(200)])
        setter.start()
        seen = [guard.dup_label() for _ in range(200)]
        setter.join()
        self.assertTrue(all(isinstance(label, str) for label in seen), seen)
        self.assertEqual(guard.dup_label(), "t-199")
        guard.release()

    def test_long_hold_and_diagnostics(self):
        self.assertEqual(self.manager.detect_potential_deadlocks(), [])
        self.assertEqual(self.manager.get_deadlock_report(), [])
        self.assertTrue(self.manager.dump_order_graph().startswith("digraph"))
        guard = self.acquire(self.manager, "c")
        guard.set_label("sleeper")
        self.manager.props.hold_warning_threshold = 0.0
        time.sleep(0.05)
        warnings = self.manager.detect_potential_deadlocks()
        self.assertTrue(any(re.fullmatch(r"Lock 'c' held by 'sleeper' for [0-9.]+s - "
                                         r"potential deadlock or resource leak", w)
                            for w in warnings), warnings)

    def test_sibling_holders_are_not_a_deadlock(self):
        """Two tasks (guard chains) each hold one lock through a child guard,
        and another child of each waits for the other's lock. The holders
        wait for nothing, so they can release: not a deadlock (issue 12,
        finding 6); the waits time out naming the holder."""
        task1 = self.acquire(self.manager)
        task1.set_label("task-1")
        task2 = self.acquire(self.manager)
        task2.set_label("task-2")
        self.acquire(task1, "a")
        self.acquire(task2, "b")

        loop, outcomes, seen = GLib.MainLoop(), [], {}

        def ready(source, result):
            try:
                outcomes.append(source.acquire_finish(result))
            except GLib.Error as e:
                outcomes.append(e)
            if len(outcomes) == 2:
                loop.quit()

        def detect():
            seen["warnings"] = self.manager.detect_potential_deadlocks()
            seen["report"] = self.manager.get_deadlock_report()
            return GLib.SOURCE_REMOVE

        task1.acquire("b", timeout=2.0, callback=ready)
        task2.acquire("a", timeout=2.0, callback=ready)
        GLib.timeout_add(200, detect)
        give_up = GLib.timeout_add(10000, loop.quit)
        loop.run()
        GLib.source_remove(give_up)

        warnings = seen.get("warnings", [])
        deadlocks = [w for w in warnings if w.startswith("Deadlock:")]
        self.assertEqual(deadlocks, [], warnings)
        kinds = [r["kind"] for r in seen["report"]]
        self.assertNotIn("deadlock", kinds)
        # Both waits end in a timeout that names the lock and its holder.
        self.assertEqual(len(outcomes), 2)
        self.assertFails(outcomes[0], QUARK, Fc.Error.TIMEOUT, "Timeout acquiring lock 'b'")
        self.assertFails(outcomes[1], QUARK, Fc.Error.TIMEOUT, "Timeout acquiring lock 'a'")
        self.assertEqual(self.manager.get_lock_status()["a"]["waiters"], 0)

    def test_default_manager(self):
        default = Fc.AsyncLockManager.get_default()
        self.assertIs(default, Fc.AsyncLockManager.get_default())
        status = default.get_lock_status()
        self.assertEqual(status["foundation.async.config"]["order"], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
