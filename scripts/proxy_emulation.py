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
"""

from __future__ import annotations

import argparse
import json
import threading
import uuid
from collections.abc import Collection
from typing import Protocol

from proxy_calls import Call, Reply

# Security Hub operations that AWS answers whether or not the hub is enabled in the region.
HUB_SETUP_OPERATIONS = {"DescribeHub", "EnableSecurityHub"}
JSON = {"Content-Type": "application/json"}


class Upstream(Protocol):
    """What an emulation may ask of the emulator, on behalf of the call being answered."""

    def ask(self, method: str, path: str, body: bytes, drop_headers: Collection[str] = ()) -> tuple[int, bytes]:
        """Sends `method path` with `body` and the call's own headers (Host and SigV4 unchanged,
        Content-Length set, `drop_headers` left out; not counted) and returns the answer's status
        and body. Raises OSError when the emulator cannot be reached."""
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
            status, _ = upstream.ask("GET", "/accounts", b"", drop_headers={"content-type"})
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
            status, data = upstream.ask("POST", call.target, json.dumps({**request, "Findings": kept}).encode())
            if status != 200:
                return Reply(status, dict(JSON), data)
            answer = json.loads(data or b"{}")
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


# In the order they are asked (and their flags listed in --help).
EMULATIONS: list[type[Emulation]] = [HubCheck, RefuseFindings]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for emulation in EMULATIONS:
        emulation.add_arguments(parser)


def enabled(options: argparse.Namespace) -> list[Emulation]:
    """The emulations the command line enables, in order."""
    return [emulation for kind in EMULATIONS if (emulation := kind.from_options(options)) is not None]
