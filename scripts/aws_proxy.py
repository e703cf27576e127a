#!/usr/bin/env python3
"""An HTTP proxy between an AWS SDK and an emulator (moto_server): adds latency, injects
faults, cuts regions off, and counts every call.

Usage:
  aws_proxy.py --listen 127.0.0.1:PORT --upstream http://127.0.0.1:MOTOPORT
               [--latency-ms 50] [--fail-share 0.2] [--fail-kinds 503,throttle] [--seed 7]
               [--cut-region eu-west-1]... [--cut-mode reset|hang] [--hub-check]
               [--refuse-findings CODE] [--port-file FILE]

Point the SDK at it with AWS_ENDPOINT_URL=http://127.0.0.1:PORT. Standard library only.

Each call is identified by:
  region, service   the SigV4 credential scope (Authorization header, or X-Amz-Credential in
                    a presigned query): Credential=AKID/DATE/REGION/SERVICE/aws4_request.
                    The signing name `monitoring` is reported as `cloudwatch` (its IAM prefix).
  operation         X-Amz-Target (JSON 1.0/1.1 and RPC v2 CBOR: the part after the last '.'),
                    else the Action parameter (query protocols: ec2, sns, sts, cloudwatch's
                    awsQuery; form body or query string), else for rest-json Security Hub
                    METHOD + path (GET /accounts = DescribeHub, POST /findings = GetFindings,
                    POST /findings/import = BatchImportFindings...), else "METHOD /path".

Per call, in this order:
  1. counted, per service:Operation and per region (faulted and cut calls included);
  2. --cut-region R: a call whose region is R gets no answer. reset (default): the connection
     is closed with a TCP RST. hang: the proxy reads and discards until the client gives up.
  3. --latency-ms: sleeps that long (per call, in the call's own thread: concurrent calls
     overlap). Injected faults get the latency too, as a real answer would.
  4. --fail-share P: one random.Random(--seed) shared by all calls, drawn under a lock in
     arrival order (two draws per call: whether, and which kind), decides whether to answer
     with a fault instead of forwarding. Kinds (--fail-kinds, comma-separated):
       503       HTTP 503 in the call's protocol: JSON/rest-json/CBOR ServiceUnavailableException,
                 awsQuery ServiceUnavailable, ec2 Unavailable
       throttle  the service's throttling error: JSON/rest-json/CBOR 400 ThrottlingException
                 (x-amzn-ErrorType header and __type); awsQuery (sns, sts, cloudwatch) 400
                 <ErrorResponse> Code Throttling; ec2 503 <Response><Errors> RequestLimitExceeded.
  5. --hub-check: a Security Hub call other than DescribeHub and EnableSecurityHub, in a
     region where the upstream's DescribeHub (asked with the call's own headers, so the same
     region and account; not counted) says Security Hub is not enabled, is answered as AWS
     answers it: 401 InvalidAccessException "Account ... is not subscribed to AWS Security
     Hub". moto itself accepts GetFindings and BatchImportFindings in such a region. The
     reused signature does not match the DescribeHub request, so this needs moto's default
     mode, without IAM enforcement.
  6. --refuse-findings CODE: in BatchImportFindings, every finding whose Id the proxy has not
     seen before is refused one by one, as Security Hub refuses findings inside a successful
     call: it is taken out of the request before forwarding, and the answer lists it in
     FailedFindings with ErrorCode CODE (InternalException is retryable, InvalidInput is
     not). A later import of the same Id is forwarded.
  7. otherwise forwarded unchanged (method, path, query, headers including Host, so SigV4 stays
     valid; body) over a kept-alive upstream connection, and the answer is streamed back.

Control endpoints, never forwarded nor counted:
  GET  /__proxy/stats   {"calls": {"cloudtrail:DescribeTrails": 32, ...}, "total": N,
                         "faults": N, "cut": N, "byRegion": {"us-east-1": N, ...}}
                        With ?timeline=1 also "timeline": one [arrived, answered, "service:Op",
                        region, outcome] per call, times in seconds of CLOCK_MONOTONIC (Python's
                        time.monotonic(), comparable across processes of this machine); outcome
                        is the HTTP status, "503"/"throttle" for an injected fault, "cut", or
                        "no answer" (the client went away). A call enters the timeline just
                        before its answer is flushed.
  POST /__proxy/reset   zeroes the counters and re-seeds the fault generator with --seed, so
                        every measured run after a reset sees the same fault sequence.

Nothing is printed to stdout; errors go to stderr. --port-file receives the bound port (use
port 0 for a free one) once the proxy accepts connections.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "expect",
}
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
FAULT_KINDS = ("503", "throttle")
# Security Hub operations that AWS answers whether or not the hub is enabled in the region.
HUB_SETUP_OPERATIONS = {"DescribeHub", "EnableSecurityHub"}
CHUNK = 64 * 1024
TIMELINE_LIMIT = 100_000


def log(message: str) -> None:
    print(f"aws_proxy: {message}", file=sys.stderr, flush=True)


class Stats:
    """Counters and the fault generator, behind one lock."""

    def __init__(self, seed: int | None) -> None:
        self.lock = threading.Lock()
        self.seed = seed
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.rng = random.Random(self.seed)
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

    def draw(self, share: float, kinds: list[str]) -> str | None:
        """The fault for the next call in arrival order, or None."""
        with self.lock:
            hit = self.rng.random()
            pick = self.rng.random()
            if share <= 0 or hit >= share:
                return None
            self.faults += 1
            return kinds[min(int(pick * len(kinds)), len(kinds) - 1)]

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


class Call:
    """What a request is: service, region, operation and wire protocol."""

    def __init__(self, method: str, target: str, headers, body: bytes) -> None:
        split = urllib.parse.urlsplit(target)
        self.path = split.path or "/"
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        scope = CREDENTIAL.search(headers.get("Authorization", "") or "")
        if scope is None:
            scope = CREDENTIAL.search("Credential=" + (query.get("X-Amz-Credential", [""])[0]))
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


def fault_response(call: Call, kind: str) -> tuple[int, dict[str, str], bytes]:
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
        return ec2_status, headers, body.encode()
    if call.protocol == "query":
        headers["Content-Type"] = "text/xml"
        body = (
            f"<ErrorResponse><Error><Type>{fault_type}</Type><Code>{query_code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return status, headers, body.encode()
    if call.protocol == "rest-xml":
        s3_code = "SlowDown" if kind == "throttle" else "ServiceUnavailable"
        headers["Content-Type"] = "application/xml"
        body = f"<Error><Code>{s3_code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return 503, headers, body.encode()
    headers["x-amzn-ErrorType"] = code
    if call.protocol == "cbor":
        headers["Content-Type"] = "application/cbor"
        headers["smithy-protocol"] = "rpc-v2-cbor"
        return status, headers, cbor_text_map({"__type": code, "message": message})
    headers["Content-Type"] = "application/x-amz-json-1.1" if call.protocol == "json" else "application/json"
    return status, headers, json.dumps({"__type": code, "message": message}).encode()


def not_subscribed_response() -> tuple[int, dict[str, str], bytes]:
    """Security Hub's answer in a region where it is not enabled."""
    headers = {
        "x-amzn-RequestId": str(uuid.uuid4()),
        "x-amzn-ErrorType": "InvalidAccessException",
        "Content-Type": "application/json",
    }
    message = "Account is not subscribed to AWS Security Hub"
    return 401, headers, json.dumps({"__type": "InvalidAccessException", "Message": message}).encode()


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, address, options) -> None:
        super().__init__(address, Handler)
        self.options = options
        self.stats = Stats(options.seed)
        self.refused_ids: set[str] = set()
        self.refused_lock = threading.Lock()
        upstream = urllib.parse.urlsplit(options.upstream)
        if upstream.scheme not in ("http", "") or not upstream.hostname:
            raise SystemExit(f"aws_proxy: --upstream must be http://HOST:PORT, got {options.upstream!r}")
        self.upstream_host = upstream.hostname
        self.upstream_port = upstream.port or 80
        self.upstream_prefix = upstream.path.rstrip("/")

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError, BrokenPipeError)):
            return
        log(f"error serving {client_address}: {error!r}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aws_proxy"
    sys_version = ""
    # Idle keep-alive connections are dropped after this many seconds.
    timeout = 300
    # Buffered writes, flushed once per answer: status line, headers and body leave in one
    # segment where they fit (with Nagle's algorithm a separate small body segment would wait
    # for the client's delayed ACK, about 40 ms).
    wbufsize = CHUNK
    upstream: http.client.HTTPConnection | None = None
    # The call being answered: (arrival time, Call, outcome), recorded in the timeline just
    # before the answer's last bytes are flushed, so that a client that has its answer also
    # finds the call in /__proxy/stats.
    answering: tuple | None = None

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args) -> None:  # noqa: A002 - signature of the base class
        pass

    def do_GET(self) -> None:
        self.serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if self.upstream is not None:
                self.upstream.close()
                self.upstream = None

    # -- one request -----------------------------------------------------------------------

    def read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding", "") or "").lower():
            parts = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(parts)
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length > 0 else b""

    def send_plain(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.answered(status)
        self.wfile.flush()

    def answered(self, status: int) -> None:
        if self.answering is not None:
            arrived, call, outcome = self.answering
            self.answering = None
            outcome = outcome or (str(status) if status else "no answer")
            self.server.stats.record(arrived, call, outcome)  # type: ignore[attr-defined]

    def serve(self) -> None:
        server: ProxyServer = self.server  # type: ignore[assignment]
        body = self.read_body()
        if self.path.split("?", 1)[0].startswith("/__proxy/"):
            self.control(server)
            return
        arrived = time.monotonic()
        call = Call(self.command, self.path, self.headers, body)
        server.stats.count(call.key, call.region)
        options = server.options
        if call.region in options.cut_region:
            server.stats.note_cut()
            server.stats.record(arrived, call, "cut")
            self.cut(options.cut_mode)
            return
        if options.latency_ms > 0:
            time.sleep(options.latency_ms / 1000.0)
        fault = server.stats.draw(options.fail_share, options.fail_kinds)
        self.answering = (arrived, call, fault)
        try:
            if fault is not None:
                self.send_plain(*fault_response(call, fault))
            elif (
                options.hub_check
                and call.service == "securityhub"
                and call.operation not in HUB_SETUP_OPERATIONS
                and not self.hub_enabled(server)
            ):
                self.send_plain(*not_subscribed_response())
            elif options.refuse_findings and call.key == "securityhub:BatchImportFindings":
                self.import_with_refusals(server, body, options.refuse_findings)
            else:
                self.forward(server, body)
        finally:
            self.answered(0)

    def control(self, server: ProxyServer) -> None:
        path = self.path.split("?", 1)[0]
        if self.command == "GET" and path == "/__proxy/stats":
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            payload = server.stats.snapshot(timeline=query.get("timeline", ["0"])[0] not in ("0", ""))
        elif self.command == "POST" and path == "/__proxy/reset":
            server.stats.reset()
            payload = {"status": "ok"}
        else:
            self.send_plain(404, {"Content-Type": "application/json"}, b'{"error": "unknown proxy endpoint"}')
            return
        self.send_plain(200, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def cut(self, mode: str) -> None:
        self.close_connection = True
        sock = self.connection
        if mode == "hang":
            # Never answer; wait until the client closes its end (or the server stops).
            with contextlib.suppress(OSError):
                sock.settimeout(None)
                while sock.recv(CHUNK):
                    pass
            return
        # SO_LINGER 0: close() sends a TCP RST instead of a FIN.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def upstream_connection(self, server: ProxyServer, fresh: bool) -> http.client.HTTPConnection:
        if fresh and self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        if self.upstream is None:
            self.upstream = http.client.HTTPConnection(server.upstream_host, server.upstream_port, timeout=300)
        return self.upstream

    def request_headers(self, body: bytes, method: str) -> list[tuple[str, str]]:
        """The client's headers to send upstream (Host and SigV4 headers unchanged)."""
        headers = [(name, value) for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP]
        headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
        if body or method in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body))))
        return headers

    def exchange(
        self, server: ProxyServer, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> http.client.HTTPResponse:
        """Sends one request upstream over the kept-alive connection and returns the answer;
        raises OSError when the upstream cannot be reached."""
        for attempt in (1, 2):
            connection = self.upstream_connection(server, fresh=attempt == 2)
            try:
                connection.putrequest(method, server.upstream_prefix + path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    connection.putheader(name, value)
                connection.endheaders(body if body else None)
                return connection.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive upstream connection that the server closed meanwhile: retry once
                # on a new one (the upstream has not processed the request).
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def hub_enabled(self, server: ProxyServer) -> bool:
        """Whether the upstream's DescribeHub, for the call's region and account, succeeds."""
        headers = [(n, v) for n, v in self.request_headers(b"", "GET") if n.lower() != "content-type"]
        try:
            response = self.exchange(server, "GET", "/accounts", headers, b"")
            response.read()
        except OSError:
            return True
        if response.will_close and self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        return response.status == 200

    def import_with_refusals(self, server: ProxyServer, body: bytes, code: str) -> None:
        """BatchImportFindings with the findings not seen before refused (--refuse-findings)."""
        request = json.loads(body or b"{}")
        findings = request.get("Findings", [])
        with server.refused_lock:
            refused = [f for f in findings if f.get("Id") not in server.refused_ids]
            server.refused_ids.update(f.get("Id") for f in refused)
        kept = [f for f in findings if f not in refused]
        answer = {"FailedCount": 0, "SuccessCount": 0, "FailedFindings": []}
        if kept:
            forwarded = json.dumps({**request, "Findings": kept}).encode()
            try:
                response = self.exchange(server, "POST", self.path, self.request_headers(forwarded, "POST"), forwarded)
                data = response.read()
            except OSError as error:
                self.upstream_failed(error)
                return
            if response.will_close and self.upstream is not None:
                self.upstream.close()
                self.upstream = None
            if response.status != 200:
                self.send_plain(response.status, {"Content-Type": "application/json"}, data)
                return
            answer = json.loads(data or b"{}")
        answer["FailedCount"] = answer.get("FailedCount", 0) + len(refused)
        answer["FailedFindings"] = answer.get("FailedFindings", []) + [
            {"Id": f.get("Id"), "ErrorCode": code, "ErrorMessage": f"refused by aws_proxy (--refuse-findings {code})"}
            for f in refused
        ]
        self.send_plain(200, {"Content-Type": "application/json"}, json.dumps(answer).encode())

    def forward(self, server: ProxyServer, body: bytes) -> int:
        """Forwards the request and streams the answer back; returns the status sent."""
        try:
            response = self.exchange(server, self.command, self.path, self.request_headers(body, self.command), body)
        except OSError as error:
            return self.upstream_failed(error)
        self.send_response_only(response.status, response.reason)
        length = response.getheader("Content-Length")
        passthrough = [
            (n, v) for n, v in response.getheaders() if n.lower() not in HOP_BY_HOP and n.lower() != "content-length"
        ]
        if length is None or self.command == "HEAD" or response.status in (204, 304):
            data = response.read()
            for name, value in passthrough:
                self.send_header(name, value)
            self.send_header("Content-Length", length if self.command == "HEAD" and length else str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        else:
            for name, value in passthrough:
                self.send_header(name, value)
            self.send_header("Content-Length", length)
            self.end_headers()
            remaining = int(length)
            while remaining > 0:
                data = response.read(min(CHUNK, remaining))
                if not data:
                    break
                self.wfile.write(data)
                remaining -= len(data)
            if remaining:
                self.close_connection = True
        self.answered(response.status)
        self.wfile.flush()
        if response.will_close and self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        return response.status

    def upstream_failed(self, error: Exception) -> int:
        log(f"upstream {self.server.options.upstream} failed for {self.command} {self.path}: {error!r}")
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None
        body = json.dumps({"__type": "BadGateway", "message": f"aws_proxy: upstream failed: {error}"}).encode()
        self.send_plain(502, {"Content-Type": "application/json"}, body)
        return 502


def parse_listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--listen", type=parse_listen, default=("127.0.0.1", 0), help="HOST:PORT (port 0: any free port)"
    )
    parser.add_argument("--upstream", required=True, help="the emulator, http://HOST:PORT")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every call")
    parser.add_argument("--fail-share", type=parse_share, default=0.0, help="share of calls answered with a fault")
    parser.add_argument("--fail-kinds", type=parse_kinds, default=list(FAULT_KINDS), help="503,throttle")
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault generator")
    parser.add_argument("--cut-region", action="append", default=[], help="region that gets no answers (repeatable)")
    parser.add_argument("--cut-mode", choices=("reset", "hang"), default="reset")
    parser.add_argument(
        "--hub-check", action="store_true", help="refuse Security Hub calls where the hub is not enabled, as AWS does"
    )
    parser.add_argument(
        "--refuse-findings", metavar="CODE", help="refuse each finding's first import with this error code"
    )
    parser.add_argument("--port-file", help="write the bound port here once listening")
    options = parser.parse_args()
    options.cut_region = set(options.cut_region)

    try:
        server = ProxyServer(options.listen, options)
    except OSError as error:
        sys.exit(f"aws_proxy: cannot listen on {options.listen[0]}:{options.listen[1]}: {error}")
    if options.port_file:
        tmp = f"{options.port_file}.{os.getpid()}.tmp"
        with open(tmp, "w") as handle:
            handle.write(f"{server.server_address[1]}\n")
        os.replace(tmp, options.port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
