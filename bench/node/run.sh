#!/usr/bin/env bash
# Benchmark smsauth (release build) against the official @alicloud/dypnsapi20170525 in one run,
# against the same local upstream; prints a Markdown table. Not part of the test suite.
#
#   bench/node/run.sh            # DURATION_S=3 by default (seconds per throughput phase)
#
# Takes about a minute after the release build (which takes a few minutes cold on 2 cores).
set -euo pipefail
cd "$(dirname "$0")"
BENCH_DIR=$PWD
PKG_DIR=$(cd ../../node && pwd)

CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_BUILD_TARGET

# The official SDK, pinned by this folder's lockfile.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund >&2
fi

# smsauth as users get it from npm: the release addon (the test suite builds debug over it).
(
  cd "$PKG_DIR"
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund >&2
  fi
  node_modules/.bin/napi build --platform --release --js native.js --dts native.d.ts >&2
)

SMSAUTH_PACKAGE=$PKG_DIR node "$BENCH_DIR/bench.js"
