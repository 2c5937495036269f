// Tests the Fc-1 typelib from gjs: the sync contract, the async lock
// manager and the async helpers through Gio._promisify.
//
// Copyright 2026 the foundation-concurrency authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// gjs runs JS callbacks on its own thread only and loop.run() inside a
// promise job starves every await: the tests are one async function, and
// the loop runs at top level until it settles. Any failed check makes the
// process exit non-zero.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Fc from 'gi://Fc?version=1';
import System from 'system';

Gio._promisify(Fc, 'sleep_async', 'sleep_finish');
Gio._promisify(Fc.Gather.prototype, 'wait_async', 'wait_finish');
Gio._promisify(Fc.AsyncLockManager.prototype, 'acquire_async', 'acquire_finish');
Gio._promisify(Fc.AsyncLockGuard.prototype, 'acquire_async', 'acquire_finish');

let failures = 0;
let checks = 0;

function check(ok, what) {
    checks++;
    if (!ok) {
        failures++;
        printerr(`FAIL: ${what}`);
    }
}

function equal(actual, expected, what) {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    check(a === e, `${what}: got ${a}, expected ${e}`);
}

function throwsFc(code, what, func) {
    try {
        func();
    } catch (e) {
        check(e instanceof GLib.Error, `${what}: a GLib.Error`);
        check(e.matches(Fc.Error, code), `${what}: ${e.message} matches code ${code}`);
        check(e.matches(Fc.error_quark(), code), `${what}: matches by quark`);
        return e;
    }
    check(false, `${what}: no error thrown`);
    return null;
}

async function thrownBy(promise) {
    try {
        await promise;
    } catch (e) {
        return e;
    }
    return null;
}

function testSyncManager() {
    const manager = new Fc.LockManager();
    manager.register_lock('a', 300, 'Lock A', null);
    manager.register_lock('b', 310, null, null);
    equal(manager.get_lock('a').order, 300, 'order property');
    equal(manager.get_lock('a').description, 'Lock A', 'description property');

    let e = throwsFc(Fc.Error.ALREADY_REGISTERED, 'register twice',
        () => manager.register_lock('a', 1, null, null));
    equal(e?.message, "Lock 'a' already registered", 'ALREADY_REGISTERED message');
    throwsFc(Fc.Error.ORDER_CONFLICT, 'order taken', () => manager.register_lock('z', 300, null, null));
    throwsFc(Fc.Error.INVALID_ARGUMENT, 'empty name', () => manager.register_lock('', 1, null, null));
    throwsFc(Fc.Error.NOT_REGISTERED, 'unknown lock', () => manager.get_lock('nope'));
    e = throwsFc(Fc.Error.INVALID_ARGUMENT, 'negative timeout', () => manager.acquire(['a'], -2, true));
    equal(e?.message, 'Timeout must be non-negative or FC_TIMEOUT_INFINITE (-1) to wait forever', 'INVALID_ARGUMENT message');

    const guard = manager.acquire(['b', 'a', 'b'], 5.0, true);
    equal(guard.dup_names(), ['a', 'b'], 'taken in ascending order');
    const inner = manager.acquire(['a'], 5.0, true);
    equal(inner.dup_names(), [], 're-entrant names are skipped');
    inner.release();
    check(manager.get_lock('a').locked, 'the outer guard still holds a');
    guard.release();
    guard.release();
    check(guard.is_released() && !manager.get_lock('b').locked, 'release is idempotent');

    const status = manager.get_lock_status().recursiveUnpack();
    equal(Object.keys(status).sort(), ['a', 'b'], 'status keys');
    equal([status.a.order, status.a.is_locked, status.a.owner, status.a.acquired_at],
        [300, false, null, null], 'status of a free lock');

    const high = manager.acquire(['b'], 5.0, true);
    e = throwsFc(Fc.Error.ORDER_VIOLATION, 'order violation', () => manager.acquire(['a'], 5.0, true));
    equal(e?.message, 'Lock ordering violation: trying to acquire a (order 300) after ' +
        'higher-order locks. Current max order: 310 (held: \'b\')', 'ORDER_VIOLATION message');
    const held = manager.get_lock_status().recursiveUnpack().b;
    check(held.is_locked && typeof held.owner === 'string' && held.acquired_at > 0, 'status of a held lock');
    manager.hold_warning_threshold = 0;
    GLib.usleep(50000);  // the hold-time clock is coarse
    const warnings = manager.detect_potential_deadlocks();
    check(warnings.some(w => w.startsWith("Lock 'b' held by ")), `long hold detected: ${warnings}`);
    high.release();

    check(manager.dump_order_graph().startsWith('digraph'), 'order graph in DOT');
    equal(manager.get_deadlock_report().recursiveUnpack().length >= 0, true, 'deadlock report is an array');
    check(Fc.LockManager.get_default() === Fc.LockManager.get_default(), 'one default manager');
}

function intValue(n) {
    const value = new GObject.Value();
    value.init(GObject.TYPE_INT);
    value.set_int(n);
    return value;
}

function sleepInto(gather, delay, n) {
    const slot = gather.add();
    Fc.sleep_async(delay, gather.get_cancellable()).then(
        () => gather.return_value(slot, intValue(n)),
        e => gather.return_error(slot, e));
}

function timeoutAfter(seconds) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, seconds * 1000, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

async function testAsyncLockManager() {
    const manager = new Fc.AsyncLockManager();
    manager.register_lock('a', 300, 'Lock A', null);
    manager.register_lock('b', 310, null, null);
    manager.register_lock('c', 320, null, null);
    const locked = name => manager.get_lock(name).locked;

    const guard = await manager.acquire_async(['c', 'a'], 5.0, null);
    check(guard instanceof Fc.AsyncLockGuard, 'acquire resolves to a guard');
    equal(guard.dup_names(), ['a', 'c'], 'async: taken in ascending order');
    check(locked('a') && locked('c') && !locked('b'), 'async: the named locks are held');
    guard.set_label('task-1');
    equal(manager.get_lock('a').owner, 'task-1', 'the label is the owner');

    // Nesting: held names are skipped, a lower order is refused.
    const inner = await guard.acquire_async(['a', 'c'], 5.0, null);
    equal(inner.dup_names(), [], 'nested: names held by the chain are skipped');
    equal(inner.get_label(), 'task-1', 'nested: the label is inherited');
    let e = await thrownBy(inner.acquire_async(['b'], 5.0, null));
    check(e?.matches(Fc.Error, Fc.Error.ORDER_VIOLATION), `nested: order violation: ${e}`);
    inner.release();
    check(locked('c'), 'a child releases only what it took');

    // FIFO queue, served on release.
    const served = [];
    const waiting = [0, 1, 2].map(i => manager.acquire_async(['a'], 5.0, null).then(g => {
        served.push(i);
        g.release();
    }));
    const status = manager.get_lock_status().recursiveUnpack();
    equal(status.a.waiters, 3, 'status counts the waiters');
    guard.release();
    check(guard.is_released() && !locked('c'), 'release');
    await Promise.all(waiting);
    equal(served, [0, 1, 2], 'waiters served first come, first served');

    // Timeout: what was taken is rolled back, nothing stays queued.
    const holder = await manager.acquire_async(['b'], 5.0, null);
    e = await thrownBy(manager.acquire_async(['a', 'b'], 0.1, null));
    check(e?.matches(Fc.Error, Fc.Error.TIMEOUT), `async timeout: ${e}`);
    check(e?.message.startsWith("Timeout acquiring lock 'b'"), `TIMEOUT message: ${e?.message}`);
    check(!locked('a') && manager.get_lock('b').waiters === 0, 'a timeout rolls back');

    // Nested timeout on a lock held by another chain.
    const other = await manager.acquire_async(['a'], 5.0, null);
    e = await thrownBy(other.acquire_async(['b'], 0.05, null));
    check(e?.matches(Fc.Error, Fc.Error.TIMEOUT), `nested timeout: ${e}`);
    other.release();

    // Cancellation.
    const cancellable = new Gio.Cancellable();
    const cancelled = thrownBy(manager.acquire_async(['a', 'b'], 10.0, cancellable));
    await timeoutAfter(0.02);
    cancellable.cancel();
    e = await cancelled;
    check(e?.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `cancelled acquire: ${e}`);
    check(!locked('a') && manager.get_lock('b').waiters === 0, 'a cancellation rolls back');
    holder.release();

    e = await thrownBy(manager.acquire_async(['nope'], 1.0, null));
    check(e?.matches(Fc.Error, Fc.Error.NOT_REGISTERED), `unknown lock: ${e}`);

    check(manager.dump_order_graph().startsWith('digraph'), 'async order graph in DOT');
    equal(manager.detect_potential_deadlocks(), [], 'no warnings once everything is released');
}

async function testAsyncHelpers() {
    equal(await Fc.sleep_async(0.01, null), true, 'sleep resolves to true');
    let e = await thrownBy(Fc.sleep_async(-1, null));
    check(e?.matches(Fc.Error, Fc.Error.INVALID_ARGUMENT), `negative sleep: ${e}`);

    const cancellable = new Gio.Cancellable();
    const sleeping = thrownBy(Fc.sleep_async(10, cancellable));
    cancellable.cancel();
    e = await sleeping;
    check(e?.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `cancelled sleep: ${e}`);

    let gather = new Fc.Gather({return_exceptions: false});
    sleepInto(gather, 0.03, 1);
    sleepInto(gather, 0.01, 2);
    const outcomes = await gather.wait_async(Fc.TIMEOUT_INFINITE, null);
    equal(outcomes.map(o => o.get_value()), [1, 2], 'gather values in slot order');

    gather = Fc.Gather.new(true);
    sleepInto(gather, 0.01, 7);
    sleepInto(gather, -1, 0);
    const [ok, failed] = await gather.wait_async(5.0, null);
    check(ok.get_value() === 7 && failed.is_error() &&
        failed.get_error().matches(Fc.Error, Fc.Error.INVALID_ARGUMENT), 'return_exceptions');

    gather = Fc.Gather.new(false);
    sleepInto(gather, 30, 1);
    e = await thrownBy(gather.wait_async(0.05, null));
    check(e?.matches(Fc.Error, Fc.Error.TIMEOUT), `gather timeout: ${e}`);
    equal(e?.message, 'Operation timed out', 'TIMEOUT message');
    check(gather.get_cancellable().is_cancelled(), 'a timeout cancels the group');

    e = await thrownBy(Fc.Gather.new(false).wait_async(1.0, null));
    equal(e?.message, 'At least one operation must be provided', 'empty gather');
}

// Every constant of the typelib (the namespace's all-capitals members) has
// the value of its C #define (FC_<name> in the installed headers).
function testConstants() {
    const headers = ['foundation-concurrency/fc-error.h', 'foundation-concurrency/fc-version.h'];
    const defines = new Map();
    for (const [dir, file] of [[GLib.getenv('FC_SOURCE_DIR'), headers[0]],
        [GLib.getenv('FC_BUILD_DIR'), headers[1]]]) {
        const [, bytes] = GLib.file_get_contents(`${dir}/${file}`);
        const text = new TextDecoder().decode(bytes);
        for (const m of text.matchAll(/^#define FC_([A-Z0-9_]+) +(\(-?[0-9.]+\)|"[^"]*")$/gm))
            defines.set(m[1], JSON.parse(m[2].replace(/^\((.*)\)$/, '$1')));
    }
    const names = Object.keys(Fc).filter(n => /^[A-Z][A-Z0-9_]*$/.test(n)).sort();
    check(names.length >= 5, `the typelib's constants: ${names}`);
    for (const name of names)
        equal(Fc[name], defines.get(name), `Fc.${name} is FC_${name}`);
    equal(Fc.TIMEOUT_INFINITE, -1, 'Fc.TIMEOUT_INFINITE waits forever');
}

// Takes first, then second: teaches their manager that order.
function nest(first, second) {
    first.lock(1.0);
    second.lock(1.0);
    second.unlock();
    first.unlock();
}

// The name and log-reports properties of both managers.
function testManagerProperties() {
    for (const [Manager, defaultName] of [[Fc.LockManager, 'default'],
        [Fc.AsyncLockManager, 'async-default']]) {
        const what = Manager.name;
        equal(Manager.get_default().name, defaultName, `${what}: the default manager's name`);
        const manager = new Manager();
        check(/^manager-[0-9]+$/.test(manager.name), `${what}: default name ${manager.name}`);
        const names = [];
        manager.connect('notify::name', m => names.push(m.name));
        manager.name = 'billing';
        manager.name = 'billing';
        equal(manager.name, 'billing', `${what}: name set`);
        manager.name = null;
        check(/^manager-[0-9]+$/.test(manager.name), `${what}: null restores the default`);
        equal(names.length, 2, `${what}: notify::name once per change`);
        equal(new Manager({name: 'jobs'}).name, 'jobs', `${what}: name at construction`);

        equal(manager.log_reports, true, `${what}: log-reports defaults to true`);
        const logs = [];
        manager.connect('notify::log-reports', m => logs.push(m.log_reports));
        manager.log_reports = false;
        manager.log_reports = false;
        manager.log_reports = true;
        equal(logs, [false, true], `${what}: notify::log-reports once per change`);
        equal(new Manager({log_reports: false}).log_reports, false,
            `${what}: log-reports at construction`);
    }

    const manager = new Fc.LockManager({name: 'billing', log_reports: false});
    const a = manager.register_lock('named.a', 1, null, null);
    const b = manager.register_lock('named.b', 2, null, null);
    nest(a, b);
    nest(b, a);
    const cycles = manager.get_deadlock_report().recursiveUnpack()
        .filter(r => r.kind === 'order-cycle');
    equal(cycles.length, 1, 'one cycle reported');
    equal(cycles[0]?.managers.slice(0, 2), ['billing', 'billing'], 'the name in the report');
}

// A child gjs teaches a manager an inversion with log-reports as given; the
// signal must come either way, the log only when it is on.
function runLogChild(logReports) {
    const script = `
        imports.gi.versions.Fc = '1';
        const {Fc, GLib} = imports.gi;
        const manager = new Fc.LockManager({log_reports: ${logReports}});
        const a = manager.register_lock('log.a', 1, null, null);
        const b = manager.register_lock('log.b', 2, null, null);
        const heard = [];
        manager.connect('potential-deadlock', (m, message, report) =>
            heard.push(report.recursiveUnpack().kind));
        for (const [first, second] of [[a, b], [b, a]]) {
            first.lock(1.0); second.lock(1.0); second.unlock(); first.unlock();
        }
        while (heard.length === 0)
            GLib.MainContext.default().iteration(true);
        print(JSON.stringify(heard));`;
    const child = Gio.Subprocess.new(['gjs', '-c', script],
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
    const [, stdout, stderr] = child.communicate_utf8(null, null);
    equal(child.get_exit_status(), 0, `log-reports=${logReports}: the child's exit status`);
    return [stdout.trim(), stderr];
}

function testLogReports() {
    const [quietOut, quietErr] = runLogChild(false);
    equal(quietOut, '["order-cycle"]', 'log-reports=false: the signal is emitted');
    equal(quietErr, '', 'log-reports=false: nothing logged');
    const [loudOut, loudErr] = runLogChild(true);
    equal(loudOut, '["order-cycle"]', 'log-reports=true: the signal is emitted');
    check(/FoundationConcurrency-WARNING \*\*.*Potential deadlock: lock order cycle log\.a -> log\.b -> log\.a/
        .test(loudErr), `log-reports=true: the report is logged: ${loudErr}`);
}

const loop = new GLib.MainLoop(null, false);
let outcome = null;

(async () => {
    testConstants();
    testSyncManager();
    testManagerProperties();
    testLogReports();
    await testAsyncLockManager();
    await testAsyncHelpers();
})().then(() => (outcome = 'done'), e => {
    outcome = 'crashed';
    printerr(`FAIL: uncaught ${e}\n${e.stack}`);
}).finally(() => loop.quit());

GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 60, () => {
    outcome ??= 'timed out';
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
loop.run();

print(`${checks} checks, ${failures} failed, ${outcome}`);
System.exit(failures === 0 && outcome === 'done' ? 0 : 1);
