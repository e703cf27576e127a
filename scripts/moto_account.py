"""What the demo (seed_demo.py) and the benchmark (seed_bench.py) seed alike into a moto server:
the healthy account. One multi-region trail delivering to CloudWatch Logs and, on its log
group, one chain per control: metric filter, alarm, SNS topic with a confirmed subscriber.
Imported by those scripts (they run with scripts/ on sys.path); not a command itself.

Facts cis-monitor owns are asked of its binary (`--cis-monitor PATH`), never copied here: the
controls and their canonical filter patterns (`cis-monitor controls --format json`) and the
regions a run audits by default (`cis-monitor regions --format json`).

Accounts other than ACCOUNT are reached as AWS Organizations lets the management account reach
its members: by assuming a role in them (assume_role, account_credentials), with the temporary
credentials moto issues; their clients act in that account.

Only talks to the given endpoint, with the dummy credentials `testing` (moto's account
ACCOUNT) and the credentials moto issues for them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Collection
from pathlib import Path

import boto3
from botocore.config import Config

ACCOUNT = "123456789012"
HOME = "us-east-1"
TRAIL = "management-events"
LOG_GROUP = "CloudTrail/management-events"
LOG_GROUP_ARN = f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:{LOG_GROUP}:*"
CLOUDTRAIL_ROLE = "CloudTrail_CloudWatchLogs_Role"
NAMESPACE = "CISBenchmark"
TOPIC = "cis-alarms"
SUBSCRIBER = "security@example.com"
# The role AWS Organizations (and moto's CreateAccount) makes in every account it creates,
# trusting the management account.
ORGANIZATION_ACCESS_ROLE = "OrganizationAccountAccessRole"
# The account's own names for each control's metric filter and metric.
CHAIN_NAMES = {
    "CloudWatch.5": ("cis-cloudtrail-changes", "CloudTrailConfigurationChanges"),
    "CloudWatch.7": ("cis-kms-key-changes", "KmsKeyDisabledOrScheduledForDeletion"),
    "CloudWatch.14": ("cis-vpc-changes", "VpcChanges"),
}

_local = threading.local()


@dataclasses.dataclass(frozen=True)
class Credentials:
    """The keys a client signs with: the dummy `testing` keys (ACCOUNT), or a role's temporary
    keys (the role's account)."""

    access_key: str = "testing"
    secret_key: str = "testing"
    session_token: str | None = None


TESTING = Credentials()


def client(service: str, endpoint: str, region: str = HOME, credentials: Credentials = TESTING):
    """A boto3 client per thread, service, endpoint, region and credentials, made once and
    reused."""
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
    key = (service, endpoint, region, credentials)
    if key not in cache:
        cache[key] = boto3.session.Session().client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=credentials.access_key,
            aws_secret_access_key=credentials.secret_key,
            aws_session_token=credentials.session_token,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=32),
        )
    return cache[key]


def assume_role(endpoint: str, role_arn: str, credentials: Credentials = TESTING, session: str = "seed") -> Credentials:
    """The temporary credentials of `role_arn`, assumed with `credentials`."""
    issued = client("sts", endpoint, credentials=credentials).assume_role(RoleArn=role_arn, RoleSessionName=session)
    keys = issued["Credentials"]
    return Credentials(keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])


def account_credentials(endpoint: str, account: str, role: str = ORGANIZATION_ACCESS_ROLE) -> Credentials:
    """Credentials acting in `account`: its role `role` (by default the one Organizations made
    when it created the account), assumed from ACCOUNT."""
    return assume_role(endpoint, f"arn:aws:iam::{account}:role/{role}")


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


def create_logging_trail(endpoint: str, bucket: str, organization: bool = False) -> str:
    """The multi-region trail TRAIL, homed in HOME: logging, recording all management events,
    delivering to S3 bucket `bucket` and to log group LOG_GROUP; with `organization`, an
    organization trail (ACCOUNT must be the organization's management account). Returns its
    ARN."""
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
        IsOrganizationTrail=organization,
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


# -- what cis-monitor says ---------------------------------------------------------------------


def add_cis_monitor_argument(parser: argparse.ArgumentParser) -> None:
    """--cis-monitor PATH, by default the debug build in $CARGO_TARGET_DIR (as the Makefile sets it)."""
    target = os.environ.get("CARGO_TARGET_DIR") or str(Path.home() / ".cache" / "cis-monitor" / "target")
    default = str(Path(target) / "debug" / "cis-monitor")
    parser.add_argument(
        "--cis-monitor",
        metavar="PATH",
        default=default,
        help=f"the cis-monitor binary, asked for the controls and regions (default {default})",
    )


def run_cis_monitor(cis_monitor: str, args: list[str], script: str, env: dict[str, str] | None = None):
    """The JSON that `cis-monitor ARGS` prints; exits naming the command when it fails."""
    command = [cis_monitor, *args]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    except FileNotFoundError:
        sys.exit(f"{script}: {cis_monitor} not found; cargo build --bin cis-monitor, or pass --cis-monitor PATH")
    if done.returncode != 0:
        sys.exit(f"{script}: {' '.join(command)} failed (exit {done.returncode}): {done.stderr.strip()}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as error:
        sys.exit(f"{script}: {' '.join(command)} printed no JSON ({error}): {done.stdout[:200]!r}")


def cis_controls(cis_monitor: str, script: str) -> list[dict]:
    """`cis-monitor controls --format json`: one object per control, in order, with its id and
    canonicalPattern."""
    return run_cis_monitor(cis_monitor, ["controls", "--format", "json"], script)


def audited_regions(cis_monitor: str, endpoint: str, script: str) -> list[str]:
    """`cis-monitor regions --format json` against the endpoint: the regions a run audits by
    default. Only the endpoint and the dummy credentials reach the binary: no AWS_* variable
    of the caller, no config or credentials file."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "CIS_MONITOR_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION=HOME,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return run_cis_monitor(cis_monitor, ["regions", "--format", "json"], script, env)


# -- the healthy account -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Chain:
    """One control's metric filter on LOG_GROUP, its alarm, and the topic the alarm notifies."""

    control: str
    filter_name: str
    metric: str
    pattern: str
    topic: str = TOPIC
    description: str = ""

    @property
    def alarm_name(self) -> str:
        return f"cis-{self.control.replace('.', '-').lower()}-{self.metric}"


def healthy_chains(controls: list[dict], script: str) -> list[Chain]:
    """A chain per control that passes: its canonical pattern (from `cis-monitor controls`),
    an alarm that fires on one event, topic TOPIC."""
    unnamed = [control["id"] for control in controls if control["id"] not in CHAIN_NAMES]
    if unnamed:
        sys.exit(f"{script}: no metric filter name for {', '.join(unnamed)} in moto_account.CHAIN_NAMES")
    return [Chain(control["id"], *CHAIN_NAMES[control["id"]], control["canonicalPattern"]) for control in controls]


def cloudwatch_topic_policy(topic_arn: str, owner: str, alarm_account: str) -> str:
    """A topic policy for a topic of account `owner` that alarms of `alarm_account` notify:
    SNS's default statement (the owner's own principals), and one that lets CloudWatch publish
    for that account's alarms (`aws:SourceAccount`), as AWS documents for a topic in another
    account."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "SNS:GetTopicAttributes",
                        "SNS:Subscribe",
                        "SNS:ListSubscriptionsByTopic",
                        "SNS:Publish",
                    ],
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": owner}},
                },
                {
                    "Sid": "CloudWatchAlarmsOf" + alarm_account,
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": alarm_account}},
                },
            ],
        }
    )


def seed_monitoring(
    endpoint: str,
    script: str,
    bucket: str,
    chains: list[Chain],
    unsubscribed: Collection[str] = (),
    organization_trail: bool = False,
    topic_owner: tuple[str, Credentials] | None = None,
) -> dict:
    """The account's trail (create_logging_trail; an organization trail with
    `organization_trail`) and `chains`: each chain's topic, made in order of first use, with the
    e-mail subscriber SUBSCRIBER unless it is `unsubscribed`; then each metric filter and its
    alarm. The topics are ACCOUNT's, or with `topic_owner` (account, credentials) that
    account's, each with a policy that lets CloudWatch publish for ACCOUNT's alarms. Exits
    unless the account is fresh. Returns the trail's ARN and the topics' ARNs by name."""
    require_fresh_account(endpoint, script)
    trail_arn = create_logging_trail(endpoint, bucket, organization_trail)
    sns = client("sns", endpoint, credentials=topic_owner[1] if topic_owner else TESTING)
    topics: dict[str, str] = {}
    for chain in chains:
        if chain.topic not in topics:
            topics[chain.topic] = sns.create_topic(Name=chain.topic)["TopicArn"]
            if topic_owner:
                policy = cloudwatch_topic_policy(topics[chain.topic], topic_owner[0], ACCOUNT)
                sns.set_topic_attributes(TopicArn=topics[chain.topic], AttributeName="Policy", AttributeValue=policy)
    for name, arn in topics.items():
        if name not in unsubscribed:
            sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=SUBSCRIBER)
    for chain in chains:
        metric_filter(endpoint, LOG_GROUP, chain.filter_name, chain.pattern, NAMESPACE, chain.metric)
        alarm(endpoint, chain.alarm_name, NAMESPACE, chain.metric, [topics[chain.topic]], chain.description)
    return {"trail_arn": trail_arn, "topics": topics}
