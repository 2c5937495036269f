// async-locks.js — gjs: tasks on one main loop share named, ordered locks
// through FcAsyncLockManager; a task takes more locks through its guard.
//
// Copyright 2026 the foundation-concurrency authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Fc from 'gi://Fc?version=1';
import System from 'system';

Gio._promisify(Fc, 'sleep_async', 'sleep_finish');
Gio._promisify(Fc.AsyncLockManager.prototype, 'acquire_async', 'acquire_finish');
Gio._promisify(Fc.AsyncLockGuard.prototype, 'acquire_async', 'acquire_finish');

const manager = new Fc.AsyncLockManager();
manager.register_lock('accounts', 300, 'Account balances', null);
manager.register_lock('ledger', 310, 'Transaction ledger', null);

const balances = {alice: 100, bob: 50};

async function transfer(name, from, to, amount) {
    const guard = await manager.acquire_async(['accounts'], 5.0, null);
    guard.set_label(name);
    try {
        await Fc.sleep_async(0.01, null);  // the lock is held across awaits
        balances[from] -= amount;
        balances[to] += amount;
        // Nested: the guard is the task's identity; 'accounts' is not taken twice.
        const ledger = await guard.acquire_async(['accounts', 'ledger'], 5.0, null);
        print(`${name}: ${from} -> ${to} ${amount}, holds ${ledger.dup_names()}`);
        ledger.release();
    } finally {
        guard.release();
    }
}

async function main() {
    // Queued waiters are served first come, first served.
    await Promise.all([
        transfer('transfer-1', 'alice', 'bob', 30),
        transfer('transfer-2', 'bob', 'alice', 10),
        transfer('transfer-3', 'alice', 'bob', 5),
    ]);
    print(`balances: ${JSON.stringify(balances)}`);

    // A timeout says who held the lock.
    const slow = await manager.acquire_async(['ledger'], 5.0, null);
    slow.set_label('report');
    try {
        await manager.acquire_async(['ledger'], 0.05, null);
    } catch (e) {
        if (!e.matches(Fc.Error, Fc.Error.TIMEOUT))
            throw e;
        print(e.message);
    } finally {
        slow.release();
    }
}

// Run the loop at top level: loop.run() inside a promise job would starve it.
const loop = new GLib.MainLoop(null, false);
let status = 1;
main().then(() => (status = 0), e => printerr(e)).finally(() => loop.quit());
loop.run();
System.exit(status);
