// getting-started.js — the gjs program of the manual's "Getting started"
// page, through the Fc-1 typelib. Run it with: gjs -m getting-started.js
//
// Copyright 2026 the foundation-concurrency authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import Fc from 'gi://Fc?version=1';
import System from 'system';

// Every lock has a name and an order: locks are taken in ascending order.
const manager = new Fc.LockManager();
manager.register_lock('accounts', 300, 'Customer accounts', null);
manager.register_lock('ledger', 310, 'General ledger', null);

// Ask for both at once, in any order: the manager sorts them.
const guard = manager.acquire(['ledger', 'accounts'], 5.0, true);
print('holding accounts and ledger');
guard.release();

// Taking a lower lock while holding a higher one is refused, not deadlocked.
const high = manager.acquire(['ledger'], 5.0, true);
try {
    manager.acquire(['accounts'], 5.0, true);
    print('the wrong order was not refused');
    System.exit(1);
} catch (e) {
    if (!e.matches(Fc.Error, Fc.Error.ORDER_VIOLATION))
        throw e;
    print(`refused: ${e.message}`);
} finally {
    high.release();
}
