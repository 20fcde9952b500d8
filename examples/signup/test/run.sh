#!/usr/bin/env bash
# End-to-end test of the sign-up example (scripts/test-all.sh may run it from the repo root):
# build the smsauth Node addon if it is missing, `npm ci`, install Debian's chromium if missing
# (root + apt only), then test/e2e.mjs: the app's HTTP API, and the page in headless Chromium.
# Without a browser the run fails (after the API tests) unless SIGNUP_ALLOW_NO_BROWSER=1 says
# to skip the page tests (a local opt-out; CI never sets it). Closes with `N passed, M failed`;
# exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD

# napi always passes --target; the same triple in the environment shares the workspace's target dir.
CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_BUILD_TARGET

step() { printf '\n--> examples/signup: %s\n' "$*"; }

# The app depends on the repository's package (`"smsauth": "file:../../node"`), whose native addon
# is a build product: build it as the package's own suite does when it is not there yet.
if ! compgen -G '../../node/smsauth.*.node' >/dev/null; then
  step "build the smsauth Node addon (debug)"
  (
    cd ../../node
    if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
      npm ci --no-audit --no-fund
    fi
    npm run --silent build:debug
  )
fi

# npm ci deletes node_modules every time; skip it while the install matches the lockfile.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

# Debian's chromium, driven by playwright-core (which downloads no browser).
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
unset SKIP_BROWSER
if [[ ! -x $CHROMIUM ]]; then
  if [[ $CHROMIUM != /usr/bin/chromium ]]; then
    SKIP_BROWSER="CHROMIUM=$CHROMIUM is not an executable"
  elif [[ $(id -u) -ne 0 ]]; then
    SKIP_BROWSER="$CHROMIUM is missing and installing it needs root (apt-get install chromium)"
  elif ! command -v apt-get >/dev/null; then
    SKIP_BROWSER="$CHROMIUM is missing and there is no apt-get to install it"
  else
    step "apt-get install chromium"
    start=$SECONDS
    if ../../scripts/apt-install.sh chromium >/tmp/signup-apt.log 2>&1 && [[ -x $CHROMIUM ]]; then
      echo "installed $("$CHROMIUM" --version 2>/dev/null) in $((SECONDS - start)) s"
    else
      tail -n 5 /tmp/signup-apt.log 2>/dev/null || true
      SKIP_BROWSER="apt-get install chromium failed (see above)"
    fi
  fi
fi
if [[ -n ${SKIP_BROWSER:-} ]]; then
  export SKIP_BROWSER
  if [[ ${SIGNUP_ALLOW_NO_BROWSER:-} == 1 ]]; then
    echo "SKIPPED: browser tests: $SKIP_BROWSER (SIGNUP_ALLOW_NO_BROWSER=1; the API tests still run)"
  else
    echo "no browser: $SKIP_BROWSER; the API tests run, then the run fails (SIGNUP_ALLOW_NO_BROWSER=1 skips the page tests)"
  fi
fi

step "node test/e2e.mjs"
exec node "$here/test/e2e.mjs"
