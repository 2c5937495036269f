#!/bin/sh
# Checks translations with msgfmt: syntax, header, and format strings that
# match their msgid (--check-format), as TAP.
#   check-po.sh MSGFMT FILE.po...
# A script rather than msgfmt itself as the test program, so that the
# valgrind run of the unit suite (scripts/test.sh) checks this shell, not
# msgfmt's own leaks: valgrind does not follow child processes.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
msgfmt="$1"
shift

echo "1..$#"
n=0
status=0
for po in "$@"; do
  n=$((n + 1))
  if out=$("$msgfmt" --check --check-format -o /dev/null "$po" 2>&1); then
    echo "ok $n - $po"
  else
    echo "not ok $n - $po"
    printf '%s\n' "$out" | sed 's/^/# /'
    status=1
  fi
done
exit $status
