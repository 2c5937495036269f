#!/bin/sh
# Model-checks a spin model exhaustively, as TAP: the model must have no
# error, and each of its mutations (-D names, "BUG_*") must have one, so
# that the check is known to be able to fail.
#   check-model.sh SPIN CC MODEL.pml MUTATION...
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
spin="$1"
cc="$2"
model="$3"
shift 3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp "$model" "$tmp/model.pml"
cd "$tmp" || exit 1

# Prints the number of errors pan found with the -D flags given, or
# nothing if the model did not build or the search did not finish.
errors () {
  rm -f pan pan.* ./*.trail
  "$spin" -a "$@" model.pml >spin.log 2>&1 || { cat spin.log >&2; return; }
  "$cc" -O2 -DSAFETY -o pan pan.c >cc.log 2>&1 || { cat cc.log >&2; return; }
  ./pan -m1000000 >pan.log 2>&1
  if grep -q 'search depth too small\|out of memory' pan.log; then
    cat pan.log >&2
    return
  fi
  sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.log | head -n 1
}

echo "1..$(($# + 1))"
status=0
found=$(errors)
if [ "$found" = 0 ]; then
  echo "ok 1 - $(basename "$model"): no error in $(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' pan.log) states"
else
  echo "not ok 1 - $(basename "$model"): ${found:-no result} errors"
  sed 's/^/# /' pan.log
  status=1
fi
n=1
for mutation in "$@"; do
  n=$((n + 1))
  found=$(errors "-D$mutation")
  if [ -n "$found" ] && [ "$found" -gt 0 ]; then
    echo "ok $n - with $mutation, spin finds the error"
  else
    echo "not ok $n - with $mutation: ${found:-no result} errors, expected at least one"
    status=1
  fi
done
exit $status
