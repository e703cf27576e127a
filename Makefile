# cis-monitor developer tasks. Python tools (moto, cfn-lint, SAM CLI, cargo-lambda) live in
# .venv, made by scripts/setup-venv.sh; each target installs the groups it needs.
#
#   make demo     local end-to-end run: Lambda under cargo lambda watch against a seeded moto
#   make demo-org the same for an organization: cis-monitor run --organization against moto
#   make test     cargo test: unit, integration (moto_server from .venv) and doc tests
#   make lint     ruff and shellcheck (scripts), rustfmt, shared features, clippy, cfn-lint, sam validate --lint
#   make build    Lambda package for arm64: bootstrap.zip, its size checked (scripts/check_package.py)
#   make deploy   sam build && sam deploy --guided
#   make fuzz     fuzz the pattern engine or the payload parsing (cargo-fuzz; README, Fuzzing)
#   make bench    performance benchmark: release build against moto behind a latency proxy

SHELL := bash
.SHELLFLAGS := -euo pipefail -c

CARGO_TARGET_DIR ?= $(HOME)/.cache/cis-monitor/target
export CARGO_TARGET_DIR
# SAM CLI: no telemetry, no banner.
export SAM_CLI_TELEMETRY := 0

VENV_BIN := $(CURDIR)/.venv/bin
WITH_VENV := PATH="$(VENV_BIN):$$PATH"
LAMBDA_BIN := cis-monitor-lambda

.PHONY: demo demo-org test lint build deploy fuzz bench

demo:
	scripts/demo.sh

demo-org:
	scripts/demo_org.sh

test:
	scripts/setup-venv.sh test
	scripts/cold_build_notice.sh
	$(WITH_VENV) cargo test

# The helpers are linted too: every Python file (ruff.toml) and every shell script
# (.shellcheckrc).
SHELL_SCRIPTS := scripts/*.sh fuzz/*.sh .ci/run

lint:
	scripts/setup-venv.sh lint
	$(VENV_BIN)/ruff check
	$(VENV_BIN)/ruff format --check
	$(VENV_BIN)/shellcheck $(SHELL_SCRIPTS)
	cargo fmt --check
	$(VENV_BIN)/python scripts/check_shared_features.py
	cargo clippy --all-targets -- -D warnings
	$(VENV_BIN)/cfn-lint template.yaml member-role.yaml forwarder.yaml
	$(VENV_BIN)/sam validate --lint --template-file template.yaml
	$(VENV_BIN)/sam validate --lint --template-file member-role.yaml
	$(VENV_BIN)/sam validate --lint --template-file forwarder.yaml
	scripts/checkov.sh

build:
	scripts/setup-venv.sh lambda
	$(WITH_VENV) cargo lambda build --release --arm64 --bin $(LAMBDA_BIN) --output-format zip
	$(VENV_BIN)/python scripts/check_package.py $(CARGO_TARGET_DIR)/lambda/$(LAMBDA_BIN)/bootstrap.zip

# sam build runs `cargo lambda build --release --arm64 --bin cis-monitor-lambda` (from the
# template's Metadata) and keeps CARGO_TARGET_DIR; deploy asks for stack name, region and
# parameters, and can save the answers to samconfig.toml.
deploy:
	scripts/setup-venv.sh lint lambda
	$(WITH_VENV) sam build --template-file template.yaml
	$(WITH_VENV) sam deploy --guided

# Needs cargo-fuzz (cargo install cargo-fuzz); RUSTC_BOOTSTRAP lets the stable toolchain take
# its nightly flags. FUZZ_TARGET is pattern or payload; FUZZ_SECONDS bounds the run; the corpus
# and crash artifacts stay under fuzz/, the build in its own target directory.
FUZZ_TARGET ?= pattern
FUZZ_SECONDS ?= 60
fuzz:
	cd fuzz && CARGO_TARGET_DIR=$(HOME)/.cache/cis-monitor/fuzz-target RUSTC_BOOTSTRAP=1 \
		cargo fuzz run $(FUZZ_TARGET) -- -max_total_time=$(FUZZ_SECONDS)

# Release build, then every region audited against moto behind scripts/aws_proxy.py (50 ms per
# call), for the compliant and the large account; see scripts/bench.sh. Options go in
# BENCH_ARGS, e.g. make bench BENCH_ARGS="--latency-ms 20 --runs 5".
BENCH_ARGS ?=
bench:
	scripts/bench.sh $(BENCH_ARGS)
