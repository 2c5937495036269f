#!/bin/sh
# Checks that po/POTFILES.in lists exactly the library sources that contain
# translatable strings (_(), N_(), C_(), NC_()), so that no message escapes
# extraction and no stale entry lingers.
#   check-potfiles.sh SOURCE_ROOT
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
root="$1"
cd "$root"

found=$(grep -l -E '(^|[^A-Za-z0-9_])(N?C?_)[[:space:]]*\(' foundation-concurrency/*.c | sort)
listed=$(grep -v -E '^[[:space:]]*(#|$)' po/POTFILES.in | sort)

echo "1..1"
if [ "$found" = "$listed" ]; then
  echo "ok 1 - po/POTFILES.in lists every source with translatable strings"
else
  echo "not ok 1 - po/POTFILES.in is out of date"
  for f in $found; do
    echo "$listed" | grep -qx "$f" || echo "# missing from po/POTFILES.in: $f"
  done
  for f in $listed; do
    echo "$found" | grep -qx "$f" || echo "# listed but has no translatable string: $f"
  done
  exit 1
fi
