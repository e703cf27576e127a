#!/usr/bin/env bash
# Organization demo, entirely local: `cis-monitor run --organization` audits every account of
# an AWS Organizations organization seeded into moto, from the management account, and each
# account's findings are read back from that account's own Security Hub.
#
#   1. scripts/setup-venv.sh test               moto, boto3
#   2. cargo build --bin cis-monitor            (debug)
#   3. scripts/moto.sh start                    moto on 127.0.0.1 (5123, or a free port)
#   4. scripts/seed_org_demo.py                 the organization: management account, members
#                                               security and workload, the organization trail,
#                                               filters and alarms, topics in security, member
#                                               roles, hubs (the canonical patterns from
#                                               cis-monitor controls)
#   5. scripts/aws_proxy.py --hub-check --trail-delivery --org-trails --assume-role-check
#                                               in front of moto, answering as AWS does where
#                                               moto does not: members see the organization
#                                               trail, AssumeRole needs a role that trusts the
#                                               caller, Security Hub refuses calls where it is
#                                               off, GetTrailStatus reports log delivery
#   6. cis-monitor run --organization --member-role cis-monitor-member
#                      --region us-east-1 --region eu-west-1
#                                               as the management account, through the proxy;
#                                               prints its table
#   7. scripts/show_findings.py --organization  each account's findings, from its own hub
#   8. scripts/check_demo_org.py                those findings are the expected ones
#
# Everything started here is stopped on exit, also on failure or Ctrl-C. Logs are in .demo/.
# Environment: CARGO_TARGET_DIR (default ~/.cache/cis-monitor/target), DEMO_MOTO_PORT (5123).
# No AWS account is needed or touched: every AWS_* variable of the caller is dropped, and
# cis-monitor gets dummy credentials and AWS_ENDPOINT_URL pointing at the proxy in front of moto.
set -euo pipefail

# Sets repo, state, python, cli; drops AWS_* and CIS_MONITOR_*; the cleanup trap; step,
# free_port, listening, start_moto, start_proxy.
# shellcheck source=scripts/demo_lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/demo_lib.sh"

regions=(us-east-1 eu-west-1)
member_role="cis-monitor-member"

step "Python tools (moto, boto3)"
scripts/setup-venv.sh test

step "Building cis-monitor (debug) into $CARGO_TARGET_DIR"
scripts/cold_build_notice.sh
cargo build --bin cis-monitor

start_moto

step "Seeding the organization"
"$python" scripts/seed_org_demo.py --endpoint "$endpoint" --cis-monitor "$cli"

step "Starting the proxy in front of moto (organization trails shown to members, AssumeRole checked, Security Hub refused where it is not enabled, trail delivery reported, as on AWS)"
start_proxy "$state/proxy.port" "$state/proxy.log" "$endpoint" \
  --hub-check --trail-delivery --org-trails --assume-role-check
echo "proxy listening at $proxy_url (log: .demo/proxy.log)"

region_args=()
for region in "${regions[@]}"; do region_args+=(--region "$region"); done
step "cis-monitor run --organization --member-role $member_role ${region_args[*]} (as the management account)"
status=0
env \
  AWS_ENDPOINT_URL="$proxy_url" \
  AWS_ACCESS_KEY_ID=testing \
  AWS_SECRET_ACCESS_KEY=testing \
  AWS_REGION=us-east-1 \
  AWS_EC2_METADATA_DISABLED=true \
  AWS_CONFIG_FILE=/dev/null \
  AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  "$cli" run --organization --member-role "$member_role" "${region_args[@]}" 2>"$state/run.err" || status=$?
# 1 is expected (a verdict is not PASSED); 2 and 3 mean the run or the publishing failed.
if ((status > 1)); then
  echo "demo_org.sh: cis-monitor run exited $status:" >&2
  cat -- "$state/run.err" >&2
  echo "--- last lines of .demo/proxy.log:" >&2
  tail -n 20 -- "$state/proxy.log" >&2
  exit 1
fi
echo "(exit status $status: 1 means some verdict is not PASSED, as expected here)"

step "Findings in each account's own Security Hub (read back from moto)"
"$python" scripts/show_findings.py --endpoint "$endpoint" --regions "$(IFS=,; echo "${regions[*]}")" \
  --organization --json "$state/org-findings.json"

step "Checking the findings"
"$python" scripts/check_demo_org.py "$state/org-findings.json"

cat <<EOF

Expected, in every account and region: CloudWatch.5 PASSED, CloudWatch.7 PASSED, CloudWatch.14
FAILED (SNS_SUBSCRIPTION_NOT_PRESENT: its alarm notifies vpc-alerts, in the security account,
which has no subscriber). Each account's findings are in its own Security Hub.
Logs: .demo/moto.log, .demo/proxy.log, .demo/run.err. moto and the proxy stop when this script
exits.
EOF
