# _fc_asyncio.py — FcAsyncLockManager under asyncio, for the Fc override.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# PyGObject 3.42 has no GLib-backed asyncio loop, so the override bridges:
# one GLib main context, iterated by a helper thread ("fc-asyncio"), starts
# every asynchronous acquisition and receives its completion, which it hands
# to the asyncio loop that asked with call_soon_threadsafe(). The
# acquisitions start in the order they were asked for, so waiters on a lock
# are served first come, first served, as in C.
#
# Cancelling the asyncio task that waits cancels the GIO operation and waits
# (uncancellably) for it to finish: when the task's CancelledError
# propagates, nothing is held and no waiter is left queued. A guard granted
# meanwhile (success wins over a late cancel in C) is released at once.

import asyncio
import threading
import warnings

from gi.repository import Gio, GLib, GObject

from . import _fc_fast


class _GLibThread:
    """A GLib main context iterated on a daemon thread of its own."""

    def __init__(self):
        self.context = GLib.MainContext.new()
        self._loop = GLib.MainLoop.new(self.context, False)
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,),
                                        name="fc-asyncio", daemon=True)
        self._thread.start()
        started.wait()

    def _run(self, started):
        self.context.push_thread_default()
        started.set()
        self._loop.run()

    def call(self, func):
        """Runs func() on the helper thread, after every earlier call."""
        source = GLib.Idle()

        def dispatch(*args):
            func()
            return GLib.SOURCE_REMOVE
        source.set_callback(dispatch)
        source.attach(self.context)


_bridge = None
_bridge_lock = threading.Lock()


def _get_bridge():
    global _bridge
    with _bridge_lock:
        if _bridge is None:
            _bridge = _GLibThread()
        return _bridge


def _deliver(future, outcome):
    """On the asyncio loop: the acquisition's (guard, error)."""
    future.set_result(outcome)


def _start(source, names, timeout, cancellable, loop, future):
    """On the helper thread: starts the acquisition, whose callback hands
    the outcome to the asyncio loop."""
    def ready(source, result):
        try:
            outcome = (source.acquire_finish(result), None)
        except GLib.Error as e:
            outcome = (None, e)
        try:
            loop.call_soon_threadsafe(_deliver, future, outcome)
        except RuntimeError:
            # The asyncio loop is closed: nobody can use the guard.
            if outcome[0] is not None:
                outcome[0].release()
    try:
        _fc_fast.acquire_async(source, (names,), timeout, cancellable, ready, None)
    except Exception as e:
        # Refused before it started (a name that cannot pass as
        # UTF-8, a timeout that is no number): raised from the await, not
        # swallowed here with the awaiting task left waiting for ever.
        try:
            loop.call_soon_threadsafe(_deliver, future, (None, e))
        except RuntimeError:
            pass


async def _acquire(source, names, timeout, cancellable):
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    cancel = Gio.Cancellable()
    handler = None
    if cancellable is not None:
        handler = GObject.Object.connect(cancellable, "cancelled", lambda c: cancel.cancel())
        if cancellable.is_cancelled():
            cancel.cancel()
    _get_bridge().call(lambda: _start(source, names, timeout, cancel, loop, future))

    cancelled = False
    try:
        while True:
            try:
                guard, error = await asyncio.shield(future)
                break
            except asyncio.CancelledError:
                # Roll back: wait for the operation to end, whatever it gives.
                cancelled = True
                cancel.cancel()
    finally:
        if handler is not None:
            GObject.Object.disconnect(cancellable, handler)

    if cancelled:
        if guard is not None:
            guard.release()
        raise asyncio.CancelledError()
    if error is not None:
        raise error
    return guard


class AsyncAcquisition:
    """What an asynchronous acquire() without a callback returns: await it
    for the guard, or use it in an async with statement, which releases the
    guard when the block ends. Nothing is taken until then."""

    __slots__ = ("_source", "_names", "_timeout", "_cancellable", "_guard", "_started")

    def __init__(self, source, names, timeout, cancellable):
        self._source, self._names = source, names
        self._timeout, self._cancellable = timeout, cancellable
        self._guard = None
        self._started = False

    def _begin(self):
        if self._started:
            raise RuntimeError("this acquisition was awaited already")
        self._started = True
        return _acquire(self._source, self._names, self._timeout, self._cancellable)

    def __await__(self):
        return self._begin().__await__()

    async def __aenter__(self):
        self._guard = await self._begin()
        return self._guard

    async def __aexit__(self, exc_type, exc_value, traceback):
        guard, self._guard = self._guard, None
        guard.release()
        return False

    def __del__(self):
        if not self._started:
            warnings.warn("acquire(%s) was never awaited: no lock was taken"
                          % ", ".join(map(repr, self._names)), RuntimeWarning, stacklevel=2)
