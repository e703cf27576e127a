# shellcheck shell=bash
# Sourced by scripts/demo.sh and scripts/bench.sh (not run on its own): starts
# scripts/aws_proxy.py in front of an emulator.
#
#   start_proxy PORTFILE LOG UPSTREAM [aws_proxy.py options...]
#
# Starts the proxy on a free port of 127.0.0.1, in its own session (setsid: Ctrl-C reaches the
# calling script's trap, not the proxy), and waits up to 10 s for it to write PORTFILE. Sets
# proxy_pid and proxy_url. Needs $python (the venv's interpreter) and the repository as the
# working directory. On failure it prints the proxy's log and exits the calling script.

start_proxy() {
  local portfile="$1" log="$2" upstream="$3" deadline
  shift 3
  : "${python:?start_proxy needs \$python (the venv interpreter)}"
  rm -f -- "$portfile"
  setsid "$python" scripts/aws_proxy.py --listen 127.0.0.1:0 --upstream "$upstream" \
    --port-file "$portfile" "$@" >"$log" 2>&1 </dev/null &
  proxy_pid=$!
  deadline=$((SECONDS + 10))
  until [[ -s "$portfile" ]]; do
    kill -0 "$proxy_pid" 2>/dev/null || { echo "${0##*/}: the proxy exited; log follows:" >&2; cat -- "$log" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "${0##*/}: the proxy did not start within 10 s" >&2; exit 1; }
    sleep 0.1
  done
  # shellcheck disable=SC2034 # an output, read by the caller
  proxy_url="http://127.0.0.1:$(cat -- "$portfile")"
}
