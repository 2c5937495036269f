#!/bin/sh
# Installs the build into a temporary DESTDIR, then builds and runs a C
# program against the installed files only, found through pkg-config; also
# checks that the bindings' files were installed.
#
# Usage: test-installed.sh BUILDDIR SOURCE.c CC [ARGS…]
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

build=$1 source=$2 cc=$3
shift 3

destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

meson install -C "$build" --no-rebuild --destdir "$destdir" >"$destdir/install.log" 2>&1 ||
  { cat "$destdir/install.log"; exit 1; }

pc=$(find "$destdir" -name foundation-concurrency-1.pc | head -n 1)
test -n "$pc" || { echo "foundation-concurrency-1.pc was not installed"; exit 1; }

# The .pc file gives the project's home, and requires nothing privately
# that gio-2.0 (in Requires) already brings.
grep -q '^URL: https://' "$pc" || { echo "foundation-concurrency-1.pc has no URL:"; cat "$pc"; exit 1; }
if grep -E '^Requires\.private:.*(glib-2\.0|gobject-2\.0|gio-2\.0)' "$pc"; then
  echo "foundation-concurrency-1.pc repeats in Requires.private what gio-2.0 requires"
  exit 1
fi
echo "foundation-concurrency-1.pc: $(grep -E '^(URL|Requires)' "$pc" | tr '\n' ' ')"

# The .pc file says prefix=/usr/local (or whatever was configured): a copy
# moves it into the DESTDIR (--define-variable would move gio-2.0 too).
mkdir "$destdir/pkgconfig"
sed "s|^prefix=|prefix=$destdir|" "$pc" >"$destdir/pkgconfig/foundation-concurrency-1.pc"
export PKG_CONFIG_PATH="$destdir/pkgconfig"
pkgconf () {
  pkg-config "$@" foundation-concurrency-1
}

for f in Fc-1.typelib Fc-1.gir foundation-concurrency-1.vapi foundation-concurrency-1.deps Fc.py; do
  find "$destdir" -name "$f" | grep -q . || { echo "$f was not installed"; exit 1; }
done

# The installed manual's local links resolve (FC_CHECK_DOC_LINKS: the
# checker, run with FC_PYTHON), into the GLib manuals beside it too.
html=$(find "$destdir" -type d -path '*/gtk-doc/html/foundation-concurrency-1' | head -n 1)
if [ -n "$html" ] && [ -n "${FC_CHECK_DOC_LINKS:-}" ]; then
  "$FC_PYTHON" "$FC_CHECK_DOC_LINKS" "$html" "$(pkg-config --variable=prefix glib-2.0)/share/gtk-doc/html" ||
    { echo "the installed manual has broken links"; exit 1; }
fi

libdir=$(pkgconf --variable=libdir)
# shellcheck disable=SC2046
"$cc" -o "$destdir/program" "$source" $(pkgconf --cflags) $(pkgconf --libs)
echo "built $(basename "$source") with: $(pkgconf --cflags) $(pkgconf --libs)"
LD_LIBRARY_PATH="$libdir" "$destdir/program" "$@"
