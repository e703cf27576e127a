"""What the demo (seed_demo.py) and the benchmark (seed_bench.py) seed alike into a moto server:
the account's clients, its multi-region trail delivering to CloudWatch Logs, metric filters and
alarms. Imported by those scripts (they run with scripts/ on sys.path); not a command itself.

Only talks to the given endpoint, with the dummy credentials `testing`.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.request

import boto3
from botocore.config import Config

ACCOUNT = "123456789012"
HOME = "us-east-1"
TRAIL = "management-events"
LOG_GROUP = "CloudTrail/management-events"
LOG_GROUP_ARN = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:{LOG_GROUP}:*"
CLOUDTRAIL_ROLE = "CloudTrail_CloudWatchLogs_Role"
NAMESPACE = "CISBenchmark"

_local = threading.local()


def client(service: str, endpoint: str, region: str = HOME):
    """A boto3 client per thread, service, endpoint and region, made once and reused."""
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
    key = (service, endpoint, region)
    if key not in cache:
        cache[key] = boto3.session.Session().client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=32),
        )
    return cache[key]


def moto_post(endpoint: str, path: str) -> None:
    """POSTs to one of moto's control endpoints (`/moto-api/reset`...)."""
    request = urllib.request.Request(endpoint.rstrip("/") + path, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def require_fresh_account(endpoint: str, script: str) -> None:
    """Exits unless the endpoint answers as ACCOUNT and holds no trail TRAIL yet (moto would
    duplicate the metric filters of a second seeding)."""
    account = client("sts", endpoint).get_caller_identity()["Account"]
    if account != ACCOUNT:
        sys.exit(f"{script}: the endpoint answers as account {account}, expected {ACCOUNT}")
    if any(trail["Name"] == TRAIL for trail in client("cloudtrail", endpoint).describe_trails()["trailList"]):
        sys.exit(f"{script}: trail {TRAIL} already exists at {endpoint}; rerun with --reset (wipes the server)")


def create_logging_trail(endpoint: str, bucket: str) -> str:
    """The multi-region trail TRAIL, homed in HOME: logging, recording all management events,
    delivering to S3 bucket `bucket` and to log group LOG_GROUP. Returns its ARN."""
    client("s3", endpoint).create_bucket(Bucket=bucket)
    client("logs", endpoint).create_log_group(logGroupName=LOG_GROUP)
    role_arn = client("iam", endpoint).create_role(
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
    cloudtrail = client("cloudtrail", endpoint)
    trail_arn = cloudtrail.create_trail(
        Name=TRAIL,
        S3BucketName=bucket,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        CloudWatchLogsLogGroupArn=LOG_GROUP_ARN,
        CloudWatchLogsRoleArn=role_arn,
    )["TrailARN"]
    # moto returns no selectors for a fresh trail (AWS returns this default one): set it.
    cloudtrail.put_event_selectors(
        TrailName=TRAIL, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    cloudtrail.start_logging(Name=TRAIL)
    return trail_arn


def metric_filter(endpoint: str, group: str, name: str, pattern: str, namespace: str, metric: str) -> None:
    """A metric filter on `group` that adds 1 to `namespace`/`metric` per matching event."""
    client("logs", endpoint).put_metric_filter(
        logGroupName=group,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[{"metricName": metric, "metricNamespace": namespace, "metricValue": "1"}],
    )


def alarm(endpoint: str, name: str, namespace: str, metric: str, actions: list[str], description: str = "") -> None:
    """An alarm that fires on one event: Sum >= 1 over 300 s, one datapoint, actions enabled."""
    client("cloudwatch", endpoint).put_metric_alarm(
        AlarmName=name,
        AlarmDescription=description,
        Namespace=namespace,
        MetricName=metric,
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        DatapointsToAlarm=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
        ActionsEnabled=True,
        AlarmActions=actions,
    )
