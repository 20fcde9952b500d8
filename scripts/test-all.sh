#!/usr/bin/env bash
# Installs what the tests need and runs every test in every language. CI runs exactly this.
#
# Each part of the project owns one script under its own folder (listed in SUITES); this file
# only runs them in order and sums up. A suite prints its own closing "N passed, M failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# One target directory for cargo, maturin and napi (napi always passes --target; see
# docs/toolchain notes), so the core is compiled once for every binding.
CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_BUILD_TARGET
export SMSAUTH_TARGET_DIR="$PWD/target/$CARGO_BUILD_TARGET/debug"

step() { printf '\n==> %s\n' "$*"; }
source scripts/run-suites.sh

step "the suite runner fails on a failing, missing or non-executable suite"
scripts/tests/run-suites.sh

step "rustfmt"
cargo fmt --all --check

step "clippy (every crate, all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (unit, conformance vectors, loopback HTTP, emulator, CLI, doc examples)"
cargo test

step "rustdoc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

SUITES=(
  tests/interop/run.sh         # the official Python and Node SDKs against the emulator
  tests/redis/run.sh           # the abuse guard's Redis store against a real redis-server
  ffi-c/tests/run.sh           # C ABI: header drift, C11/C++ programs, shared + static, valgrind
  tests/reliability/run.sh     # 64 Rust clients x 30 s against one emulator; fuzz targets compile
  py/tests/run.sh              # Python wheel: venv, maturin, pytest
  node/tests/run.sh            # Node package: npm ci, napi build, node --test, npm pack
  tests/install/run.sh         # pip/npm/cargo install by name from local registries (pypiserver, verdaccio, .crate files)
  examples/signup/test/run.sh  # the sign-up example app, driven in headless Chromium
  tests/docs/run.sh            # every code sample in docs/ and README.md (reuses the builds above)
)
run_suites "${SUITES[@]}"

step "all suites passed"
