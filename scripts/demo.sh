#!/usr/bin/env bash
# Installs what is missing, builds foundation-concurrency and runs the demo:
# five dining philosophers who never deadlock. The setup and the build are
# quiet; if one fails, its log is printed.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

step () {
  # step MESSAGE COMMAND...: runs COMMAND quietly, or prints its log and stops.
  local message=$1; shift
  printf '%s... ' "$message"
  if "$@" >"$log" 2>&1; then
    echo done
  else
    echo failed
    cat "$log"
    exit 1
  fi
}

step "Installing what is missing (scripts/setup.sh)" bash scripts/setup.sh
if [ ! -f _build/build.ninja ]; then
  step "Configuring the build (meson setup _build)" meson setup _build
fi
step "Building the demo (ninja -C _build)" ninja -C _build examples/dining-philosophers
echo
exec ./_build/examples/dining-philosophers "$@"
