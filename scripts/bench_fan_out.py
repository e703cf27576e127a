#!/usr/bin/env python3
"""Fan-out benchmark: one scheduled invocation of cis-monitor-lambda queues the organization's
accounts, and this script, as Lambda's SQS event source mapping, delivers them back in batches to
at most --max-concurrency invocations at once.

  1. A queue is created straight in moto (not through the proxy: the queue and the event source
     mapping's ReceiveMessage / DeleteMessageBatch are Lambda's, not the function's, and cost it
     neither calls nor latency). Its visibility timeout is 6 x 900 s, as AWS advises.
  2. The scheduled invocation (--event, events/scheduled.json): cis-monitor-lambda with the
     function's organization settings in its environment (CIS_MONITOR_ACCOUNTS=organization,
     CIS_MONITOR_MEMBER_ROLE, CIS_MONITOR_QUEUE_URL, CIS_MONITOR_ACCOUNTS_PER_INVOCATION) and
     AWS_ENDPOINT_URL at the proxy. Over more accounts than one invocation audits it sends them
     to the queue (SendMessageBatch); else it audits them itself and that is the run.
  3. The event source mapping: while a slot of --max-concurrency is free, up to
     --accounts-per-invocation messages are received (ReceiveMessage, 10 a call) and given, as
     an SQS event, to a new cis-monitor-lambda process (one execution environment, cold); the
     messages its SqsBatchResponse does not name are deleted. Failed ones are counted, not
     redelivered.

Each invocation is one process served by a fake Lambda Runtime API of its own (as in
bench_lambda_start.py), deadline 900 s after its start; its peak RSS is its VmHWM once it has
answered, and its CPU (user + sys) comes from wait4 when it is stopped then. The figures: wall from the
scheduled invocation's exec to the last batch's messages deleted, CPU summed over every
invocation, the largest peak RSS of any, the invocations, and the proxy's count of the
function's calls.

Usage: bench_fan_out.py --binary PATH --proxy URL --moto URL --event FILE
       [--accounts-per-invocation 100] [--max-concurrency 10] [--member-role NAME]
       [--logs DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import ThreadingHTTPServer

import boto3
from bench_lambda_start import RuntimeApi as StartRuntimeApi
from bench_measure import MIB, proxy

PREFIX = "/2018-06-01/runtime"
TIMEOUT_S = 900
REGION = "us-east-1"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:cis-monitor"


class RuntimeApi(StartRuntimeApi):
    """One execution environment's Runtime API: the first /next gets the payload; the answer
    (response or error) is kept; a later /next waits until the environment is stopped. The
    replies and request bodies are bench_lambda_start.py's."""

    def do_GET(self) -> None:
        env: Environment = self.server.environment  # type: ignore[attr-defined]
        if self.path != f"{PREFIX}/invocation/next" or env.served:
            env.stopped.wait(TIMEOUT_S + 60)
            self.reply(500, b'{"errorMessage": "benchmark over"}')
            return
        env.served = True
        self.reply(
            200,
            env.payload,
            {
                "Lambda-Runtime-Aws-Request-Id": env.request_id,
                "Lambda-Runtime-Deadline-Ms": str(int((time.time() + TIMEOUT_S) * 1000)),
                "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
                "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
            },
        )

    def do_POST(self) -> None:
        env: Environment = self.server.environment  # type: ignore[attr-defined]
        body = self.body()
        env.outcome = self.path.rsplit("/", 1)[-1]  # response, or error
        env.answer = body
        env.answered_at = time.monotonic()
        self.reply(202, b'{"status": "OK"}')
        env.done.set()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the environment is stopped while its next /next waits


class Environment:
    """One cis-monitor-lambda process serving one invocation."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.request_id = str(uuid.uuid4())
        self.served = False
        self.outcome = ""
        self.answer = b""
        self.answered_at = 0.0
        self.done = threading.Event()
        self.stopped = threading.Event()

    def run(self, binary: str, env: dict[str, str], log: str) -> dict:
        server = Server(("127.0.0.1", 0), RuntimeApi)
        server.environment = self  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env = {**env, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}"}
        try:
            with open(log, "wb") as output:
                started = time.monotonic()
                to_log = [(os.POSIX_SPAWN_DUP2, output.fileno(), 1), (os.POSIX_SPAWN_DUP2, output.fileno(), 2)]
                process = os.posix_spawn(binary, [binary], env, file_actions=to_log)
                deadline = started + TIMEOUT_S + 30
                # Until it answers, exits (waitid WNOWAIT: still waitable, for wait4) or overruns.
                while not self.done.wait(0.1) and time.monotonic() < deadline:
                    if os.waitid(os.P_PID, process, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                        break
                finished = self.done.is_set()
                hwm = vm_hwm_kib(process)
                os.kill(process, 15)
                _, status, usage = os.wait4(process, 0)
        finally:
            self.stopped.set()
            server.shutdown()
            server.server_close()
        try:
            answer = json.loads(self.answer or b"null")
        except ValueError:
            answer = None
        return {
            "wall": (self.answered_at if finished else time.monotonic()) - started,
            "cpu": usage.ru_utime + usage.ru_stime,
            "maxRssKiB": hwm,
            "outcome": self.outcome if finished else "no answer",
            "answer": answer,
            "exitStatus": status,
            "log": log,
        }


def vm_hwm_kib(pid: int) -> int:
    """The process's peak RSS so far (VmHWM). Not wait4's ru_maxrss: after a vfork-style spawn
    that starts at this Python parent's own peak, which exec carries over."""
    with open(f"/proc/{pid}/status") as status:
        return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)


def record(message: dict, queue_arn: str) -> dict:
    """A received message as a record of the SQS event Lambda delivers."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "md5OfBody": message.get("MD5OfBody"),
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--proxy", required=True, help="the function's AWS endpoint (scripts/aws_proxy.py)")
    parser.add_argument("--moto", required=True, help="moto itself, for the queue and the event source mapping")
    parser.add_argument("--event", required=True, help="the scheduled event (events/scheduled.json)")
    parser.add_argument("--accounts-per-invocation", type=int, default=100)
    parser.add_argument("--max-concurrency", type=int, default=10)
    parser.add_argument("--member-role", default="cis-monitor-member")
    parser.add_argument("--logs", default=".", help="folder for each invocation's log")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    sqs = boto3.client(
        "sqs", endpoint_url=args.moto, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    name = f"cis-monitor-accounts-{int(time.time())}"
    queue_url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": str(6 * TIMEOUT_S)})["QueueUrl"]
    queue_arn = f"arn:aws:sqs:{REGION}:123456789012:{name}"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_LAMBDA_FUNCTION_NAME": "cis-monitor",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/cis-monitor",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": args.proxy,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "CIS_MONITOR_ACCOUNTS": "organization",
        "CIS_MONITOR_MEMBER_ROLE": args.member_role,
        "CIS_MONITOR_QUEUE_URL": queue_url,
        "CIS_MONITOR_ACCOUNTS_PER_INVOCATION": str(args.accounts_per_invocation),
    }
    os.makedirs(args.logs, exist_ok=True)
    with open(args.event, "rb") as handle:
        scheduled_event = handle.read()

    proxy(args.proxy, "/__proxy/reset", "POST")
    started = time.monotonic()
    scheduled = Environment(scheduled_event).run(args.binary, env, os.path.join(args.logs, "fan-out-scheduled.log"))
    invocations = [{"batch": 0, "accounts": 0, **scheduled}]
    enqueued = (scheduled["answer"] or {}).get("enqueued") if isinstance(scheduled["answer"], dict) else None
    expected = enqueued["sent"] if enqueued else 0
    lock = threading.Lock()
    slots = threading.Semaphore(args.max_concurrency)
    received = set()
    failed: list[str] = []
    batches: list[dict] = []

    def deliver(number: int, messages: list[dict]) -> None:
        try:
            event = {"Records": [record(message, queue_arn) for message in messages]}
            log = os.path.join(args.logs, f"fan-out-batch-{number:03d}.log")
            result = Environment(json.dumps(event).encode()).run(args.binary, env, log)
            answer = result["answer"] if isinstance(result["answer"], dict) else {}
            retry = {failure["itemIdentifier"] for failure in answer.get("batchItemFailures", [])}
            if result["outcome"] != "response":
                retry = {message["MessageId"] for message in messages}
            done = [message for message in messages if message["MessageId"] not in retry]
            for start in range(0, len(done), 10):
                entries = [
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])
                ]
                sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
            with lock:
                failed.extend(sorted(retry))
                batches.append(
                    {
                        "batch": number,
                        "accounts": len(messages),
                        "retried": len(retry),
                        **result,
                        "end": time.monotonic(),
                    }
                )
        finally:
            slots.release()

    with ThreadPoolExecutor(max_workers=args.max_concurrency) as pool:
        number = 0
        while len(received) < expected:
            slots.acquire()
            messages: list[dict] = []
            while len(messages) < args.accounts_per_invocation:
                want = min(10, args.accounts_per_invocation - len(messages))
                got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=want).get("Messages", [])
                fresh = [message for message in got if message["MessageId"] not in received]
                received.update(message["MessageId"] for message in fresh)
                messages += fresh
                if not got or len(received) >= expected:
                    break
            if not messages:
                slots.release()
                print(f"bench_fan_out.py: the queue is empty after {len(received)} of {expected} messages")
                break
            number += 1
            pool.submit(deliver, number, messages)
    ended = max([batch["end"] for batch in batches], default=started + scheduled["wall"])
    stats = proxy(args.proxy, "/__proxy/stats")
    invocations += sorted(batches, key=lambda batch: batch["batch"])
    summary = {
        "fanOut": {
            "accountsPerInvocation": args.accounts_per_invocation,
            "maxConcurrency": args.max_concurrency,
            "enqueued": {key: value for key, value in (enqueued or {}).items() if key != "failed"},
            "queuedInline": enqueued is None,
            "wall": ended - started,
            "cpu": sum(invocation["cpu"] for invocation in invocations),
            "maxRssKiB": max(invocation["maxRssKiB"] for invocation in invocations),
            "invocations": len(invocations),
            "batches": len(batches),
            "retried": len(failed),
            "calls": stats["calls"],
            "totalCalls": stats["total"],
            "perInvocation": [
                {key: value for key, value in inv.items() if key not in ("answer", "end")} for inv in invocations
            ],
        }
    }
    fan_out = summary["fanOut"]
    print(
        f"Fan-out: {expected} accounts queued by the scheduled invocation, {len(batches)} batches of at most "
        f"{args.accounts_per_invocation}, at most {args.max_concurrency} at once"
        + (" (not queued: the scheduled invocation audited inline)" if enqueued is None else "")
    )
    print("  invocation  accounts  wall       CPU      peak RSS   outcome   retried")
    for invocation in invocations:
        label = "scheduled" if invocation["batch"] == 0 else f"batch {invocation['batch']}"
        print(
            f"  {label:<10}  {invocation['accounts']:>8}  {invocation['wall']:>7.2f} s  {invocation['cpu']:>6.2f} s"
            f"  {invocation['maxRssKiB'] / MIB:>6.1f} MiB  {invocation['outcome']:<8}  {invocation.get('retried', 0)}"
        )
    print(
        f"  wall {fan_out['wall']:.2f} s (schedule -> last batch deleted), CPU {fan_out['cpu']:.2f} s summed, "
        f"max peak RSS {fan_out['maxRssKiB'] / MIB:.1f} MiB, {fan_out['invocations']} invocations, "
        f"{fan_out['totalCalls']} calls by the function, {len(failed)} messages reported failed"
    )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(summary, handle, indent=2)


if __name__ == "__main__":
    main()
