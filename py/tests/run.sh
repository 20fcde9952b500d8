#!/usr/bin/env bash
# Python package suite (called by scripts/test-all.sh from the repo root; runs from anywhere).
#
# 1. a venv at the repo root (.venv) with the pinned tools of py/requirements-dev.txt;
# 2. the wheel built with maturin (debug profile, stripped) — installed the way users install it;
# 3. checks of the wheel: abi3 tag, no runtime dependency, stubs and py.typed inside, no libpython
#    link, and `pip install --no-index` into a fresh venv (nothing else is needed to install it);
# 4. mypy's stubtest: the hand-written stubs agree with the compiled module (and mypy --strict);
# 5. pytest against the installed package (the emulator runs in-process on loopback).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
if [[ -z ${CARGO_BUILD_TARGET:-} ]]; then
  CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')
  export CARGO_BUILD_TARGET
fi
VENV=$ROOT/.venv
PY=$VENV/bin/python
WHEELS=$ROOT/target/py-wheels

step() { printf '\n--> %s\n' "$*"; }

step "venv ($VENV) with py/requirements-dev.txt"
[[ -x $PY ]] || python3 -m venv "$VENV"
stamp=$VENV/.smsauth-py-requirements
if [[ ! -f $stamp ]] || ! cmp -s py/requirements-dev.txt "$stamp"; then
  "$PY" -m pip install --quiet --disable-pip-version-check -r py/requirements-dev.txt
  cp py/requirements-dev.txt "$stamp"
fi

step "build the wheel (maturin build, debug profile)"
rm -rf "$WHEELS"
(cd py && "$VENV/bin/maturin" build --quiet --strip --interpreter "$PY" --out "$WHEELS")
shopt -s nullglob
wheels=("$WHEELS"/smsauth_sdk-*.whl)
shopt -u nullglob
[[ ${#wheels[@]} -eq 1 ]] || { echo "expected one wheel in $WHEELS, found ${#wheels[@]}" >&2; exit 1; }
wheel=${wheels[0]}
echo "$(basename "$wheel") ($(du -h "$wheel" | cut -f1))"

step "check the wheel"
"$PY" - "$wheel" <<'PYEOF'
import sys, zipfile
wheel = sys.argv[1]
problems = []
if "-cp39-abi3-" not in wheel:
    problems.append("not an abi3 (cp39) wheel")
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [l for l in z.read(meta).decode().splitlines() if l.startswith("Requires-Dist:")]
    if requires:
        problems.append(f"runtime dependencies declared: {requires}")
    for needed in ("smsauth/_native.pyi", "smsauth/py.typed", "smsauth/_native.abi3.so", "smsauth/errors.py"):
        if needed not in names:
            problems.append(f"missing {needed}")
if problems:
    sys.exit("wheel check failed: " + "; ".join(problems))
print("abi3, no Requires-Dist, stubs + py.typed + native module present")
PYEOF

step "install it (pip install --force-reinstall <wheel>)"
# Until 0.1.0 the distribution was called `smsauth` (now `smsauth-sdk`, the same files): a venv
# from before the rename must not keep both.
"$PY" -m pip uninstall --quiet --disable-pip-version-check --yes smsauth 2>/dev/null || true
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall "$wheel"
so=$("$PY" -c 'import smsauth._native as n; print(n.__file__)')
if ldd "$so" | grep -q libpython; then
  echo "the extension links libpython (it must not: abi3 extension module)" >&2
  exit 1
fi

step "pip install --no-index into a fresh venv"
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
python3 -m venv "$fresh/venv"
"$fresh/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
(cd "$fresh" && "$fresh/venv/bin/python" - <<'PYEOF'
import smsauth
from smsauth.testing import Emulator
with Emulator() as emu:
    client = emu.client()
    client.send_code("13800138000")
    assert client.check_code("13800138000", emu.last_code("13800138000"))
print(f"smsauth {smsauth.__version__} installed alone and sent + checked a code")
PYEOF
)

step "stubs agree with the module (mypy stubtest), and the package type-checks (mypy --strict)"
(cd "$fresh" && "$PY" -m mypy.stubtest smsauth && "$PY" -m mypy --strict --cache-dir "$fresh/.mypy" -p smsauth)

step "pytest"
cd py/tests
exec timeout --kill-after=10 900 "$PY" -m pytest -p no:cacheprovider -q -ra
