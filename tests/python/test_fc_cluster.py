# Tests FcClusterLockManager through the Fc-1 typelib and the override, from
# PyGObject, against the real etcd cluster tests/etcd-cluster-run started
# (FC_ETCD_ENDPOINTS: its members' client URLs, comma-separated).
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import faulthandler
import os
import socket
import threading
import time
import unittest
import uuid

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc, GLib  # noqa: E402

QUARK = Fc.error_quark()
ENDPOINTS = [e for e in os.environ.get("FC_ETCD_ENDPOINTS", "").split(",") if e]

# A bound on calls that must return: reaching it means they hung.
HANG_SECONDS = 60


def unused_endpoint():
    """A loopback URL nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return "http://127.0.0.1:%d" % s.getsockname()[1]


def call_bounded(func, *args):
    """func(*args) in a thread: (result, exception), or fails if it hangs."""
    box = {}

    def run():
        try:
            box["result"] = func(*args)
        except Exception as e:  # noqa: BLE001 — handed to the test
            box["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_SECONDS)
    if thread.is_alive():
        raise AssertionError("%s did not return within %d s" % (func.__name__, HANG_SECONDS))
    return box.get("result"), box.get("error")


@unittest.skipUnless(ENDPOINTS, "FC_ETCD_ENDPOINTS is not set (run under etcd-cluster-run)")
@unittest.skipUnless(hasattr(Fc, "ClusterLockManager"), "built without the cluster option")
class ClusterTestCase(unittest.TestCase):
    def setUp(self):
        # A prefix of its own: every test sees only its own keys.
        self.prefix = "/py-%s/" % uuid.uuid4().hex
        self.managers = []

    def tearDown(self):
        for manager in self.managers:
            manager.close_sync(None)

    def manager(self):
        manager = Fc.ClusterLockManager.new_sync(ENDPOINTS, self.prefix, None)
        self.managers.append(manager)
        return manager

    def test_register_acquire_release(self):
        manager = self.manager()
        self.assertIsInstance(manager, Fc.ClusterLockManager)
        self.assertTrue(manager.register_lock_sync("accounts", 1, "the accounts", None))
        self.assertTrue(manager.register_lock_sync("ledger", 2, None, None))
        # Again with the same order: every process does so at start.
        self.assertTrue(manager.register_lock_sync("accounts", 1, "the accounts", None))

        guard = manager.acquire_sync(["ledger", "accounts"], 5.0, None)
        self.assertIsInstance(guard, Fc.ClusterLockGuard)
        self.assertEqual(sorted(guard.names), ["accounts", "ledger"])
        self.assertFalse(guard.is_released())
        self.assertFalse(guard.is_lost())
        status = manager.get_lock_status_sync(None)
        self.assertEqual(status["accounts"]["order"], 1)
        self.assertEqual(status["accounts"]["owner"], manager.props.identity)
        self.assertEqual(status["ledger"]["fencing_token"], guard.get_fencing_token())
        self.assertTrue(guard.release_sync(None))
        self.assertTrue(guard.is_released())
        status = manager.get_lock_status_sync(None)
        self.assertIsNone(status["accounts"].get("owner"))

    def test_already_registered(self):
        manager = self.manager()
        manager.register_lock_sync("a", 1, None, None)
        with self.assertRaises(Fc.AlreadyRegisteredError) as cm:
            manager.register_lock_sync("a", 2, None, None)
        self.assertTrue(cm.exception.matches(QUARK, Fc.Error.ALREADY_REGISTERED))

    def test_with_statement(self):
        manager = self.manager()
        manager.register_lock_sync("door", 1, None, None)
        with manager.acquire_sync(["door"], 5.0, None) as guard:
            self.assertFalse(guard.is_released())
        self.assertTrue(guard.is_released())

        # An error in the block: released all the same, the error goes on.
        with self.assertRaises(ZeroDivisionError):
            with manager.acquire_sync(["door"], 5.0, None) as guard:
                1 / 0
        # Released (the release was started; the next acquisition waits for it).
        with manager.acquire_sync(["door"], 10.0, None):
            pass

    def test_fencing_token_increases(self):
        first = self.manager()
        second = self.manager()
        for manager in (first, second):
            manager.register_lock_sync("door", 1, None, None)
        tokens = []
        for i in range(6):
            manager = (first, second)[i % 2]
            with manager.acquire_sync(["door"], 5.0, None) as guard:
                tokens.append(guard.get_fencing_token())
        self.assertEqual(tokens, sorted(set(tokens)), tokens)

    def test_nested_guard_and_order_violation(self):
        manager = self.manager()
        manager.register_lock_sync("low", 1, None, None)
        manager.register_lock_sync("high", 2, None, None)
        with manager.acquire_sync(["high"], 5.0, None) as outer:
            with self.assertRaises(Fc.OrderViolationError):
                outer.acquire_sync(["low"], 5.0, None)
        with manager.acquire_sync(["low"], 5.0, None) as outer:
            with outer.acquire_sync(["high"], 5.0, None) as inner:
                self.assertGreaterEqual(inner.get_fencing_token(), outer.get_fencing_token())

    def test_timeout(self):
        holder = self.manager()
        waiter = self.manager()
        for manager in (holder, waiter):
            manager.register_lock_sync("door", 1, None, None)
        with holder.acquire_sync(["door"], 5.0, None):
            try:
                waiter.acquire_sync(["door"], 0.5, None)
            except TimeoutError as e:
                # The override's class: both a TimeoutError and a GLib.Error.
                self.assertIsInstance(e, GLib.Error)
                self.assertTrue(e.matches(QUARK, Fc.Error.TIMEOUT))
                self.assertIn("door", e.message)
                self.assertIn(holder.props.identity, e.message)
            else:
                self.fail("acquired a lock another manager holds")
        # Nothing of the failed attempt is left: the lock is free at once.
        with waiter.acquire_sync(["door"], 0, None):
            pass

    def test_not_registered(self):
        manager = self.manager()
        with self.assertRaises(Fc.NotRegisteredError):
            manager.acquire_sync(["nowhere"], 1.0, None)

    def test_detect_potential_deadlocks(self):
        manager = self.manager()
        manager.register_lock_sync("door", 1, None, None)
        with manager.acquire_sync(["door"], 5.0, None):
            reports = manager.detect_potential_deadlocks_sync(None)
        self.assertIsInstance(reports, list)

    def test_unavailable(self):
        start = time.monotonic()
        manager, error = call_bounded(Fc.ClusterLockManager.new_sync,
                                      [unused_endpoint()], self.prefix, None)
        self.assertIsNone(manager)
        self.assertIsInstance(error, ConnectionError)
        self.assertIsInstance(error, Fc.UnavailableError)
        self.assertTrue(error.matches(QUARK, Fc.Error.UNAVAILABLE), error)
        print("UNAVAILABLE after %.1f s" % (time.monotonic() - start))


@unittest.skipUnless(hasattr(Fc, "ClusterLockManager"), "built without the cluster option")
class MainThreadTestCase(unittest.TestCase):
    """Last (by name): a hang here ends the process after HANG_SECONDS."""

    def test_unavailable_in_main_thread(self):
        # The main thread, whose context is the global default one.
        faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
        try:
            with self.assertRaises(Fc.UnavailableError):
                Fc.ClusterLockManager.new_sync([unused_endpoint()], "/py-unreachable/", None)
        finally:
            faulthandler.cancel_dump_traceback_later()


if __name__ == "__main__":
    unittest.main()
