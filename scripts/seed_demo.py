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
import json
import sys
import urllib.request

import boto3
from botocore.config import Config

ACCOUNT = "123456789012"
HOME = "us-east-1"
SECURITY_HUB_REGIONS = ["us-east-1", "eu-west-1"]
AUDITED_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]

BUCKET = f"cis-monitor-demo-cloudtrail-{ACCOUNT}"
TRAIL = "management-events"
LOG_GROUP = "CloudTrail/management-events"
LOG_GROUP_ARN = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:{LOG_GROUP}:*"
CLOUDTRAIL_ROLE = "CloudTrail_CloudWatchLogs_Role"
NAMESPACE = "CISBenchmark"

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


def client(service: str, endpoint: str, region: str = HOME):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
    )


def moto_post(endpoint: str, path: str) -> None:
    request = urllib.request.Request(endpoint.rstrip("/") + path, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def seed(endpoint: str) -> dict:
    sts = client("sts", endpoint)
    account = sts.get_caller_identity()["Account"]
    if account != ACCOUNT:
        sys.exit(f"seed_demo.py: the endpoint answers as account {account}, expected {ACCOUNT}")

    cloudtrail = client("cloudtrail", endpoint)
    if any(trail["Name"] == TRAIL for trail in cloudtrail.describe_trails()["trailList"]):
        sys.exit(
            f"seed_demo.py: trail {TRAIL} already exists at {endpoint}; "
            "moto would duplicate the metric filters, so rerun with --reset (wipes the server)"
        )

    # CloudTrail -> S3 bucket (moto checks that it exists) and -> CloudWatch Logs.
    client("s3", endpoint).create_bucket(Bucket=BUCKET)
    logs = client("logs", endpoint)
    logs.create_log_group(logGroupName=LOG_GROUP)
    iam = client("iam", endpoint)
    role_arn = iam.create_role(
        RoleName=CLOUDTRAIL_ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    trail_arn = cloudtrail.create_trail(
        Name=TRAIL,
        S3BucketName=BUCKET,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        CloudWatchLogsLogGroupArn=LOG_GROUP_ARN,
        CloudWatchLogsRoleArn=role_arn,
    )["TrailARN"]
    # moto returns no selectors for a fresh trail (AWS returns the default one): set it.
    cloudtrail.put_event_selectors(
        TrailName=TRAIL,
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    cloudtrail.start_logging(Name=TRAIL)

    # Topics: cis-alarms has an e-mail subscriber (moto confirms it at once); vpc-alerts has none.
    sns = client("sns", endpoint)
    topics = {name: sns.create_topic(Name=name)["TopicArn"] for name in ("cis-alarms", "vpc-alerts")}
    sns.subscribe(TopicArn=topics["cis-alarms"], Protocol="email", Endpoint="security@example.com")

    cloudwatch = client("cloudwatch", endpoint)
    for control, filter_name, metric, pattern, topic, _ in FILTERS:
        logs.put_metric_filter(
            logGroupName=LOG_GROUP,
            filterName=filter_name,
            filterPattern=pattern,
            metricTransformations=[{"metricName": metric, "metricNamespace": NAMESPACE, "metricValue": "1"}],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=f"cis-{control.replace('.', '-').lower()}-{metric}",
            AlarmDescription=f"{control}: {metric} >= 1 in 5 minutes",
            Namespace=NAMESPACE,
            MetricName=metric,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
            ActionsEnabled=True,
            AlarmActions=[topics[topic]],
        )

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
    print(f"  topics     cis-alarms (1 e-mail subscriber), vpc-alerts (no subscriber)")
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
