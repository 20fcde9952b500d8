#!/usr/bin/env bash
# The docs suite: every fenced code block in docs/*.md and README.md is executed (or explicitly
# marked as not runnable, with a reason) — see tests/docs/README.md for the conventions.
#
# Runs after py/tests/run.sh and node/tests/run.sh in scripts/test-all.sh and reuses what they
# built (the .venv with the smsauth wheel, the node/ addon); when they have not run, it builds
# the missing pieces itself. C blocks link the libsmsauth staged by ffi-c/install.sh (the same
# cargo command as the C suite, so it is fresh); Rust blocks are compiled together into one
# binary against the rlibs of that same build (one rustc run, nothing else recompiled).
# Ends with "N passed, M failed, K skipped"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
: "${CARGO_BUILD_TARGET:=$(rustc -vV | sed -n 's/^host: //p')}"
export CARGO_BUILD_TARGET
WORK=$ROOT/target/$CARGO_BUILD_TARGET/docs-tests
PY=$ROOT/.venv/bin/python
step() { printf -- '--> docs: %s (at %d s)\n' "$*" "$SECONDS"; }

rm -rf "$WORK"
mkdir -p "$WORK"

# --- Python: the venv py/tests/run.sh made, with the wheel installed -----------------------------
if ! "$PY" -c 'import smsauth.testing' 2>/dev/null; then
  step "smsauth is not installed in .venv (py/tests/run.sh has not run): building the wheel"
  [[ -x $PY ]] || python3 -m venv "$ROOT/.venv"
  "$PY" -m pip install --quiet --disable-pip-version-check -r py/requirements-dev.txt
  (cd py && "$ROOT/.venv/bin/maturin" build --quiet --strip --interpreter "$PY" --out "$WORK/wheels")
  "$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall "$WORK"/wheels/smsauth_sdk-*.whl
fi

# --- Node: the addon node/tests/run.sh built -----------------------------------------------------
if ! (cd node && node -e "require('./index.js')") 2>/dev/null; then
  step "the node/ addon is not built (node/tests/run.sh has not run): building it"
  if [[ ! -f node/node_modules/.package-lock.json || node/package-lock.json -nt node/node_modules/.package-lock.json ]]; then
    (cd node && npm ci --no-audit --no-fund)
  fi
  (cd node && node_modules/.bin/napi build --platform --js native.js --dts native.d.ts)
fi

# --- C and Rust: libsmsauth staged with pkg-config, and the rlibs of the same build ----------------
step "cargo rustc -p smsauth-ffi (the C suite's build) and ffi-c/install.sh into $WORK/prefix"
cargo rustc --quiet -p smsauth-ffi --lib --message-format=json -- --print native-static-libs \
  >"$WORK/cargo.json" 2>"$WORK/cargo.log" || { cat "$WORK/cargo.log" >&2; exit 1; }
python3 - "$WORK/cargo.json" "$WORK/rustc-args.json" <<'PYEOF'
import json, os, sys
externs, dirs, native = {}, [], []
wanted = {"smsauth": "smsauth", "smsauth_emulator": "smsauth_emulator", "tokio": "tokio", "serde_json": "serde_json"}
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.startswith("{"):
        continue
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact":
        t = m["target"]
        for f in m["filenames"]:
            d = os.path.dirname(f)
            if f.endswith((".rlib", ".so", ".rmeta")) and d not in dirs and "/deps" in d:
                dirs.append(d)
        if t["kind"] == ["lib"] and t["name"] in wanted:
            rlib = [f for f in m["filenames"] if f.endswith(".rlib")]
            if rlib:
                externs[wanted[t["name"]]] = rlib[0]
    elif m.get("reason") == "build-script-executed":
        for p in m.get("linked_paths", []):
            if p not in native:
                native.append(p)
missing = set(wanted.values()) - set(externs)
if missing:
    sys.exit(f"cargo did not report rlibs for {sorted(missing)}")
args = []
for d in dirs:
    args += ["-L", f"dependency={d}"]
for p in native:
    args += ["-L", p]
for name, path in sorted(externs.items()):
    args += ["--extern", f"{name}={path}"]
json.dump(args, open(sys.argv[2], "w"))
PYEOF
ffi-c/install.sh --prefix "$WORK/prefix" >/dev/null

step "cargo build -p smsauth-cli (the emulator and the CLI)"
cargo build --quiet -p smsauth-cli
BIN=$ROOT/target/$CARGO_BUILD_TARGET/debug/smsauth

# --- Tools: cmake (docs/c-linking.md) from PyPI when the machine has none -------------------------
mkdir -p "$WORK/bin"
if ! command -v cmake >/dev/null; then
  TOOLS=$ROOT/target/$CARGO_BUILD_TARGET/docs-tools-venv
  if ! cmp -s tests/docs/requirements.txt "$TOOLS/.requirements.txt"; then
    step "cmake is not installed: pip install -r tests/docs/requirements.txt into $TOOLS"
    rm -rf "$TOOLS"
    python3 -m venv "$TOOLS"
    "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/docs/requirements.txt
    cp tests/docs/requirements.txt "$TOOLS/.requirements.txt"
  fi
  ln -sf "$TOOLS/bin/cmake" "$WORK/bin/cmake"
fi
export PATH=$WORK/bin:$PATH

step "run the blocks"
shopt -s nullglob
docs=(docs/*.md README.md)
exec timeout --kill-after=10 600 python3 tests/docs/run_docs.py --work "$WORK" --python "$PY" \
  --smsauth-bin "$BIN" --prefix "$WORK/prefix" --rust-args "$WORK/rustc-args.json" "${docs[@]}"
