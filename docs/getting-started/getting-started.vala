/* getting-started.vala — the Vala program of the manual's "Getting started"
 * page. Build it with:
 *   valac --pkg foundation-concurrency-1 getting-started.vala
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int main () {
    try {
        // Every lock has a name and an order: locks are taken in ascending order.
        var manager = new Fc.LockManager ();
        manager.register_lock ("accounts", 300, "Customer accounts", null);
        manager.register_lock ("ledger", 310, "General ledger", null);

        // Ask for both at once, in any order: the manager sorts them.
        var guard = manager.acquire ({ "ledger", "accounts" }, 5.0, true);
        print ("holding accounts and ledger\n");
        guard.release ();

        // Taking a lower lock while holding a higher one is refused, not deadlocked.
        var high = manager.acquire ({ "ledger" }, 5.0, true);
        try {
            manager.acquire ({ "accounts" }, 5.0, true);
            printerr ("the wrong order was not refused\n");
            return 1;
        } catch (Fc.Error.ORDER_VIOLATION e) {
            print ("refused: %s\n", e.message);
        } finally {
            high.release ();
        }
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }
    return 0;
}
