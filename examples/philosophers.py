#!/usr/bin/python3
# philosophers.py — the dining philosophers from Python, through the Fc-1
# typelib and its override. Each philosopher asks for both forks in one
# call; the manager takes them in ascending order, so they never deadlock.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import threading

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc, GLib  # noqa: E402

NAMES = ["Aristotle", "Kant", "Spinoza", "Marx", "Russell"]
MEALS = int(sys.argv[1]) if len(sys.argv) > 1 else 100

manager = Fc.LockManager()
forks = [f"fork-{i}" for i in range(len(NAMES))]
for i, fork in enumerate(forks):
    manager.register_lock(fork, 300 + i, f"Fork {i}")

meals = dict.fromkeys(NAMES, 0)


def dine(seat):
    left, right = forks[seat], forks[(seat + 1) % len(forks)]
    for _ in range(MEALS):
        with manager.acquire(right, left, timeout=5.0):
            meals[NAMES[seat]] += 1


threads = [threading.Thread(target=dine, args=(seat,)) for seat in range(len(NAMES))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(", ".join(f"{name} ate {n}" for name, n in meals.items()))

# An impatient philosopher holds fork-3 and reaches for fork-1: refused.
with manager.acquire("fork-3"):
    try:
        manager.acquire("fork-1")
    except GLib.Error as e:
        assert e.matches(Fc.error_quark(), Fc.Error.ORDER_VIOLATION)
        print(f"refused: {e.message}")

assert all(n == MEALS for n in meals.values())
assert not any(s["is_locked"] for s in manager.get_lock_status().values())
