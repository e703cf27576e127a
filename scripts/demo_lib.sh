# shellcheck shell=bash
# Sourced by scripts/demo.sh and scripts/demo_org.sh (not run on its own): what both demos do
# alike. Sourcing it
#   - sets repo (and cds there), state (.demo/), python (the venv's), cli (the debug
#     cis-monitor), CARGO_TARGET_DIR (default ~/.cache/cis-monitor/target) and PATH (.venv/bin
#     first);
#   - drops every AWS_* and CIS_MONITOR_* variable of the caller, so that no demo can reach a
#     real account;
#   - traps EXIT (and INT, TERM) to stop what the demo started: the watch server (watch_pid,
#     its process group), the proxy (proxy_pid) and moto (scripts/moto.sh stop);
#   - defines step, free_port PORT, listening PORT, start_moto (sets endpoint) and, from
#     scripts/proxy.sh, start_proxy.

repo="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd -- "$repo" || exit 1
state="$repo/.demo"
mkdir -p -- "$state"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cis-monitor/target}"
export PATH="$repo/.venv/bin:$PATH"
python="$repo/.venv/bin/python"
# shellcheck disable=SC2034 # an output, read by the demos
cli="$CARGO_TARGET_DIR/debug/cis-monitor"

# Never reach a real account: drop the caller's AWS and cis-monitor settings (profiles,
# per-service endpoint overrides, session tokens...).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(AWS_|CIS_MONITOR_)' || true)

step() { printf '\n==> %s\n' "$*"; }
# Provides start_proxy.
source scripts/proxy.sh

watch_pid=""
proxy_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$watch_pid" ]] && kill -0 "$watch_pid" 2>/dev/null; then
    # watch was started in its own process group (setsid): stop it with its function children.
    kill -TERM -- "-$watch_pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$watch_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$watch_pid" 2>/dev/null || true
  fi
  rm -f -- "$state/watch.pid"
  if [[ -n "$proxy_pid" ]]; then
    kill -TERM "$proxy_pid" 2>/dev/null || true
  fi
  scripts/moto.sh stop 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free TCP port on 127.0.0.1, preferring $1.
free_port() {
  "$python" - "$1" <<'PY'
import socket, sys
def free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return s.getsockname()[1]
    except OSError:
        return None
    finally:
        s.close()
print(free(int(sys.argv[1])) or free(0))
PY
}

# Exit 0 once something accepts TCP connections on 127.0.0.1:$1.
listening() {
  "$python" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$1" \
    2>/dev/null
}

# Starts moto on DEMO_MOTO_PORT (5123) or a free port; sets endpoint.
start_moto() {
  local port
  step "Starting moto"
  port="$(free_port "${DEMO_MOTO_PORT:-5123}")"
  endpoint="$(scripts/moto.sh start "$port")"
  echo "moto listening at $endpoint (log: .demo/moto.log)"
}
