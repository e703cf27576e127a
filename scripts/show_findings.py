#!/usr/bin/env python3
"""Print the cis-monitor findings that Security Hub holds, region by region, and account by
account.

Reads every finding with GetFindings (all pages) in each region and keeps those whose
GeneratorId starts with `cis-monitor/`. The filtering is done here, not with GetFindings
Filters, because moto ignores Filters; against AWS it also keeps other products' findings and
(in an aggregation region) other regions' copies out of the table.

By default it reads the caller's own account. With --account (repeatable) or --organization
(every ACTIVE account that organizations:ListAccounts lists to the caller, its management
account) it reads each of those accounts' own Security Hub: the caller's account with the
caller's credentials, any other by assuming its role --role (default
OrganizationAccountAccessRole), and prints one table per account. --json FILE also writes what
was read: per account and region, each finding's Id, AwsAccountId, control, status, reason
and RecordState.

Usage: show_findings.py --endpoint http://127.0.0.1:5123 --regions us-east-1,eu-west-1,ap-southeast-2
       show_findings.py --endpoint http://127.0.0.1:5123 --regions us-east-1,eu-west-1 --organization
       show_findings.py --regions eu-west-1          (no --endpoint: real AWS, default credentials)
"""

from __future__ import annotations

import argparse
import json
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError

GENERATOR_PREFIX = "cis-monitor/"
# The ASFF contract's keys of the change that turned a finding's status (README, Findings).
CHANGE_PREFIX = "cis-monitor/change/"
DESCRIPTION_WIDTH = 90
DEFAULT_ROLE = "OrganizationAccountAccessRole"


def session(endpoint: str | None, credentials: dict | None = None) -> boto3.session.Session:
    """The caller's session (the dummy keys `testing` against an emulator, else the default
    chain), or one with a role's temporary `credentials`."""
    if credentials:
        return boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
    if endpoint:
        return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.session.Session()


def service(name: str, region: str, endpoint: str | None, caller: boto3.session.Session):
    return caller.client(name, region_name=region, **({"endpoint_url": endpoint} if endpoint else {}))


def account_sessions(args: argparse.Namespace, home: str) -> list[tuple[str, str, boto3.session.Session | None]]:
    """(account, name, session) for each account to read; the caller's own account alone
    without --account or --organization (account and name then empty: not printed). A session
    is None when the account's role cannot be assumed."""
    caller = session(args.endpoint)
    if not args.accounts and not args.organization:
        return [("", "", caller)]
    own = service("sts", home, args.endpoint, caller).get_caller_identity()["Account"]
    names: dict[str, str] = {}
    if args.organization:
        pages = service("organizations", home, args.endpoint, caller).get_paginator("list_accounts").paginate()
        names = {a["Id"]: a["Name"] for page in pages for a in page["Accounts"] if a.get("Status") == "ACTIVE"}
    # The caller's own account first.
    accounts = sorted(set(names) | set(args.accounts), key=lambda account: (account != own, account))
    sessions = []
    for account in accounts:
        if account == own:
            sessions.append((account, names.get(account, ""), caller))
            continue
        role_arn = f"arn:aws:iam::{account}:role/{args.role}"
        try:
            keys = service("sts", home, args.endpoint, caller).assume_role(
                RoleArn=role_arn, RoleSessionName="show-findings"
            )["Credentials"]
        except (ClientError, BotoCoreError) as error:
            print(f"{account}: cannot assume {role_arn}: {error}")
            sessions.append((account, names.get(account, ""), None))
            continue
        sessions.append((account, names.get(account, ""), session(args.endpoint, keys)))
    return sessions


def findings(region: str, endpoint: str | None, caller: boto3.session.Session) -> list[dict]:
    client = service("securityhub", region, endpoint, caller)
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


def change_note(region: str, finding: dict) -> str:
    """The change a finding names as the cause of its status, as a line under the table; empty
    when it names none."""
    fields = finding.get("ProductFields") or {}
    name = fields.get(f"{CHANGE_PREFIX}EventName")
    if not name:
        return ""
    control = finding.get("GeneratorId", "")[len(GENERATOR_PREFIX) :]
    status = finding.get("Compliance", {}).get("Status", "-")
    resource = fields.get(f"{CHANGE_PREFIX}Resource", "?")
    by = fields.get(f"{CHANGE_PREFIX}Actor", "an unknown caller")
    at = fields.get(f"{CHANGE_PREFIX}EventTime", "?")
    return f"{region} {control} {status} since {name} of {resource} by {by} at {at}"


def control_order(control: str) -> tuple:
    head, _, number = control.partition(".")
    return (head, int(number) if number.isdigit() else 0, control)


def record(region: str, finding: dict) -> dict:
    """What --json keeps of a finding."""
    reasons = finding.get("Compliance", {}).get("StatusReasons") or [{}]
    return {
        "Id": finding.get("Id"),
        "AwsAccountId": finding.get("AwsAccountId"),
        "Region": region,
        "Control": finding.get("GeneratorId", "")[len(GENERATOR_PREFIX) :],
        "Status": finding.get("Compliance", {}).get("Status"),
        "ReasonCode": reasons[0].get("ReasonCode"),
        "RecordState": finding.get("RecordState"),
        "ChangedBy": (finding.get("ProductFields") or {}).get(f"{CHANGE_PREFIX}EventName"),
    }


def show_account(regions: list[str], endpoint: str | None, caller: boto3.session.Session) -> tuple[dict, int]:
    """Prints one account's table; returns its findings by region (as --json writes them) and
    the number of regions whose findings could not be read."""
    header = ["REGION", "CONTROL", "STATUS", "REASON", "DESCRIPTION"]
    rows, notes, errors, read = [], [], 0, {}
    for region in regions:
        try:
            found = findings(region, endpoint, caller)
        except (ClientError, BotoCoreError) as error:
            notes.append(f"{region}: cannot read findings: {error}")
            errors += 1
            continue
        read[region] = [record(region, f) for f in found]
        if not found:
            notes.append(f"{region}: no cis-monitor findings")
            continue
        found.sort(key=lambda f: control_order(f.get("GeneratorId", "")[len(GENERATOR_PREFIX) :]))
        rows.extend(row(region, f) for f in found)
        notes.extend(note for note in (change_note(region, f) for f in found) if note)

    if rows:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        for r in [header, *rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(r[:-1], widths, strict=True)) + "  " + r[-1])
    for note in notes:
        print(note)
    return read, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="moto server URL; omit to read from AWS")
    parser.add_argument("--regions", required=True, help="comma-separated regions, e.g. us-east-1,eu-west-1")
    parser.add_argument(
        "--account", dest="accounts", action="append", default=[], metavar="ID", help="an account to read (repeatable)"
    )
    parser.add_argument(
        "--organization", action="store_true", help="read every ACTIVE account of the caller's organization"
    )
    parser.add_argument(
        "--role",
        default=DEFAULT_ROLE,
        metavar="NAME",
        help=f"the role assumed in each account but the caller's (default {DEFAULT_ROLE})",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the findings read to FILE, as JSON")
    args = parser.parse_args()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    if not regions:
        parser.error("--regions names no region")

    try:
        accounts = account_sessions(args, regions[0])
    except (ClientError, BotoCoreError) as error:
        print(f"cannot list the accounts to read: {error}")
        return 1
    read, errors = [], 0
    for account, name, caller in accounts:
        if account:
            print(f"\n== account {account}" + (f" ({name})" if name else ""))
        if caller is None:
            read.append({"account": account, "name": name or None, "regions": {}, "error": "role not assumed"})
            errors += 1
            continue
        found, failed = show_account(regions, args.endpoint, caller)
        read.append({"account": account or None, "name": name or None, "regions": found})
        errors += failed
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump({"accounts": read}, file, indent=2)
            file.write("\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
