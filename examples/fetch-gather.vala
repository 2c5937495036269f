/* fetch-gather.vala — Vala: gather three "fetches" (Fc.sleep_async stand-ins) and
 * wait for all of them with `yield`.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

async void fetch (Fc.Gather gather, string url, double delay) {
    var slot = gather.add ();
    try {
        yield Fc.sleep_async (delay, gather.get_cancellable ());
        gather.return_value (slot, "%s: %.0f ms".printf (url, delay * 1000));
    } catch (Error e) {
        gather.return_error (slot, e);
    }
}

async void run () throws Error {
    var gather = new Fc.Gather (false);
    fetch.begin (gather, "https://example.org/a", 0.03);
    fetch.begin (gather, "https://example.org/b", 0.01);
    fetch.begin (gather, "https://example.org/c", 0.02);
    foreach (var outcome in yield gather.wait_async (5.0, null))
        print ("%s\n", outcome.get_value ().get_string ());
}

int main () {
    var loop = new MainLoop ();
    int status = 0;
    run.begin ((obj, res) => {
        try {
            run.end (res);
        } catch (Error e) {
            printerr ("%s\n", e.message);
            status = 1;
        }
        loop.quit ();
    });
    loop.run ();
    return status;
}
