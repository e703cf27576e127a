#!/usr/bin/env python3
"""Seed a moto server with a benchmark account for `make bench`.

Accounts (--account):

  compliant  The healthy account of moto_account.py, which the demo departs from: one
             multi-region trail `management-events` homed in us-east-1, logging, all management
             events, delivering to CloudWatch Logs group `CloudTrail/management-events`; on that
             group one filter per control with its canonical CIS pattern (both as
             `cis-monitor controls` reports them), each with an alarm (Sum >= 1 over 300 s, one
             datapoint, namespace CISBenchmark) notifying topic `cis-alarms`, which has an
             e-mail subscriber. Every control PASSES in every region. Security Hub is enabled
             in every region cis-monitor audits by default, as `cis-monitor regions` reports
             them for the endpoint.

  large      compliant, plus in us-east-1 (the trail's home): 300 log groups in all with 10
             metric filters each (the trail's group holds the 3 CIS filters and 7 other CIS
             filters that cover none of the three controls), 5,000 more alarms on unrelated
             metrics, and 100 SNS topics in all (cis-alarms included).

  organization
             An AWS Organizations organization like seed_org_demo.py's (with its helpers),
             but healthy and with --members N member accounts (default 50). The management
             account (moto's 123456789012) is compliant with an organization trail: the trail
             `management-events` (IsOrganizationTrail, multi-region, home us-east-1, logging,
             all management events, log group and role), the three filters and alarms on its
             group, and topic `cis-alarms` with its subscriber, all in the management account.
             Each member (`bench-member-NNN`, made by CreateAccount) has nothing of its own
             but the role `cis-monitor-member`, trusting the management account, and Security
             Hub, enabled in every region cis-monitor audits (as for compliant). Every control
             PASSES in every region of every account. The members are seeded with raw HTTP
             calls, --threads at a time, each acting in its account through moto's header
             x-moto-account-id (MotoWire): 1,000 members with 20 hubs each are some 22,000
             calls, which moto answers at about 400 a second.

Usage: seed_bench.py --endpoint http://127.0.0.1:5123 --account compliant|large|organization
       [--members 50] [--reset] [--threads 8] [--cis-monitor PATH] [--json FILE]
Only talks to the given endpoint, with the dummy credentials `testing` (for the organization's
members, in their accounts by x-moto-account-id). Prints what it made and how long each part
took; --json FILE also writes that: {"seeded": account, "members", "seconds", "parts": {part: seconds}}.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from moto_account import (
    ACCOUNT,
    HOME,
    LOG_GROUP,
    NAMESPACE,
    TOPIC,
    add_cis_monitor_argument,
    alarm,
    audited_regions,
    cis_controls,
    client,
    healthy_chains,
    metric_filter,
    moto_post,
    seed_monitoring,
)
from seed_org_demo import MEMBER_ROLE, require_no_organization

SCRIPT = "seed_bench.py"
BUCKET = f"cis-monitor-bench-cloudtrail-{ACCOUNT}"

# Other CIS monitoring filters (CloudWatch.1-4, .6, .8-13): realistic neighbours that cover none
# of CloudWatch.5, .7 or .14, so cis-monitor reads no alarms for them.
OTHER_PATTERNS = [
    ("UnauthorizedAPICalls", '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}'),
    ("ConsoleSigninWithoutMFA", '{($.eventName="ConsoleLogin") && ($.additionalEventData.MFAUsed!="Yes")}'),
    (
        "RootAccountUsage",
        '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType!="AwsServiceEvent"}',
    ),
    (
        "IAMPolicyChanges",
        "{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=PutUserPolicy)"
        " || ($.eventName=AttachRolePolicy)}",
    ),
    ("ConsoleAuthFailures", '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}'),
    (
        "S3BucketPolicyChanges",
        "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy)"
        " || ($.eventName=DeleteBucketPolicy))}",
    ),
    (
        "AWSConfigChanges",
        "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)"
        " || ($.eventName=DeleteDeliveryChannel))}",
    ),
    (
        "SecurityGroupChanges",
        "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupIngress)"
        " || ($.eventName=CreateSecurityGroup)}",
    ),
    (
        "NACLChanges",
        "{($.eventName=CreateNetworkAcl) || ($.eventName=DeleteNetworkAcl) || ($.eventName=ReplaceNetworkAclEntry)}",
    ),
    (
        "GatewayChanges",
        "{($.eventName=CreateCustomerGateway) || ($.eventName=AttachInternetGateway)"
        " || ($.eventName=DeleteInternetGateway)}",
    ),
    (
        "RouteTableChanges",
        "{($.eventName=CreateRoute) || ($.eventName=DeleteRouteTable) || ($.eventName=ReplaceRoute)}",
    ),
    ("AppErrors", '{ $.level = "ERROR" }'),
    ("AppLatency", "[ip, user, ts, request, status=5*, size]"),
]

LARGE_LOG_GROUPS = 300  # in all, the trail's group included
FILTERS_PER_GROUP = 10
LARGE_EXTRA_ALARMS = 5000  # besides the 3 CIS alarms
LARGE_TOPICS = 100  # in all, cis-alarms included
MEMBERS = 50  # the organization's member accounts, by default


def run_parallel(pool: ThreadPoolExecutor, function, jobs: list[tuple]) -> None:
    for future in [pool.submit(function, *job) for job in jobs]:
        future.result()


def seed_compliant(endpoint: str, cis_monitor: str, pool: ThreadPoolExecutor) -> dict:
    chains = healthy_chains(cis_controls(cis_monitor, SCRIPT), SCRIPT)
    seeded = seed_monitoring(endpoint, SCRIPT, BUCKET, chains)

    regions = audited_regions(cis_monitor, endpoint, SCRIPT)
    run_parallel(
        pool,
        lambda region: client("securityhub", endpoint, region).enable_security_hub(EnableDefaultStandards=False),
        [(region,) for region in regions],
    )
    return {"trail": seeded["trail_arn"], "topic": seeded["topics"][TOPIC], "regions": regions, "chains": len(chains)}


def seed_large(endpoint: str, pool: ThreadPoolExecutor, topic_arn: str, chains: int) -> dict:
    """The large account's additions; `chains` filters are on the trail's group already."""
    timings = {}

    start = time.monotonic()
    topics = [topic_arn] + [
        future.result()
        for future in [
            pool.submit(lambda i: client("sns", endpoint).create_topic(Name=f"bench-topic-{i:03d}")["TopicArn"], i)
            for i in range(1, LARGE_TOPICS)
        ]
    ]
    timings["topics"] = time.monotonic() - start

    start = time.monotonic()
    groups = [LOG_GROUP] + [f"/bench/app-{i:03d}" for i in range(1, LARGE_LOG_GROUPS)]
    run_parallel(
        pool, lambda group: client("logs", endpoint).create_log_group(logGroupName=group), [(g,) for g in groups[1:]]
    )
    jobs = []
    for g, group in enumerate(groups):
        # The trail's group already holds the 3 CIS filters: 7 more make its 10.
        count = FILTERS_PER_GROUP - (chains if group == LOG_GROUP else 0)
        for f in range(count):
            label, pattern = OTHER_PATTERNS[(g + f) % len(OTHER_PATTERNS)]
            namespace = NAMESPACE if group == LOG_GROUP else "Bench/LogMetrics"
            metric = label if group == LOG_GROUP else f"{label}-{g:03d}-{f}"
            jobs.append((endpoint, group, f"bench-{label}-{f}", pattern, namespace, metric))
    run_parallel(pool, metric_filter, jobs)
    timings["log groups and filters"] = time.monotonic() - start

    start = time.monotonic()
    run_parallel(
        pool,
        alarm,
        [
            (
                endpoint,
                f"bench-alarm-{i:04d}",
                f"Bench/Service{i % 50:02d}",
                f"Errors{i:04d}",
                [topics[i % len(topics)]],
            )
            for i in range(LARGE_EXTRA_ALARMS)
        ],
    )
    timings["alarms"] = time.monotonic() - start
    return {
        "topics": len(topics),
        "log_groups": len(groups),
        "filters": len(jobs) + chains,
        "timings": timings,
    }


_wire = threading.local()


class MotoWire:
    """Bulk seeding calls to moto as raw HTTP, one kept-alive connection per thread: a boto3
    client costs 10-90 ms to make and a few ms of CPU per call, which made seeding 1,000
    members' 20 hubs take many minutes of this process's CPU while moto idled. moto without
    IAM enforcement checks no signature: it routes by the credential scope's service and
    region, and acts in the account of the header x-moto-account-id (so no member role is
    assumed for seeding, and moto's list of assumed roles, which it scans for every call with
    such keys, stays as short as cis-monitor's runs leave it)."""

    def __init__(self, endpoint: str) -> None:
        split = urllib.parse.urlsplit(endpoint)
        self.host, self.port = split.hostname or "127.0.0.1", split.port or 80

    def connection(self) -> http.client.HTTPConnection:
        connection = getattr(_wire, "connection", None)
        if connection is None:
            connection = _wire.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return connection

    def call(
        self, service: str, region: str, account: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        scope = f"testing/{time.strftime('%Y%m%d', time.gmtime())}/{region}/{service}/aws4_request"
        headers = {
            "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature={'0' * 64}",
            "x-moto-account-id": account,
            **headers,
        }
        for attempt in range(3):
            connection = self.connection()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                _wire.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json_call(self, service: str, region: str, account: str, target: str, request: dict) -> dict:
        status, body = self.call(
            service,
            region,
            account,
            "/",
            json.dumps(request).encode(),
            {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
        )
        if status != 200:
            raise SystemExit(f"{SCRIPT}: {target} in {account} answered {status}: {body[:300]!r}")
        return json.loads(body)

    def query_call(self, service: str, account: str, request: dict[str, str]) -> bytes:
        status, body = self.call(
            service,
            HOME,
            account,
            "/",
            urllib.parse.urlencode(request).encode(),
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        if status != 200:
            raise SystemExit(f"{SCRIPT}: {service}:{request['Action']} in {account} answered {status}: {body[:300]!r}")
        return body

    def create_account(self, name: str) -> str:
        status = self.json_call(
            "organizations",
            HOME,
            ACCOUNT,
            "AWSOrganizationsV20161128.CreateAccount",
            {"AccountName": name, "Email": f"aws+{name}@example.com"},
        )["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            raise SystemExit(f"{SCRIPT}: CreateAccount {name} ended {status['State']}: {status.get('FailureReason')}")
        return status["AccountId"]

    def create_member_role(self, account: str) -> None:
        """The role cis-monitor assumes in a member account, trusting the management account
        (as seed_org_demo.create_member_role makes it)."""
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
            ],
        }
        self.query_call(
            "iam",
            account,
            {
                "Action": "CreateRole",
                "Version": "2010-05-08",
                "RoleName": MEMBER_ROLE,
                "AssumeRolePolicyDocument": json.dumps(trust),
                "Description": "cis-monitor audits this account from the management account",
            },
        )

    def enable_hub(self, account: str, region: str) -> None:
        status, body = self.call(
            "securityhub",
            region,
            account,
            "/accounts",
            b'{"EnableDefaultStandards": false}',
            {"Content-Type": "application/json"},
        )
        if status != 200:
            raise SystemExit(f"{SCRIPT}: EnableSecurityHub in {account} {region} answered {status}: {body[:300]!r}")


def seed_organization(endpoint: str, cis_monitor: str, pool: ThreadPoolExecutor, members: int) -> dict:
    """The organization account: the management account's organization trail and chains, then
    `members` member accounts, each with the member role and Security Hub in every audited
    region (the management account's too). The members' part goes through MotoWire, on the
    pool's threads."""
    timings = {}
    chains = healthy_chains(cis_controls(cis_monitor, SCRIPT), SCRIPT)
    require_no_organization(endpoint)
    wire = MotoWire(endpoint)

    start = time.monotonic()
    client("organizations", endpoint).create_organization(FeatureSet="ALL")
    seeded = seed_monitoring(endpoint, SCRIPT, BUCKET, chains, organization_trail=True)
    timings["organization, trail and chains"] = time.monotonic() - start

    start = time.monotonic()
    names = [f"bench-member-{n:03d}" for n in range(1, members + 1)]
    accounts = [future.result() for future in [pool.submit(wire.create_account, name) for name in names]]
    timings["member accounts"] = time.monotonic() - start

    start = time.monotonic()
    run_parallel(pool, wire.create_member_role, [(account,) for account in accounts])
    timings["member roles"] = time.monotonic() - start

    start = time.monotonic()
    regions = audited_regions(cis_monitor, endpoint, SCRIPT)
    run_parallel(pool, wire.enable_hub, [(account, region) for account in [ACCOUNT, *accounts] for region in regions])
    timings["Security Hub"] = time.monotonic() - start
    return {
        "trail": seeded["trail_arn"],
        "topic": seeded["topics"][TOPIC],
        "regions": regions,
        "chains": len(chains),
        "members": accounts,
        "timings": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5123")
    parser.add_argument("--account", required=True, choices=("compliant", "large", "organization"))
    parser.add_argument(
        "--members", type=int, default=MEMBERS, help=f"organization: member accounts (default {MEMBERS})"
    )
    parser.add_argument("--reset", action="store_true", help="wipe the moto server first (POST /moto-api/reset)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent seeding calls (default 8)")
    parser.add_argument("--json", help="write the seeding's timings here")
    add_cis_monitor_argument(parser)
    args = parser.parse_args()

    if args.reset:
        moto_post(args.endpoint, "/moto-api/reset")
    started = time.monotonic()
    if args.account == "organization":
        if args.members < 0:
            parser.error("--members must be 0 or more")
        with ThreadPoolExecutor(max_workers=max(1, args.threads)) as pool:
            seeded = seed_organization(args.endpoint, args.cis_monitor, pool, args.members)
        print_organization(args.endpoint, seeded)
        print(f"  (in all {time.monotonic() - started:.1f} s)")
        write_timings(args.json, "organization", args.members, time.monotonic() - started, seeded["timings"])
        return
    with ThreadPoolExecutor(max_workers=max(1, args.threads)) as pool:
        seeded = seed_compliant(args.endpoint, args.cis_monitor, pool)
        compliant_time = time.monotonic() - started
        large = seed_large(args.endpoint, pool, seeded["topic"], seeded["chains"]) if args.account == "large" else None

    print(f"Seeded the {args.account} account {ACCOUNT} at {args.endpoint} in {time.monotonic() - started:.1f} s:")
    print(f"  trail      {seeded['trail']} (multi-region, logging, management events All; home {HOME})")
    print(
        f"  log group  {LOG_GROUP}: the {seeded['chains']} canonical CIS filters,"
        f" alarms Sum >= 1 in {NAMESPACE} -> {TOPIC} (1 subscriber)"
    )
    print(f"  Security Hub enabled in the {len(seeded['regions'])} audited regions: {', '.join(seeded['regions'])}")
    print(f"  ({compliant_time:.1f} s)")
    if large:
        print(
            f"  large, in {HOME}: {large['log_groups']} log groups with {large['filters']} metric filters, "
            f"{LARGE_EXTRA_ALARMS + seeded['chains']} alarms, {large['topics']} topics"
        )
        print("  (" + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in large["timings"].items()) + ")")
    print("Expected: every control PASSED in every audited region.")
    parts = {"compliant": compliant_time, **(large["timings"] if large else {})}
    write_timings(args.json, args.account, 0, time.monotonic() - started, parts)


def write_timings(path: str | None, account: str, members: int, seconds: float, parts: dict) -> None:
    if path:
        with open(path, "w") as handle:
            json.dump({"seeded": account, "members": members, "seconds": seconds, "parts": parts}, handle, indent=2)


def print_organization(endpoint: str, seeded: dict) -> None:
    members = seeded["members"]
    print(f"Seeded the organization account at {endpoint}: management account {ACCOUNT}, {len(members)} members")
    print(f"  trail      {seeded['trail']} (organization trail, multi-region, logging, management events All;")
    print(f"             home {HOME})")
    print(
        f"  log group  {LOG_GROUP}: the {seeded['chains']} canonical CIS filters,"
        f" alarms Sum >= 1 in {NAMESPACE} -> {TOPIC} (1 subscriber), all in {ACCOUNT}"
    )
    if members:
        print(f"  members    {members[0]} .. {members[-1]}, each with role {MEMBER_ROLE} trusting {ACCOUNT}")
    print(
        f"  Security Hub enabled in every account, in the {len(seeded['regions'])} audited regions: "
        f"{', '.join(seeded['regions'])}"
    )
    print("  (" + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in seeded["timings"].items()) + ")")
    print("Expected: every control PASSED in every audited region of every account.")


if __name__ == "__main__":
    main()
