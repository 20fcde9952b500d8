#!/usr/bin/env bash
# Installs what the tests need and runs every test in every language. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
step() { printf '\n==> %s\n' "$*"; }
export CARGO_TERM_COLOR=never

step "rustfmt"
cargo fmt --all --check

step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests (unit, conformance vectors, loopback HTTP, doc examples)"
cargo test --workspace --locked

step "rustdoc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "all tests passed"
