#!/usr/bin/env bash
# Installs every package *by name* from a real local registry, the way users will
# (scripts/test-all.sh runs it after the Python and Node suites and reuses their debug builds):
#
# 0. one version: tests/install/check_version.py (Cargo.toml's workspace version everywhere);
# a. PyPI: pypiserver (pinned in requirements.txt, own venv) on a random loopback port serves the
#    wheel py/tests/run.sh built plus a fresh sdist — nothing else; `twine check` both; a fresh
#    venv runs `pip install smsauth-sdk --index-url …` and sends + checks a code, sync and asyncio;
# b. npm: verdaccio (pinned in npm/package-lock.json) on a random loopback port with a throwaway
#    storage; the platform package smsauth-linux-x64-gnu and the main package (its
#    optionalDependencies naming the platform package, as `napi pre-publish` writes them) are
#    `npm publish`ed; a fresh project runs `npm install smsauth` and uses it from ESM and CJS;
# c. crates: `cargo package` of smsauth, smsauth-emulator and smsauth-cli (dependency order,
#    --no-verify: a crate's dependency on its sibling names a version crates.io does not have yet;
#    the build below is the verification); a fresh workspace depends on `smsauth = "0.1.0"` and
#    `smsauth-emulator` by name with [patch.crates-io] pointing at the unpacked .crate files (so
#    cargo resolves exactly what a registry would serve), builds offline, runs send + check, and
#    builds the packaged CLI and runs `smsauth demo`.
#
# release/run runs the same checks with the portable release artefacts: SMSAUTH_INSTALL_WHEEL
# (a wheel file), SMSAUTH_INSTALL_SDIST (the sdist) and SMSAUTH_INSTALL_NODE_ADDON (a
# linux-x64-gnu .node file) override the debug artefacts.
# Prints ok/FAIL per check and closes with "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_BUILD_TARGET CARGO_TERM_COLOR=never
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
HERE=$ROOT/tests/install
TOOLS=$ROOT/target/install-tools # pypiserver + twine venv (cached while requirements.txt is unchanged)

step() { printf '\n--> install: %s\n' "$*"; }
passed=0 failed=0
check() { # check NAME COMMAND...: runs it, prints ok or FAIL with the end of its output
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    printf '%s\n' "$out" | tail -n 40 | sed 's/^/     /'
    failed=$((failed + 1))
  fi
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # wait_http URL: up to 60 s for a server to answer
  local i
  for i in $(seq 1 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
step "0. one version ($VERSION)"
WHEEL=${SMSAUTH_INSTALL_WHEEL:-}
if [[ -z $WHEEL ]]; then
  shopt -s nullglob
  wheels=("$ROOT"/target/py-wheels/smsauth_sdk-"$VERSION"-*.whl)
  shopt -u nullglob
  if [[ ${#wheels[@]} -ne 1 ]]; then
    echo "install: no wheel in target/py-wheels; building one (py/tests/run.sh normally does)"
    [[ -x $ROOT/.venv/bin/maturin ]] || { python3 -m venv "$ROOT/.venv" && "$ROOT/.venv/bin/pip" install -q -r py/requirements-dev.txt; }
    (cd py && "$ROOT/.venv/bin/maturin" build --quiet --strip --out "$ROOT/target/py-wheels")
    wheels=("$ROOT"/target/py-wheels/smsauth_sdk-"$VERSION"-*.whl)
  fi
  WHEEL=${wheels[0]}
fi
check "versions agree (crates, wheel, npm, C header, changelog)" python3 "$HERE/check_version.py" --wheel "$WHEEL"

# ---------------------------------------------------------------------------------------------
step "a. PyPI: pypiserver + pip install smsauth-sdk"
stamp=$TOOLS/.requirements
if [[ ! -x $TOOLS/bin/pypi-server ]] || ! cmp -s "$HERE/requirements.txt" "$stamp"; then
  rm -rf "$TOOLS" && python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$stamp"
fi
INDEX=$WORK/pypi
mkdir -p "$INDEX"
cp "$WHEEL" "$INDEX/"
if [[ -n ${SMSAUTH_INSTALL_SDIST:-} ]]; then
  cp "$SMSAUTH_INSTALL_SDIST" "$INDEX/"
else
  check "sdist (maturin sdist)" bash -c "cd py && '$ROOT/.venv/bin/maturin' sdist --out '$INDEX'"
fi
check "twine check (wheel + sdist: README renders, metadata complete)" \
  bash -c "'$TOOLS/bin/twine' check --strict '$INDEX'/* && for f in '$INDEX'/*; do
    case \$f in *.whl) unzip -l \"\$f\" | grep -q 'dist-info/licenses/LICENSE' ;;
                 *.tar.gz) tar tzf \"\$f\" | grep -q '/LICENSE\$' ;; esac || { echo \"no LICENSE in \$f\"; exit 1; }; done"
for f in "$INDEX"/*; do echo "     $(basename "$f"): $(du -k "$f" | cut -f1) KiB"; done
port=$(free_port)
"$TOOLS/bin/pypi-server" run --interface 127.0.0.1 --port "$port" --disable-fallback "$INDEX" \
  >"$WORK/pypiserver.log" 2>&1 &
PIDS+=($!)
check "pypiserver on 127.0.0.1:$port" wait_http "http://127.0.0.1:$port/simple/"
python3 -m venv "$WORK/venv"
check "pip install smsauth-sdk --index-url http://127.0.0.1:$port/simple/ (fresh venv)" \
  "$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
  --index-url "http://127.0.0.1:$port/simple/" smsauth-sdk
check "import smsauth; sync + asyncio send/check against the emulator" \
  bash -c "cd '$WORK' && '$WORK/venv/bin/python' - '$VERSION' '$WORK/venv'" <<'PYEOF'
import asyncio
import sys

import smsauth
from smsauth.testing import Emulator

version, venv = sys.argv[1], sys.argv[2]
assert smsauth.__file__.startswith(venv), f"imported {smsauth.__file__}, not the installed package"
assert smsauth.__version__ == version, (smsauth.__version__, version)
from importlib.metadata import version as dist_version
assert dist_version("smsauth-sdk") == version

with Emulator() as emu:
    client = emu.client()
    client.send_code("13800138000")
    code = emu.last_code("13800138000")
    assert client.check_code("13800138000", code).passed
    assert not client.check_code("13800138000", code).passed  # a code passes once

    async def flow() -> None:
        aclient = emu.async_client()
        await aclient.send_code("13900139000")
        assert (await aclient.check_code("13900139000", emu.last_code("13900139000"))).passed

    asyncio.run(flow())
print(f"smsauth-sdk {version} from the index: sync + asyncio passed")
PYEOF

# ---------------------------------------------------------------------------------------------
step "b. npm: verdaccio + npm install smsauth"
if [[ ! -f $HERE/npm/node_modules/.package-lock.json || $HERE/npm/package-lock.json -nt $HERE/npm/node_modules/.package-lock.json ]]; then
  (cd "$HERE/npm" && npm ci --no-audit --no-fund --ignore-scripts --silent)
fi
ADDON=${SMSAUTH_INSTALL_NODE_ADDON:-$ROOT/node/smsauth.linux-x64-gnu.node}
if [[ ! -f $ADDON ]]; then
  echo "install: no $ADDON; building it (node/tests/run.sh normally does)"
  [[ -x node/node_modules/.bin/napi ]] || (cd node && npm ci --no-audit --no-fund --silent)
  (cd node && node_modules/.bin/napi build --platform --js native.js --dts native.d.ts)
fi
# The packages as `napi pre-publish` lays them out: the main package without the addon, naming
# the platform package in optionalDependencies; the platform package with the addon (debug
# symbols stripped from the copy) and the os/cpu/libc fields npm selects it by.
STAGE=$WORK/npm-stage
mkdir -p "$STAGE"
node - "$ROOT/node" "$STAGE" <<'EOF'
const fs = require('node:fs')
const path = require('node:path')
const [src, dst] = process.argv.slice(2)
const pkg = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'))
for (const f of pkg.files.filter((f) => !f.includes('*'))) fs.copyFileSync(path.join(src, f), path.join(dst, f))
delete pkg.devDependencies
delete pkg.scripts
fs.writeFileSync(path.join(dst, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
EOF
check "napi create-npm-dirs (platform package)" node/node_modules/.bin/napi create-npm-dirs --cwd "$STAGE"
PLATFORM=$STAGE/npm/linux-x64-gnu
objcopy --strip-debug "$ADDON" "$PLATFORM/smsauth.linux-x64-gnu.node"
cp LICENSE "$PLATFORM/"
node - "$STAGE" <<'EOF'
const fs = require('node:fs')
const path = require('node:path')
const [root] = process.argv.slice(2)
const file = path.join(root, 'package.json')
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'))
pkg.optionalDependencies = {}
for (const dir of fs.readdirSync(path.join(root, 'npm')).sort()) {
  const sub = JSON.parse(fs.readFileSync(path.join(root, 'npm', dir, 'package.json'), 'utf8'))
  if (sub.version !== pkg.version) throw new Error(`${sub.name} ${sub.version} != ${pkg.version}`)
  pkg.optionalDependencies[sub.name] = pkg.version
}
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n')
EOF
port=$(free_port)
REGISTRY=http://127.0.0.1:$port/
mkdir -p "$WORK/verdaccio/storage"
cat >"$WORK/verdaccio/config.yaml" <<EOF
storage: $WORK/verdaccio/storage
auth:
  htpasswd:
    file: $WORK/verdaccio/htpasswd
    max_users: 1
uplinks: {}
packages:
  '**':
    access: \$all
    publish: \$authenticated
max_body_size: 200mb
log: { type: stdout, format: pretty, level: warn }
EOF
"$HERE/npm/node_modules/.bin/verdaccio" --config "$WORK/verdaccio/config.yaml" --listen "127.0.0.1:$port" \
  >"$WORK/verdaccio.log" 2>&1 &
PIDS+=($!)
check "verdaccio on 127.0.0.1:$port" wait_http "${REGISTRY}-/ping"
if curl -fsS -o /dev/null "${REGISTRY}-/ping"; then
# A throwaway user and npm config: nothing of the machine's ~/.npmrc or cache is used.
token=$(curl -fsS -X PUT -H 'content-type: application/json' -d '{"name":"ci","password":"install-test"}' \
  "${REGISTRY}-/user/org.couchdb.user:ci" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$REGISTRY" "$port" "$token" >"$WORK/npmrc"
export NPM_CONFIG_USERCONFIG=$WORK/npmrc npm_config_cache=$WORK/npm-cache npm_config_update_notifier=false
npm_clean() { # npm_clean DIR ARGS...: runs npm in DIR and fails on any warning it prints
  local dir=$1 out
  shift
  out=$(cd "$dir" && npm "$@" 2>&1) || { printf '%s\n' "$out"; return 1; }
  printf '%s\n' "$out"
  ! grep -qi 'npm warn' <<<"$out"
}
check "npm publish --dry-run (main package, no warnings)" npm_clean "$STAGE" publish --dry-run
check "npm publish smsauth-linux-x64-gnu" npm_clean "$PLATFORM" publish
check "npm publish smsauth" npm_clean "$STAGE" publish
for d in "$STAGE" "$PLATFORM"; do
  (cd "$d" && npm pack --silent --pack-destination "$WORK" >/dev/null)
done
for f in "$WORK"/*.tgz; do echo "     $(basename "$f"): $(du -k "$f" | cut -f1) KiB"; done
APP=$WORK/npm-app
mkdir -p "$APP"
printf '{ "name": "smsauth-install-test", "version": "1.0.0", "private": true }\n' >"$APP/package.json"
check "npm install smsauth --registry $REGISTRY (fresh project)" \
  bash -c "cd '$APP' && npm install --no-audit --no-fund smsauth && test -f node_modules/smsauth-linux-x64-gnu/smsauth.linux-x64-gnu.node && test -f node_modules/smsauth/LICENSE && ! test -e node_modules/smsauth/smsauth.linux-x64-gnu.node"
cat >"$APP/flow.mjs" <<'EOF'
import { Client, startEmulator } from 'smsauth'
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const want = process.argv[2]
if (require('smsauth/package.json').version !== want) throw new Error('wrong smsauth version')
const emu = startEmulator()
try {
  const client = new Client({ endpoint: emu.endpoint, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, signName: '速通互联验证码', templateCode: '100001' })
  await client.sendCode('13800138000')
  const code = emu.lastCode('13800138000')
  if (!(await client.checkCode('13800138000', code)).passed) throw new Error('ESM: check failed')
  if ((await client.checkCode('13800138000', code)).passed) throw new Error('ESM: a code passed twice')
} finally {
  emu.close()
}
console.log('ESM ok')
EOF
cat >"$APP/flow.cjs" <<'EOF'
const { Client, startEmulator } = require('smsauth')
const path = require('node:path')
const resolved = require.resolve('smsauth')
if (!resolved.startsWith(path.join(__dirname, 'node_modules'))) throw new Error(`resolved ${resolved}`)
const emu = startEmulator()
const client = new Client({ endpoint: emu.endpoint, accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret, signName: '速通互联验证码', templateCode: '100001' })
client
  .sendCode('13900139000')
  .then(() => client.checkCode('13900139000', emu.lastCode('13900139000')))
  .then((r) => {
    if (!r.passed) throw new Error('CJS: check failed')
    console.log('CJS ok')
  })
  .finally(() => emu.close())
EOF
check "ESM: import { Client, startEmulator } from 'smsauth'; send + check" bash -c "cd '$APP' && node flow.mjs '$VERSION'"
check "CJS: require('smsauth'); send + check" bash -c "cd '$APP' && node flow.cjs"
else
  echo "FAIL npm: publish and install skipped, verdaccio did not start:"
  tail -n 20 "$WORK/verdaccio.log" | sed 's/^/     /'
  failed=$((failed + 1))
fi

# ---------------------------------------------------------------------------------------------
step "c. crates: cargo package + a fresh project depending on them by name"
APPR=$WORK/rust-app
CRATES=$APPR/crates # inside the fresh workspace: the packaged CLI is one of its members
mkdir -p "$CRATES"
check "cargo package -p smsauth -p smsauth-emulator -p smsauth-cli --no-verify" \
  cargo package --quiet --offline --no-verify --allow-dirty -p smsauth -p smsauth-emulator -p smsauth-cli \
  --target-dir "$WORK/cargo-package"
for c in smsauth smsauth-emulator smsauth-cli; do
  crate=$WORK/cargo-package/package/$c-$VERSION.crate
  if [[ -f $crate ]]; then
    echo "     $(basename "$crate"): $(du -k "$crate" | cut -f1) KiB"
    tar xzf "$crate" -C "$CRATES"
    check "$c-$VERSION.crate has LICENSE and README" bash -c "cd '$CRATES/$c-$VERSION' &&
      test -f LICENSE && readme=\$(sed -n 's/^readme = \"\\(.*\\)\"/\\1/p' Cargo.toml) && test -n \"\$readme\" && test -f \"\$readme\""
  fi
done
mkdir -p "$APPR/app/src"
cat >"$APPR/Cargo.toml" <<EOF
[workspace]
resolver = "3"
members = ["app", "crates/smsauth-cli-$VERSION"]

# What a registry would serve: the unpacked .crate files, by name and version.
[patch.crates-io]
smsauth = { path = "crates/smsauth-$VERSION" }
smsauth-emulator = { path = "crates/smsauth-emulator-$VERSION" }
EOF
cat >"$APPR/app/Cargo.toml" <<EOF
[package]
name = "smsauth-install-test"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
smsauth = "$VERSION"
smsauth-emulator = "$VERSION"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
EOF
cat >"$APPR/app/src/main.rs" <<'EOF'
//! The demo flow against the packaged crates: send, read the code from the emulator, check it.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = smsauth_emulator::Emulator::start()?;
    let client = smsauth::Client::builder()
        .access_key(emu.access_key_id(), emu.access_key_secret())
        .endpoint(emu.endpoint())
        .sign_name("速通互联验证码")
        .template_code("100001")
        .build()?;
    client.send_code("13800138000").await?;
    let code = emu.last_code("13800138000").ok_or("no code in the outbox")?;
    assert!(client.check_code("13800138000", &code).await?.passed());
    assert!(!client.check_code("13800138000", &code).await?.passed());
    println!("packaged smsauth: send + check passed");
    Ok(())
}
EOF
# The workspace's lock file pins the same dependency versions the suites built (offline, and the
# build reuses their compiled dependencies); cargo drops what the fresh project does not use.
cp Cargo.lock "$APPR/Cargo.lock"
# Its own target directory would rebuild every dependency (minutes): share the workspace's
# registry-dependency builds, and keep the packaged CLI binary out of the workspace's output.
check "cargo build (fresh project: smsauth + smsauth-emulator by name, and smsauth-cli)" \
  cargo build --quiet --offline --manifest-path "$APPR/Cargo.toml" --target-dir "$ROOT/target/install-crates"
BIN=$ROOT/target/install-crates/$CARGO_BUILD_TARGET/debug
check "packaged crates: send + check against the emulator" "$BIN/smsauth-install-test"
check "packaged CLI: smsauth demo" "$BIN/smsauth" demo
check "packaged CLI: smsauth --version is $VERSION" bash -c "'$BIN/smsauth' --version | grep -qx 'smsauth $VERSION'"

printf '\ninstall: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
