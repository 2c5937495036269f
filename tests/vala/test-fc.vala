/* test-fc.vala — the foundation-concurrency-1 VAPI from Vala: errordomain,
 * the sync manager, and `yield` on fc_sleep_async, FcGather and the async lock
 * manager.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

void test_manager () {
    var manager = new Fc.LockManager ();
    try {
        manager.register_lock ("a", 300, "Lock A", null);
        manager.register_lock ("b", 310);  // description and lock default to null
        var guard = manager.acquire ({ "b", "a" }, 5.0, true);
        assert (strv_equal (guard.dup_names (), { "a", "b" }));
        assert (manager.get_lock ("a").is_locked ());
        guard.release ();
        assert (!manager.get_lock ("a").locked);
    } catch (Error e) {
        error ("%s", e.message);
    }

    try {
        manager.get_lock ("nope");
        assert_not_reached ();
    } catch (Fc.Error.NOT_REGISTERED e) {
        assert (e.message == "Lock 'nope' not registered");
    } catch (Error e) {
        error ("wrong error: %s", e.message);
    }

    try {
        var high = manager.acquire ({ "b" }, 5.0, true);
        manager.acquire ({ "a" }, 5.0, true);
        high.release ();
        assert_not_reached ();
    } catch (Fc.Error e) {
        assert (e is Fc.Error.ORDER_VIOLATION);
        assert (e.domain == Fc.Error.quark ());
    } catch (Error e) {
        error ("wrong error: %s", e.message);
    }

    var status = manager.get_lock_status ();
    assert (status.get_type_string () == "a{sa{sv}}");
    var a = status.lookup_value ("a", null);
    assert (a.lookup_value ("order", null).get_int32 () == 300);
    assert (a.lookup_value ("owner", null).get_maybe () == null);
}

async void sleep_into (Fc.Gather gather, double delay, int n) {
    var slot = gather.add ();
    try {
        yield Fc.sleep_async (delay, gather.get_cancellable ());
        gather.return_value (slot, n);
    } catch (Error e) {
        gather.return_error (slot, e);
    }
}

async void test_async () throws Error {
    yield test_async_locks ();

    assert (yield Fc.sleep_async (0.01));  // the cancellable defaults to null

    try {
        yield Fc.sleep_async (-1.0, null);
        assert_not_reached ();
    } catch (Fc.Error.INVALID_ARGUMENT e) {
        assert (e.message == "Sleep delay must be non-negative");
    }

    var gather = new Fc.Gather (false);
    sleep_into.begin (gather, 0.03, 1);
    sleep_into.begin (gather, 0.01, 2);
    var outcomes = yield gather.wait_async (Fc.TIMEOUT_INFINITE);
    assert (outcomes.length == 2);
    assert (outcomes[0].get_value ().get_int () == 1);
    assert (outcomes[1].get_value ().get_int () == 2);

    gather = new Fc.Gather (false);
    sleep_into.begin (gather, 30.0, 1);
    try {
        yield gather.wait_async (0.05, null);
        assert_not_reached ();
    } catch (Fc.Error.TIMEOUT e) {
        assert (e.message == "Operation timed out");
        assert (gather.get_cancellable ().is_cancelled ());
    }
}

async void test_async_locks () throws Error {
    var manager = new Fc.AsyncLockManager ();
    manager.register_lock ("a", 300, "Lock A", null);
    manager.register_lock ("b", 310, null, null);
    manager.register_lock ("c", 320, null, null);

    var guard = yield manager.acquire_async ({ "c", "a" }, 5.0);
    assert (strv_equal (guard.dup_names (), { "a", "c" }));
    assert (manager.get_lock ("a").is_locked ());
    guard.set_label ("task-1");
    assert (manager.get_lock ("c").dup_owner () == "task-1");

    /* Nesting through the guard: held names are skipped, new ones must
     * come after every order the chain holds. */
    var inner = yield guard.acquire_async ({ "a", "c" }, 5.0, null);
    assert (inner.dup_names ().length == 0);
    assert (inner.get_label () == "task-1");
    try {
        yield inner.acquire_async ({ "b" }, 5.0, null);
        assert_not_reached ();
    } catch (Fc.Error.ORDER_VIOLATION e) {
        assert (!manager.get_lock ("b").is_locked ());
    }
    inner.release ();
    assert (manager.get_lock ("c").is_locked ());

    /* Another task times out on a lock the first one holds. */
    var other = yield manager.acquire_async ({ "b" }, 5.0, null);
    try {
        yield other.acquire_async ({ "c" }, 0.05, null);
        assert_not_reached ();
    } catch (Fc.Error.TIMEOUT e) {
        assert (e.message.has_prefix ("Timeout acquiring lock 'c'"));
        assert (manager.get_lock ("c").get_waiters () == 0);
    }
    try {
        yield manager.acquire_async ({ "a" }, 0.05, null);
        assert_not_reached ();
    } catch (Fc.Error.TIMEOUT e) {
        assert (e.message.has_prefix ("Timeout acquiring lock 'a'"));
    }

    var cancellable = new Cancellable ();
    Timeout.add (20, () => { cancellable.cancel (); return Source.REMOVE; });
    try {
        yield manager.acquire_async ({ "a" }, 10.0, cancellable);
        assert_not_reached ();
    } catch (IOError.CANCELLED e) {
        assert (manager.get_lock ("a").get_waiters () == 0);
    }

    other.release ();
    guard.release ();
    assert (guard.is_released ());
    assert (!manager.get_lock ("a").is_locked () && !manager.get_lock ("c").is_locked ());
}

int main () {
    test_manager ();

    var loop = new MainLoop ();
    Error? failure = null;
    bool done = false;
    test_async.begin ((obj, res) => {
        try {
            test_async.end (res);
        } catch (Error e) {
            failure = e;
        }
        done = true;
        loop.quit ();
    });
    Timeout.add_seconds (60, () => { loop.quit (); return Source.REMOVE; });
    loop.run ();

    if (!done || failure != null) {
        printerr ("FAIL: %s\n", done ? failure.message : "timed out");
        return 1;
    }
    print ("vala: all checks passed\n");
    return 0;
}
