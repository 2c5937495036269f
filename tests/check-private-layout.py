#!/usr/bin/env python3
# Keeps the graph of the library's private modules honest: every module has
# a rank, and a file may only include the private headers of modules ranked
# strictly below its own, so that the graph has no cycle.
#   check-private-layout.py SOURCE_DIR    (foundation-concurrency/)
#
# A module is a private header and its source: fc-foo-private.h with
# fc-foo-private.c (or, for a public type, fc-foo.c). Public headers are the
# API and are not modules here. Output is TAP.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import sys

# Lowest first. A new private module needs a rank here; modules of the same
# rank must not include one another.
RANKS = {
    # Leaves: no private module below them.
    'fc-mutex': 0,
    'fc-private': 0,
    'fc-error': 0,
    # Sources handed to another thread's context.
    'fc-handoff': 1,
    'fc-outcome': 1,
    # An FcGather's slots; its waits.
    'fc-gather-slots': 2,
    'fc-gather-wait': 3,
    # The lock word: FcLock's owner, spinning, parking, hand-off.
    'fc-lock-word': 1,
    # The lock core: FcLockCore, FcLockKind, lock properties.
    'fc-lock-core': 1,
    # Reports and their delivery to listeners.
    'fc-report': 2,
    # The learned lock-order graph: its store; its online order and cycle
    # search, and its rendering; what the lock types call. The wait-for
    # graph.
    'fc-lockdep-graph': 3,
    'fc-lockdep-order': 4,
    'fc-lockdep-render': 4,
    'fc-lockdep': 5,
    'fc-waitfor': 3,
    # Per-thread records; the name/order registry.
    'fc-thread': 6,
    'fc-registry': 6,
    # What both managers share above the registry.
    'fc-manager': 7,
    # The holds of an FcLock (fc_lock_lock() and guards).
    'fc-lock-hold': 7,
    # FcLock, and the async queueing engine.
    'fc-lock': 8,
    'fc-async-engine': 8,
    # What the async engine's state tells the diagnostics (the async
    # wait-for graph).
    'fc-async-waitfor': 9,
    # The thin public types.
    'fc-async-lock': 10,
    'fc-async-lock-guard': 10,
    'fc-async-lock-manager': 10,
    'fc-lock-guard': 10,
    'fc-lock-manager': 11,
    'fc-gather': 12,
    'fc-sleep': 12,
    'fc-thread-name': 12,
    # fc_run() waits on an FcGather (fc-gather-private.h).
    'fc-run': 13,
    # Run-time version checks.
    'fc-version': 12,
    # The cluster (etcd) manager: the gateway client; where things are
    # kept; the session lease; the lock recipe; the registry and
    # snapshots; what the diagnostics find; what manager and guards share;
    # the public types.
    'fc-etcd': 1,
    'fc-cluster-keys': 1,
    'fc-cluster-session': 2,
    'fc-cluster-lock': 4,
    'fc-cluster-registry': 7,
    'fc-cluster-diagnostics': 8,
    'fc-cluster-client': 8,
    'fc-cluster-lock-guard': 9,
    'fc-cluster-lock-manager': 10,
}

# Sources that belong to a module of another name (one module, several
# files).
PARTS = {
    'fc-async-engine-deadlines-private.c': 'fc-async-engine',
    'fc-async-engine-watch-private.c': 'fc-async-engine',
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def module_of(filename):
    if filename in PARTS:
        return PARTS[filename]
    stem = filename[:-2]
    if stem.endswith('-private') and stem != 'fc-private':
        stem = stem[:-len('-private')]
    return stem


def is_private_header(filename):
    return filename.endswith('-private.h') or filename == 'fc-private.h'


def main():
    srcdir = sys.argv[1]
    files = sorted(f for f in os.listdir(srcdir)
                   if f.endswith('.c') or is_private_header(f))
    problems = []
    graph = {}

    for f in files:
        mod = module_of(f)
        if mod not in RANKS:
            problems.append('%s: module %s has no rank in %s'
                            % (f, mod, os.path.basename(__file__)))
            continue
        with open(os.path.join(srcdir, f), encoding='utf-8') as fh:
            text = fh.read()
        for inc in INCLUDE.findall(text):
            if not is_private_header(inc):
                continue
            if not os.path.exists(os.path.join(srcdir, inc)):
                problems.append('%s includes %s, which does not exist' % (f, inc))
                continue
            dep = module_of(inc)
            if dep == mod:
                continue
            graph.setdefault(mod, {}).setdefault(dep, f)
            if dep not in RANKS:
                continue  # reported for the header itself
            if RANKS[dep] >= RANKS[mod]:
                problems.append('%s (%s, rank %d) includes %s (%s, rank %d), which is not below it'
                                % (f, mod, RANKS[mod], inc, dep, RANKS[dep]))

    # Cycles, independently of the ranks.
    state = {}
    stack = []

    def visit(mod):
        state[mod] = 1
        stack.append(mod)
        for dep in sorted(graph.get(mod, {})):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                problems.append('include cycle: ' + ' -> '.join(
                    '%s (%s)' % (m, graph[m][n]) if n is not None else m
                    for m, n in zip(cycle, cycle[1:] + [None])))
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[mod] = 2

    for mod in sorted(graph):
        if mod not in state:
            visit(mod)

    print('1..1')
    if problems:
        print('not ok 1 - the private modules form a layered graph')
        for p in problems:
            print('# ' + p)
        return 1
    print('ok 1 - the private modules form a layered graph (%d modules, %d edges)'
          % (len(set(module_of(f) for f in files)),
             sum(len(d) for d in graph.values())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
