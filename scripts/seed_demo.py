#!/usr/bin/env python3
"""Seed a moto server with the cis-monitor demo account.

The healthy account of moto_account.py (one account, 123456789012; one multi-region CloudTrail
trail homed in us-east-1 that delivers to a CloudWatch Logs group; one chain per control, with
the canonical patterns `cis-monitor controls` reports), each chain changed to show a different
verdict:

  CloudWatch.5   healthy chain; the filter pattern lists the five events in another order than
                 the CIS text, so Security Hub's own control (exact text only) would fail it,
                 while cis-monitor (which decides by meaning) passes it.
  CloudWatch.7   the filter adds a narrowing clause ($.userIdentity.type = Root): only root's
                 DisableKey/ScheduleKeyDeletion calls reach the alarm. FAILED at the filter.
  CloudWatch.14  the exact CIS pattern and a working alarm, but the alarm's SNS topic has no
                 subscriber: nobody is told. FAILED at the subscriber.

Security Hub is enabled in us-east-1 and eu-west-1, not in ap-southeast-2.

Usage: seed_demo.py --endpoint http://127.0.0.1:5123 [--reset] [--cis-monitor PATH]
Only talks to the given endpoint, with the dummy credentials `testing`.
"""

from __future__ import annotations

import argparse
import dataclasses

from moto_account import (
    ACCOUNT,
    HOME,
    LOG_GROUP,
    NAMESPACE,
    TOPIC,
    Chain,
    add_cis_monitor_argument,
    cis_controls,
    client,
    healthy_chains,
    moto_post,
    seed_monitoring,
)

SCRIPT = "seed_demo.py"
SECURITY_HUB_REGIONS = ["us-east-1", "eu-west-1"]
AUDITED_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
BUCKET = f"cis-monitor-demo-cloudtrail-{ACCOUNT}"
UNSUBSCRIBED_TOPIC = "vpc-alerts"

# Where the demo departs from the healthy account (moto_account.healthy_chains), per control:
# what it changes, and what to expect.
DEPARTURES = {
    "CloudWatch.5": (
        {
            "pattern": "{ ($.eventName = StopLogging) || ($.eventName = StartLogging) || ($.eventName = CreateTrail)"
            " || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) }"
        },
        "PASSED (same events as the CIS pattern, reordered: not the exact CIS text)",
    ),
    "CloudWatch.7": (
        {
            "pattern": "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey)"
            " || ($.eventName = ScheduleKeyDeletion)) && ($.userIdentity.type = Root) }"
        },
        "FAILED CLOUDTRAIL_METRIC_FILTER_NOT_VALID (the Root clause drops every non-root caller)",
    ),
    "CloudWatch.14": (
        {"topic": UNSUBSCRIBED_TOPIC},
        f"FAILED SNS_SUBSCRIPTION_NOT_PRESENT (exact CIS pattern, but topic {UNSUBSCRIBED_TOPIC} has no subscriber)",
    ),
}


def demo_chains(controls: list[dict]) -> list[tuple[Chain, str]]:
    """The healthy chains with the demo's departures, each with what to expect of it."""
    chains = []
    for chain in healthy_chains(controls, SCRIPT):
        changes, expect = DEPARTURES.get(chain.control, ({}, "PASSED"))
        description = f"{chain.control}: {chain.metric} >= 1 in 5 minutes"
        chains.append((dataclasses.replace(chain, description=description, **changes), expect))
    return chains


def seed(endpoint: str, cis_monitor: str) -> dict:
    chains = demo_chains(cis_controls(cis_monitor, SCRIPT))
    seeded = seed_monitoring(
        endpoint, SCRIPT, BUCKET, [chain for chain, _ in chains], unsubscribed={UNSUBSCRIBED_TOPIC}
    )
    for region in SECURITY_HUB_REGIONS:
        client("securityhub", endpoint, region).enable_security_hub(EnableDefaultStandards=False)
    return {**seeded, "chains": chains}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5123")
    parser.add_argument("--reset", action="store_true", help="wipe the moto server first (POST /moto-api/reset)")
    add_cis_monitor_argument(parser)
    args = parser.parse_args()

    if args.reset:
        moto_post(args.endpoint, "/moto-api/reset")
    seeded = seed(args.endpoint, args.cis_monitor)

    print(f"Seeded account {ACCOUNT} at {args.endpoint}:")
    print(f"  trail      {seeded['trail_arn']}")
    print(f"             multi-region, logging, management events All; home {HOME}")
    print(f"  log group  {LOG_GROUP} ({HOME}), three metric filters in namespace {NAMESPACE}")
    print(f"  topics     {TOPIC} (1 e-mail subscriber), {UNSUBSCRIBED_TOPIC} (no subscriber)")
    print(f"  Security Hub enabled in {', '.join(SECURITY_HUB_REGIONS)}; not in ap-southeast-2")
    print()
    print(f"Expected verdicts, the same in each audited region ({', '.join(AUDITED_REGIONS)}),")
    print(f"since the {HOME} trail is multi-region and every chain runs through its {HOME} log group:")
    for chain, expect in seeded["chains"]:
        print(f"  {chain.control:<14} {chain.filter_name:<24} {expect}")
    print("Expected in Security Hub: 3 findings each in us-east-1 and eu-west-1; none in ap-southeast-2")
    print("(not enabled there: the import is skipped and reported in the run summary).")


if __name__ == "__main__":
    main()
