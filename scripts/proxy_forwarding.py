"""HTTP forwarding of scripts/aws_proxy.py: the server, one handler per client connection, its
kept-alive connection to the emulator, and the answer streamed back. Each call passes the
proxy's stages in order (proxy_calls: counted; proxy_faults: cut, delayed, faulted;
proxy_emulation: answered as AWS would, or passed on as another account's), and what is left
is forwarded here. Imported by the proxy; not a command itself.

A forwarded call goes upstream unchanged (method, path, query, headers including Host, so
SigV4 stays valid; body; only headers an emulation set in passing it on are replaced) over a
kept-alive upstream connection, and the answer is streamed back. A call enters the timeline
just before its answer is flushed, so that a client that has its answer also finds the call in
/__proxy/stats.
"""

from __future__ import annotations

import http.client
import json
import socket
import sys
import time
import urllib.parse
from collections.abc import Collection, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from proxy_calls import Call, Reply, Stats
from proxy_emulation import Emulation, Onward
from proxy_faults import Faults, fault_response

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
# Headers the proxy sets on an answer it makes (send_plain).
OWN_HEADERS = {"content-length", "server", "date"}
CHUNK = 64 * 1024
JSON = {"Content-Type": "application/json"}


def log(message: str) -> None:
    print(f"aws_proxy: {message}", file=sys.stderr, flush=True)


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, address, upstream: str, faults: Faults, emulations: list[Emulation]) -> None:
        super().__init__(address, Handler)
        self.upstream = upstream
        self.stats = Stats()
        self.faults = faults
        self.emulations = emulations
        split = urllib.parse.urlsplit(upstream)
        if split.scheme not in ("http", "") or not split.hostname:
            raise SystemExit(f"aws_proxy: --upstream must be http://HOST:PORT, got {upstream!r}")
        self.upstream_host = split.hostname
        self.upstream_port = split.port or 80
        self.upstream_prefix = split.path.rstrip("/")

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError, BrokenPipeError)):
            return
        log(f"error serving {client_address}: {error!r}")


class UpstreamConnection:
    """One client connection's kept-alive connection to the emulator, opened on first use."""

    def __init__(self, host: str, port: int, prefix: str) -> None:
        self.host = host
        self.port = port
        self.prefix = prefix
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def done(self, response: http.client.HTTPResponse) -> None:
        """After an answer has been read: closes the connection if the emulator will."""
        if response.will_close:
            self.close()

    def exchange(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> http.client.HTTPResponse:
        """Sends one request and returns the answer; raises OSError when the emulator cannot
        be reached, and then closes the connection."""
        for attempt in (1, 2):
            if attempt == 2:
                self.close()
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
            try:
                self.connection.putrequest(method, self.prefix + path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    self.connection.putheader(name, value)
                self.connection.endheaders(body if body else None)
                return self.connection.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive upstream connection that the server closed meanwhile: retry once
                # on a new one (the upstream has not processed the request).
                if attempt == 2:
                    self.close()
                    raise
            except OSError:
                # Not reusable (http.client would refuse the next request on it).
                self.close()
                raise
        raise AssertionError("unreachable")


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
    server: ProxyServer
    upstream: UpstreamConnection
    # The call being answered: (arrival time, Call, outcome), recorded in the timeline just
    # before the answer's last bytes are flushed, so that a client that has its answer also
    # finds the call in /__proxy/stats.
    answering: tuple | None = None
    # Headers that replace the call's own upstream, as emulations passed the call on (Onward).
    onward: dict[str, str]

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.onward = {}
        self.upstream = UpstreamConnection(
            self.server.upstream_host, self.server.upstream_port, self.server.upstream_prefix
        )

    def log_message(self, format, *args) -> None:  # noqa: A002 - signature of the base class
        pass

    def do_GET(self) -> None:
        self.serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.upstream.close()

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
            self.server.stats.record(arrived, call, outcome)

    def serve(self) -> None:
        server = self.server
        body = self.read_body()
        if self.path.split("?", 1)[0].startswith("/__proxy/"):
            self.control()
            return
        arrived = time.monotonic()
        call = Call(self.command, self.path, self.headers, body)
        server.stats.count(call.key, call.region)
        faults = server.faults
        if faults.cuts(call):
            server.stats.note_cut()
            server.stats.record(arrived, call, "cut")
            self.close_connection = True
            faults.cut(self.connection)
            return
        faults.delay()
        fault = faults.draw()
        if fault is not None:
            server.stats.note_fault()
        self.answering = (arrived, call, fault)
        try:
            if fault is not None:
                self.send_plain(*fault_response(call, fault))
            else:
                self.emulate_or_forward(call, body)
        finally:
            self.answered(0)

    def emulate_or_forward(self, call: Call, body: bytes) -> None:
        """The first enabled emulation that answers the call answers it; otherwise the call is
        forwarded, with the headers emulations that passed it on (Onward) set."""
        self.onward = {}
        try:
            for emulation in self.server.emulations:
                try:
                    reply = emulation.answer(call, body, self)
                except OSError as error:
                    self.upstream_failed(error)
                    return
                if isinstance(reply, Onward):
                    self.onward = {**self.onward, **reply.headers}
                elif reply is not None:
                    self.send_plain(*reply)
                    return
            self.forward(body)
        finally:
            self.onward = {}

    def control(self) -> None:
        """The proxy's own endpoints: GET /__proxy/stats, POST /__proxy/reset."""
        server = self.server
        path = self.path.split("?", 1)[0]
        if self.command == "GET" and path == "/__proxy/stats":
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            payload = server.stats.snapshot(timeline=query.get("timeline", ["0"])[0] not in ("0", ""))
        elif self.command == "POST" and path == "/__proxy/reset":
            server.stats.reset()
            server.faults.reset()
            payload = {"status": "ok"}
        else:
            self.send_plain(404, dict(JSON), b'{"error": "unknown proxy endpoint"}')
            return
        self.send_plain(200, dict(JSON), json.dumps(payload).encode())

    def request_headers(self, body: bytes, method: str) -> list[tuple[str, str]]:
        """The client's headers to send upstream (Host and SigV4 headers unchanged), with those
        the emulations set (Onward) in place of the client's of those names."""
        replaced = HOP_BY_HOP | {"content-length"} | {name.lower() for name in self.onward}
        headers = [(name, value) for name, value in self.headers.items() if name.lower() not in replaced]
        headers += list(self.onward.items())
        if body or method in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body))))
        return headers

    def ask(
        self,
        method: str,
        path: str,
        body: bytes,
        drop_headers: Collection[str] = (),
        set_headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """proxy_emulation.Upstream: one request upstream with the call's headers (as emulations
        passed the call on), read whole."""
        replaced = {name.lower() for name in drop_headers} | {name.lower() for name in set_headers or {}}
        headers = [(n, v) for n, v in self.request_headers(body, method) if n.lower() not in replaced]
        headers += list((set_headers or {}).items())
        response = self.upstream.exchange(method, path, headers, body)
        data = response.read()
        self.upstream.done(response)
        # Without the headers send_plain sets itself, so that an emulation may answer with it.
        kept = {n: v for n, v in response.getheaders() if n.lower() not in HOP_BY_HOP | OWN_HEADERS}
        return Reply(response.status, kept, data)

    def forward(self, body: bytes) -> int:
        """Forwards the request and streams the answer back; returns the status sent."""
        try:
            response = self.upstream.exchange(self.command, self.path, self.request_headers(body, self.command), body)
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
        self.upstream.done(response)
        return response.status

    def upstream_failed(self, error: Exception) -> int:
        log(f"upstream {self.server.upstream} failed for {self.command} {self.path}: {error!r}")
        self.upstream.close()
        body = json.dumps({"__type": "BadGateway", "message": f"aws_proxy: upstream failed: {error}"}).encode()
        self.send_plain(502, dict(JSON), body)
        return 502


def serve(server: ProxyServer) -> None:
    """Serves until interrupted, then closes the listening socket."""
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
