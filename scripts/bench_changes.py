#!/usr/bin/env python3
"""Re-audit on change, measured: how long from the invocation with a change to the updated
finding, what calls the run makes, and how many runs a burst of changes costs.

Against the compliant account (seed_bench.py) in moto, behind aws_proxy.py (its latency per
call, its call counts). The function is `cis-monitor invoke` (the Lambda handler without a
runtime: each invocation a fresh process, as a cold start), every region, publishing:

  1. the scheduled event: the first run, so that the findings exist;
  2. the change: CloudWatch.7's filter deleted in moto, then one invocation with the SQS
     batch the change queue would deliver (the DeleteMetricFilter event): its wall time (the
     findings are imported before it answers) and its calls; the findings are read back;
  3. the burst: BURST_EVENTS change events over BURST_SECONDS sent to a FIFO queue in moto
     (one message group, as the template's rule sends them), while this script is the event
     source mapping: it receives up to 10 messages, invokes the function with them, deletes
     what it did not ask to retry, one batch at a time. The deploy the events report is made
     in moto as they are sent: CloudWatch.7's filter put back first, CloudWatch.14's deleted
     near the end; the other events put the CloudWatch.5 alarm again. The runs are counted,
     and the final findings checked in every region: CloudWatch.7 PASSED naming its
     PutMetricFilter, CloudWatch.14 FAILED naming its DeleteMetricFilter, CloudWatch.5 PASSED
     naming nothing (its status never changed).

Usage: bench_changes.py --cli PATH --moto URL --proxy URL [--json FILE] -- ENV...
       (ENV: the NAME=VALUE settings the function runs with, as bench.sh gives the CLI)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from bench_measure import proxy
from replay_call import replay
from show_findings import CHANGE_PREFIX, GENERATOR_PREFIX, session
from show_findings import findings as read_findings

from moto_account import CHAIN_NAMES, LOG_GROUP, NAMESPACE, cis_controls, client, healthy_chains, metric_filter

SCRIPT = "bench_changes.py"
EVENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "events")
BURST_EVENTS = 50
BURST_SECONDS = 10.0
BATCH = 10  # a FIFO queue's largest batch for Lambda
QUEUE = "cis-monitor-changes.fifo"


def sample(name: str) -> dict:
    with open(os.path.join(EVENTS, name), encoding="utf-8") as file:
        return json.load(file)


def filter_event(call: str, control: str, index: int) -> dict:
    """The sample DeleteMetricFilter event, as `call` of `control`'s filter, made now."""
    event = sample("delete-metric-filter.json")
    event["id"] = f"bench-{index}"
    event["detail"]["eventName"] = call
    event["detail"]["requestParameters"] = {"logGroupName": LOG_GROUP, "filterName": CHAIN_NAMES[control][0]}
    event["detail"]["eventTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return event


def alarm_event(alarm: str, index: int) -> dict:
    event = sample("disable-alarm-actions.json")
    event["id"] = f"bench-{index}"
    event["detail"]["eventName"] = "PutMetricAlarm"
    event["detail"]["requestParameters"] = {"alarmName": alarm}
    event["detail"]["eventTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return event


def sqs_event(messages: list[dict]) -> dict:
    """The SQS event the event source mapping would send for `messages`."""
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": {},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{QUEUE}",
            "awsRegion": "us-east-1",
        }
        for m in messages
    ]
    return {"Records": records}


class Function:
    """`cis-monitor invoke` with the function's settings."""

    def __init__(self, cli: str, env: dict[str, str]) -> None:
        self.cli, self.env = cli, env

    def invoke(self, payload: dict) -> tuple[float, dict]:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(payload, file)
        try:
            started = time.monotonic()
            done = subprocess.run([self.cli, "invoke", file.name], env=self.env, capture_output=True, check=False)
            wall = time.monotonic() - started
        finally:
            os.unlink(file.name)
        if done.returncode != 0:
            sys.exit(f"{SCRIPT}: cis-monitor invoke failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
        return wall, json.loads(done.stdout)


def findings(moto: str, regions: list[str]) -> dict:
    """(region, control) -> (status, the change named, its resource) of the function's findings."""
    caller = session(moto)
    found = {}
    for region in regions:
        for finding in read_findings(region, moto, caller):
            fields = finding.get("ProductFields", {})
            found[(region, finding["GeneratorId"][len(GENERATOR_PREFIX) :])] = (
                finding["Compliance"]["Status"],
                fields.get(f"{CHANGE_PREFIX}EventName"),
                fields.get(f"{CHANGE_PREFIX}Resource"),
            )
    return found


def one_change(function: Function, args: argparse.Namespace, regions: list[str]) -> dict:
    replay(args.moto, filter_event("DeleteMetricFilter", "CloudWatch.7", 0))
    proxy(args.proxy, "/__proxy/reset", "POST")
    event = filter_event("DeleteMetricFilter", "CloudWatch.7", 0)
    message = {"MessageId": "m-0", "ReceiptHandle": "r-0", "Body": json.dumps(event)}
    wall, answer = function.invoke(sqs_event([message]))
    calls = proxy(args.proxy, "/__proxy/stats")
    found = findings(args.moto, regions)
    named = [
        key
        for key, value in found.items()
        if key[1] == "CloudWatch.7" and value[:2] == ("FAILED", "DeleteMetricFilter")
    ]
    return {
        "wall": wall,
        "calls": calls["total"],
        "byOperation": dict(sorted(calls["calls"].items())),
        "retried": answer.get("batchItemFailures"),
        "regionsNamingTheChange": len(named),
        "regions": len(regions),
    }


def burst(function: Function, args: argparse.Namespace, regions: list[str]) -> dict:
    sqs = client("sqs", args.moto)
    queue = sqs.create_queue(QueueName=QUEUE, Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    queue_url = queue["QueueUrl"]
    controls = {chain.control: chain for chain in healthy_chains(cis_controls(args.cli, SCRIPT), SCRIPT)}
    kms, alarm = controls["CloudWatch.7"], controls["CloudWatch.5"].alarm_name
    vpc_index = BURST_EVENTS - 5

    def send() -> None:
        for index in range(BURST_EVENTS):
            time.sleep(max(0.0, started + index * BURST_SECONDS / BURST_EVENTS - time.monotonic()))
            if index == 0:
                metric_filter(args.moto, LOG_GROUP, kms.filter_name, kms.pattern, NAMESPACE, kms.metric)
                event = filter_event("PutMetricFilter", "CloudWatch.7", index)
            elif index == vpc_index:
                event = filter_event("DeleteMetricFilter", "CloudWatch.14", index)
                replay(args.moto, event)
            else:
                event = alarm_event(alarm, index)
            sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(event), MessageGroupId="chain")

    started = time.monotonic()
    sender = threading.Thread(target=send)
    sender.start()
    runs = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=BATCH).get("Messages", [])
        if not messages:
            if not sender.is_alive():
                break
            time.sleep(0.05)
            continue
        began = time.monotonic() - started
        wall, answer = function.invoke(sqs_event(messages))
        retry = {failure["itemIdentifier"] for failure in answer.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in retry:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        runs.append({"at": round(began, 2), "events": len(messages), "wall": round(wall, 3), "retried": len(retry)})
    total = time.monotonic() - started
    found = findings(args.moto, regions)
    expected = {"CloudWatch.5": ("PASSED", None), "CloudWatch.7": ("PASSED", "PutMetricFilter")}
    wrong = [
        f"{region} {control}: {found.get((region, control))}"
        for region in regions
        for control in ("CloudWatch.5", "CloudWatch.7", "CloudWatch.14")
        if (found.get((region, control)) or ("missing",))[:2] != expected.get(control, ("FAILED", "DeleteMetricFilter"))
    ]
    return {"events": BURST_EVENTS, "seconds": BURST_SECONDS, "runs": runs, "total": total, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--moto", required=True)
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--json")
    parser.add_argument("env", nargs="*", help="NAME=VALUE settings of the function")
    args = parser.parse_args()
    function = Function(args.cli, dict(setting.split("=", 1) for setting in args.env))

    first_wall, first = function.invoke(sample("scheduled.json"))
    regions = [region["region"] for account in first["accounts"] for region in account["regions"]]
    change = one_change(function, args, regions)
    bursted = burst(function, args, regions)
    result = {"firstRun": first_wall, "change": change, "burst": bursted}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(result, file, indent=2)

    print(f"first (scheduled) run: {first_wall:.2f} s over {len(regions)} regions")
    print(
        f"one change (DeleteMetricFilter, as an SQS batch of 1): invocation -> updated findings {change['wall']:.2f} s,"
        f" {change['calls']} calls; {change['regionsNamingTheChange']} of {change['regions']} regions' CloudWatch.7"
        " findings FAILED naming it"
    )
    for operation, count in change["byOperation"].items():
        print(f"  {operation:40} {count}")
    runs = bursted["runs"]
    print(
        f"burst: {BURST_EVENTS} events in {BURST_SECONDS:.0f} s -> {len(runs)} runs"
        f" (events per run {[run['events'] for run in runs]}), last finding updated {bursted['total']:.1f} s"
        f" after the first event; run wall {min(r['wall'] for r in runs):.2f} to {max(r['wall'] for r in runs):.2f} s"
    )
    print("final findings: " + ("as expected" if not bursted["wrong"] else "WRONG: " + "; ".join(bursted["wrong"])))
    sys.exit(1 if bursted["wrong"] or change["regionsNamingTheChange"] != change["regions"] else 0)


if __name__ == "__main__":
    main()
