#!/usr/bin/env python3
"""Print the cis-monitor findings that Security Hub holds, region by region.

Reads every finding with GetFindings (all pages) in each region and keeps those whose
GeneratorId starts with `cis-monitor/`. The filtering is done here, not with GetFindings
Filters, because moto ignores Filters; against AWS it also keeps other products' findings and
(in an aggregation region) other regions' copies out of the table.

Usage: show_findings.py --endpoint http://127.0.0.1:5123 --regions us-east-1,eu-west-1,ap-southeast-2
       show_findings.py --regions eu-west-1          (no --endpoint: real AWS, default credentials)
"""

from __future__ import annotations

import argparse
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError

GENERATOR_PREFIX = "cis-monitor/"
DESCRIPTION_WIDTH = 90


def security_hub(region: str, endpoint: str | None):
    if endpoint:
        return boto3.client(
            "securityhub",
            region_name=region,
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    return boto3.client("securityhub", region_name=region)


def findings(region: str, endpoint: str | None) -> list[dict]:
    client = security_hub(region, endpoint)
    found, token = [], None
    while True:
        page = client.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
        found.extend(f for f in page.get("Findings", []) if f.get("GeneratorId", "").startswith(GENERATOR_PREFIX))
        token = page.get("NextToken")
        if not token:
            return found


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def row(region: str, finding: dict) -> list[str]:
    compliance = finding.get("Compliance", {})
    reasons = compliance.get("StatusReasons") or [{}]
    control = finding.get("GeneratorId", "")[len(GENERATOR_PREFIX) :]
    description = finding.get("Description", "")
    if finding.get("RecordState") == "ARCHIVED":
        description = "[archived] " + description
    return [
        region,
        control,
        compliance.get("Status", "-"),
        reasons[0].get("ReasonCode", "-"),
        shorten(description, DESCRIPTION_WIDTH),
    ]


def control_order(control: str) -> tuple:
    head, _, number = control.partition(".")
    return (head, int(number) if number.isdigit() else 0, control)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="moto server URL; omit to read from AWS")
    parser.add_argument("--regions", required=True, help="comma-separated regions, e.g. us-east-1,eu-west-1")
    args = parser.parse_args()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    if not regions:
        parser.error("--regions names no region")

    header = ["REGION", "CONTROL", "STATUS", "REASON", "DESCRIPTION"]
    rows, notes, errors = [], [], 0
    for region in regions:
        try:
            found = findings(region, args.endpoint)
        except (ClientError, BotoCoreError) as error:
            notes.append(f"{region}: cannot read findings: {error}")
            errors += 1
            continue
        if not found:
            notes.append(f"{region}: no cis-monitor findings")
            continue
        found.sort(key=lambda f: control_order(f.get("GeneratorId", "")[len(GENERATOR_PREFIX) :]))
        rows.extend(row(region, f) for f in found)

    if rows:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        for r in [header, *rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(r[:-1], widths, strict=True)) + "  " + r[-1])
    for note in notes:
        print(note)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
