#!/usr/bin/env bash
# Runs a test under valgrind memcheck: any memory error, or a definite leak,
# fails it. GLib's own one-time allocations are suppressed with the file
# GLib ships for this. Threads are scheduled fairly (valgrind runs one at a
# time, and by default lets a thread that loops on a lock keep the CPU:
# the stress tests would not finish).
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
supp=/usr/share/glib-2.0/valgrind/glib.supp
exec valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --track-origins=no --fair-sched=yes \
  ${supp:+--suppressions=$supp} "$@"
