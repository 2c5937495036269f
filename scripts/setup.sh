#!/usr/bin/env bash
# Installs every build and test dependency of foundation-concurrency on Debian 12.
# Used by the README's two commands and by .ci/run. Safe to run again.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libglib2.0-bin
  gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0
  valac gjs python3-gi python3-pytest python3-dev python-gi-dev
  gtk-doc-tools libglib2.0-doc gettext locales graphviz valgrind
  gnome-desktop-testing spin
  etcd-server etcd-client libsoup-3.0-dev libjson-glib-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
