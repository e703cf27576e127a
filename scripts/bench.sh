#!/usr/bin/env bash
# Performance benchmark: a full audit of every region, against a local moto behind a proxy that
# adds a fixed latency to every AWS call and counts the calls.
#
# Usage: scripts/bench.sh [--latency-ms 50] [--runs 3] [--accounts compliant,large]
#                         (any of compliant, large, organization)
#                         [--members 50]        (organization: its member accounts)
#                         [--cli-arg ARG]...    (passed on to `cis-monitor run`, e.g. --concurrency)
#                         [--floor]             (organization: the emulator's floor, see 3.)
#                         [--fan-out [--accounts-per-invocation 100] [--max-concurrency 10]]
#                                               (organization: the Lambda's fan-out, see 3.)
#                         [--changes]           (compliant: re-audit on change, see 3.)
#
#   1. scripts/setup-venv.sh test                         moto, boto3
#   2. cargo build --release --bin cis-monitor --bin cis-monitor-lambda   (cached when unchanged;
#      BENCH_SKIP_BUILD=1 uses the binaries already in $CARGO_TARGET_DIR/release)
#   3. per account (scripts/seed_bench.py: compliant, large; organization below):
#        a fresh moto_server (scripts/moto_server.py) on a free port; seed it (the release
#        cis-monitor tells the seeder the canonical patterns and the regions it audits);
#        scripts/aws_proxy.py in front of it
#        with --latency-ms and --trail-delivery (GetTrailStatus reports the trail's delivery to
#        CloudWatch Logs, as AWS does and moto does not); then `cis-monitor run --format json`
#        (publishing, every region: no --region) through the proxy, once on the fresh account
#        ("first": nothing in Security Hub yet) and --runs more times ("steady": as every later
#        scheduled run). Each run is timed with a monotonic clock and /usr/bin/time -v (peak
#        RSS); the proxy counts the calls.
#      organization (not in the default set; --accounts organization): the management account
#        with an organization trail and the chains, and --members member accounts, each with
#        the role cis-monitor-member and Security Hub in every audited region (seed_bench.py).
#        The proxy also has --org-trails and --assume-role-check (members see the organization
#        trail; AssumeRole needs a role that trusts the caller), and the runs are
#        `cis-monitor run --organization --member-role cis-monitor-member --format json`, every
#        region, as the management account. Then one run of the management account alone
#        (`cis-monitor run --format json`): the summary derives the calls per member from the
#        difference. The runs also report moto's and the proxy's CPU meanwhile (--watch).
#        --floor: scripts/bench_floor.py records one more run's requests and replays them, raw,
#        at its most calls in flight, through the proxy and straight to moto: the emulator's
#        floor for the same calls. --fan-out: scripts/bench_fan_out.py invokes
#        cis-monitor-lambda with events/scheduled.json, which queues the accounts (a queue made
#        in moto), then delivers them back as the SQS event source mapping would, in batches of
#        --accounts-per-invocation to at most --max-concurrency processes at once.
#      --changes (compliant): scripts/bench_changes.py, `cis-monitor invoke` with a change
#        (invocation -> updated findings, its calls) and a burst of 50 changes in 10 s through a
#        FIFO queue in moto (the runs it costs, the final findings).
#   4. Lambda start: scripts/bench_lambda_start.py (exec -> first event handled, no AWS call).
#   5. The summary: the issue's targets, met or missed. The Lambda zip's size is reported when
#      `make build` has made $CARGO_TARGET_DIR/lambda/cis-monitor-lambda/bootstrap.zip (flagged
#      STALE when it is older than src/, Cargo.toml or Cargo.lock).
#
# Everything started here is stopped on exit, also on failure or Ctrl-C. Logs and JSON results
# are in .bench/. No AWS account is touched: the caller's AWS_* variables are dropped and the
# CLI gets dummy credentials, no config files, and AWS_ENDPOINT_URL pointing at the proxy.
set -euo pipefail

repo="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd -- "$repo"
state="$repo/.bench"
mkdir -p -- "$state"

latency=50
runs=3
accounts="compliant,large"
members=50
member_role="cis-monitor-member"
cli_args=()
floor=0
fan_out=0
changes=0
accounts_per_invocation=100
max_concurrency=10
while (($#)); do
  case "$1" in
    --latency-ms) latency="${2:?--latency-ms needs a value}"; shift 2 ;;
    --latency-ms=*) latency="${1#*=}"; shift ;;
    --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
    --runs=*) runs="${1#*=}"; shift ;;
    --accounts) accounts="${2:?--accounts needs a value}"; shift 2 ;;
    --accounts=*) accounts="${1#*=}"; shift ;;
    --members) members="${2:?--members needs a value}"; shift 2 ;;
    --members=*) members="${1#*=}"; shift ;;
    --cli-arg) cli_args+=("${2:?--cli-arg needs a value}"); shift 2 ;;
    --cli-arg=*) cli_args+=("${1#*=}"); shift ;;
    --floor) floor=1; shift ;;
    --fan-out) fan_out=1; shift ;;
    --changes) changes=1; shift ;;
    --accounts-per-invocation) accounts_per_invocation="${2:?--accounts-per-invocation needs a value}"; shift 2 ;;
    --accounts-per-invocation=*) accounts_per_invocation="${1#*=}"; shift ;;
    --max-concurrency) max_concurrency="${2:?--max-concurrency needs a value}"; shift 2 ;;
    --max-concurrency=*) max_concurrency="${1#*=}"; shift ;;
    -h | --help) sed -n '2,/^set /{/^#/p}' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$latency" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "bench.sh: --latency-ms must be a number" >&2; exit 2; }
[[ "$runs" =~ ^[0-9]+$ ]] || { echo "bench.sh: --runs must be a whole number" >&2; exit 2; }
[[ "$members" =~ ^[0-9]+$ ]] || { echo "bench.sh: --members must be a whole number" >&2; exit 2; }
[[ "$accounts_per_invocation" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --accounts-per-invocation must be a whole number > 0" >&2; exit 2; }
[[ "$max_concurrency" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --max-concurrency must be a whole number > 0" >&2; exit 2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cis-monitor/target}"
python="$repo/.venv/bin/python"
cli="$CARGO_TARGET_DIR/release/cis-monitor"
lambda_bin="$CARGO_TARGET_DIR/release/cis-monitor-lambda"

# Never reach a real account: drop the caller's AWS and cis-monitor settings.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(AWS_|CIS_MONITOR_)' || true)

step() { printf '\n==> %s\n' "$*"; }
# Provides start_proxy.
source scripts/proxy.sh

moto_pid=""
proxy_pid=""
# Stops one process this script started (by pid), TERM then KILL.
stop_pid() {
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
stop_all() {
  stop_pid "$proxy_pid"; proxy_pid=""
  stop_pid "$moto_pid"; moto_pid=""
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_all
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts a fresh moto_server on a free port; sets moto_pid and moto_url. scripts/moto_server.py
# is moto_server with its lookup of a request's account made constant-time: moto's own scans
# every account for each call, and caps the organization's figures at a thousand members.
start_moto() {
  local log="$1" port deadline
  port="$(free_port)"
  # setsid: Ctrl-C in the terminal reaches this script's trap, not the server directly.
  setsid "$python" "$repo/scripts/moto_server.py" -H 127.0.0.1 -p "$port" >"$log" 2>&1 </dev/null &
  moto_pid=$!
  moto_url="http://127.0.0.1:$port"
  deadline=$((SECONDS + 30))
  until "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/moto-api/data.json", timeout=2)' \
    "$moto_url" 2>/dev/null; do
    kill -0 "$moto_pid" 2>/dev/null || { echo "bench.sh: moto_server exited; log follows:" >&2; tail -n 30 -- "$log" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "bench.sh: moto_server did not answer within 30 s" >&2; exit 1; }
    sleep 0.2
  done
}

step "Python tools (moto, boto3)"
scripts/setup-venv.sh test

if [[ "${BENCH_SKIP_BUILD:-0}" == 1 ]]; then
  step "Using the release binaries in $CARGO_TARGET_DIR/release (BENCH_SKIP_BUILD=1)"
else
  step "Release build (cached when nothing changed)"
  cargo build --release --bin cis-monitor --bin cis-monitor-lambda
fi
for binary in "$cli" "$lambda_bin"; do
  [[ -x "$binary" ]] || { echo "bench.sh: $binary not found; run cargo build --release" >&2; exit 1; }
done

if [[ -x /usr/bin/time ]]; then
  rss_note="peak RSS from /usr/bin/time -v"
else
  rss_note="/usr/bin/time missing: peak RSS from getrusage(RUSAGE_CHILDREN) (the child's VmHWM)"
fi
echo "host: $(nproc) CPU(s), $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)$( [[ -r /proc/pressure/cpu ]] && echo "; CPU pressure (some, avg10) $(sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)%")"
echo "$rss_note"
echo "cis-monitor: $("$cli" --version) ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet -- src Cargo.toml Cargo.lock 2>/dev/null || echo ', src modified'))"

results=()
IFS=', ' read -r -a account_list <<<"$accounts"
for account in "${account_list[@]}"; do
  case "$account" in compliant | large | organization) ;; *) echo "bench.sh: unknown account '$account'" >&2; exit 2 ;; esac
  seed_args=() proxy_args=() run_args=()
  if [[ "$account" == organization ]]; then
    seed_args=(--members "$members")
    proxy_args=(--org-trails --assume-role-check)
    run_args=(--organization --member-role "$member_role")
  fi
  step "Account '$account': fresh moto, seeding"
  start_moto "$state/moto-$account.log"
  "$python" scripts/seed_bench.py --endpoint "$moto_url" --account "$account" --cis-monitor "$cli" \
    --json "$state/seed-$account.json" ${seed_args[@]+"${seed_args[@]}"}
  results+=("$state/seed-$account.json")
  start_proxy "$state/proxy.port" "$state/proxy-$account.log" "$moto_url" --latency-ms "$latency" --trail-delivery \
    ${proxy_args[@]+"${proxy_args[@]}"}
  # The CLI as the benchmark runs it: dummy credentials (moto's account 123456789012), the proxy.
  cli_env=(env -i PATH=/usr/bin:/bin HOME="$state"
    AWS_ENDPOINT_URL="$proxy_url" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null)

  step "Account '$account': cis-monitor run${run_args[*]+ ${run_args[*]}} --format json${cli_args[*]+ ${cli_args[*]}}, every region, publishing ($latency ms per call, 1 + $runs runs)"
  "$python" scripts/bench_measure.py run --account "$account" --proxy "$proxy_url" --runs "$runs" \
    --latency-ms "$latency" --json "$state/$account.json" --watch moto="$moto_pid" --watch proxy="$proxy_pid" -- \
    "${cli_env[@]}" "$cli" run ${run_args[@]+"${run_args[@]}"} --format json ${cli_args[@]+"${cli_args[@]}"}
  results+=("$state/$account.json")
  if [[ "$account" == compliant ]] && ((changes)); then
    step "Account '$account': re-audit on change (one change, then 50 in 10 s through a FIFO queue)"
    "$python" scripts/bench_changes.py --cli "$cli" --moto "$moto_url" --proxy "$proxy_url" \
      --json "$state/$account-changes.json" -- "${cli_env[@]:2}"
  fi
  if [[ "$account" == organization ]]; then
    step "Account '$account': the management account alone, cis-monitor run --format json${cli_args[*]+ ${cli_args[*]}} (the calls the members do not cost)"
    "$python" scripts/bench_measure.py alone --account "$account" --proxy "$proxy_url" --latency-ms "$latency" \
      --json "$state/$account-alone.json" -- \
      "${cli_env[@]}" "$cli" run --format json ${cli_args[@]+"${cli_args[@]}"}
    results+=("$state/$account-alone.json")
    if ((floor)); then
      step "Account '$account': the emulator's floor (one more run recorded, its calls replayed raw)"
      "$python" scripts/bench_floor.py --account "$account" --proxy "$proxy_url" --moto "$moto_url" \
        --watch moto="$moto_pid" --watch proxy="$proxy_pid" --json "$state/$account-floor.json" -- \
        "${cli_env[@]}" "$cli" run ${run_args[@]+"${run_args[@]}"} --format json ${cli_args[@]+"${cli_args[@]}"}
      results+=("$state/$account-floor.json")
    fi
    if ((fan_out)); then
      step "Account '$account': fan-out, cis-monitor-lambda scheduled then fed the queue ($accounts_per_invocation accounts per invocation, at most $max_concurrency at once)"
      "$python" scripts/bench_fan_out.py --binary "$lambda_bin" --proxy "$proxy_url" --moto "$moto_url" \
        --event events/scheduled.json --member-role "$member_role" --logs "$state/fan-out" \
        --accounts-per-invocation "$accounts_per_invocation" --max-concurrency "$max_concurrency" \
        --json "$state/$account-fan-out.json"
      results+=("$state/$account-fan-out.json")
    fi
  fi
  stop_all
done

step "Lambda start: exec of cis-monitor-lambda -> first event handled (payload rejected before any AWS call)"
"$python" scripts/bench_lambda_start.py --binary "$lambda_bin" --runs 5 --json "$state/lambda.json"
results+=("$state/lambda.json")

"$python" scripts/bench_measure.py summary --latency-ms "$latency" \
  --zip "$CARGO_TARGET_DIR/lambda/cis-monitor-lambda/bootstrap.zip" --sources src,Cargo.toml,Cargo.lock \
  "${results[@]}"
echo
echo "Details: .bench/*.json; moto and proxy logs: .bench/*.log"
