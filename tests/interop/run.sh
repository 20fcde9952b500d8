#!/usr/bin/env bash
# The official SDKs are the judges: the official Python (alibabacloud-dypnsapi20170525) and Node
# (@alicloud/dypnsapi20170525) packages, installed from the registries at pinned versions, run
# against `smsauth emulator`, which verifies their V1 and V3 signatures with the core.
#
# Installs into build/venv-official and tests/interop/node/node_modules, builds the CLI, starts one
# emulator per SDK, runs the SDK's cases, and checks in the emulator's request log that both
# signature versions really arrived. First, with the same installs, tests/vectors/record/record.py
# records both SDKs' requests for the committed tests/vectors/official-*.json (fixed nonce and
# time) and checks that the committed files equal the fresh recording. Ends with "N passed,
# M failed"; exits non-zero on a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=tests/interop
OUT=build/interop
mkdir -p "$OUT"
CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_BUILD_TARGET

# --- install ------------------------------------------------------------------------------------
VENV=build/venv-official
if [[ ! -x $VENV/bin/python ]] || ! cmp -s "$HERE/requirements.txt" "$VENV/.requirements.txt"; then
  echo "installing the official Python SDK into $VENV"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian ships venv separately; the test machine may install Debian packages.
    scripts/apt-install.sh python3-venv
    rm -rf "$VENV"
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$VENV/.requirements.txt"
fi
if [[ ! "$HERE/node/node_modules/.package-lock.json" -nt "$HERE/node/package-lock.json" ]]; then
  echo "installing the official Node SDK (npm ci)"
  (cd "$HERE/node" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

# --- build --------------------------------------------------------------------------------------
cargo build --quiet -p smsauth-cli
BIN="target/$CARGO_BUILD_TARGET/debug/smsauth"

# --- run ----------------------------------------------------------------------------------------
passed=0
failed=0
tally() { # tally OUTPUT_FILE: count "ok -" / "not ok -" lines
  local ok bad
  ok=$(grep -c '^ok - ' "$1" || true)
  bad=$(grep -c '^not ok - ' "$1" || true)
  passed=$((passed + ok))
  failed=$((failed + bad))
}
result() { # result NAME CONDITION-EXIT-STATUS
  if [[ $2 -eq 0 ]]; then echo "ok - $1"; passed=$((passed + 1)); else echo "not ok - $1"; failed=$((failed + 1)); fi
}

run_sdk() { # run_sdk NAME COMMAND...
  local name=$1 log="$OUT/emulator-$1.log" out="$OUT/$1.out" ready endpoint status=0
  shift
  coproc EMU { exec "$BIN" emulator --port 0 --exit-on-stdin-eof 2>"$log"; }
  local emu_pid=$EMU_PID
  if ! read -r -t 30 ready <&"${EMU[0]}"; then
    echo "not ok - $name: the emulator printed no ready line"; failed=$((failed + 1)); return
  fi
  endpoint=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["endpoint"])' "$ready")
  echo "== $name SDK against $endpoint"
  timeout 120 "$@" "$endpoint" >"$out" 2>&1 || status=$?
  cat "$out"
  exec {EMU[1]}>&-
  wait "$emu_pid" || true
  tally "$out"
  if [[ $status -ne 0 ]] && ! grep -q '^not ok - ' "$out"; then
    echo "not ok - $name: the suite exited with status $status without reporting a failure"
    failed=$((failed + 1))
  fi
  # The emulator verified both signature versions from this SDK (V1 = signature_algorithm 'v2').
  for v in v1 v3; do
    local n
    n=$(grep -c "POST SendSmsVerifyCode $v -> 200 OK" "$log" || true)
    result "$name: the emulator verified $n V${v#v} sends (expected >= 2)" $((n >= 2 ? 0 : 1))
  done
  n=$(grep -c -- '-> 400 SignatureNonceUsed' "$log" || true)
  result "$name: the emulator refused $n replays (expected 2)" $((n == 2 ? 0 : 1))
}

started=$SECONDS
echo "== the committed vectors against a fresh recording (tests/vectors/record/record.py)"
status=0
timeout 180 "$VENV/bin/python" tests/vectors/record/record.py >"$OUT/record.out" 2>&1 || status=$?
cat "$OUT/record.out"
tally "$OUT/record.out"
if [[ $status -ne 0 ]] && ! grep -q '^not ok - ' "$OUT/record.out"; then
  echo "not ok - record.py exited with status $status without reporting a difference"
  failed=$((failed + 1))
fi
run_sdk python "$VENV/bin/python" "$HERE/official_python.py"
run_sdk node node "$HERE/node/official_node.js"
echo "interop finished in $((SECONDS - started)) s (emulator logs in $OUT/)"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
