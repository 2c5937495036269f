#!/usr/bin/env bash
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# start-etcd.sh — one local etcd member for the cluster examples: loopback
# only, free ports, a temporary data directory, all of it removed at exit.
#
#   bash examples/start-etcd.sh
#       prints the member's client URL and serves until Ctrl-C
#   bash examples/start-etcd.sh -- COMMAND [ARG…]
#       runs COMMAND with FC_ETCD_ENDPOINTS set to the client URL (and
#       FC_ETCD_DIR, FC_ETCD_PID: the temporary directory, etcd's pid), then
#       stops etcd; exits with COMMAND's status
#
# $ETCD names the etcd program (default: etcd, from Debian's etcd-server).
# Exits with 77 when there is none, 1 when etcd does not come up (its log is
# printed). If this script is killed by SIGKILL, etcd dies with it (setpriv
# --pdeathsig) but the temporary directory stays.
set -euo pipefail

me=start-etcd.sh
start_seconds=20
attempts=5

usage () {
  sed -n '5,19s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

case "${1:-}" in
  --) shift ;;
  "") ;;
  *) usage ;;
esac

etcd=${ETCD:-etcd}
if ! command -v "$etcd" >/dev/null 2>&1; then
  echo "$me: no etcd program \"$etcd\" (Debian: apt install etcd-server)" >&2
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fc-etcd-XXXXXX")
etcd_pid=

stop_etcd () {
  [ -n "$etcd_pid" ] || return 0
  kill -TERM "$etcd_pid" 2>/dev/null || true
  local n=0
  while kill -0 "$etcd_pid" 2>/dev/null && [ $n -lt 50 ]; do
    sleep 0.1
    n=$((n + 1))
  done
  kill -KILL "$etcd_pid" 2>/dev/null || true
  wait "$etcd_pid" 2>/dev/null || true
  etcd_pid=
}

cleanup () {
  stop_etcd
  rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# pick_port [EXCEPT]: a port nobody uses now, below the kernel's range for outgoing connections
# (32768 and up) so that no client takes it before etcd binds it.
port_in_use () {
  local hex
  hex=$(printf '%04X' "$1")
  grep -q ":$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
pick_port () {
  local port
  while :; do
    port=$((20000 + RANDOM % 12768))
    if ! port_in_use "$port" && [ "$port" != "${1:-}" ]; then
      echo "$port"
      return
    fi
  done
}

# One GET /health over bash's /dev/tcp, bounded by timeout(1).
healthy () {
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    grep -q "\"health\":\"true\"" <&3' _ "$1" 2>/dev/null
}

# With setpriv, etcd gets SIGKILL when this script dies.
launcher=()
if command -v setpriv >/dev/null 2>&1 && setpriv --pdeathsig KILL true 2>/dev/null; then
  launcher=(setpriv --pdeathsig KILL)
fi

up=
for attempt in $(seq "$attempts"); do
  client_port=$(pick_port)
  peer_port=$(pick_port "$client_port")
  client_url="http://127.0.0.1:$client_port"
  peer_url="http://127.0.0.1:$peer_port"
  log="$tmp/etcd.log"
  rm -rf -- "$tmp/data"

  "${launcher[@]}" "$etcd" \
    --name fc-example \
    --data-dir "$tmp/data" \
    --listen-client-urls "$client_url" --advertise-client-urls "$client_url" \
    --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
    --initial-cluster "fc-example=$peer_url" \
    --initial-cluster-state new \
    --initial-cluster-token "fc-example-$$-$RANDOM" \
    --heartbeat-interval 50 --election-timeout 500 \
    --logger zap --log-outputs stderr \
    >"$log" 2>&1 </dev/null &
  etcd_pid=$!

  deadline=$((SECONDS + start_seconds))
  while [ $SECONDS -lt $deadline ] && kill -0 "$etcd_pid" 2>/dev/null; do
    if healthy "$client_port"; then
      up=1
      break
    fi
    sleep 0.1
  done
  [ -z "$up" ] || break

  if ! kill -0 "$etcd_pid" 2>/dev/null && grep -q "address already in use" "$log" &&
     [ "$attempt" -lt "$attempts" ]; then
    wait "$etcd_pid" 2>/dev/null || true
    etcd_pid=
    continue  # a port was taken after all: try others
  fi
  break
done

if [ -z "$up" ]; then
  echo "$me: etcd did not come up within $start_seconds s; its log ($log):" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
fi

export FC_ETCD_ENDPOINTS="$client_url"
export FC_ETCD_DIR="$tmp"
export FC_ETCD_PID="$etcd_pid"

if [ $# -eq 0 ]; then
  echo "$client_url"
  echo "$me: etcd serves on $client_url; Ctrl-C stops it and removes $tmp" >&2
  status=0
  wait "$etcd_pid" || status=$?
  etcd_pid=
  echo "$me: etcd exited (status $status); its log:" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
fi

echo "$me: etcd serves on $client_url" >&2
status=0
"$@" || status=$?
exit "$status"
