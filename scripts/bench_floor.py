#!/usr/bin/env python3
"""The emulator's floor: the calls of one cis-monitor run, made again by a client that does
nothing else, at the same concurrency.

bench_floor.py --proxy URL --moto URL [--watch NAME=PID]... [--concurrency C] --json FILE -- COMMAND...

  record   COMMAND (one more `cis-monitor run`, after the measured ones) runs against a relay in
           front of --proxy: every occurrence of the --proxy URL in COMMAND's arguments is
           replaced by the relay's. The relay passes each request on unchanged and keeps it
           (method, path, headers, body) with its arrival and answer times; from those, the
           most calls in flight at once, and the mean (the calls' summed durations / wall).
  proxy    the recorded requests again, in their order of arrival, through --proxy (its added
           latency and emulations, as cis-monitor's calls had them) after POST /__proxy/reset:
           --concurrency threads (default: the most in flight recorded), each with a kept-alive
           connection, raw HTTP. Nothing is signed, parsed or decided: the recorded headers,
           signature included, go again (moto checks no signature), so this client costs next
           to nothing and its wall is what the proxy and moto need for these calls.
  moto     the same straight to --moto: no added latency, no emulation (an emulated call gets
           moto's own answer: see the statuses).

Per phase: wall, this client's CPU, and with --watch the CPU of those processes (moto, the
proxy) from /proc/PID/stat. Prints them and writes {"floorOf": ..., "record", "proxy", "moto"}.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench_measure import process_cpu, proxy

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Relay(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), Recorder)
        split = urllib.parse.urlsplit(upstream)
        self.upstream = (split.hostname, split.port or 80)
        self.lock = threading.Lock()
        self.recorded: list[tuple] = []

    def handle_error(self, request, client_address) -> None:
        pass


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002
        pass

    def handle_one(self) -> None:
        relay: Relay = self.server  # type: ignore[assignment]
        arrived = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or "0"))
        headers = [(name, value) for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP]
        if getattr(self, "upstream", None) is None:
            self.upstream = http.client.HTTPConnection(*relay.upstream, timeout=600)
        status, answer_headers, answer = exchange(self.upstream, self.command, self.path, headers, body)
        self.send_response_only(status)
        for name, value in answer_headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        with relay.lock:
            relay.recorded.append((arrived, time.monotonic(), self.command, self.path, headers, body))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_one


def exchange(connection: http.client.HTTPConnection, method: str, path: str, headers, body: bytes):
    """One request on a kept-alive connection (reopened once if the server closed it)."""
    for attempt in (1, 2):
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders(body or None)
            response = connection.getresponse()
            answer = response.read()
            if response.will_close:
                connection.close()
            return response.status, response.getheaders(), answer
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            connection.close()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def in_flight(recorded: list[tuple]) -> tuple[int, float]:
    """The most calls in flight at once, and the mean over the recording's span."""
    edges = sorted([(start, 1) for start, *_ in recorded] + [(end, -1) for _, end, *_ in recorded])
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    span = max(end for _, end, *_ in recorded) - min(start for start, *_ in recorded)
    return most, sum(end - start for start, end, *_ in recorded) / span if span else 0.0


def replay(target: str, requests: list[tuple], concurrency: int, watch: dict[str, int]) -> dict:
    split = urllib.parse.urlsplit(target)
    statuses: Counter = Counter()
    lock = threading.Lock()
    position = iter(range(len(requests)))

    def worker() -> None:
        connection = http.client.HTTPConnection(split.hostname, split.port or 80, timeout=600)
        mine: Counter = Counter()
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                break
            _, _, method, path, headers, body = requests[index]
            mine[exchange(connection, method, path, headers, body)[0]] += 1
        connection.close()
        with lock:
            statuses.update(mine)

    before = {name: process_cpu(pid) for name, pid in watch.items()}
    cpu, started = time.process_time(), time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    return {
        "target": target,
        "concurrency": concurrency,
        "calls": len(requests),
        "wall": wall,
        "clientCpu": cpu,
        "processCpu": {name: (process_cpu(pid) or 0) - (before[name] or 0) for name, pid in watch.items()},
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--moto", required=True)
    parser.add_argument("--account", default="organization")
    parser.add_argument("--watch", action="append", default=[], help="NAME=PID: report that process's CPU")
    parser.add_argument("--concurrency", type=int, help="replay threads (default: the most in flight recorded)")
    parser.add_argument("--json", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    watch = {name: int(pid) for name, _, pid in (item.partition("=") for item in args.watch)}

    relay = Relay(args.proxy)
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    relay_url = f"http://127.0.0.1:{relay.server_address[1]}"
    proxy(args.proxy, "/__proxy/reset", "POST")
    started = time.monotonic()
    done = subprocess.run([part.replace(args.proxy, relay_url) for part in command], capture_output=True)
    recorded_wall = time.monotonic() - started
    relay.shutdown()
    requests = sorted(relay.recorded)
    proxy_count = proxy(args.proxy, "/__proxy/stats")["total"]
    most, mean = in_flight(requests)
    record = {
        "calls": len(requests),
        "proxyCalls": proxy_count,
        "wall": recorded_wall,
        "exit": done.returncode,
        "mostInFlight": most,
        "meanInFlight": mean,
    }
    concurrency = args.concurrency or most
    proxy(args.proxy, "/__proxy/reset", "POST")
    through_proxy = replay(args.proxy, requests, concurrency, watch)
    through_proxy["proxyCalls"] = proxy(args.proxy, "/__proxy/stats")["total"]
    straight = replay(args.moto, requests, concurrency, {"moto": watch["moto"]} if "moto" in watch else {})
    result = {"floorOf": args.account, "record": record, "proxy": through_proxy, "moto": straight}
    with open(args.json, "w") as handle:
        json.dump(result, handle, indent=2)

    print(
        f"\n== {args.account}: the emulator's floor. Recorded run (through a relay): {len(requests)} calls "
        f"(the proxy counted {proxy_count}), {recorded_wall:.2f} s, exit {done.returncode}; "
        f"in flight: at most {most}, {mean:.1f} on average"
    )
    for label, phase in (("replay through the proxy", through_proxy), ("replay straight to moto", straight)):
        others = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phase["processCpu"].items())
        print(
            f"  {label:<25} {phase['calls']} calls, {concurrency} threads: {phase['wall']:.2f} s wall, "
            f"client CPU {phase['clientCpu']:.2f} s"
            + (f", CPU of {others}" if others else "")
            + "; statuses "
            + ", ".join(f"{status}: {n}" for status, n in phase["statuses"].items())
        )


if __name__ == "__main__":
    main()
