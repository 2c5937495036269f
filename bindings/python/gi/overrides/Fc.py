# Fc.py — Pythonic sugar over the Fc-1 typelib (foundation-concurrency).
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#     with manager.acquire("accounts", "ledger", timeout=5.0):
#         ...
#
#     async_manager.acquire("accounts", timeout=5.0, callback=on_locked)
#
# Everything else is the introspected API, unchanged.

from ..module import get_introspection_module
from ..overrides import override

Fc = get_introspection_module("Fc")

__all__ = ["DEFAULT_TIMEOUT"]

# The convenience forms default to 10 seconds, as the Python reference does.
DEFAULT_TIMEOUT = 10.0

# The hot path calls the introspected functions directly: no attribute
# lookup through the override's MRO, no super().
_manager_acquire = Fc.LockManager.acquire
_guard_release = Fc.LockGuard.release


class _GuardContext:
    """A guard is a context manager: leaving the block releases it."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.release()
        return False

    @property
    def names(self):
        """The names this guard took, in acquisition order."""
        return list(self.dup_names())


class _ManagerDiagnostics:
    """Status and diagnostics as plain Python values instead of GVariants."""

    def get_lock_status(self):
        """{name: {"order": int, "owner": str or None, ...}} for every lock."""
        return super().get_lock_status().unpack()

    def detect_potential_deadlocks(self):
        """A list of warnings, possibly empty."""
        return list(super().detect_potential_deadlocks())

    def get_deadlock_report(self):
        """A list of dicts: kind, message, locks, owners, orders."""
        return super().get_deadlock_report().unpack()

    def register_lock(self, name, order, description=None, lock=None):
        return super().register_lock(name, order, description, lock)


class Lock(Fc.Lock):
    def lock(self, timeout=DEFAULT_TIMEOUT):
        return super().lock(timeout)

    def __enter__(self):
        self.lock()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.unlock()
        return False


Lock = override(Lock)
__all__.append("Lock")


class LockGuard(_GuardContext, Fc.LockGuard):
    def __exit__(self, exc_type, exc_value, traceback):
        _guard_release(self)
        return False


LockGuard = override(LockGuard)
__all__.append("LockGuard")


class LockManager(_ManagerDiagnostics, Fc.LockManager):
    def acquire(self, *names, timeout=DEFAULT_TIMEOUT, blocking=True):
        """Takes every named lock, in ascending order, and returns the
        guard; use it in a with statement to release them on exit."""
        return _manager_acquire(self, names, timeout, blocking)


LockManager = override(LockManager)
__all__.append("LockManager")


class _AsyncAcquire:
    """acquire(*names) for FcAsyncLockManager and FcAsyncLockGuard (nesting).

        def on_locked(source, result):
            with source.acquire_finish(result):
                ...

        manager.acquire("accounts", "ledger", callback=on_locked)

    The callback runs in the caller's thread-default main context; it gets
    user_data as a third argument only when one is given, as with any GIO
    call in PyGObject."""

    def acquire(self, *names, timeout=DEFAULT_TIMEOUT, cancellable=None,
                callback=None, user_data=None):
        if user_data is None:
            self.acquire_async(names, timeout, cancellable, callback)
        else:
            self.acquire_async(names, timeout, cancellable, callback, user_data)


# Guards are context managers (leaving the block releases them) and the
# manager's status and diagnostics are plain Python values, as above.
class AsyncLockGuard(_AsyncAcquire, _GuardContext, Fc.AsyncLockGuard):
    pass


AsyncLockGuard = override(AsyncLockGuard)
__all__.append("AsyncLockGuard")


class AsyncLockManager(_AsyncAcquire, _ManagerDiagnostics, Fc.AsyncLockManager):
    pass


AsyncLockManager = override(AsyncLockManager)
__all__.append("AsyncLockManager")
