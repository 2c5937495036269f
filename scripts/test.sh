#!/usr/bin/env bash
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs what is missing, then builds and runs every test:
#   1. the normal build: all suites (unit, stress, bindings, slow, cluster,
#      model);
#   2. a ThreadSanitizer build: the unit and stress suites, no report allowed;
#   3. an AddressSanitizer + UBSan build: the unit, stress and cluster suites
#      (the cluster against real etcd; under ThreadSanitizer the multi-process
#      cluster test still has reports in GLib's own threads, so not there yet);
#   4. valgrind memcheck over the unit and stress suites of the normal build;
#   5. the installed tests: a lean build with -Dinstalled_tests=true,
#      installed into a temporary prefix and run there by
#      gnome-desktop-testing-runner, as a distribution would run them.
# The sanitizer builds have introspection off (the GI scanner and the
# sanitizers do not mix); the bindings are tested in the normal build.
# Prints "tests: N passed, N failed" at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

passed=0
failed=0
status=0

count () {
  # Adds one meson test run's results (from its testlog.json) to the totals.
  local p f
  p=$(cat "$1"/meson-logs/testlog*.json 2>/dev/null | grep -c '"result": "OK"' || true)
  f=$(cat "$1"/meson-logs/testlog*.json 2>/dev/null | grep -c -E '"result": "(FAIL|ERROR|TIMEOUT|UNEXPECTEDPASS)"' || true)
  passed=$((passed + p))
  failed=$((failed + f))
}

run () {
  local dir="$1"; shift
  echo "=== meson test -C $dir $*"
  rm -f "$dir"/meson-logs/testlog*.json
  meson test -C "$dir" --print-errorlogs "$@" || status=1
  count "$dir"
}

configure () {
  local dir="$1"; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" || return 1
  fi
  ninja -C "$dir"
}

if configure _build; then
  run _build
  if [ "${FC_SKIP_VALGRIND:-0}" != 1 ]; then
    run _build --suite unit --suite stress --no-suite slow --wrapper "$PWD/tests/valgrind-wrapper.sh" --timeout-multiplier 10
  fi
else
  status=1; failed=$((failed + 1))
fi

if configure _build-tsan -Db_sanitize=thread -Dintrospection=disabled -Dvapi=disabled -Dgtk_doc=disabled; then
  run _build-tsan --suite unit --suite stress --timeout-multiplier 4
else
  status=1; failed=$((failed + 1))
fi

if configure _build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dintrospection=disabled -Dvapi=disabled -Dgtk_doc=disabled; then
  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run _build-asan --suite unit --suite stress --suite cluster --timeout-multiplier 3
else
  status=1; failed=$((failed + 1))
fi

installed_tests () {
  # Builds, installs and runs the installed tests; counts the runner's
  # results. Quiet unless something fails.
  local tmp log p f
  tmp=$(mktemp -d)
  log="$tmp/log"
  echo "=== installed tests (gnome-desktop-testing-runner, prefix $tmp/prefix)"
  if ! { meson setup "$tmp/build" --prefix="$tmp/prefix" -Dinstalled_tests=true \
           -Dintrospection=disabled -Dvapi=disabled -Dgtk_doc=disabled \
           -Dexamples=false -Dbenchmarks=false &&
         ninja -C "$tmp/build" &&
         meson install -C "$tmp/build" --no-rebuild; } >"$log" 2>&1; then
    cat "$log"
    failed=$((failed + 1)); status=1
    rm -rf "$tmp"
    return
  fi
  local libdir
  libdir=$(dirname "$(find "$tmp/prefix" -name 'libfoundation-concurrency-1.so' | head -n 1)")
  LD_LIBRARY_PATH="$libdir" gnome-desktop-testing-runner --dir "$tmp/prefix/share" \
    foundation-concurrency-1 >"$log" 2>&1
  local rc=$?
  p=$(grep -c '^PASS: ' "$log" || true)
  f=$(grep -c -E '^(FAIL|ERROR): ' "$log" || true)
  if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] || [ "$p" -eq 0 ]; then
    cat "$log"
    [ "$f" -ne 0 ] || f=1
    status=1
  fi
  grep -E '^SUMMARY: ' "$log" || true
  passed=$((passed + p))
  failed=$((failed + f))
  rm -rf "$tmp"
}
installed_tests

echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
