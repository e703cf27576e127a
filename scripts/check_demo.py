#!/usr/bin/env python3
"""Checks the output of `make demo`: the findings read back from each region's Security Hub
must be the ones the seeded demo account produces. Exits 1, naming what differs, otherwise."""

import sys

EXPECTED = {
    ("us-east-1", "CloudWatch.5"): ("PASSED", "-"),
    ("us-east-1", "CloudWatch.7"): ("FAILED", "CLOUDTRAIL_METRIC_FILTER_NOT_VALID"),
    ("us-east-1", "CloudWatch.14"): ("FAILED", "SNS_SUBSCRIPTION_NOT_PRESENT"),
    ("eu-west-1", "CloudWatch.5"): ("PASSED", "-"),
    ("eu-west-1", "CloudWatch.7"): ("FAILED", "CLOUDTRAIL_METRIC_FILTER_NOT_VALID"),
    ("eu-west-1", "CloudWatch.14"): ("FAILED", "SNS_SUBSCRIPTION_NOT_PRESENT"),
}


def main(path: str) -> int:
    with open(path, encoding="utf-8") as file:
        text = file.read()
    table = text.split("Findings in Security Hub", 1)[-1]
    found = {}
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[1].startswith("CloudWatch."):
            found[(fields[0], fields[1])] = (fields[2], fields[3])
    problems = [
        f"{key}: expected {want}, found {found.get(key)}" for key, want in EXPECTED.items() if found.get(key) != want
    ]
    if "ap-southeast-2: no cis-monitor findings" not in table:
        problems.append("ap-southeast-2 should hold no findings (Security Hub is not enabled there)")
    if '"skippedRegions": 1' not in text:
        problems.append("the Lambda's summary should report one skipped region")
    for problem in problems:
        print(f"check_demo: {problem}", file=sys.stderr)
    matched = sum(found.get(key) == want for key, want in EXPECTED.items())
    print(f"check_demo: {matched} of {len(EXPECTED)} findings as expected")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
