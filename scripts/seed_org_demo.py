#!/usr/bin/env python3
"""Seed a moto server with the cis-monitor organization demo: one AWS Organizations
organization whose management account monitors for every account.

  management  123456789012 (moto's account for the keys `testing`) creates the organization and
              two member accounts, `security` and `workload` (moto's CreateAccount makes the
              role OrganizationAccountAccessRole in each, trusting the management account; the
              seeding reaches the members through it). It holds the organization trail
              `management-events` (multi-region, home us-east-1, logging, management events
              All), which every member sees, delivering to the CloudWatch Logs group
              `CloudTrail/management-events`, and on that group one metric filter per control
              with the canonical pattern `cis-monitor controls` reports and an alarm.
  security    holds the alarms' SNS topics: the alarm actions are topic ARNs in another
              account. Each topic's policy lets cloudwatch.amazonaws.com publish with
              aws:SourceAccount = the management account. `cis-alarms` has a confirmed e-mail
              subscriber; `vpc-alerts` has none.
  workload    nothing of its own: its trail, filters and alarms are the organization's.

Every member has the role `cis-monitor-member`, trusting the management account (its root),
for cis-monitor to assume. Security Hub is enabled in us-east-1 and eu-west-1 of every account.

Expected verdicts, the same in every account and both regions, since every account's chain runs
through the organization trail and the management account's us-east-1 log group:

  CloudWatch.5   PASSED
  CloudWatch.7   PASSED
  CloudWatch.14  FAILED SNS_SUBSCRIPTION_NOT_PRESENT: its alarm notifies `vpc-alerts`, which
                 has no subscriber.

Usage: seed_org_demo.py --endpoint http://127.0.0.1:5123 [--reset] [--cis-monitor PATH]
Only talks to the given endpoint, with the dummy credentials `testing` and those moto issues
for the member roles.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from botocore.exceptions import ClientError

from moto_account import (
    ACCOUNT,
    HOME,
    LOG_GROUP,
    NAMESPACE,
    TOPIC,
    TRAIL,
    Chain,
    Credentials,
    account_credentials,
    add_cis_monitor_argument,
    cis_controls,
    client,
    healthy_chains,
    moto_post,
    seed_monitoring,
)

SCRIPT = "seed_org_demo.py"
MEMBERS = ["security", "workload"]
TOPIC_ACCOUNT = "security"
MEMBER_ROLE = "cis-monitor-member"
SECURITY_HUB_REGIONS = ["us-east-1", "eu-west-1"]
BUCKET = f"cis-monitor-org-demo-cloudtrail-{ACCOUNT}"
UNSUBSCRIBED_TOPIC = "vpc-alerts"

# Where the demo departs from the healthy account (moto_account.healthy_chains), per control:
# what it changes, and what to expect. scripts/check_demo_org.py expects the same.
DEPARTURES = {
    "CloudWatch.14": (
        {"topic": UNSUBSCRIBED_TOPIC},
        f"FAILED SNS_SUBSCRIPTION_NOT_PRESENT (topic {UNSUBSCRIBED_TOPIC} in the {TOPIC_ACCOUNT} account"
        " has no subscriber)",
    ),
}


def demo_chains(controls: list[dict]) -> list[tuple[Chain, str]]:
    """The healthy chains with the demo's departures, each with what to expect of it."""
    chains = []
    for chain in healthy_chains(controls, SCRIPT):
        changes, expect = DEPARTURES.get(chain.control, ({}, "PASSED"))
        description = f"{chain.control}: {chain.metric} >= 1 in 5 minutes"
        chains.append((dataclasses.replace(chain, description=description, **changes), expect))
    return chains


def require_no_organization(endpoint: str) -> None:
    """Exits when ACCOUNT already belongs to an organization (a second seeding)."""
    try:
        client("organizations", endpoint).describe_organization()
    except ClientError as error:
        if error.response["Error"]["Code"] == "AWSOrganizationsNotInUseException":
            return
        raise
    sys.exit(f"{SCRIPT}: account {ACCOUNT} is already in an organization at {endpoint}; rerun with --reset")


def create_organization(endpoint: str) -> dict[str, str]:
    """The organization, with ACCOUNT as its management account and one new account per
    MEMBERS name. Returns the member accounts' ids by name."""
    organizations = client("organizations", endpoint)
    organizations.create_organization(FeatureSet="ALL")
    members = {}
    for name in MEMBERS:
        status = organizations.create_account(AccountName=name, Email=f"aws+{name}@example.com")["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            sys.exit(f"{SCRIPT}: CreateAccount {name} ended {status['State']}: {status.get('FailureReason')}")
        members[name] = status["AccountId"]
    return members


def create_member_role(endpoint: str, credentials: Credentials) -> str:
    """The role cis-monitor assumes in a member account, trusting the management account."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam = client("iam", endpoint, credentials=credentials)
    return iam.create_role(
        RoleName=MEMBER_ROLE,
        AssumeRolePolicyDocument=json.dumps(trust),
        Description="cis-monitor audits this account from the management account",
    )["Role"]["Arn"]


def seed(endpoint: str, cis_monitor: str) -> dict:
    chains = demo_chains(cis_controls(cis_monitor, SCRIPT))
    require_no_organization(endpoint)
    members = create_organization(endpoint)
    credentials = {name: account_credentials(endpoint, account) for name, account in members.items()}
    seeded = seed_monitoring(
        endpoint,
        SCRIPT,
        BUCKET,
        [chain for chain, _ in chains],
        unsubscribed={UNSUBSCRIBED_TOPIC},
        organization_trail=True,
        topic_owner=(members[TOPIC_ACCOUNT], credentials[TOPIC_ACCOUNT]),
    )
    roles = {name: create_member_role(endpoint, credentials[name]) for name in MEMBERS}
    for keys in [Credentials(), *credentials.values()]:
        for region in SECURITY_HUB_REGIONS:
            client("securityhub", endpoint, region, keys).enable_security_hub(EnableDefaultStandards=False)
    return {**seeded, "members": members, "roles": roles, "chains": chains}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5123")
    parser.add_argument("--reset", action="store_true", help="wipe the moto server first (POST /moto-api/reset)")
    add_cis_monitor_argument(parser)
    args = parser.parse_args()

    if args.reset:
        moto_post(args.endpoint, "/moto-api/reset")
    seeded = seed(args.endpoint, args.cis_monitor)
    members = seeded["members"]

    print(f"Seeded an organization at {args.endpoint}:")
    print(f"  management {ACCOUNT}")
    for name, account in members.items():
        print(f"  {name:<10} {account}  role {seeded['roles'][name]}")
    print(f"  trail      {seeded['trail_arn']} ({TRAIL})")
    print(f"             organization trail, multi-region, logging, management events All; home {HOME}")
    print(f"  log group  {LOG_GROUP} ({HOME}, {ACCOUNT}), three metric filters in namespace {NAMESPACE}")
    print(
        f"  topics     {TOPIC} (1 e-mail subscriber), {UNSUBSCRIBED_TOPIC} (no subscriber), in {TOPIC_ACCOUNT}"
        f" {members[TOPIC_ACCOUNT]}; CloudWatch may publish for {ACCOUNT}'s alarms"
    )
    print(f"  Security Hub enabled in {', '.join(SECURITY_HUB_REGIONS)} of every account")
    print()
    print(f"Expected verdicts, the same in every account and in {', '.join(SECURITY_HUB_REGIONS)}:")
    for chain, expect in seeded["chains"]:
        print(f"  {chain.control:<14} {chain.filter_name:<24} {expect}")
    accounts = 1 + len(members)
    print(f"Expected in Security Hub: 3 findings in each region of each account ({accounts} accounts),")
    print("each in that account's own hub, with AwsAccountId = that account.")


if __name__ == "__main__":
    main()
