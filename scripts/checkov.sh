#!/usr/bin/env bash
# Scans the CloudFormation templates with checkov. checkov pins its own boto3 and friends,
# which clash with moto's and sam's in .venv, so it lives in a venv of its own,
# .venv-checkov (created on first use, pinned). Every suppression is in the templates'
# Metadata (checkov: skip), each with its reason; any other failed check fails this script.
#
# Usage: scripts/checkov.sh            (PYTHON: the interpreter for the venv, default python3)
set -euo pipefail

repo="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
venv="$repo/.venv-checkov"
version="3.3.30"

if [[ "$("$venv/bin/checkov" --version 2>/dev/null || true)" != "$version" ]]; then
  "${PYTHON:-python3}" -m venv "$venv"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install -q "checkov==$version"
fi
cd -- "$repo"
# --skip-download: no call to the vendor's API (guidelines), which CI cannot reach.
"$venv/bin/checkov" --quiet --compact --skip-download --framework cloudformation \
  -f template.yaml -f member-role.yaml -f forwarder.yaml
