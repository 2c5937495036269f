#!/bin/sh
# Checks that every translatable message is one whole phrase gettext can
# extract: a string literal glued to a format macro (G_GUINT64_FORMAT,
# PRIu64, ...) inside _() is cut short at the macro by xgettext, so its
# msgid never matches and it is never translated. Format the number into a
# string first and give the phrase a %s.
#   check-messages.sh SOURCE_ROOT
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
root="$1"
cd "$root"

files=$(grep -v -E '^[[:space:]]*(#|$)' po/POTFILES.in)
# _(" ... " MACRO ...) on one line: the literal is followed by a macro.
bad=$(grep -n -E '(^|[^A-Za-z0-9_])N?C?_[[:space:]]*\([[:space:]]*"[^"]*"[[:space:]]*(G_G[A-Z0-9]*_FORMAT|G_G[A-Z0-9]*_MODIFIER|PRI[a-zA-Z0-9]+)' $files)

echo "1..1"
if [ -z "$bad" ]; then
  echo "ok 1 - no translatable message is cut short by a format macro"
else
  echo "not ok 1 - translatable messages built around a format macro"
  printf '%s\n' "$bad" | sed 's/^/# /'
  exit 1
fi
