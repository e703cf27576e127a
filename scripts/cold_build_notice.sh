#!/usr/bin/env bash
# Prints one line before the first debug build in a target directory: compiling the AWS SDK
# takes minutes on a fresh machine, and cargo is quiet for long stretches meanwhile. Silent
# once the SDK is built. Called by scripts/demo.sh, scripts/demo_org.sh and `make test`.
set -euo pipefail

deps="${CARGO_TARGET_DIR:-$HOME/.cache/cis-monitor/target}/debug/deps"
if ! compgen -G "$deps/libaws_sdk_sts-*.rlib" >/dev/null; then
  echo "First build in $(dirname -- "$deps"): compiling the AWS SDK takes several minutes (5 to 12 on 2 cores); later builds take seconds."
fi
