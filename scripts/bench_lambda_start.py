#!/usr/bin/env python3
"""Time from exec of cis-monitor-lambda to its first handled event, without any AWS call.

A fake Lambda Runtime API (the one AWS_LAMBDA_RUNTIME_API names) serves one invocation whose
payload, {"regions": []}, the function rejects before any AWS call (errorType BadPayload). The
clock starts just before the process is spawned and stops when the error is posted back:

  init      exec -> first GET /2018-06-01/runtime/invocation/next (logging, configuration and
            AWS clients set up, runtime client started)
  event     exec -> POST /2018-06-01/runtime/invocation/<id>/error (the first event handled)

AWS_ENDPOINT_URL points at the same server, so any AWS call would show up (counted as
`awsCalls`; expected 0). Peak memory is the process's VmHWM, read from /proc before it is
stopped.

Usage: bench_lambda_start.py --binary PATH [--runs 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAYLOAD = b'{"regions": []}'
REQUEST_ID = "bench-0001"
PREFIX = "/2018-06-01/runtime"


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.release = threading.Event()
        self.next_at: float | None = None
        self.answered_at: float | None = None
        self.error_type = ""
        self.error_body = b""
        self.outcome = ""
        self.aws_calls: list[str] = []
        self.served = 0


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # The function is stopped while its next /next request waits: a reset, not an error.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class RuntimeApi(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002
        pass

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        recorder: Recorder = self.server.recorder  # type: ignore[attr-defined]
        now = time.monotonic()
        if self.path == f"{PREFIX}/invocation/next":
            with recorder.lock:
                first = recorder.served == 0
                recorder.served += 1
                if first:
                    recorder.next_at = now
            if not first:
                # The runtime asks for its next event: keep it waiting until the run is over.
                recorder.release.wait(30)
                self.reply(500, b'{"errorMessage": "benchmark over"}')
                return
            deadline_ms = int((time.time() + 300) * 1000)
            self.reply(
                200,
                PAYLOAD,
                {
                    "Lambda-Runtime-Aws-Request-Id": REQUEST_ID,
                    "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:cis-monitor",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                },
            )
            return
        self.aws_call(now)

    def do_POST(self) -> None:
        recorder: Recorder = self.server.recorder  # type: ignore[attr-defined]
        now = time.monotonic()
        body = self.body()
        if self.path.startswith(f"{PREFIX}/invocation/{REQUEST_ID}/") or self.path == f"{PREFIX}/init/error":
            with recorder.lock:
                recorder.answered_at = now
                recorder.outcome = self.path.rsplit("/", 1)[-1]
                recorder.error_type = self.headers.get("Lambda-Runtime-Function-Error-Type", "")
                recorder.error_body = body
            self.reply(202, b'{"status": "OK"}')
            recorder.done.set()
            return
        self.aws_call(now)

    def aws_call(self, now: float) -> None:
        recorder: Recorder = self.server.recorder  # type: ignore[attr-defined]
        with recorder.lock:
            recorder.aws_calls.append(f"{self.command} {self.path} {self.headers.get('X-Amz-Target', '')}")
        self.reply(500, b'{"__type": "InternalFailure", "message": "not an AWS endpoint"}')

    do_PUT = do_DELETE = do_PATCH = do_POST


def vm_hwm_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def one_run(binary: str) -> dict:
    # A new server (and port) per run: a late request of the previous process cannot be taken
    # for this run's first one.
    recorder = Recorder()
    server = Server(("127.0.0.1", 0), RuntimeApi)
    server.recorder = recorder  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        return run_against(binary, server.server_address[1], recorder)
    finally:
        recorder.release.set()
        server.shutdown()
        server.server_close()


def run_against(binary: str, port: int, recorder: Recorder) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_LAMBDA_FUNCTION_NAME": "cis-monitor",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/cis-monitor",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_EC2_METADATA_DISABLED": "true",
        "RUST_LOG": "info",
    }
    started = time.monotonic()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    finished = recorder.done.wait(20)
    hwm = vm_hwm_kib(process.pid)
    recorder.release.set()
    process.terminate()
    try:
        _, stderr = process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    if not finished:
        raise SystemExit(
            "bench_lambda_start.py: the function posted no answer within 20 s; its stderr:\n"
            + stderr.decode("utf-8", "replace")[-2000:]
        )
    try:
        error_type = json.loads(recorder.error_body or b"{}").get("errorType", recorder.error_type)
    except ValueError:
        error_type = recorder.error_type
    return {
        "initMs": None if recorder.next_at is None else (recorder.next_at - started) * 1000,
        "firstEventMs": (recorder.answered_at - started) * 1000,
        "handlerMs": None if recorder.next_at is None else (recorder.answered_at - recorder.next_at) * 1000,
        "outcome": recorder.outcome,
        "errorType": error_type,
        "awsCalls": list(recorder.aws_calls),
        "vmHwmKiB": hwm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"bench_lambda_start.py: {args.binary} is not an executable")

    runs = [one_run(args.binary) for _ in range(max(1, args.runs))]

    print(f"Lambda cold start, {len(runs)} runs ({args.binary}):")
    print("  run  exec->first /next  exec->error posted  handler  outcome  errorType   AWS calls  VmHWM")
    for number, run in enumerate(runs, 1):
        print(
            f"  {number:>3}  {run['initMs']:>14.1f} ms  {run['firstEventMs']:>15.1f} ms  {run['handlerMs']:>5.1f} ms"
            f"  {run['outcome']:<7}  {run['errorType']:<10}  {len(run['awsCalls']):>9}  "
            f"{(run['vmHwmKiB'] or 0) / 1024:.1f} MiB"
        )
    summary = {
        "runs": runs,
        "medianInitMs": statistics.median(run["initMs"] for run in runs),
        "medianFirstEventMs": statistics.median(run["firstEventMs"] for run in runs),
        "maxVmHwmKiB": max((run["vmHwmKiB"] or 0) for run in runs),
        "awsCalls": sum(len(run["awsCalls"]) for run in runs),
    }
    print(
        f"  median: exec->first /next {summary['medianInitMs']:.1f} ms, "
        f"exec->first event handled {summary['medianFirstEventMs']:.1f} ms; AWS calls {summary['awsCalls']}"
    )
    if summary["awsCalls"]:
        print("  unexpected AWS calls: " + "; ".join(runs[0]["awsCalls"][:5]))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(summary, handle, indent=2)


if __name__ == "__main__":
    main()
