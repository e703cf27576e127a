#!/usr/bin/env bash
# Start or stop a local moto_server (the AWS emulator behind the demo).
#
# Usage: scripts/moto.sh start [PORT]   start on 127.0.0.1:PORT (default 5123), wait until it
#                                       answers (at most 30 s), print its endpoint URL
#        scripts/moto.sh stop           stop the server started by `start`
#        scripts/moto.sh status         print the endpoint URL if running, else exit 1
#
# State lives in <repo>/.demo/: moto.pid, moto.port, moto.log. Needs the venv's moto_server
# (scripts/setup-venv.sh test). Only the process recorded in moto.pid is ever signalled.
set -euo pipefail

repo="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
state="$repo/.demo"
pidfile="$state/moto.pid"
portfile="$state/moto.port"
logfile="$state/moto.log"
moto_server="$repo/.venv/bin/moto_server"
python="$repo/.venv/bin/python"

die() { echo "moto.sh: $*" >&2; exit 1; }

# The pid in moto.pid, if that process is alive and is a moto_server.
running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(cat -- "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the command line must name moto_server.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q moto_server || return 1
  echo "$pid"
}

# Exit 0 when GET /moto-api/data.json answers 200 on $1.
answers() {
  "$python" - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/data.json", timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
}

port_free() {
  "$python" - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

start() {
  local port="${1:-5123}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "port must be a number, got '$port'"
  [[ -x "$moto_server" ]] || die "$moto_server not found; run scripts/setup-venv.sh test"
  if pid="$(running_pid)"; then
    die "already running (pid $pid, port $(cat -- "$portfile" 2>/dev/null || echo '?')); run '$0 stop' first"
  fi
  port_free "$port" || die "127.0.0.1:$port is in use; pick another port"
  mkdir -p -- "$state"
  rm -f -- "$pidfile" "$portfile"
  # setsid: the server gets its own process group, so a Ctrl-C in the caller's terminal
  # does not reach it before the caller's trap runs `stop`.
  setsid "$moto_server" -H 127.0.0.1 -p "$port" >"$logfile" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pidfile"
  echo "$port" >"$portfile"
  local deadline=$((SECONDS + 30))
  until answers "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f -- "$pidfile" "$portfile"
      echo "moto.sh: moto_server exited during startup; log follows:" >&2
      tail -n 30 -- "$logfile" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      stop >/dev/null 2>&1 || true
      echo "moto.sh: moto_server did not answer on 127.0.0.1:$port within 30 s; log follows:" >&2
      tail -n 30 -- "$logfile" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "http://127.0.0.1:$port"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f -- "$pidfile" "$portfile"
    echo "moto.sh: not running" >&2
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f -- "$pidfile" "$portfile"
  echo "moto.sh: stopped (pid $pid)" >&2
}

status() {
  local pid
  pid="$(running_pid)" || { echo "moto.sh: not running" >&2; return 1; }
  echo "http://127.0.0.1:$(cat -- "$portfile")"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [PORT] | stop | status" >&2; exit 2 ;;
esac
