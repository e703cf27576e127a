"""What each call through scripts/aws_proxy.py is, and what the proxy counts about calls. Imported
by the proxy's units (scripts/ is on sys.path when aws_proxy.py runs); not a command itself.

Each call is identified by:
  region, service   the SigV4 credential scope (Authorization header, or X-Amz-Credential in
                    a presigned query): Credential=AKID/DATE/REGION/SERVICE/aws4_request.
                    The signing name `monitoring` is reported as `cloudwatch` (its IAM prefix).
  access key, date  the same scope's first two parts, for an emulation that asks the emulator
                    about the caller's account (proxy_emulation.py).
  operation         X-Amz-Target (JSON 1.0/1.1 and RPC v2 CBOR: the part after the last '.'),
                    else the Action parameter (query protocols: ec2, sns, sts, cloudwatch's
                    awsQuery; form body or query string), else for rest-json Security Hub
                    METHOD + path (GET /accounts = DescribeHub, POST /findings = GetFindings,
                    POST /findings/import = BatchImportFindings...), else "METHOD /path".

Counted per call (faulted and cut calls included), and reported by GET /__proxy/stats:
  {"calls": {"cloudtrail:DescribeTrails": 32, ...}, "total": N, "faults": N, "cut": N,
   "byRegion": {"us-east-1": N, ...}}
With ?timeline=1 also "timeline": one [arrived, answered, "service:Op", region, outcome] per
call, times in seconds of CLOCK_MONOTONIC (Python's time.monotonic(), comparable across
processes of this machine); outcome is the HTTP status, "503"/"throttle" for an injected fault,
"cut", or "no answer" (the client went away).
"""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
from typing import NamedTuple

CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")
# Signing names that differ from the IAM action prefix.
SERVICE_ALIASES = {"monitoring": "cloudwatch"}
# rest-json operations, by (service, method, path). Only Security Hub is needed by cis-monitor.
REST_OPERATIONS = {
    ("securityhub", "GET", "/accounts"): "DescribeHub",
    ("securityhub", "POST", "/accounts"): "EnableSecurityHub",
    ("securityhub", "DELETE", "/accounts"): "DisableSecurityHub",
    ("securityhub", "POST", "/findings"): "GetFindings",
    ("securityhub", "PATCH", "/findings"): "UpdateFindings",
    ("securityhub", "POST", "/findings/import"): "BatchImportFindings",
    ("securityhub", "PATCH", "/findings/batchupdate"): "BatchUpdateFindings",
    ("securityhub", "POST", "/standards/get"): "GetEnabledStandards",
    ("securityhub", "GET", "/products"): "DescribeProducts",
}
TIMELINE_LIMIT = 100_000


class Reply(NamedTuple):
    """An answer the proxy makes itself (an injected fault, an emulated AWS answer)."""

    status: int
    headers: dict[str, str]
    body: bytes


class Call:
    """What a request is: service, region, operation and wire protocol."""

    def __init__(self, method: str, target: str, headers, body: bytes) -> None:
        self.target = target
        split = urllib.parse.urlsplit(target)
        self.path = split.path or "/"
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        scope = CREDENTIAL.search(headers.get("Authorization", "") or "")
        if scope is None:
            scope = CREDENTIAL.search("Credential=" + (query.get("X-Amz-Credential", [""])[0]))
        self.access_key = scope.group(1) if scope else ""
        self.date = scope.group(2) if scope else ""
        self.region = scope.group(3) if scope else "unknown"
        signing = scope.group(4) if scope else "unknown"
        self.service = SERVICE_ALIASES.get(signing, signing)
        content_type = (headers.get("Content-Type", "") or "").lower()
        amz_target = headers.get("X-Amz-Target", "") or ""
        smithy = (headers.get("smithy-protocol", "") or "").lower()
        action = None
        if "Action" in query:
            action = query["Action"][0]
        elif "x-www-form-urlencoded" in content_type and body:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            action = form.get("Action", [None])[0]
        if smithy == "rpc-v2-cbor":
            self.protocol = "cbor"
            self.operation = self.path.rstrip("/").rsplit("/", 1)[-1]
        elif amz_target:
            self.protocol = "json"
            self.operation = amz_target.rsplit(".", 1)[-1]
        elif action:
            self.protocol = "ec2" if self.service == "ec2" else "query"
            self.operation = action
        else:
            self.protocol = "rest-xml" if self.service == "s3" else "rest-json"
            self.operation = REST_OPERATIONS.get(
                (self.service, method, self.path.rstrip("/") or "/"), f"{method} {self.path}"
            )

    @property
    def key(self) -> str:
        return f"{self.service}:{self.operation}"


class Stats:
    """The counters and the timeline, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.calls: dict[str, int] = {}
            self.by_region: dict[str, int] = {}
            self.total = 0
            self.faults = 0
            self.cut = 0
            self.timeline: list[list] = []

    def count(self, key: str, region: str) -> None:
        with self.lock:
            self.calls[key] = self.calls.get(key, 0) + 1
            self.by_region[region] = self.by_region.get(region, 0) + 1
            self.total += 1

    def note_fault(self) -> None:
        with self.lock:
            self.faults += 1

    def note_cut(self) -> None:
        with self.lock:
            self.cut += 1

    def record(self, arrived: float, call: Call, outcome: str) -> None:
        with self.lock:
            if len(self.timeline) < TIMELINE_LIMIT:
                self.timeline.append([arrived, time.monotonic(), call.key, call.region, outcome])

    def snapshot(self, timeline: bool = False) -> dict:
        with self.lock:
            stats = {
                "calls": dict(sorted(self.calls.items())),
                "total": self.total,
                "faults": self.faults,
                "cut": self.cut,
                "byRegion": dict(sorted(self.by_region.items())),
            }
            if timeline:
                stats["timeline"] = [list(entry) for entry in self.timeline]
            return stats
