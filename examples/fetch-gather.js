// fetch-gather.js — gjs: start three "fetches" (fc_sleep_async stand-ins),
// gather their results with a timeout, all awaited through Gio._promisify.
//
// Copyright 2026 the foundation-concurrency authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Fc from 'gi://Fc?version=1';
import System from 'system';

Gio._promisify(Fc, 'sleep_async', 'sleep_finish');
Gio._promisify(Fc.Gather.prototype, 'wait_async', 'wait_finish');

async function fetch(gather, url, delay) {
    const slot = gather.add();
    try {
        await Fc.sleep_async(delay, gather.get_cancellable());
        const value = new GObject.Value();
        value.init(GObject.TYPE_STRING);
        value.set_string(`${url}: ${Math.round(delay * 1000)} ms`);
        gather.return_value(slot, value);
    } catch (e) {
        gather.return_error(slot, e);
    }
}

async function main() {
    const gather = new Fc.Gather({return_exceptions: true});
    fetch(gather, 'https://example.org/a', 0.03);
    fetch(gather, 'https://example.org/b', 0.01);
    fetch(gather, 'https://example.org/slow', 30);
    try {
        await gather.wait_async(0.2, null);
    } catch (e) {
        // The slow one made the group time out; the others had finished.
        print(`gather: ${e.message}`);
        if (!e.matches(Fc.Error, Fc.Error.TIMEOUT))
            throw e;
    }

    // The same, without the slow one: every result, in slot order.
    const quick = new Fc.Gather({return_exceptions: true});
    fetch(quick, 'https://example.org/a', 0.03);
    fetch(quick, 'https://example.org/b', 0.01);
    for (const outcome of await quick.wait_async(5.0, null))
        print(outcome.is_error() ? `error: ${outcome.get_error().message}` : outcome.get_value());
}

// Run the loop at top level: loop.run() inside a promise job would starve it.
const loop = new GLib.MainLoop(null, false);
let status = 1;
main().then(() => (status = 0), e => printerr(e)).finally(() => loop.quit());
loop.run();
System.exit(status);
