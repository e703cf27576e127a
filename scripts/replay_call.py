#!/usr/bin/env python3
"""Make, in moto, the call a CloudTrail event (as EventBridge delivers it) reports: its service
(detail.eventSource), operation (detail.eventName) and request parameters, in its region. The
drift demo breaks the chain this way, with the very event it then gives the function, so the
two never disagree.

CloudTrail writes request parameters in lower camel case; each is passed under the name the
operation's input shape gives it (logGroupName for CloudWatch Logs, AlarmNames for CloudWatch).

Usage: replay_call.py --endpoint http://127.0.0.1:5123 events/delete-metric-filter.json
"""

from __future__ import annotations

import argparse
import json
import sys

from botocore.exceptions import BotoCoreError, ClientError
from botocore.session import get_session

from moto_account import client

# CloudTrail's eventSource for the services whose botocore name differs from its prefix.
SERVICES = {"monitoring": "cloudwatch"}


def snake_case(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def replay(endpoint: str, event: dict) -> str:
    detail = event["detail"]
    prefix = detail["eventSource"].split(".", 1)[0]
    service = SERVICES.get(prefix, prefix)
    operation = get_session().get_service_model(service).operation_model(detail["eventName"])
    members = {name.lower(): name for name in operation.input_shape.members}
    parameters = {members[key.lower()]: value for key, value in (detail.get("requestParameters") or {}).items()}
    getattr(client(service, endpoint, detail["awsRegion"]), snake_case(detail["eventName"]))(**parameters)
    return f"{service} {detail['eventName']} {json.dumps(parameters)} in {detail['awsRegion']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="moto server URL")
    parser.add_argument("event", help="the event file, e.g. events/delete-metric-filter.json")
    args = parser.parse_args()
    with open(args.event, encoding="utf-8") as file:
        event = json.load(file)
    try:
        print(f"made {replay(args.endpoint, event)}")
    except (ClientError, BotoCoreError, KeyError) as error:
        print(f"replay_call: cannot make the call of {args.event}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
