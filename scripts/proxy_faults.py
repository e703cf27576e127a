"""Fault injection of scripts/aws_proxy.py: cut regions, latency and random faults, and the
bodies of injected faults in each wire protocol. Imported by the proxy; not a command itself.

Per call, in this order (after the call is counted):
  --cut-region R: a call whose region is R gets no answer. reset (default, --cut-mode): the
     connection is closed with a TCP RST. hang: the proxy reads and discards until the client
     gives up.
  --latency-ms: sleeps that long (per call, in the call's own thread: concurrent calls
     overlap). Injected faults get the latency too, as a real answer would.
  --fail-share P: one random.Random(--seed) shared by all calls, drawn under a lock in
     arrival order (two draws per call: whether, and which kind), decides whether to answer
     with a fault instead of forwarding. Kinds (--fail-kinds, comma-separated):
       503       HTTP 503 in the call's protocol: JSON/rest-json/CBOR ServiceUnavailableException,
                 awsQuery ServiceUnavailable, ec2 Unavailable
       throttle  the service's throttling error: JSON/rest-json/CBOR 400 ThrottlingException
                 (x-amzn-ErrorType header and __type); awsQuery (sns, sts, cloudwatch) 400
                 <ErrorResponse> Code Throttling; ec2 503 <Response><Errors> RequestLimitExceeded.
POST /__proxy/reset re-seeds the fault generator with --seed, so every measured run after a
reset sees the same fault sequence.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import socket
import struct
import threading
import time
import uuid

from proxy_calls import Call, Reply

FAULT_KINDS = ("503", "throttle")
CHUNK = 64 * 1024


def parse_kinds(text: str) -> list[str]:
    kinds = [kind.strip() for kind in text.split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
    if not kinds or unknown:
        raise argparse.ArgumentTypeError(f"fault kinds are {', '.join(FAULT_KINDS)}; got {text!r}")
    return kinds


def parse_share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("--fail-share must be between 0 and 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every call")
    parser.add_argument("--fail-share", type=parse_share, default=0.0, help="share of calls answered with a fault")
    parser.add_argument("--fail-kinds", type=parse_kinds, default=list(FAULT_KINDS), help="503,throttle")
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault generator")
    parser.add_argument("--cut-region", action="append", default=[], help="region that gets no answers (repeatable)")
    parser.add_argument("--cut-mode", choices=("reset", "hang"), default="reset")


class Faults:
    """The faults the command line asks for, and the generator that draws them."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.latency_ms: float = options.latency_ms
        self.share: float = options.fail_share
        self.kinds: list[str] = options.fail_kinds
        self.seed: int | None = options.seed
        self.cut_regions = set(options.cut_region)
        self.cut_mode: str = options.cut_mode
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.rng = random.Random(self.seed)

    def cuts(self, call: Call) -> bool:
        """Whether the call's region is cut off (--cut-region)."""
        return call.region in self.cut_regions

    def cut(self, sock: socket.socket) -> None:
        """Leaves the call unanswered, as --cut-mode says; the caller then closes the connection."""
        if self.cut_mode == "hang":
            # Never answer; wait until the client closes its end (or the server stops).
            with contextlib.suppress(OSError):
                sock.settimeout(None)
                while sock.recv(CHUNK):
                    pass
            return
        # SO_LINGER 0: close() sends a TCP RST instead of a FIN.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def delay(self) -> None:
        """Sleeps --latency-ms."""
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000.0)

    def draw(self) -> str | None:
        """The fault kind for the next call in arrival order, or None."""
        with self.lock:
            hit = self.rng.random()
            pick = self.rng.random()
        if self.share <= 0 or hit >= self.share:
            return None
        return self.kinds[min(int(pick * len(self.kinds)), len(self.kinds) - 1)]


def cbor_text_map(items: dict[str, str]) -> bytes:
    """A CBOR map of text strings (enough for an RPC v2 CBOR error body)."""

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        if n < 256:
            return bytes([major << 5 | 24, n])
        return bytes([major << 5 | 25]) + struct.pack(">H", n)

    out = head(5, len(items))
    for key, value in items.items():
        for text in (key, value):
            data = text.encode()
            out += head(3, len(data)) + data
    return out


def fault_response(call: Call, kind: str) -> Reply:
    """The status, headers and body of an injected fault, in the call's protocol."""
    request_id = str(uuid.uuid4())
    if kind == "throttle":
        code, message = "ThrottlingException", "Rate exceeded"
        query_code, ec2_code = "Throttling", "RequestLimitExceeded"
        status, ec2_status, fault_type = 400, 503, "Sender"
    else:
        code, message = "ServiceUnavailableException", "Service unavailable (injected by aws_proxy)"
        query_code, ec2_code = "ServiceUnavailable", "Unavailable"
        status, ec2_status, fault_type = 503, 503, "Receiver"
    headers = {"x-amzn-RequestId": request_id}
    if call.protocol == "ec2":
        headers["Content-Type"] = "text/xml;charset=UTF-8"
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{ec2_code}</Code>'
            f"<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return Reply(ec2_status, headers, body.encode())
    if call.protocol == "query":
        headers["Content-Type"] = "text/xml"
        body = (
            f"<ErrorResponse><Error><Type>{fault_type}</Type><Code>{query_code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return Reply(status, headers, body.encode())
    if call.protocol == "rest-xml":
        s3_code = "SlowDown" if kind == "throttle" else "ServiceUnavailable"
        headers["Content-Type"] = "application/xml"
        body = f"<Error><Code>{s3_code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return Reply(503, headers, body.encode())
    headers["x-amzn-ErrorType"] = code
    if call.protocol == "cbor":
        headers["Content-Type"] = "application/cbor"
        headers["smithy-protocol"] = "rpc-v2-cbor"
        return Reply(status, headers, cbor_text_map({"__type": code, "message": message}))
    headers["Content-Type"] = "application/x-amz-json-1.1" if call.protocol == "json" else "application/json"
    return Reply(status, headers, json.dumps({"__type": code, "message": message}).encode())
