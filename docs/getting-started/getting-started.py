#!/usr/bin/env python3
# getting-started.py — the Python program of the manual's "Getting started"
# page, through the Fc-1 typelib and its PyGObject override.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import gi

gi.require_version("Fc", "1")
from gi.repository import Fc, GLib  # noqa: E402

# Every lock has a name and an order: locks are taken in ascending order.
manager = Fc.LockManager()
manager.register_lock("accounts", 300, "Customer accounts")
manager.register_lock("ledger", 310, "General ledger")

# Ask for both at once, in any order: the manager sorts them.
with manager.acquire("ledger", "accounts", timeout=5.0):
    print("holding accounts and ledger")

# Taking a lower lock while holding a higher one is refused, not deadlocked.
with manager.acquire("ledger"):
    try:
        manager.acquire("accounts")
        raise SystemExit("the wrong order was not refused")
    except GLib.Error as e:
        assert e.matches(Fc.error_quark(), Fc.Error.ORDER_VIOLATION)
        print(f"refused: {e.message}")
