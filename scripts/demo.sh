#!/usr/bin/env bash
# End-to-end demo, entirely local: the Lambda runs under `cargo lambda watch` against a moto
# server seeded with a demo account, and its findings are read back from moto's Security Hub.
#
#   1. scripts/setup-venv.sh test lambda        moto, boto3, cargo-lambda
#   2. cargo build --bin cis-monitor --bin cis-monitor-lambda
#                                               (debug; watch reuses the build)
#   3. scripts/moto.sh start                    moto on 127.0.0.1 (5123, or a free port)
#   4. scripts/seed_demo.py                     trail, log group, filters, alarms, topics, hubs
#                                               (the canonical patterns from cis-monitor controls)
#   5. scripts/aws_proxy.py --hub-check --trail-delivery
#                                               in front of moto: Security Hub calls in a region
#                                               where it is not enabled are refused, as AWS does
#                                               (moto itself accepts them); GetTrailStatus reports
#                                               the trail's delivery to CloudWatch Logs (moto
#                                               reports none)
#   6. cargo lambda watch                       the function, pointed at the proxy
#   7. cargo lambda invoke                      with events/scheduled.json; prints the summary
#   8. scripts/show_findings.py                 the findings each region's Security Hub holds
#   9. drift: scripts/replay_call.py makes in moto the call events/delete-metric-filter.json
#      reports (someone deletes CloudWatch.5's metric filter); cargo lambda invoke with that
#      event; the findings again: CloudWatch.5 FAILED, naming the call and who made it
#
# Everything started here is stopped on exit, also on failure or Ctrl-C.
# Environment: CARGO_TARGET_DIR (default ~/.cache/cis-monitor/target), DEMO_MOTO_PORT (5123),
# DEMO_WATCH_PORT (9123), DEMO_EVENT (events/scheduled.json).
# No AWS account is needed or touched: every AWS_* variable of the caller is dropped, and the
# function gets dummy credentials and AWS_ENDPOINT_URL pointing at the proxy in front of moto.
set -euo pipefail

# Sets repo, state, python, cli; drops AWS_* and CIS_MONITOR_*; the cleanup trap; step,
# free_port, listening, start_moto, start_proxy.
# shellcheck source=scripts/demo_lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/demo_lib.sh"

regions="us-east-1,eu-west-1,ap-southeast-2"
event="${DEMO_EVENT:-events/scheduled.json}"
bin="cis-monitor-lambda"

step "Python tools (moto, boto3, cargo-lambda)"
scripts/setup-venv.sh test lambda

step "Building cis-monitor and $bin (debug) into $CARGO_TARGET_DIR"
scripts/cold_build_notice.sh
cargo build --bin cis-monitor --bin "$bin"

start_moto

step "Seeding the demo account"
"$python" scripts/seed_demo.py --endpoint "$endpoint" --cis-monitor "$cli"

step "Starting the proxy in front of moto (Security Hub refused where it is not enabled, trail delivery reported, as on AWS)"
start_proxy "$state/proxy.port" "$state/proxy.log" "$endpoint" --hub-check --trail-delivery
echo "proxy listening at $proxy_url (log: .demo/proxy.log)"

step "Starting cargo lambda watch"
watch_port="$(free_port "${DEMO_WATCH_PORT:-9123}")"
# The function inherits this environment (cargo lambda watch forwards it). It sets neither
# AWS_REGION nor credentials by itself.
setsid env \
  AWS_ENDPOINT_URL="$proxy_url" \
  AWS_ACCESS_KEY_ID=testing \
  AWS_SECRET_ACCESS_KEY=testing \
  AWS_REGION=us-east-1 \
  AWS_EC2_METADATA_DISABLED=true \
  CIS_MONITOR_REGIONS="$regions" \
  RUST_LOG="${RUST_LOG:-info}" \
  cargo lambda watch \
    --bin "$bin" \
    --ignore-changes \
    --invoke-address 127.0.0.1 \
    --invoke-port "$watch_port" \
  >"$state/watch.log" 2>&1 </dev/null &
watch_pid=$!
echo "$watch_pid" >"$state/watch.pid"
deadline=$((SECONDS + 60))
until listening "$watch_port"; do
  if ! kill -0 "$watch_pid" 2>/dev/null; then
    echo "demo.sh: cargo lambda watch exited; log follows:" >&2
    tail -n 40 -- "$state/watch.log" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "demo.sh: cargo lambda watch did not listen on 127.0.0.1:$watch_port within 60 s; log follows:" >&2
    tail -n 40 -- "$state/watch.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "watch listening on 127.0.0.1:$watch_port (log: .demo/watch.log)"

step "Invoking $bin with $event (regions $regions)"
if ! cargo lambda invoke "$bin" \
  --invoke-address 127.0.0.1 \
  --invoke-port "$watch_port" \
  --data-file "$event" \
  --output-format json \
  >"$state/summary.json" 2>"$state/invoke.err"; then
  echo "demo.sh: the invocation failed:" >&2
  cat -- "$state/summary.json" "$state/invoke.err" >&2
  echo "--- last lines of .demo/watch.log:" >&2
  tail -n 40 -- "$state/watch.log" >&2
  exit 1
fi
echo "Summary returned by the function (also in .demo/summary.json):"
"$python" -m json.tool <"$state/summary.json" || cat -- "$state/summary.json"

step "Findings in Security Hub (read back from moto)"
"$python" scripts/show_findings.py --endpoint "$endpoint" --regions "$regions"

cat <<EOF

Expected: CloudWatch.5 PASSED, CloudWatch.7 FAILED (CLOUDTRAIL_METRIC_FILTER_NOT_VALID),
CloudWatch.14 FAILED (SNS_SUBSCRIPTION_NOT_PRESENT) in each region; findings in us-east-1 and
eu-west-1 only, since Security Hub is not enabled in ap-southeast-2.
EOF

drift="events/delete-metric-filter.json"
step "Drift: someone deletes CloudWatch.5's metric filter (the call $drift reports, made in moto)"
"$python" scripts/replay_call.py --endpoint "$endpoint" "$drift"

step "Invoking $bin with $drift, as the change queue would"
if ! cargo lambda invoke "$bin" --invoke-address 127.0.0.1 --invoke-port "$watch_port" --data-file "$drift" \
  --output-format json >"$state/drift.json" 2>"$state/invoke.err"; then
  echo "demo.sh: the invocation with $drift failed:" >&2
  cat -- "$state/drift.json" "$state/invoke.err" >&2
  exit 1
fi
echo "Totals returned by the function (the summary is in .demo/drift.json):"
"$python" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["totals"]))' <"$state/drift.json"

step "Findings after the change (read back from moto)"
"$python" scripts/show_findings.py --endpoint "$endpoint" --regions "$regions"

cat <<EOF

Expected: CloudWatch.5 FAILED in each region now, naming DeleteMetricFilter, who made it and
when (from the event); the other findings as before.
Function log: .demo/watch.log. moto, the proxy and the watch server stop when this script exits.
EOF
