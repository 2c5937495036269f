#!/usr/bin/env bash
# Installs what is missing, builds foundation-concurrency and runs the demo:
# five dining philosophers who never deadlock.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
[ -f _build/build.ninja ] || meson setup _build
ninja -C _build
exec ./_build/examples/dining-philosophers "$@"
