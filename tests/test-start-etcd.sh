#!/usr/bin/env bash
# test-start-etcd.sh SCRIPT — examples/start-etcd.sh serves one etcd member,
# runs a command against it, and leaves nothing behind. TAP output.
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

script=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/fc-test-start-etcd-XXXXXX")
bg_pid=
trap '[ -z "$bg_pid" ] || kill -TERM "$bg_pid" 2>/dev/null; rm -rf -- "$work"' EXIT

if ! command -v "${ETCD:-etcd}" >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
  echo "1..0 # SKIP no etcd or etcdctl"
  exit 0
fi

echo "1..5"
n=0
ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
failed=0

# Whether pid $1 runs with $2 in its command line (one of ours, not a reuse).
ours () {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# Waits (bounded) until pid $1 no longer runs with $2 in its command line.
gone () {
  local i
  for i in $(seq 100); do
    ours "$1" "$2" || return 0
    sleep 0.1
  done
  return 1
}

# 1. A command runs with FC_ETCD_ENDPOINTS; its status comes back; the
#    member and its directory are gone after.
bash "$script" -- sh -c '
  etcdctl --endpoints "$FC_ETCD_ENDPOINTS" put k v >/dev/null &&
  etcdctl --endpoints "$FC_ETCD_ENDPOINTS" get --print-value-only k >"$1/value" &&
  echo "$FC_ETCD_DIR $FC_ETCD_PID" >"$1/info" &&
  exit 3' _ "$work" 2>"$work/log1"
status=$?
read -r dir pid <"$work/info" 2>/dev/null || { dir=; pid=; }
[ "$status" = 3 ] && [ "$(cat "$work/value" 2>/dev/null)" = v ] && [ -n "$dir" ] &&
  [ ! -e "$dir" ] && gone "$pid" "$dir"
ok $? "etcdctl put/get through the member, status passed on, nothing left"
[ "$failed" = 0 ] || cat "$work/log1"

# 2. Without a command: prints the URL, serves until SIGTERM, then cleans up.
bash "$script" >"$work/url" 2>"$work/log2" &
bg_pid=$!
url=
for i in $(seq 200); do
  url=$(head -n 1 "$work/url" 2>/dev/null)
  [ -z "$url" ] || break
  sleep 0.1
done
etcdctl --endpoints "$url" put k2 v2 >/dev/null 2>&1
put=$?
pid=$(pgrep -P "$bg_pid" -f -- "--advertise-client-urls $url" | head -n 1)
dir=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -A1 -x -- --data-dir | tail -n 1)
dir=${dir%/data}
kill -TERM "$bg_pid"
wait "$bg_pid"
status=$?
bg_pid=
[ "$put" = 0 ] && [[ "$url" == http://127.0.0.1:* ]] && [ "$status" = 143 ] &&
  [ -n "$dir" ] && [ ! -e "$dir" ] && gone "$pid" "$dir"
ok $? "serves on the printed URL until SIGTERM, then removes everything"

# 3. The script killed by SIGKILL: etcd dies with it (the directory stays,
#    as the script says; removed here).
bash "$script" -- sleep 600 2>"$work/log3" &
bg_pid=$!
pid=
for i in $(seq 200); do
  pid=$(pgrep -P "$bg_pid" -x etcd | head -n 1)
  [ -n "$pid" ] && grep -q "serves on" "$work/log3" && break
  sleep 0.1
done
dir=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -A1 -x -- --data-dir | tail -n 1)
dir=${dir%/data}
sleeper=$(pgrep -P "$bg_pid" -x sleep | head -n 1)
kill -KILL "$bg_pid"
wait "$bg_pid" 2>/dev/null
bg_pid=
[ -z "$sleeper" ] || kill -TERM "$sleeper" 2>/dev/null
[ -n "$pid" ] && [ -n "$dir" ] && gone "$pid" "$dir"
ok $? "etcd dies with a killed script"
case "$dir" in "${TMPDIR:-/tmp}"/fc-etcd-*) rm -rf -- "$dir" ;; esac

# 4. No etcd: exit status 77, nothing started.
ETCD=/nonexistent/etcd bash "$script" -- true 2>/dev/null
[ $? = 77 ]
ok $? "no etcd program: status 77"

# 5. Bad arguments: the usage, status 2.
bash "$script" --no-such-option 2>"$work/log5"
[ $? = 2 ] && grep -q "FC_ETCD_ENDPOINTS" "$work/log5"
ok $? "bad arguments: usage and status 2"

exit "$failed"
