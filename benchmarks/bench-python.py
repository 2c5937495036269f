#!/usr/bin/python3
# bench-python.py — `with manager.acquire("a"): pass` from Python through the
# Fc-1 typelib and override, beside the same loop on a pure-Python ordered
# lock manager of the reference's design, in the same process. Prints µs
# per iteration and the ratio; asserts nothing.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import threading
import time
from contextlib import contextmanager

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc  # noqa: E402


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


def per_iteration(manager, iterations):
    acquire = manager.acquire
    start = time.perf_counter()
    for _ in range(iterations):
        with acquire("a"):
            pass
    return (time.perf_counter() - start) / iterations * 1e6


ROUNDS = 10


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
    fc = Fc.LockManager()
    fc.register_lock("a", 300)
    py = PyLockManager()
    py.register_lock("a", 300)

    # Warm up, then alternate rounds of each, so that a burst of load on the
    # machine does not fall on one side only, and keep the best of each.
    per_iteration(fc, iterations // 10)
    per_iteration(py, iterations // 10)
    fc_us = py_us = float("inf")
    for _ in range(ROUNDS):
        fc_us = min(fc_us, per_iteration(fc, iterations))
        py_us = min(py_us, per_iteration(py, iterations))

    print(f"with manager.acquire('a'): pass   ({iterations} iterations, "
          f"best of {ROUNDS} alternating rounds)")
    print(f"  Fc typelib + override  {fc_us:8.3f} us/iteration")
    print(f"  pure-Python reference  {py_us:8.3f} us/iteration")
    print(f"  ratio (Python / Fc)    {py_us / fc_us:8.2f}x  (goal: >= 2x)")


if __name__ == "__main__":
    main()
