#!/bin/sh
# Builds the tiny parent project in parent/ with this source tree as its
# subproject (subprojects/foundation-concurrency, a symbolic link), then runs
# its program. Checks that the subproject built neither tests nor the
# manual. Prints TAP.
#
# Usage: test-subproject.sh SOURCE_ROOT
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u

root=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp -r "$here/parent" "$tmp/parent"
mkdir "$tmp/parent/subprojects"
ln -s "$root" "$tmp/parent/subprojects/foundation-concurrency"

echo "1..3"
if meson setup "$tmp/build" "$tmp/parent" \
     --force-fallback-for=foundation-concurrency-1 >"$tmp/log" 2>&1 &&
   ninja -C "$tmp/build" >>"$tmp/log" 2>&1; then
  echo "ok 1 - the parent project builds with the library as a subproject"
else
  echo "not ok 1 - the parent project does not build"
  sed 's/^/# /' "$tmp/log"
  exit 1
fi

sub="$tmp/build/subprojects/foundation-concurrency"
if [ -e "$sub/tests" ] || [ -e "$sub/examples" ] || [ -e "$sub/benchmarks" ] ||
   [ -e "$sub/docs/reference/html" ]; then
  echo "not ok 2 - the subproject built its tests, examples, benchmarks or manual"
  ls "$sub" | sed 's/^/# /'
  exit 1
fi
echo "ok 2 - the subproject built only the library"

if out=$("$tmp/build/parent" 2>&1); then
  echo "ok 3 - the parent's program runs"
  echo "# $out"
else
  echo "not ok 3 - the parent's program failed"
  echo "$out" | sed 's/^/# /'
  exit 1
fi
