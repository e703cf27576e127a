#!/usr/bin/env python3
"""Seed a moto server with the cis-monitor demo account.

One account (123456789012), one multi-region CloudTrail trail homed in us-east-1 that delivers
to a CloudWatch Logs group, and one chain per control, each built to show a different verdict:

  CloudWatch.5   healthy chain; the filter pattern lists the five events in another order than
                 the CIS text, so Security Hub's own control (exact text only) would fail it,
                 while cis-monitor (which decides by meaning) passes it.
  CloudWatch.7   the filter adds a narrowing clause ($.userIdentity.type = Root): only root's
                 DisableKey/ScheduleKeyDeletion calls reach the alarm. FAILED at the filter.
  CloudWatch.14  the exact CIS pattern and a working alarm, but the alarm's SNS topic has no
                 subscriber: nobody is told. FAILED at the subscriber.

Security Hub is enabled in us-east-1 and eu-west-1, not in ap-southeast-2.

Usage: seed_demo.py --endpoint http://127.0.0.1:5123 [--reset]
Only talks to the given endpoint, with the dummy credentials `testing`.
"""

from __future__ import annotations

import argparse

from moto_account import (
    ACCOUNT,
    HOME,
    LOG_GROUP,
    NAMESPACE,
    alarm,
    client,
    create_logging_trail,
    metric_filter,
    moto_post,
    require_fresh_account,
)

SECURITY_HUB_REGIONS = ["us-east-1", "eu-west-1"]
AUDITED_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
BUCKET = f"cis-monitor-demo-cloudtrail-{ACCOUNT}"

# (control, filter name, metric name, pattern, topic, what to expect)
FILTERS = [
    (
        "CloudWatch.5",
        "cis-cloudtrail-changes",
        "CloudTrailConfigurationChanges",
        "{ ($.eventName = StopLogging) || ($.eventName = StartLogging) || ($.eventName = CreateTrail)"
        " || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) }",
        "cis-alarms",
        "PASSED (same events as the CIS pattern, reordered: not the exact CIS text)",
    ),
    (
        "CloudWatch.7",
        "cis-kms-key-changes",
        "KmsKeyDisabledOrScheduledForDeletion",
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion))"
        " && ($.userIdentity.type = Root) }",
        "cis-alarms",
        "FAILED CLOUDTRAIL_METRIC_FILTER_NOT_VALID (the Root clause drops every non-root caller)",
    ),
    (
        "CloudWatch.14",
        "cis-vpc-changes",
        "VpcChanges",
        "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute)"
        " || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection)"
        " || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection)"
        " || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc)"
        " || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}",
        "vpc-alerts",
        "FAILED SNS_SUBSCRIPTION_NOT_PRESENT (exact CIS pattern, but topic vpc-alerts has no subscriber)",
    ),
]


def seed(endpoint: str) -> dict:
    require_fresh_account(endpoint, "seed_demo.py")
    trail_arn = create_logging_trail(endpoint, BUCKET)

    # Topics: cis-alarms has an e-mail subscriber (moto confirms it at once); vpc-alerts has none.
    sns = client("sns", endpoint)
    topics = {name: sns.create_topic(Name=name)["TopicArn"] for name in ("cis-alarms", "vpc-alerts")}
    sns.subscribe(TopicArn=topics["cis-alarms"], Protocol="email", Endpoint="security@example.com")

    for control, filter_name, metric, pattern, topic, _ in FILTERS:
        metric_filter(endpoint, LOG_GROUP, filter_name, pattern, NAMESPACE, metric)
        name = f"cis-{control.replace('.', '-').lower()}-{metric}"
        alarm(endpoint, name, NAMESPACE, metric, [topics[topic]], f"{control}: {metric} >= 1 in 5 minutes")

    for region in SECURITY_HUB_REGIONS:
        client("securityhub", endpoint, region).enable_security_hub(EnableDefaultStandards=False)

    return {"trail_arn": trail_arn, "topics": topics}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5123")
    parser.add_argument("--reset", action="store_true", help="wipe the moto server first (POST /moto-api/reset)")
    args = parser.parse_args()

    if args.reset:
        moto_post(args.endpoint, "/moto-api/reset")
    seeded = seed(args.endpoint)

    print(f"Seeded account {ACCOUNT} at {args.endpoint}:")
    print(f"  trail      {seeded['trail_arn']}")
    print(f"             multi-region, logging, management events All; home {HOME}")
    print(f"  log group  {LOG_GROUP} ({HOME}), three metric filters in namespace {NAMESPACE}")
    print("  topics     cis-alarms (1 e-mail subscriber), vpc-alerts (no subscriber)")
    print(f"  Security Hub enabled in {', '.join(SECURITY_HUB_REGIONS)}; not in ap-southeast-2")
    print()
    print(f"Expected verdicts, the same in each audited region ({', '.join(AUDITED_REGIONS)}),")
    print(f"since the {HOME} trail is multi-region and every chain runs through its {HOME} log group:")
    for control, filter_name, _, _, _, expect in FILTERS:
        print(f"  {control:<14} {filter_name:<24} {expect}")
    print("Expected in Security Hub: 3 findings each in us-east-1 and eu-west-1; none in ap-southeast-2")
    print("(not enabled there: the import is skipped and reported in the run summary).")


if __name__ == "__main__":
    main()
