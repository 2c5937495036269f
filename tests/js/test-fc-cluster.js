// Tests FcClusterLockManager through the Fc-1 typelib from gjs, against
// the real etcd cluster tests/etcd-cluster-run started (FC_ETCD_ENDPOINTS:
// its members' client URLs, comma-separated): the sync calls, then the
// async ones through Gio._promisify.
//
// Copyright 2026 the foundation-concurrency authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// As in test-fc.js: the tests are one async function, the loop runs at
// top level until it settles, and any failed check makes the process exit
// non-zero.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Fc from 'gi://Fc?version=1';
import System from 'system';

const endpoints = (GLib.getenv('FC_ETCD_ENDPOINTS') ?? '').split(',').filter(e => e !== '');
if (endpoints.length === 0 || Fc.ClusterLockManager === undefined) {
    print('1..0 # SKIP FC_ETCD_ENDPOINTS unset or built without the cluster option');
    System.exit(77);
}

Gio._promisify(Fc.ClusterLockManager, 'new_async', 'new_finish');
Gio._promisify(Fc.ClusterLockManager.prototype, 'register_lock_async', 'register_lock_finish');
Gio._promisify(Fc.ClusterLockManager.prototype, 'acquire_async', 'acquire_finish');
Gio._promisify(Fc.ClusterLockManager.prototype, 'get_lock_status_async', 'get_lock_status_finish');
Gio._promisify(Fc.ClusterLockManager.prototype, 'close_async', 'close_finish');
Gio._promisify(Fc.ClusterLockGuard.prototype, 'release_async', 'release_finish');

let failures = 0;
let checks = 0;

function check(ok, what) {
    checks++;
    if (!ok) {
        failures++;
        printerr(`FAIL: ${what}`);
    }
}

function checkFcError(e, code, what) {
    check(e instanceof GLib.Error, `${what}: a GLib.Error (${e})`);
    check(e instanceof GLib.Error && e.matches(Fc.error_quark(), code),
        `${what}: ${e?.message} matches code ${code}`);
}

function throwsFc(code, what, func) {
    try {
        func();
    } catch (e) {
        checkFcError(e, code, what);
        return e;
    }
    check(false, `${what}: no error thrown`);
    return null;
}

function uniquePrefix() {
    return `/gjs-${GLib.uuid_string_random()}/`;
}

// A loopback URL nobody listens on.
function unusedEndpoint() {
    const listener = new Gio.SocketListener();
    const port = listener.add_any_inet_port(null);
    listener.close();
    return `http://127.0.0.1:${port}`;
}

function testSync() {
    const prefix = uniquePrefix();
    const holder = Fc.ClusterLockManager.new_sync(endpoints, prefix, null);
    const waiter = Fc.ClusterLockManager.new_sync(endpoints, prefix, null);
    check(holder instanceof Fc.ClusterLockManager, 'new_sync makes a manager');

    check(holder.register_lock_sync('accounts', 1, 'the accounts', null), 'register accounts');
    check(holder.register_lock_sync('ledger', 2, null, null), 'register ledger');
    check(waiter.register_lock_sync('accounts', 1, 'the accounts', null), 'register again, same order');
    throwsFc(Fc.Error.ALREADY_REGISTERED, 'another order',
        () => waiter.register_lock_sync('accounts', 3, null, null));

    const guard = holder.acquire_sync(['ledger', 'accounts'], 5.0, null);
    check(guard instanceof Fc.ClusterLockGuard, 'acquire_sync gives a guard');
    check(JSON.stringify(guard.dup_names().sort()) === '["accounts","ledger"]', 'the guard names both');
    const status = holder.get_lock_status_sync(null).deepUnpack();
    check(status.accounts.owner.deepUnpack() === holder.identity,
        `owner is the holder (${status.accounts.owner.deepUnpack()})`);

    const e = throwsFc(Fc.Error.TIMEOUT, 'a held lock times out',
        () => waiter.acquire_sync(['accounts'], 0.5, null));
    check(e?.message.includes('accounts'), `the timeout names the lock: ${e?.message}`);

    const first = guard.get_fencing_token();
    check(guard.release_sync(null), 'release_sync');
    check(guard.is_released(), 'released');

    const next = waiter.acquire_sync(['accounts'], 5.0, null);
    check(next.get_fencing_token() > first,
        `the next token is greater: ${next.get_fencing_token()} > ${first}`);
    next.release_sync(null);

    throwsFc(Fc.Error.NOT_REGISTERED, 'unknown name',
        () => waiter.acquire_sync(['nowhere'], 1.0, null));
    check(Array.isArray(holder.detect_potential_deadlocks_sync(null)), 'reports are a list');

    holder.close_sync(null);
    waiter.close_sync(null);
}

async function testAsync() {
    const prefix = uniquePrefix();
    const manager = await Fc.ClusterLockManager.new_async(endpoints, prefix, null);
    check(manager instanceof Fc.ClusterLockManager, 'new_async makes a manager');
    await manager.register_lock_async('door', 1, null, null);

    let last = 0;
    for (let i = 0; i < 3; i++) {
        // eslint-disable-next-line no-await-in-loop
        const guard = await manager.acquire_async(['door'], 5.0, null);
        check(guard.get_fencing_token() > last, `token ${i} rises: ${guard.get_fencing_token()} > ${last}`);
        last = guard.get_fencing_token();
        // eslint-disable-next-line no-await-in-loop
        await guard.release_async(null);
    }
    const status = (await manager.get_lock_status_async(null)).deepUnpack();
    check(status.door.is_locked.deepUnpack() === false, 'free after the release');
    await manager.close_async(null);

    // An endpoint nobody serves: UNAVAILABLE, not a hang (the loop's bound).
    try {
        await Fc.ClusterLockManager.new_async([unusedEndpoint()], prefix, null);
        check(false, 'a manager without a cluster');
    } catch (e) {
        checkFcError(e, Fc.Error.UNAVAILABLE, 'unreachable endpoint');
    }
}

const loop = new GLib.MainLoop(null, false);
let outcome = null;

(async () => {
    testSync();
    await testAsync();
})().then(() => (outcome = 'done'), e => {
    outcome = 'crashed';
    printerr(`FAIL: uncaught ${e}\n${e.stack}`);
}).finally(() => loop.quit());

GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 120, () => {
    outcome ??= 'timed out';
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
loop.run();

print(`${checks} checks, ${failures} failed, ${outcome}`);
System.exit(failures === 0 && outcome === 'done' ? 0 : 1);
