#!/usr/bin/env bash
# The Node package's suite (scripts/test-all.sh runs it from the repo root with
# CARGO_BUILD_TARGET exported): install the pinned dev tools, build the addon, check that the
# committed generated files are current, and run `node --test` (its summary closes the output).
set -euo pipefail
cd "$(dirname "$0")/.."

# napi always passes --target; the same triple in the environment makes cargo share one target
# directory with every other build of the workspace.
CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_BUILD_TARGET

step() { printf '\n--> node: %s\n' "$*"; }

# npm ci deletes node_modules every time; skip it while the install matches the lockfile.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "napi build (debug) + drift check of native.js / native.d.ts / requests.d.ts"
generated=(native.js native.d.ts requests.d.ts)
committed=$(mktemp -d)
trap 'rm -rf "$committed"' EXIT
for f in "${generated[@]}"; do
  if [[ -f $f ]]; then cp "$f" "$committed/$f"; else : >"$committed/$f"; fi
done
node_modules/.bin/napi build --platform --js native.js --dts native.d.ts
# The request shapes come from the core's field tables, through the dev-time generator
# (tools/typegen; like cbindgen for the C header, not shipped in the addon).
cargo run --quiet -p smsauth-typegen >requests.d.ts
drift=0
for f in "${generated[@]}"; do
  if ! diff -u "$committed/$f" "$f"; then
    drift=1
  fi
done
if ((drift)); then
  echo "node: ${generated[*]} differ from what the Rust crate generates (diff above)." >&2
  echo "node: they have been regenerated in place; review and commit them." >&2
  exit 1
fi

step "node --test"
exec node --test __test__/
