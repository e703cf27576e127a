"""AWS behaviour that the emulator (moto) lacks, reproduced by scripts/aws_proxy.py. Imported by
the proxy; not a command itself.

Each emulation is a class in EMULATIONS, with its own command-line flag. For every call that
is neither cut nor faulted, the emulations the command line enabled are asked in that order;
the first that answers the call answers it, and a call none of them answers is forwarded
unchanged. An emulation may also pass the call on as another account's (Onward: headers such
as x-moto-account-id that replace the call's own, for the later emulations' lookups and the
forwarding). To add one: subclass Emulation (add_arguments, from_options, answer) and list it.

The lookups an emulation makes are not counted. Those in another service than the call's
(STS, IAM, Organizations) are signed with the caller's access key for that service (moto picks
the service and the account from the credential scope) and a signature that is not one: moto
without IAM enforcement checks none. Under enforcement moto refuses them (403), and an
emulation that needs them passes the call on unchanged, saying so on stderr.

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
  --org-trails (OrgTrails): on AWS an organization trail (IsOrganizationTrail, created in the
     management account) is shown to every member account; moto shows it to its owner only.
     A DescribeTrails (includeShadowTrails true, the default) that moto answers 200 gets, when
     the caller is a member of an organization (STS GetCallerIdentity and Organizations
     DescribeOrganization, as the caller), the management account's organization trails that
     the call's region sees, as the owner sees them (ARN, HomeRegion, log group and role):
     multi-region ones from any home region, single-region ones in their home region. They are
     read with DescribeTrails as the management account (x-moto-account-id), and not added
     twice; a trailNameList keeps those whose ARN it names (members must name an organization
     trail by ARN). A member's GetTrailStatus, GetEventSelectors, GetInsightSelectors or
     GetTrail naming such a trail by ARN is passed on as the management account's (Onward), so
     moto finds the trail, and --trail-delivery, after it, reports the owner's delivery.
     Nothing is added for the management account itself, outside an organization, or when
     a lookup fails (stderr says why).
  --assume-role-check (AssumeRoleCheck): moto's sts:AssumeRole succeeds whatever the role. AWS
     refuses, with 403 AccessDenied in STS's XML error shape ("User: CALLER is not authorized
     to perform: sts:AssumeRole on resource: ROLE"), an AssumeRole whose RoleArn names no role
     of that account (IAM GetRole in the role's account; the same name under another path is
     another role), or whose role's trust policy does not let the caller in. The trust policy
     is judged for the caller (GetCallerIdentity): a Deny statement that matches refuses; else
     an Allow must match. A statement matches when its Action (or NotAction) covers
     sts:AssumeRole, its Principal is "*", the caller's account, its root
     (arn:PARTITION:iam::ACCOUNT:root) or the caller's own user or role ARN, and its Condition
     holds. Of conditions only sts:ExternalId (StringEquals, StringLike, their IfExists forms)
     is evaluated, against the call's ExternalId; any other condition key is taken as holding
     for an Allow and as not holding for a Deny, so only a certain refusal is emulated. The
     caller's own IAM permissions, session policies and SCPs are not checked. Everything else
     is forwarded.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple, Protocol
from xml.sax.saxutils import escape

from proxy_calls import Call, Reply

# Security Hub operations that AWS answers whether or not the hub is enabled in the region.
HUB_SETUP_OPERATIONS = {"DescribeHub", "EnableSecurityHub"}
JSON = {"Content-Type": "application/json"}
CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
ORGANIZATIONS_TARGET = "AWSOrganizationsV20161128."
# An IAM role ARN: account, name (after any path).
ROLE_ARN = re.compile(r"arn:[\w-]+:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)")
# A CloudTrail trail ARN: account.
TRAIL_ARN = re.compile(r"arn:[\w-]+:cloudtrail:[\w-]+:(\d{12}):trail/.+")
# A caller's ARN (GetCallerIdentity): partition, account, resource (user/..., assumed-role/...).
CALLER_ARN = re.compile(r"arn:([\w-]+):(?:iam|sts)::(\d{12}):(.+)")
# The trail-naming parameter of the CloudTrail reads a member may make of an organization trail.
TRAIL_READS = {
    "GetTrailStatus": "Name",
    "GetTrail": "Name",
    "GetEventSelectors": "TrailName",
    "GetInsightSelectors": "TrailName",
}
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


class Onward(NamedTuple):
    """An emulation's answer that leaves the call to the next emulations and to the emulator,
    with `headers` in place of the call's own headers of those names: in the later emulations'
    lookups (Upstream.ask) and in the forwarding. x-moto-account-id makes it another
    account's call."""

    headers: dict[str, str]


class Emulation:
    """One AWS behaviour, enabled by its command-line flag."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        raise NotImplementedError

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Emulation | None:
        """The emulation, if the command line enables it."""
        raise NotImplementedError

    def answer(self, call: Call, body: bytes, upstream: Upstream) -> Reply | Onward | None:
        """The answer AWS would give to this call, or None to leave the call to the next
        emulation, and in the end to the emulator (Onward: as changed). OSError from `upstream`
        is answered by the proxy as the emulator's failure (502)."""
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
    the call."""
    role = get_role(call, role_arn, upstream)
    return None if role is UNANSWERED else role is not None


def get_role(call: Call, role_arn: str, upstream: Upstream) -> ElementTree.Element | object | None:
    """The role (GetRole's <Role> element) that the ARN names, asked of IAM in the ARN's account;
    None when there is none (also when the same name is under another path, or the ARN is no
    role's), UNANSWERED when moto refuses the call."""
    match = ROLE_ARN.fullmatch(role_arn)
    if match is None:
        return None
    account, role_name = match.groups()
    reply = ask_service(
        call, upstream, "iam", {"Action": "GetRole", "Version": "2010-05-08", "RoleName": role_name}, account
    )
    if reply.status == 404 and b"NoSuchEntity" in reply.body:
        return None
    role = xml_element(reply.body, "Role") if reply.status == 200 else None
    if role is None:
        return UNANSWERED
    return role if xml_text(role, "Arn") == role_arn else None


def ask_service(
    call: Call,
    upstream: Upstream,
    service: str,
    request: Mapping[str, str] | dict[str, Any],
    account: str | None = None,
    target: str | None = None,
    region: str = "us-east-1",
) -> Reply:
    """One call to another service of the emulator, not counted, as the caller: the caller's
    access key in a credential scope for `service` (moto routes by it) and a signature that is
    not one (moto without IAM enforcement checks none). A query-protocol call (IAM, STS) sends
    `request` form-encoded; with `target` (JSON 1.1: Organizations...) it sends it as JSON.
    `account` makes it that account's call (x-moto-account-id)."""
    scope = f"{call.access_key or 'testing'}/{call.date or time.strftime('%Y%m%d', time.gmtime())}/{region}/{service}"
    # x-amz-date among the signed headers: under IAM enforcement moto then computes the
    # signature and refuses the call (403) instead of failing on the header (500).
    signature = f"SignedHeaders=host;x-amz-date, Signature={'0' * 64}"
    headers = {"Authorization": f"AWS4-HMAC-SHA256 Credential={scope}/aws4_request, {signature}"}
    if target:
        headers.update({"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target})
        body = json.dumps(request).encode()
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        body = urllib.parse.urlencode(request).encode()
    if account:
        headers["x-moto-account-id"] = account
    return upstream.ask(
        "POST",
        "/",
        body,
        drop_headers={"x-amz-target", "x-amz-security-token", "x-amz-content-sha256", "x-moto-account-id"},
        set_headers=headers,
    )


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who makes the call, as STS GetCallerIdentity says."""

    account: str
    arn: str


def caller_identity(call: Call, upstream: Upstream) -> Caller | None:
    """The caller's account and ARN (GetCallerIdentity with the call's access key); None, said
    on stderr, when moto does not tell."""
    reply = ask_service(call, upstream, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    result = xml_element(reply.body, "GetCallerIdentityResult") if reply.status == 200 else None
    account, arn = xml_text(result, "Account"), xml_text(result, "Arn")
    if not account or not arn:
        hint = " (under IAM enforcement moto refuses the proxy's lookups)" if reply.status == 403 else ""
        log(f"{call.key}: moto's GetCallerIdentity answered {reply.status} without the caller's account{hint}")
        return None
    return Caller(account, arn)


def management_account(call: Call, upstream: Upstream, caller: Caller) -> str | None:
    """The management account of the caller's organization (DescribeOrganization as the
    caller); None outside an organization, or, said on stderr, when moto does not tell."""
    reply = ask_service(
        call, upstream, "organizations", {}, caller.account, ORGANIZATIONS_TARGET + "DescribeOrganization"
    )
    if reply.status == 400 and b"AWSOrganizationsNotInUseException" in reply.body:
        return None
    account = field(field(parse_json(reply.body), "Organization"), "MasterAccountId") if reply.status == 200 else None
    if not isinstance(account, str):
        log(f"{call.key}: moto's DescribeOrganization answered {reply.status} without the management account")
        return None
    return account


def xml_element(data: bytes, name: str) -> ElementTree.Element | None:
    """The first element `name` (in any namespace) of the XML document `data`, or None."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return None
    return next((e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == name), None)


def xml_text(element: ElementTree.Element | None, name: str) -> str | None:
    """The text of `element`'s first child `name` (in any namespace), or None."""
    if element is None:
        return None
    child = next((e for e in element if e.tag.rsplit("}", 1)[-1] == name), None)
    return None if child is None else (child.text or "")


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


class OrgTrails(Emulation):
    """Member accounts see their organization's trails (--org-trails)."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--org-trails",
            action="store_true",
            help="show the organization's trails to its member accounts, as AWS does",
        )

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Emulation | None:
        return cls() if options.org_trails else None

    def answer(self, call: Call, body: bytes, upstream: Upstream) -> Reply | Onward | None:
        if call.service != "cloudtrail":
            return None
        if call.operation == "DescribeTrails":
            return self.describe_trails(call, body, upstream)
        parameter = TRAIL_READS.get(call.operation)
        name = field(parse_json(body), parameter) if parameter else None
        match = TRAIL_ARN.fullmatch(name) if isinstance(name, str) else None
        if match is None:
            return None
        try:
            owner = self.visible_owner(call, upstream, match.group(1))
            if owner is None or not any(t.get("TrailARN") == name for t in self.org_trails(call, upstream, owner)):
                return None
        except OSError as error:
            log(f"--org-trails: {call.key} passed on unchanged: {error}")
            return None
        return Onward({"x-moto-account-id": owner})

    def describe_trails(self, call: Call, body: bytes, upstream: Upstream) -> Reply:
        """moto's answer, with the organization's trails a member sees added."""
        reply = upstream.ask("POST", call.target, body)
        answer = parse_json(reply.body) if reply.status == 200 else None
        trails = field(answer, "trailList")
        request = parse_json(body)
        if not isinstance(trails, list) or field(request, "includeShadowTrails") is False:
            return reply
        try:
            caller = caller_identity(call, upstream)
            owner = management_account(call, upstream, caller) if caller else None
            if caller is None or owner is None or owner == caller.account:
                return reply
            shown = self.org_trails(call, upstream, owner)
        except OSError as error:
            log(f"--org-trails: DescribeTrails answered as moto did: {error}")
            return reply
        names = field(request, "trailNameList")
        if isinstance(names, list) and names:
            shown = [t for t in shown if t.get("TrailARN") in names]
        present = {t.get("TrailARN") for t in trails if isinstance(t, dict)}
        trails.extend(t for t in shown if t.get("TrailARN") not in present)
        return Reply(200, reply.headers, json.dumps(answer).encode())

    @staticmethod
    def visible_owner(call: Call, upstream: Upstream, account: str) -> str | None:
        """`account`, when it is the management account of the caller's organization and the
        caller a member of it; else None."""
        caller = caller_identity(call, upstream)
        if caller is None or caller.account == account:
            return None
        return account if management_account(call, upstream, caller) == account else None

    @staticmethod
    def org_trails(call: Call, upstream: Upstream, owner: str) -> list[dict]:
        """The organization trails of account `owner` that the call's region sees: its
        DescribeTrails there (shadow trails included), as that account."""
        reply = upstream.ask(
            "POST",
            "/",
            b'{"includeShadowTrails": true}',
            drop_headers={"x-amz-security-token"},
            set_headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": CLOUDTRAIL_TARGET + "DescribeTrails",
                "x-moto-account-id": owner,
            },
        )
        trails = field(parse_json(reply.body), "trailList") if reply.status == 200 else None
        if not isinstance(trails, list):
            log(f"--org-trails: DescribeTrails as {owner} answered {reply.status}; no organization trail shown")
            return []
        return [t for t in trails if isinstance(t, dict) and t.get("IsOrganizationTrail") is True]


class AssumeRoleCheck(Emulation):
    """sts:AssumeRole refuses a role that does not exist or does not trust the caller
    (--assume-role-check)."""

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--assume-role-check",
            action="store_true",
            help="refuse sts:AssumeRole of a missing role or one that does not trust the caller, as AWS does",
        )

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Emulation | None:
        return cls() if options.assume_role_check else None

    def answer(self, call: Call, body: bytes, upstream: Upstream) -> Reply | None:
        if call.key != "sts:AssumeRole":
            return None
        parameters = urllib.parse.parse_qs(urllib.parse.urlsplit(call.target).query)
        parameters.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
        role_arn = parameters.get("RoleArn", [""])[0]
        external_id = parameters.get("ExternalId", [None])[0]
        if not role_arn:
            return None
        try:
            caller = caller_identity(call, upstream)
            role = get_role(call, role_arn, upstream) if caller else UNANSWERED
        except OSError as error:
            log(f"--assume-role-check: AssumeRole of {role_arn} passed on unchecked: {error}")
            return None
        if role is UNANSWERED or caller is None:
            log(f"--assume-role-check: AssumeRole of {role_arn} passed on unchecked (moto did not answer the lookups)")
            return None
        if isinstance(role, ElementTree.Element):
            policy = parse_json(urllib.parse.unquote(xml_text(role, "AssumeRolePolicyDocument") or "").encode())
            if trusts(policy, caller, external_id):
                return None
        return assume_role_denied(caller.arn, role_arn)


def trusts(policy: Any, caller: Caller, external_id: str | None) -> bool:
    """Whether the trust policy lets the caller assume the role: no Deny statement matches, and
    some Allow statement does (see --assume-role-check)."""
    statements = field(policy, "Statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list):
        return False
    effects = [
        field(statement, "Effect")
        for statement in statements
        if isinstance(statement, dict) and statement_matches(statement, caller, external_id)
    ]
    return "Allow" in effects and "Deny" not in effects


def statement_matches(statement: dict, caller: Caller, external_id: str | None) -> bool:
    """Whether one trust policy statement applies to this AssumeRole by the caller."""
    if "NotAction" in statement:
        action = not any(covers_assume_role(a) for a in as_list(statement["NotAction"]))
    else:
        action = any(covers_assume_role(a) for a in as_list(statement.get("Action")))
    principal = statement.get("Principal")
    principals = ["*"] if principal == "*" else as_list(field(principal, "AWS"))
    named = any(names_caller(p, caller) for p in principals)
    unknown = statement.get("Effect") == "Allow"
    return action and named and condition_holds(statement.get("Condition"), external_id, unknown)


def covers_assume_role(action: Any) -> bool:
    return isinstance(action, str) and fnmatch.fnmatchcase("sts:assumerole", action.lower())


def names_caller(principal: Any, caller: Caller) -> bool:
    """Whether an AWS principal of a trust policy is the caller: "*", its account (id or
    root), or its own user or role (any path)."""
    if not isinstance(principal, str):
        return False
    if principal in ("*", caller.account, caller.arn):
        return True
    match = CALLER_ARN.fullmatch(caller.arn)
    if match is None:
        return False
    partition, account, resource = match.groups()
    if principal == f"arn:{partition}:iam::{account}:root":
        return True
    kind, _, rest = resource.partition("/")
    # An assumed role's ARN is assumed-role/ROLE/SESSION; a user's, user/PATH/NAME.
    kind, name = ("role", rest.split("/")[0]) if kind == "assumed-role" else (kind, rest.rsplit("/", 1)[-1])
    own = re.fullmatch(rf"arn:{re.escape(partition)}:iam::{account}:{kind}/(?:[^/]+/)*([^/]+)", principal)
    return own is not None and own.group(1) == name


def condition_holds(condition: Any, external_id: str | None, unknown: bool) -> bool:
    """Whether a statement's Condition holds for the call. Only sts:ExternalId under
    StringEquals or StringLike (IfExists or not) is evaluated; any other test counts as
    `unknown`."""
    if not condition:
        return True
    if not isinstance(condition, dict):
        return unknown
    for operator, tests in condition.items():
        base = operator.removesuffix("IfExists")
        for key, values in tests.items() if isinstance(tests, dict) else [("", None)]:
            if key.lower() != "sts:externalid" or base not in ("StringEquals", "StringLike"):
                holds = unknown
            elif external_id is None:
                holds = operator.endswith("IfExists")
            elif base == "StringEquals":
                holds = external_id in [str(v) for v in as_list(values)]
            else:
                holds = any(fnmatch.fnmatchcase(external_id, str(v)) for v in as_list(values))
            if not holds:
                return False
    return True


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def assume_role_denied(caller_arn: str, role_arn: str) -> Reply:
    """STS's answer to an AssumeRole it refuses."""
    request_id = str(uuid.uuid4())
    message = f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return Reply(403, {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"}, body.encode())


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
# OrgTrails before TrailDelivery: a member's GetTrailStatus of an organization trail is passed on
# as the owner's, and TrailDelivery reports the owner's delivery.
EMULATIONS: list[type[Emulation]] = [HubCheck, RefuseFindings, OrgTrails, TrailDelivery, AssumeRoleCheck]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for emulation in EMULATIONS:
        emulation.add_arguments(parser)


def enabled(options: argparse.Namespace) -> list[Emulation]:
    """The emulations the command line enables, in order."""
    return [emulation for kind in EMULATIONS if (emulation := kind.from_options(options)) is not None]
