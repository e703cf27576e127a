"""AWS behaviour that the emulator (moto) lacks, reproduced by scripts/aws_proxy.py. Imported by
the proxy; not a command itself.

Each emulation is a class in EMULATIONS, with its own command-line flag. For every call that
is neither cut nor faulted, the emulations the command line enabled are asked in that order;
the first that answers the call answers it, and a call none of them answers is forwarded
unchanged. To add one: subclass Emulation (add_arguments, from_options, answer) and list it.

  --hub-check (HubCheck): a Security Hub call other than DescribeHub and EnableSecurityHub,
     in a region where the upstream's DescribeHub (asked with the call's own headers, so the
     same region and account; not counted) says Security Hub is not enabled, is answered as
     AWS answers it: 401 InvalidAccessException "Account ... is not subscribed to AWS
     Security Hub". moto itself accepts GetFindings and BatchImportFindings in such a region.
     The reused signature does not match the DescribeHub request, so this needs moto's
     default mode, without IAM enforcement.
  --refuse-findings CODE (RefuseFindings): in BatchImportFindings, every finding whose Id the
     proxy has not seen before is refused one by one, as Security Hub refuses findings inside
     a successful call: it is taken out of the request before forwarding, and the answer
     lists it in FailedFindings with ErrorCode CODE (InternalException is retryable,
     InvalidInput is not). A later import of the same Id is forwarded.
  --trail-delivery (TrailDelivery): GetTrailStatus is forwarded, and a 200 answer gets what AWS
     reports and moto does not: CloudTrail's delivery to the trail's CloudWatch Logs group.
     CloudTrail writes there through the role in CloudWatchLogsRoleArn. A trail with a log
     group whose role exists in IAM gets LatestCloudWatchLogsDeliveryTime (now, epoch seconds,
     as JSON 1.1 sends timestamps); one whose role is missing or deleted, or that names none,
     gets LatestCloudWatchLogsDeliveryError ("AccessDeniedException: CloudTrail cannot assume
     role ... to deliver to log group ..."). A trail without a log group gets neither. The
     trail is the one moto's GetTrailStatus finds (ARN, or name in the call's region and
     account, the region's own trail first). The lookup is not counted, and asks moto:
       - first its own API, as the caller: DescribeTrails (includeShadowTrails) with the
         call's headers, then IAM GetRole in the role's account (x-moto-account-id). moto
         without IAM enforcement checks no signature, and this sees a deleted role;
       - when moto refuses that (IAM enforcement: 403), its state dump GET /moto-api/data.json,
         which no enforcement applies to: cloudtrail.Trail[] and iam.Role[]. That dump cannot
         be narrowed (moto ignores query parameters), costs about a second and 10 MB on the
         benchmark's large account, and keeps what was deleted: there a deleted role still
         counts as existing, and of several trails with one ARN the last created is taken.
     When the trail or its role cannot be found out, nothing is added and stderr says why.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Collection, Mapping
from typing import Any, Protocol

from proxy_calls import Call, Reply

# Security Hub operations that AWS answers whether or not the hub is enabled in the region.
HUB_SETUP_OPERATIONS = {"DescribeHub", "EnableSecurityHub"}
JSON = {"Content-Type": "application/json"}
CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
# An IAM role ARN: account, name (after any path).
ROLE_ARN = re.compile(r"arn:[\w-]+:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)")
# The headers that make a call signed; a request for moto's state dump goes without them.
SIGNING_HEADERS = {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-target"}
# moto's account for keys it does not know (moto_server reads MOTO_ACCOUNT_ID, as here).
MOTO_DEFAULT_ACCOUNT = os.environ.get("MOTO_ACCOUNT_ID", "123456789012")


def log(message: str) -> None:
    print(f"aws_proxy: {message}", file=sys.stderr, flush=True)


class Upstream(Protocol):
    """What an emulation may ask of the emulator, on behalf of the call being answered."""

    def ask(
        self,
        method: str,
        path: str,
        body: bytes,
        drop_headers: Collection[str] = (),
        set_headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Sends `method path` with `body` and the call's own headers (Host and SigV4 unchanged,
        Content-Length set, `drop_headers` left out, `set_headers` in place of the call's headers
        of those names; not counted) and returns the answer: status, headers (but hop-by-hop ones,
        Content-Length, Server and Date) and body, which an emulation may pass on as its own.
        Raises OSError when the emulator cannot be reached."""
        ...


class Emulation:
    """One AWS behaviour, enabled by its command-line flag."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        raise NotImplementedError

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Emulation | None:
        """The emulation, if the command line enables it."""
        raise NotImplementedError

    def answer(self, call: Call, body: bytes, upstream: Upstream) -> Reply | None:
        """The answer AWS would give to this call, or None to leave the call to the next
        emulation, and in the end to the emulator. OSError from `upstream` is answered by the
        proxy as the emulator's failure (502)."""
        raise NotImplementedError


class HubCheck(Emulation):
    """Security Hub refuses calls in a region where it is not enabled (--hub-check)."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--hub-check",
            action="store_true",
            help="refuse Security Hub calls where the hub is not enabled, as AWS does",
        )

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Emulation | None:
        return cls() if options.hub_check else None

    def answer(self, call: Call, body: bytes, upstream: Upstream) -> Reply | None:
        if call.service != "securityhub" or call.operation in HUB_SETUP_OPERATIONS or self.hub_enabled(upstream):
            return None
        return not_subscribed_response()

    @staticmethod
    def hub_enabled(upstream: Upstream) -> bool:
        """Whether the upstream's DescribeHub, for the call's region and account, succeeds."""
        try:
            status = upstream.ask("GET", "/accounts", b"", drop_headers={"content-type"}).status
        except OSError:
            return True
        return status == 200


def not_subscribed_response() -> Reply:
    """Security Hub's answer in a region where it is not enabled."""
    headers = {
        "x-amzn-RequestId": str(uuid.uuid4()),
        "x-amzn-ErrorType": "InvalidAccessException",
        "Content-Type": "application/json",
    }
    message = "Account is not subscribed to AWS Security Hub"
    return Reply(401, headers, json.dumps({"__type": "InvalidAccessException", "Message": message}).encode())


class RefuseFindings(Emulation):
    """BatchImportFindings refuses each finding's first import (--refuse-findings CODE)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--refuse-findings", metavar="CODE", help="refuse each finding's first import with this error code"
        )

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Emulation | None:
        return cls(options.refuse_findings) if options.refuse_findings else None

    def answer(self, call: Call, body: bytes, upstream: Upstream) -> Reply | None:
        if call.key != "securityhub:BatchImportFindings":
            return None
        request = json.loads(body or b"{}")
        findings = request.get("Findings", [])
        with self.lock:
            refused = [f for f in findings if f.get("Id") not in self.seen]
            self.seen.update(f.get("Id") for f in refused)
        kept = [f for f in findings if f not in refused]
        answer = {"FailedCount": 0, "SuccessCount": 0, "FailedFindings": []}
        if kept:
            reply = upstream.ask("POST", call.target, json.dumps({**request, "Findings": kept}).encode())
            if reply.status != 200:
                return Reply(reply.status, dict(JSON), reply.body)
            answer = json.loads(reply.body or b"{}")
        answer["FailedCount"] = answer.get("FailedCount", 0) + len(refused)
        answer["FailedFindings"] = answer.get("FailedFindings", []) + [
            {
                "Id": f.get("Id"),
                "ErrorCode": self.code,
                "ErrorMessage": f"refused by aws_proxy (--refuse-findings {self.code})",
            }
            for f in refused
        ]
        return Reply(200, dict(JSON), json.dumps(answer).encode())


@dataclasses.dataclass(frozen=True)
class TrailLogs:
    """Where a trail delivers to CloudWatch Logs, and whether the role it delivers through
    exists."""

    group_arn: str | None
    role_arn: str | None
    role_exists: bool


class TrailDelivery(Emulation):
    """GetTrailStatus reports CloudTrail's delivery to CloudWatch Logs (--trail-delivery)."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--trail-delivery",
            action="store_true",
            help="report CloudTrail's delivery to CloudWatch Logs in GetTrailStatus, as AWS does",
        )

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Emulation | None:
        return cls() if options.trail_delivery else None

    def answer(self, call: Call, body: bytes, upstream: Upstream) -> Reply | None:
        if call.key != "cloudtrail:GetTrailStatus":
            return None
        reply = upstream.ask("POST", call.target, body)
        status = parse_json(reply.body) if reply.status == 200 else None
        name = field(parse_json(body), "Name")
        if not isinstance(status, dict) or not isinstance(name, str):
            return reply
        logs = self.trail_logs(call, name, upstream)
        if logs is not None:
            status.update(delivery_fields(logs))
        return Reply(200, reply.headers, json.dumps(status).encode())

    def trail_logs(self, call: Call, name: str, upstream: Upstream) -> TrailLogs | None:
        """The trail's log group and role, from moto's API, else from its state dump."""
        found = from_api(call, name, upstream)
        if found is UNANSWERED:
            found = from_state_dump(call, name, upstream)
        if found is None:
            log(f"--trail-delivery: found no trail {name!r} ({call.region}); its GetTrailStatus reports no delivery")
        return found if isinstance(found, TrailLogs) else None


def delivery_fields(logs: TrailLogs) -> dict[str, Any]:
    """What GetTrailStatus reports of the trail's delivery to CloudWatch Logs."""
    if not logs.group_arn:
        return {}
    if logs.role_arn and logs.role_exists:
        return {"LatestCloudWatchLogsDeliveryTime": round(time.time(), 3)}
    if logs.role_arn:
        error = f"CloudTrail cannot assume role {logs.role_arn} to deliver to log group {logs.group_arn}"
    else:
        error = f"CloudTrail has no role (CloudWatchLogsRoleArn) to deliver to log group {logs.group_arn}"
    return {"LatestCloudWatchLogsDeliveryError": f"AccessDeniedException: {error}"}


# A lookup's answer when moto did not answer it: refused its API (IAM enforcement), or no dump.
UNANSWERED = object()


def from_api(call: Call, name: str, upstream: Upstream) -> TrailLogs | object | None:
    """The trail from DescribeTrails, asked with the call's headers, as moto's GetTrailStatus
    finds it (first trail whose name or ARN is `name`, shadow trails included), and its role
    from IAM GetRole. None when there is no such trail, UNANSWERED when moto refuses either
    call."""
    reply = upstream.ask(
        "POST",
        call.target,
        b'{"includeShadowTrails": true}',
        set_headers={"X-Amz-Target": CLOUDTRAIL_TARGET + "DescribeTrails"},
    )
    trails = field(parse_json(reply.body), "trailList") if reply.status == 200 else None
    if not isinstance(trails, list):
        return UNANSWERED
    trail = next((t for t in trails if isinstance(t, dict) and name in (t.get("TrailARN"), t.get("Name"))), None)
    if trail is None:
        return None
    group, role = trail.get("CloudWatchLogsLogGroupArn") or None, trail.get("CloudWatchLogsRoleArn") or None
    exists = role_exists(call, role, upstream) if group and role else False
    if exists is None:
        return UNANSWERED
    return TrailLogs(group, role, exists)


def role_exists(call: Call, role_arn: str, upstream: Upstream) -> bool | None:
    """Whether IAM GetRole, in the role ARN's account, finds the role; None when moto refuses
    the call. The credential scope is the caller's access key with service iam (moto routes by
    it), and the signature is not one (moto without IAM enforcement checks none)."""
    match = ROLE_ARN.fullmatch(role_arn)
    if match is None:
        return False
    account, role_name = match.groups()
    body = urllib.parse.urlencode({"Action": "GetRole", "Version": "2010-05-08", "RoleName": role_name}).encode()
    scope = f"{call.access_key or 'testing'}/{call.date or time.strftime('%Y%m%d', time.gmtime())}/us-east-1/iam"
    authorization = f"AWS4-HMAC-SHA256 Credential={scope}/aws4_request, SignedHeaders=host, Signature={'0' * 64}"
    reply = upstream.ask(
        "POST",
        "/",
        body,
        drop_headers={"x-amz-target", "x-amz-security-token", "x-amz-content-sha256"},
        set_headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Authorization": authorization,
            "x-moto-account-id": account,
        },
    )
    if reply.status == 200:
        # The same name under another path is another role.
        return f"<Arn>{role_arn}</Arn>".encode() in reply.body
    if reply.status == 404 and b"NoSuchEntity" in reply.body:
        return False
    return None


def from_state_dump(call: Call, name: str, upstream: Upstream) -> TrailLogs | object | None:
    """The trail and its role from moto's state dump (GET /moto-api/data.json, unsigned). None
    when there is no such trail, UNANSWERED (said on stderr) when there is no dump."""
    reply = upstream.ask("GET", "/moto-api/data.json", b"", drop_headers=SIGNING_HEADERS | {"content-type"})
    state = parse_json(reply.body) if reply.status == 200 else None
    if not isinstance(state, dict):
        log(f"--trail-delivery: moto's /moto-api/data.json answered {reply.status} without a state dump")
        return UNANSWERED
    trails = [t for t in state.get("cloudtrail", {}).get("Trail", []) if isinstance(t, dict)]
    if name.startswith("arn:"):
        matches = [t for t in trails if t.get("arn") == name]
    else:
        matches = [
            t
            for t in trails
            if t.get("trail_name") == name and (t.get("region_name") == call.region or t.get("is_multi_region"))
        ]
        if len({t.get("account_id") for t in matches}) > 1:
            account = caller_account(call, state)
            matches = [t for t in matches if t.get("account_id") == account]
        matches = [t for t in matches if t.get("region_name") == call.region] or matches
    if not matches:
        return None
    # The dump keeps deleted trails: the last created is the one GetTrailStatus found.
    trail = matches[-1]
    group, role = trail.get("cw_log_group_arn") or None, trail.get("cw_role_arn") or None
    roles = {r.get("arn") for r in state.get("iam", {}).get("Role", []) if isinstance(r, dict)}
    return TrailLogs(group, role, role in roles)


def caller_account(call: Call, state: dict) -> str:
    """The account moto answers the call's access key as: an assumed role's, else moto's
    default account (a user's key is not tied to its account in the dump)."""
    for session in state.get("sts", {}).get("AssumedRole", []):
        if isinstance(session, dict) and session.get("access_key_id") == call.access_key:
            return str(session.get("account_id"))
    return MOTO_DEFAULT_ACCOUNT


def parse_json(data: bytes) -> Any:
    """The JSON document in `data`, or None when there is none."""
    try:
        return json.loads(data or b"null")
    except ValueError:
        return None


def field(document: Any, name: str) -> Any:
    """`document[name]` when the document is an object, else None."""
    return document.get(name) if isinstance(document, dict) else None


# In the order they are asked (and their flags listed in --help).
EMULATIONS: list[type[Emulation]] = [HubCheck, RefuseFindings, TrailDelivery]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for emulation in EMULATIONS:
        emulation.add_arguments(parser)


def enabled(options: argparse.Namespace) -> list[Emulation]:
    """The emulations the command line enables, in order."""
    return [emulation for kind in EMULATIONS if (emulation := kind.from_options(options)) is not None]
