# Fc.py — Pythonic sugar over the Fc-1 typelib (foundation-concurrency).
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#     with manager.acquire("accounts", "ledger", timeout=5.0):
#         ...
#
#     async with async_manager.acquire("accounts", "ledger", timeout=5.0) as guard:
#         async with guard.acquire("audit-log"):
#             ...
#
#     async_manager.acquire("accounts", timeout=5.0, callback=on_locked)
#
# - Names are separate arguments or one list or tuple; None, non-strings and
#   names containing NUL are TypeError / ValueError (the C API would cut the
#   list, or the name, there). timeout=None waits forever.
# - The managers' set_hold_warning_threshold() and set_watchdog_interval()
#   raise ValueError for a value C refuses (negative, NaN; an infinite
#   interval), where C logs a critical Python code would never see.
# - Errors of the FC_ERROR domain are raised as one class per FcError code,
#   each both a GLib.Error (e.matches(Fc.error_quark(), Fc.Error.TIMEOUT)
#   works) and the builtin exception the Python reference raises:
#   TimeoutError, KeyError (not registered), ValueError (invalid argument,
#   already registered, order conflict), RuntimeError (order violation,
#   would block).
# - The thread that takes a lock is shown under its Python name
#   (threading.Thread(name="py-holder") shows as 'py-holder'), through
#   Fc.set_thread_name().
# - Status, reports and the potential-deadlock signal's report are plain
#   Python values.
#
# Everything else is the introspected API, unchanged.

import asyncio
import builtins
import math
import threading
import warnings

from ..module import get_introspection_module
from ..overrides import override
from gi.repository import GLib, GObject

Fc = get_introspection_module("Fc")

__all__ = ["DEFAULT_TIMEOUT"]

# The convenience forms default to 10 seconds, as the Python reference does.
DEFAULT_TIMEOUT = 10.0

_set_thread_name = Fc.set_thread_name
_INFINITE = Fc.TIMEOUT_INFINITE


# ---- Errors ---------------------------------------------------------------

class FcError(GLib.Error):
    """The base of the exceptions raised for errors of the FC_ERROR domain."""


def _error_class(name, builtin, doc):
    cls = type(name, (FcError, builtin), {"__doc__": doc, "__module__": __name__})
    globals()[name] = cls
    __all__.append(name)
    return cls


_DOMAIN = GLib.quark_to_string(Fc.error_quark())
_BY_CODE = {
    int(Fc.Error.INVALID_ARGUMENT): _error_class(
        "InvalidArgumentError", ValueError, "FC_ERROR_INVALID_ARGUMENT (a ValueError)."),
    int(Fc.Error.ALREADY_REGISTERED): _error_class(
        "AlreadyRegisteredError", ValueError, "FC_ERROR_ALREADY_REGISTERED (a ValueError)."),
    int(Fc.Error.ORDER_CONFLICT): _error_class(
        "OrderConflictError", ValueError, "FC_ERROR_ORDER_CONFLICT (a ValueError)."),
    int(Fc.Error.NOT_REGISTERED): _error_class(
        "NotRegisteredError", KeyError, "FC_ERROR_NOT_REGISTERED (a KeyError)."),
    int(Fc.Error.ORDER_VIOLATION): _error_class(
        "OrderViolationError", RuntimeError, "FC_ERROR_ORDER_VIOLATION (a RuntimeError)."),
    int(Fc.Error.WOULD_BLOCK): _error_class(
        "WouldBlockError", RuntimeError, "FC_ERROR_WOULD_BLOCK (a RuntimeError)."),
    int(Fc.Error.TIMEOUT): _error_class(
        "TimeoutError", builtins.TimeoutError, "FC_ERROR_TIMEOUT (a TimeoutError)."),
}
__all__.append("FcError")


def _translate(error):
    """The exception to raise for @error: FC_ERROR codes get their class."""
    if error.domain == _DOMAIN and not isinstance(error, FcError):
        cls = _BY_CODE.get(error.code)
        if cls is not None:
            return cls(error.message, error.domain, error.code)
    return error


# ---- Arguments --------------------------------------------------------------

def _names(names):
    """Names given as separate arguments or as one list or tuple; checked
    here, as the C array would end at a None and a name at a NUL."""
    if len(names) == 1 and type(names[0]) is not str and isinstance(names[0], (list, tuple)):
        names = names[0]
    try:
        # One C-speed pass: every item must be a str, none may hold a NUL.
        if "\0" in "".join(names):
            raise ValueError("a lock name contains a NUL character: %r" % (names,))
    except TypeError:
        bad = next(name for name in names if not isinstance(name, str))
        raise TypeError("lock names must be str, not %s" % type(bad).__name__) from None
    return names


def _name(name):
    if not isinstance(name, str):
        raise TypeError("a lock name must be str, not %s" % type(name).__name__)
    if "\0" in name:
        raise ValueError("lock name %r contains a NUL character" % name)
    return name


def _timeout(timeout):
    return _INFINITE if timeout is None else timeout


# Each thread shows as lock owner under its Python name. Threads Python did
# not start (GLib's, shown as "Dummy-N" by threading) keep their own.
_local = threading.local()
_current_thread = threading.current_thread
_DummyThread = threading._DummyThread


def _name_thread():
    thread = _current_thread()
    if not isinstance(thread, _DummyThread):
        _set_thread_name(thread.name)
    _local.named = True


# ---- Guards and managers ----------------------------------------------------

# The hot paths (LockManager.acquire and leaving its guard's block; an
# async acquire with a callback, its acquire_finish and the async guard's
# release) are the C module _fc_fast: the same C calls as the introspected
# ones, without PyGObject's per-call marshalling. It names threads and
# raises errors as the rest of the override does.
from . import _fc_fast  # noqa: E402


def _raise_translated(message, domain, code):
    return _translate(GLib.Error(message, domain, code))


_fc_fast.install(_name_thread, _raise_translated)
_fast_acquire = _fc_fast.acquire
_fast_release = _fc_fast.release
_fast_acquire_async = _fc_fast.acquire_async
_fast_acquire_finish = _fc_fast.acquire_finish
_fast_release_async = _fc_fast.release_async


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


def _unpacking(handler):
    """A potential-deadlock handler that gets the report as Python values."""
    def on_potential_deadlock(manager, message, report, *args):
        return handler(manager, message, report.unpack(), *args)
    return on_potential_deadlock


class _ManagerDiagnostics:
    """Status and diagnostics as plain Python values instead of GVariants;
    registration with the Python errors."""

    def get_lock_status(self):
        """{name: {"order": int, "owner": str or None, ...}} for every lock."""
        return super().get_lock_status().unpack()

    def detect_potential_deadlocks(self):
        """A list of warnings, possibly empty."""
        return list(super().detect_potential_deadlocks())

    def get_deadlock_report(self):
        """A list of dicts: kind, message, locks, owners, orders."""
        return super().get_deadlock_report().unpack()

    def connect(self, detailed_signal, handler, *args):
        """As GObject.Object.connect(); a potential-deadlock handler gets the
        report as a dict (kind, message, locks, owners, orders)."""
        if detailed_signal.split("::")[0] == "potential-deadlock":
            handler = _unpacking(handler)
        return super().connect(detailed_signal, handler, *args)

    def connect_after(self, detailed_signal, handler, *args):
        if detailed_signal.split("::")[0] == "potential-deadlock":
            handler = _unpacking(handler)
        return super().connect_after(detailed_signal, handler, *args)

    def register_lock(self, name, order, description=None, lock=None):
        try:
            return super().register_lock(_name(name), order, description, lock)
        except GLib.Error as e:
            raise _translate(e) from None

    def get_lock(self, name):
        try:
            return super().get_lock(_name(name))
        except GLib.Error as e:
            raise _translate(e) from None

    def register_foundation_locks(self):
        try:
            return super().register_foundation_locks()
        except GLib.Error as e:
            raise _translate(e) from None

    def set_hold_warning_threshold(self, threshold):
        """Seconds, non-negative (math.inf: never warn)."""
        if not threshold >= 0:
            raise ValueError("hold-warning-threshold must be non-negative, not %r" % (threshold,))
        super().set_hold_warning_threshold(threshold)

    def set_watchdog_interval(self, interval):
        """Seconds between checks, finite and non-negative; 0 stops it."""
        if not (interval >= 0 and math.isfinite(interval)):
            raise ValueError("watchdog-interval must be finite and non-negative, not %r"
                             % (interval,))
        super().set_watchdog_interval(interval)


class Lock(Fc.Lock):
    def lock(self, timeout=DEFAULT_TIMEOUT):
        try:
            _local.named
        except AttributeError:
            _name_thread()
        try:
            return super().lock(_timeout(timeout))
        except GLib.Error as e:
            raise _translate(e) from None

    def try_lock(self):
        try:
            _local.named
        except AttributeError:
            _name_thread()
        return super().try_lock()

    def __enter__(self):
        self.lock()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.unlock()
        return False


Lock = override(Lock)
__all__.append("Lock")


class LockGuard(_GuardContext, Fc.LockGuard):
    """Only the guard's methods are used (release, dup_names, is_released),
    so this works whether FcLockGuard is a GObject or a boxed type."""

    def __exit__(self, exc_type, exc_value, traceback):
        _fast_release(self)
        return False


LockGuard = override(LockGuard)
__all__.append("LockGuard")


class LockManager(_ManagerDiagnostics, Fc.LockManager):
    def acquire(self, *names, timeout=DEFAULT_TIMEOUT, blocking=True):
        """Takes every named lock, in ascending order, and returns the
        guard; use it in a with statement to release them on exit. Names
        are separate arguments or one list or tuple; timeout=None waits
        forever."""
        return _fast_acquire(self, names, timeout, blocking)


LockManager = override(LockManager)
__all__.append("LockManager")


# ---- Async managers ---------------------------------------------------------

from ._fc_asyncio import AsyncAcquisition as _AsyncAcquisition  # noqa: E402


class _AsyncAcquire:
    """acquire(*names) for FcAsyncLockManager and FcAsyncLockGuard (nesting).

    Under asyncio, await it or use it in an async with statement:

        async with manager.acquire("accounts", "ledger", timeout=5.0) as guard:
            async with guard.acquire("audit-log"):
                ...

    On a GLib main loop, give a callback:

        def on_locked(source, result):
            with source.acquire_finish(result):
                ...

        manager.acquire("accounts", "ledger", callback=on_locked)

    The callback runs in the caller's thread-default main context; it gets
    user_data as a third argument only when one is given, as with any GIO
    call in PyGObject. Without a callback, nothing starts until the result
    is awaited."""

    def acquire(self, *names, timeout=DEFAULT_TIMEOUT, cancellable=None,
                callback=None, user_data=None):
        if callback is not None:
            return _fast_acquire_async(self, names, timeout, cancellable, callback, user_data)
        if user_data is not None:
            raise TypeError("user_data needs a callback")
        return _AsyncAcquisition(self, _names(names), _timeout(timeout), cancellable)

    def acquire_finish(self, result):
        return _fast_acquire_finish(self, result)


# Guards are context managers (leaving the block releases them) and the
# manager's status and diagnostics are plain Python values, as above.
class AsyncLockGuard(_AsyncAcquire, _GuardContext, Fc.AsyncLockGuard):
    def release(self):
        """Releases every lock of the guard (idempotent)."""
        _fast_release_async(self)


AsyncLockGuard = override(AsyncLockGuard)
__all__.append("AsyncLockGuard")


class AsyncLockManager(_AsyncAcquire, _ManagerDiagnostics, Fc.AsyncLockManager):
    pass


AsyncLockManager = override(AsyncLockManager)
__all__.append("AsyncLockManager")


# ---- Async helpers ------------------------------------------------------------

def sleep_finish(result):
    try:
        return Fc.sleep_finish(result)
    except GLib.Error as e:
        raise _translate(e) from None


__all__.append("sleep_finish")


class Gather(Fc.Gather):
    def wait_finish(self, result):
        try:
            return super().wait_finish(result)
        except GLib.Error as e:
            raise _translate(e) from None


Gather = override(Gather)
__all__.append("Gather")


# ---- Cluster managers ---------------------------------------------------------
#
# FcClusterLockManager (locks in an etcd cluster), when the library was built
# with it:
#
#     manager = Fc.ClusterLockManager.new_sync(["http://127.0.0.1:2379"], "/app/", None)
#     manager.register_lock_sync("accounts", 1, None, None)
#     with manager.acquire_sync(["accounts"], 5.0) as guard:
#         storage.write(data, fencing_token=guard.get_fencing_token())
#
# The introspected calls, with FC_ERROR codes raised as the classes above
# (FC_ERROR_UNAVAILABLE as UnavailableError, a ConnectionError); a guard is
# a context manager that releases (release_sync) when the block ends; the
# status is a dict.

if hasattr(Fc.Error, "UNAVAILABLE"):
    _BY_CODE[int(Fc.Error.UNAVAILABLE)] = _error_class(
        "UnavailableError", ConnectionError, "FC_ERROR_UNAVAILABLE (a ConnectionError).")


def _raising_fc_errors(method):
    """@method, raising FC_ERROR codes as their Python classes."""
    def call(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except GLib.Error as e:
            raise _translate(e) from None
    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


if hasattr(Fc, "ClusterLockManager"):
    class ClusterLockGuard(Fc.ClusterLockGuard):
        acquire_sync = _raising_fc_errors(Fc.ClusterLockGuard.acquire_sync)
        acquire_finish = _raising_fc_errors(Fc.ClusterLockGuard.acquire_finish)
        release_sync = _raising_fc_errors(Fc.ClusterLockGuard.release_sync)
        release_finish = _raising_fc_errors(Fc.ClusterLockGuard.release_finish)

        def __enter__(self):
            return self

        def __exit__(self, exc_type, exc_value, traceback):
            if exc_type is None:
                self.release_sync(None)
            else:
                # Already raising: start the release, do not hide the error.
                self.release()
            return False

        @property
        def names(self):
            """The names this guard took."""
            return list(self.dup_names())

    ClusterLockGuard = override(ClusterLockGuard)
    __all__.append("ClusterLockGuard")

    class ClusterLockManager(Fc.ClusterLockManager):
        new_sync = staticmethod(_raising_fc_errors(Fc.ClusterLockManager.new_sync))
        new_finish = staticmethod(_raising_fc_errors(Fc.ClusterLockManager.new_finish))
        register_lock_sync = _raising_fc_errors(Fc.ClusterLockManager.register_lock_sync)
        register_lock_finish = _raising_fc_errors(Fc.ClusterLockManager.register_lock_finish)
        acquire_sync = _raising_fc_errors(Fc.ClusterLockManager.acquire_sync)
        acquire_finish = _raising_fc_errors(Fc.ClusterLockManager.acquire_finish)
        detect_potential_deadlocks_sync = _raising_fc_errors(
            Fc.ClusterLockManager.detect_potential_deadlocks_sync)
        close_sync = _raising_fc_errors(Fc.ClusterLockManager.close_sync)

        def get_lock_status_sync(self, cancellable=None):
            """{name: {"order": int, "owner": str or None, "fencing_token": int, ...}}."""
            try:
                return super().get_lock_status_sync(cancellable).unpack()
            except GLib.Error as e:
                raise _translate(e) from None

    ClusterLockManager = override(ClusterLockManager)
    __all__.append("ClusterLockManager")
