#!/usr/bin/env python3
"""Checks the result of `make demo-org`: the findings read back from each account's own
Security Hub (scripts/show_findings.py --organization --json FILE) must be the ones the seeded
organization (scripts/seed_org_demo.py) produces. In every ACTIVE account of the organization
(the management account and the members `security` and `workload`) and in each of us-east-1
and eu-west-1: one ACTIVE finding per control, with AwsAccountId and the Id naming that
account and region, and the expected verdict. Exits 1, naming what differs, otherwise.

Usage: check_demo_org.py FINDINGS.json
"""

import json
import sys

MANAGEMENT = "123456789012"
MEMBERS = {"security", "workload"}
REGIONS = ["us-east-1", "eu-west-1"]
EXPECTED = {
    "CloudWatch.5": ("PASSED", None),
    "CloudWatch.7": ("PASSED", None),
    "CloudWatch.14": ("FAILED", "SNS_SUBSCRIPTION_NOT_PRESENT"),
}


def check_account(entry: dict, problems: list[str]) -> int:
    """Appends what is wrong with one account's findings; returns how many were as expected."""
    account = entry.get("account")
    if entry.get("error"):
        problems.append(f"{account}: findings not read ({entry['error']})")
        return 0
    matched = 0
    for region in REGIONS:
        found = entry.get("regions", {}).get(region)
        if found is None:
            problems.append(f"{account} {region}: findings not read")
            continue
        active = [f for f in found if f.get("RecordState") == "ACTIVE"]
        by_control: dict[str, list[dict]] = {}
        for finding in active:
            by_control.setdefault(finding.get("Control"), []).append(finding)
        for control in sorted(set(by_control) - set(EXPECTED)):
            problems.append(f"{account} {region}: unexpected ACTIVE finding for {control}")
        for control, (status, reason) in EXPECTED.items():
            findings = by_control.get(control, [])
            if len(findings) != 1:
                problems.append(f"{account} {region} {control}: {len(findings)} ACTIVE findings, expected 1")
                continue
            finding = findings[0]
            wrong = []
            if finding.get("AwsAccountId") != account:
                wrong.append(f"AwsAccountId {finding.get('AwsAccountId')}")
            if finding.get("Id") != f"cis-monitor/{account}/{region}/{control}":
                wrong.append(f"Id {finding.get('Id')}")
            if (finding.get("Status"), finding.get("ReasonCode")) != (status, reason):
                wrong.append(f"verdict {finding.get('Status')} {finding.get('ReasonCode')}, expected {status} {reason}")
            if wrong:
                problems.append(f"{account} {region} {control}: " + "; ".join(wrong))
            else:
                matched += 1
    return matched


def main(path: str) -> int:
    with open(path, encoding="utf-8") as file:
        accounts = json.load(file).get("accounts", [])
    problems: list[str] = []
    ids = {entry.get("account") for entry in accounts}
    names = {entry.get("name") for entry in accounts if entry.get("account") != MANAGEMENT}
    if MANAGEMENT not in ids:
        problems.append(f"the management account {MANAGEMENT} was not read")
    if names != MEMBERS or len(accounts) != len(MEMBERS) + 1:
        problems.append(f"expected the management account and members {sorted(MEMBERS)}, read {sorted(ids)}")
    matched = sum(check_account(entry, problems) for entry in accounts)
    for problem in problems:
        print(f"check_demo_org: {problem}", file=sys.stderr)
    expected = (len(MEMBERS) + 1) * len(REGIONS) * len(EXPECTED)
    print(f"check_demo_org: {matched} of {expected} findings as expected")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.rsplit("Usage: ", 1)[-1].strip())
    sys.exit(main(sys.argv[1]))
