#!/usr/bin/env bash
# Python benchmark (not part of the test suite): smsauth vs the official
# alibabacloud-dypnsapi20170525 SDK, in one run, against the same local upstream.
#
#   bench/python/run.sh [--duration SECONDS] [--out FILE]
#
# Builds the release wheel (maturin build --release), installs it and the official SDK into the
# benchmark's own venv (target/bench-python/venv), then runs bench.py, which prints a Markdown
# table (also written to target/bench-python/results.md unless --out says otherwise).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
if [[ -z ${CARGO_BUILD_TARGET:-} ]]; then
  CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')
  export CARGO_BUILD_TARGET
fi
WORK=$ROOT/target/bench-python
VENV=$WORK/venv
OFFICIAL=alibabacloud-dypnsapi20170525==2.0.0
MATURIN=maturin==1.16.0

mkdir -p "$WORK"
[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$OFFICIAL" "$MATURIN"

echo "--> maturin build --release"
rm -rf "$WORK/wheels"
(cd py && "$VENV/bin/maturin" build --quiet --release --interpreter "$VENV/bin/python" --out "$WORK/wheels")
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall "$WORK"/wheels/smsauth-*.whl

args=("$@")
[[ " ${args[*]} " == *" --out "* ]] || args+=(--out "$WORK/results.md")
echo "--> bench.py ${args[*]}"
cd "$WORK"
exec "$VENV/bin/python" "$ROOT/bench/python/bench.py" "${args[@]}"
