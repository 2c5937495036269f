#!/usr/bin/env bash
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# cluster-philosophers.sh — the dining philosophers as five processes
# around one throwaway etcd member: starts etcd (examples/start-etcd.sh),
# runs cluster-philosophers beside it (five philosopher processes and a
# live table of who holds which fork; one philosopher killed mid-meal and
# its forks coming back after its lease), then stops etcd and removes its
# data.
#
#   bash examples/cluster-philosophers.sh [--seconds N] [--lease-ttl S]
#
# The program: $CLUSTER_PHILOSOPHERS, or cluster-philosophers in the build
# directory's examples/ ($BUILDDIR, default ./_build), or in PATH.
# Exits with the program's status (0: the forks came back), 77 without etcd.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
program=${CLUSTER_PHILOSOPHERS:-}
if [ -z "$program" ]; then
  for candidate in "${BUILDDIR:-_build}/examples/cluster-philosophers" \
                   "$here/../_build/examples/cluster-philosophers"; do
    if [ -x "$candidate" ]; then
      program=$candidate
      break
    fi
  done
fi
if [ -z "$program" ]; then
  program=$(command -v cluster-philosophers || true)
fi
if [ -z "$program" ] || [ ! -x "$program" ]; then
  echo "cluster-philosophers.sh: build the examples first (meson setup _build && ninja -C _build)," >&2
  echo "or name the program in \$CLUSTER_PHILOSOPHERS" >&2
  exit 2
fi

exec bash "$here/start-etcd.sh" -- "$program" "$@"
