#!/usr/bin/python3
# bench-python.py — `with manager.acquire(...): pass` from Python through the
# Fc-1 typelib and override (1 lock, 3 locks, 2 threads on 2 locks, and
# async acquire + release on a main loop), beside the same loops on a
# pure-Python lock manager of the reference's design, in the same process.
# Prints µs per iteration and the ratios; asserts nothing.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import collections
import sys
import threading
import time
from contextlib import contextmanager

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc, GLib  # noqa: E402


class PyLockManager:
    """The reference's design: an RLock per name, a per-thread stack of held
    orders, ascending acquisition, one timeout for the whole set."""

    def __init__(self):
        self._locks = {}
        self._registry_lock = threading.RLock()
        self._local = threading.local()

    def register_lock(self, name, order, description=""):
        with self._registry_lock:
            if name in self._locks:
                raise ValueError(f"Lock '{name}' already registered")
            if any(info["order"] == order for info in self._locks.values()):
                raise ValueError(f"Lock order {order} already used")
            self._locks[name] = {"lock": threading.RLock(), "order": order,
                                 "description": description, "owner": None,
                                 "acquired_at": None}

    def _held(self):
        if not hasattr(self._local, "held"):
            self._local.held = []
        return self._local.held

    @contextmanager
    def acquire(self, *names, timeout=10.0, blocking=True):
        held = self._held()
        held_names = {name for name, _ in held}
        infos = sorted({n: self._locks[n] for n in names if n not in held_names}.items(),
                       key=lambda item: item[1]["order"])
        max_order = max((order for _, order in held), default=-1)
        for name, info in infos:
            if info["order"] <= max_order:
                raise RuntimeError(f"Lock ordering violation: trying to acquire {name}")
        deadline = time.monotonic() + timeout
        taken = []
        try:
            for name, info in infos:
                remaining = max(0.0, deadline - time.monotonic())
                if not info["lock"].acquire(blocking, remaining if blocking else -1):
                    raise TimeoutError(f"Timeout acquiring lock '{name}'")
                info["owner"] = threading.current_thread().name
                info["acquired_at"] = time.time()
                taken.append((name, info))
                held.append((name, info["order"]))
            yield
        finally:
            for name, info in reversed(taken):
                held.remove((name, info["order"]))
                info["owner"] = info["acquired_at"] = None
                info["lock"].release()


class PyAsyncLockManager:
    """The reference's async design on a GLib main loop: a queue per name,
    ascending acquisition, the grant delivered through the main loop (as
    an awaited asyncio.Lock resumes its task through the event loop)."""

    def __init__(self):
        self._locks = {}

    def register_lock(self, name, order, description=""):
        if name in self._locks:
            raise ValueError(f"Lock '{name}' already registered")
        self._locks[name] = {"order": order, "holder": None,
                             "waiters": collections.deque(),
                             "description": description}

    def acquire(self, *names, callback):
        infos = sorted((self._locks[n] for n in set(names)), key=lambda i: i["order"])
        guard = _PyAsyncGuard(self, infos)
        guard._next(callback)


class _PyAsyncGuard:
    def __init__(self, manager, infos):
        self._infos = infos
        self._taken = []

    def _next(self, callback):
        while len(self._taken) < len(self._infos):
            info = self._infos[len(self._taken)]
            if info["holder"] is None:
                info["holder"] = self
                info["acquired_at"] = time.time()
                self._taken.append(info)
            else:
                info["waiters"].append((self, callback))
                return
        GLib.idle_add(self._granted, callback)

    def _granted(self, callback):
        callback(self)
        return GLib.SOURCE_REMOVE

    def release(self):
        for info in reversed(self._taken):
            info["holder"] = None
            if info["waiters"]:
                guard, callback = info["waiters"].popleft()
                info["holder"] = guard
                guard._taken.append(info)
                guard._next(callback)
        self._taken = []


def per_iteration(manager, iterations, names=("a",)):
    acquire = manager.acquire
    start = time.perf_counter()
    for _ in range(iterations):
        with acquire(*names):
            pass
    return (time.perf_counter() - start) / iterations * 1e6


def two_threads(manager, iterations):
    """Two threads, each taking both locks, iterations times."""
    def work():
        acquire = manager.acquire
        for _ in range(iterations):
            with acquire("a", "b"):
                pass
    threads = [threading.Thread(target=work) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (time.perf_counter() - start) / (2 * iterations) * 1e6


def fc_async(manager, iterations):
    """acquire + release on a main loop, one after the other."""
    loop = GLib.MainLoop()
    left = [iterations]

    def on_locked(source, result):
        source.acquire_finish(result).release()
        left[0] -= 1
        if left[0] == 0:
            loop.quit()
        else:
            manager.acquire("a", callback=on_locked)

    start = time.perf_counter()
    manager.acquire("a", callback=on_locked)
    loop.run()
    return (time.perf_counter() - start) / iterations * 1e6


def py_async(manager, iterations):
    loop = GLib.MainLoop()
    left = [iterations]

    def on_locked(guard):
        guard.release()
        left[0] -= 1
        if left[0] == 0:
            loop.quit()
        else:
            manager.acquire("a", callback=on_locked)

    start = time.perf_counter()
    manager.acquire("a", callback=on_locked)
    loop.run()
    return (time.perf_counter() - start) / iterations * 1e6


ROUNDS = 5


def best_of(fc_run, py_run):
    # Warm up, then alternate rounds of each, so that a burst of load on
    # the machine does not fall on one side only, and keep the best of each.
    fc_run()
    py_run()
    fc_us = py_us = float("inf")
    for _ in range(ROUNDS):
        fc_us = min(fc_us, fc_run())
        py_us = min(py_us, py_run())
    return fc_us, py_us


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    fc = Fc.LockManager()
    py = PyLockManager()
    for name, order in (("a", 300), ("b", 310), ("c", 320)):
        fc.register_lock(name, order)
        py.register_lock(name, order)
    fc_async_manager = Fc.AsyncLockManager()
    fc_async_manager.register_lock("a", 300)
    py_async_manager = PyAsyncLockManager()
    py_async_manager.register_lock("a", 300)

    cases = [
        ("with manager.acquire('a')", 3.0,
         lambda: per_iteration(fc, iterations), lambda: per_iteration(py, iterations)),
        ("with manager.acquire('a', 'b', 'c')", 5.0,
         lambda: per_iteration(fc, iterations, ("a", "b", "c")),
         lambda: per_iteration(py, iterations, ("a", "b", "c"))),
        ("2 threads, with manager.acquire('a', 'b')", 4.0,
         lambda: two_threads(fc, iterations // 2), lambda: two_threads(py, iterations // 2)),
        ("async acquire + release on a main loop", 3.0,
         lambda: fc_async(fc_async_manager, iterations // 4),
         lambda: py_async(py_async_manager, iterations // 4)),
    ]
    print(f"Fc typelib + override vs a pure-Python manager of the reference's design "
          f"(us per iteration, best of {ROUNDS} alternating rounds)")
    for title, goal, fc_run, py_run in cases:
        fc_us, py_us = best_of(fc_run, py_run)
        print(f"  {title:44} Fc {fc_us:7.3f}  Python {py_us:7.3f}  "
              f"{py_us / fc_us:5.2f}x faster  (goal >= {goal:g}x)")


if __name__ == "__main__":
    main()
