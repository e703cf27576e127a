#!/usr/bin/env python3
"""An HTTP proxy between an AWS SDK and an emulator (moto_server): adds latency, injects
faults, cuts regions off, answers as AWS does where moto does not, and counts every call.

Usage:
  aws_proxy.py --listen 127.0.0.1:PORT --upstream http://127.0.0.1:MOTOPORT
               [--latency-ms 50] [--fail-share 0.2] [--fail-kinds 503,throttle] [--seed 7]
               [--cut-region eu-west-1]... [--cut-mode reset|hang] [--hub-check]
               [--refuse-findings CODE] [--trail-delivery] [--org-trails]
               [--assume-role-check] [--port-file FILE]

Point the SDK at it with AWS_ENDPOINT_URL=http://127.0.0.1:PORT. Standard library only. This
file is the command line; each job is a unit of its own beside it, which documents it:

  proxy_calls.py       what a call is (region, service, operation, protocol) and the counters
  proxy_faults.py      fault injection: cut regions, latency, random faults and their bodies
  proxy_emulation.py   AWS behaviour moto lacks (--hub-check, --refuse-findings,
                       --org-trails, --trail-delivery, --assume-role-check), one class each
  proxy_forwarding.py  the server, the upstream connections, and the answer streamed back

Per call, in this order:
  1. counted, per service:Operation and per region (faulted and cut calls included);
  2. --cut-region R: a call whose region is R gets no answer (--cut-mode reset or hang);
  3. --latency-ms: sleeps that long, in the call's own thread;
  4. --fail-share P: a seeded random draw (--seed) decides whether to answer with a fault of
     one of --fail-kinds (503, throttle) instead of forwarding;
  5. --hub-check: a Security Hub call in a region where Security Hub is not enabled is refused
     as AWS refuses it (InvalidAccessException); needs moto without IAM enforcement;
  6. --refuse-findings CODE: in BatchImportFindings, each finding's first import is refused
     inside the successful call, with ErrorCode CODE;
  7. --org-trails: a member account's DescribeTrails also lists its organization's trails (the
     management account's, IsOrganizationTrail) that the region sees, as AWS shows them and
     moto does not; a member's GetTrailStatus, GetEventSelectors, GetInsightSelectors and
     GetTrail of such a trail (by ARN) go on as the management account's. Needs moto without
     IAM enforcement;
  8. --trail-delivery: GetTrailStatus is forwarded, and a 200 answer gets the trail's delivery
     to CloudWatch Logs, which moto does not report: LatestCloudWatchLogsDeliveryTime (now)
     when the trail's CloudWatchLogsRoleArn names a role that exists in IAM, else
     LatestCloudWatchLogsDeliveryError; nothing for a trail without a log group. The trail and
     the role are asked of moto's API, or under IAM enforcement of its state dump;
  9. --assume-role-check: sts:AssumeRole of a role that does not exist in IAM, or whose trust
     policy does not let the caller in, is refused as AWS refuses it (403 AccessDenied); moto
     grants any. Needs moto without IAM enforcement;
 10. otherwise forwarded unchanged (method, path, query, headers including Host, so SigV4 stays
     valid; body) over a kept-alive upstream connection, and the answer is streamed back.

Control endpoints, never forwarded nor counted:
  GET  /__proxy/stats   {"calls": {"cloudtrail:DescribeTrails": 32, ...}, "total": N,
                         "faults": N, "cut": N, "byRegion": {"us-east-1": N, ...}}
                        With ?timeline=1 also "timeline": one [arrived, answered, "service:Op",
                        region, outcome] per call (proxy_calls.py). A call enters the timeline
                        just before its answer is flushed.
  POST /__proxy/reset   zeroes the counters and re-seeds the fault generator with --seed, so
                        every measured run after a reset sees the same fault sequence.

Nothing is printed to stdout; errors go to stderr. --port-file receives the bound port (use
port 0 for a free one) once the proxy accepts connections.
"""

from __future__ import annotations

import argparse
import os
import sys

import proxy_emulation
import proxy_faults
from proxy_forwarding import ProxyServer, serve


def parse_listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--listen", type=parse_listen, default=("127.0.0.1", 0), help="HOST:PORT (port 0: any free port)"
    )
    parser.add_argument("--upstream", required=True, help="the emulator, http://HOST:PORT")
    proxy_faults.add_arguments(parser)
    proxy_emulation.add_arguments(parser)
    parser.add_argument("--port-file", help="write the bound port here once listening")
    options = parser.parse_args()

    faults = proxy_faults.Faults(options)
    emulations = proxy_emulation.enabled(options)
    try:
        server = ProxyServer(options.listen, options.upstream, faults, emulations)
    except OSError as error:
        sys.exit(f"aws_proxy: cannot listen on {options.listen[0]}:{options.listen[1]}: {error}")
    if options.port_file:
        tmp = f"{options.port_file}.{os.getpid()}.tmp"
        with open(tmp, "w") as handle:
            handle.write(f"{server.server_address[1]}\n")
        os.replace(tmp, options.port_file)
    serve(server)


if __name__ == "__main__":
    main()
