#!/usr/bin/env bash
# The abuse guard and the Verifier's nonce store against a real Redis.
#
# Installs redis-server (Debian package) when it is missing, starts a private server on a random
# free loopback port with no persistence, runs the guard tests with the Redis store (cargo
# feature `guard-redis`; the in-memory suite runs too, with the feature on), then stops the
# server. The feature-gated code and tests are linted with the feature on first (plain
# `cargo clippy` never compiles them). (`core/tests/guard_redis.rs` is only built with the
# feature, and fails without SMSAUTH_TEST_REDIS_URL rather than skipping.) Ends with
# "N passed, M failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_BUILD_TARGET CARGO_TERM_COLOR=never

echo "==> clippy with the guard-redis feature (warnings are errors)"
if ! cargo clippy -p smsauth --all-targets --features guard-redis -- -D warnings; then
  echo "0 passed, 1 failed"
  exit 1
fi

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "==> installing redis-server (Debian package)"
  scripts/apt-install.sh redis-server
fi
REDIS_SERVER=$(command -v redis-server)
echo "==> $("$REDIS_SERVER" --version)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

WORK=$(mktemp -d)
REDIS_PID=
cleanup() {
  if [[ -n $REDIS_PID ]] && kill -0 "$REDIS_PID" 2>/dev/null; then
    kill "$REDIS_PID" && wait "$REDIS_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A port can be taken between choosing and binding it: try a few.
for _ in 1 2 3 4 5; do
  PORT=$(free_port)
  "$REDIS_SERVER" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
    --daemonize no --logfile "$WORK/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 100); do
    if redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; then
      break 2
    fi
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=
done
if [[ -z $REDIS_PID ]]; then
  echo "could not start redis-server; its log:" >&2
  cat "$WORK/redis.log" >&2 || true
  echo "0 passed, 1 failed"
  exit 1
fi
echo "==> redis-server on 127.0.0.1:$PORT (pid $REDIS_PID, no persistence)"

export SMSAUTH_TEST_REDIS_URL="redis://127.0.0.1:$PORT/"
export SMSAUTH_TEST_REDIS_SERVER="$REDIS_SERVER"
status=0
cargo test -p smsauth --features guard-redis --test guard_redis --test guard --test nonce_redis 2>&1 | tee "$WORK/test.log" || status=$?

read -r passed failed < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) {
  if ($(i + 1) ~ /^passed;?$/) p += $i; if ($(i + 1) ~ /^failed;?$/) f += $i } } END { print p + 0, f + 0 }' "$WORK/test.log")
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1 # the build or the test binary failed before any summary
fi
echo "$passed passed, $failed failed"
[[ $status -eq 0 && $failed -eq 0 ]]
