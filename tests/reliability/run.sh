#!/usr/bin/env bash
# The reliability suite beyond `cargo test` (issue #8; called by scripts/test-all.sh from the repo
# root): the 30 s load test — 64 concurrent Rust clients against one emulator, 0 errors, flat
# memory (emulator/tests/load.rs, `#[ignore]`d in `cargo test` because of its length). Debug
# build. Also proves the fuzz targets still compile. The fault matrix, resource, secret, TLS and property tests run in `cargo test`; the C
# ones in ffi-c/tests/run.sh. See docs/reliability.md.
# Ends with "N passed, M failed" and a non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

: "${CARGO_BUILD_TARGET:=$(rustc -vV | sed -n 's/^host: //p')}"
export CARGO_BUILD_TARGET
out=target/$CARGO_BUILD_TARGET/reliability
mkdir -p "$out"

passed=0
failed=0

echo "--- load: 64 clients x ${SMSAUTH_LOAD_SECS:-30} s (emulator/tests/load.rs)"
start=$SECONDS
cargo test -p smsauth-emulator --test load --quiet -- --ignored --nocapture >"$out/load.log" 2>&1
rc=$?
grep -E '^64 clients|panicked|first error|RSS grew|did not fill' "$out/load.log" | sed 's/^/    /'
if [[ $rc -eq 0 ]] && grep -q '^test result: ok. 1 passed' "$out/load.log"; then
  passed=$((passed + 1))
  echo "ok   load test ($((SECONDS - start)) s)"
else
  tail -n 40 "$out/load.log" | sed 's/^/    /'
  failed=$((failed + 1))
  echo "FAIL load test (exit $rc)"
fi

# The fuzz targets need nightly + cargo-fuzz to *run* (fuzz/README.md), but they must keep
# compiling: checked here on the stable toolchain, sharing this target dir so only the fuzz
# crate, libfuzzer-sys and the `fuzzing` feature's crates are built.
echo "--- fuzz targets compile (cargo check --manifest-path fuzz/Cargo.toml --bins)"
start=$SECONDS
if CARGO_TARGET_DIR=$PWD/target cargo check --quiet --locked --manifest-path fuzz/Cargo.toml --bins >"$out/fuzz.log" 2>&1; then
  passed=$((passed + 1))
  echo "ok   fuzz targets compile ($((SECONDS - start)) s)"
else
  tail -n 40 "$out/fuzz.log" | sed 's/^/    /'
  failed=$((failed + 1))
  echo "FAIL fuzz targets compile"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
