#!/usr/bin/env python3
"""Checks the output of `make demo`: the findings read back from each region's Security Hub
must be the ones the seeded demo account produces; after the drift (CloudWatch.5's filter
deleted, the function invoked with the event of it), CloudWatch.5 must be FAILED in each region,
naming the call, and the others unchanged. Exits 1, naming what differs, otherwise."""

import sys

EXPECTED = {
    ("us-east-1", "CloudWatch.5"): ("PASSED", "-"),
    ("us-east-1", "CloudWatch.7"): ("FAILED", "CLOUDTRAIL_METRIC_FILTER_NOT_VALID"),
    ("us-east-1", "CloudWatch.14"): ("FAILED", "SNS_SUBSCRIPTION_NOT_PRESENT"),
    ("eu-west-1", "CloudWatch.5"): ("PASSED", "-"),
    ("eu-west-1", "CloudWatch.7"): ("FAILED", "CLOUDTRAIL_METRIC_FILTER_NOT_VALID"),
    ("eu-west-1", "CloudWatch.14"): ("FAILED", "SNS_SUBSCRIPTION_NOT_PRESENT"),
}
DRIFTED = "CloudWatch.5"
# How show_findings.py names the change under the table.
DRIFT_NOTE = "FAILED since DeleteMetricFilter of metric filter cis-cloudtrail-changes"


def findings(table: str) -> dict:
    """The (status, reason) of each (region, control) row of a show_findings.py table."""
    found = {}
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[1].startswith("CloudWatch.") and fields[3] != "since":
            found[(fields[0], fields[1])] = (fields[2], fields[3])
    return found


def main(path: str) -> int:
    with open(path, encoding="utf-8") as file:
        text = file.read()
    first, _, drifted = text.split("Findings in Security Hub", 1)[-1].partition("Findings after the change")
    found, after = findings(first), findings(drifted)
    problems = [
        f"{key}: expected {want}, found {found.get(key)}" for key, want in EXPECTED.items() if found.get(key) != want
    ]
    if "ap-southeast-2: no cis-monitor findings" not in first:
        problems.append("ap-southeast-2 should hold no findings (Security Hub is not enabled there)")
    if '"skippedRegions": 1' not in text:
        problems.append("the Lambda's summary should report one skipped region")
    for (region, control), (status, _) in EXPECTED.items():
        want = "FAILED" if control == DRIFTED else status
        if after.get((region, control), ("missing",))[0] != want:
            found_after = after.get((region, control))
            problems.append(f"after the drift, {region} {control}: expected {want}, found {found_after}")
        if control == DRIFTED and f"{region} {control} {DRIFT_NOTE}" not in drifted:
            problems.append(f"after the drift, {region} {control} should name the DeleteMetricFilter call")
    for problem in problems:
        print(f"check_demo: {problem}", file=sys.stderr)
    matched = sum(found.get(key) == want for key, want in EXPECTED.items())
    drift_problems = sum(problem.startswith("after the drift") for problem in problems)
    print(
        f"check_demo: {matched} of {len(EXPECTED)} findings as expected;"
        f" after the drift, {'as expected' if not drift_problems else f'{drift_problems} problem(s)'}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
