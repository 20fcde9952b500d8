#!/usr/bin/env bash
# Load bench: the emulator under 64 concurrent keep-alive connections sending freshly signed
# requests (signature verification on), next to nginx answering a canned reply on the same
# machine. Not part of the test suite (it builds in release mode and takes about a minute).
#
#   bench/emulator/run.sh            # BENCH_SECONDS=10 CONNECTIONS=64 by default
#
# nginx and wrk come from apt (`apt-get install -y nginx-light wrk`); without them only the
# emulator is measured. Results are printed and kept in build/bench-emulator/.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
export CARGO_BUILD_TARGET
SECS=${BENCH_SECONDS:-10}
CONNS=${CONNECTIONS:-64}
# Requests signed per connection before the clock starts (the generator signs more on the fly if
# they run out), so the generator spends its CPU on I/O the way wrk does.
PRESIGN=${PRESIGN:-6000}
OUT=build/bench-emulator
mkdir -p "$OUT"
REL="target/$CARGO_BUILD_TARGET/release"

echo "building (release)…"
cargo build --release --quiet -p smsauth-cli
cargo bench --quiet -p smsauth-emulator --bench load --no-run 2>/dev/null
LOAD=$(find "$REL/deps" -maxdepth 1 -type f -executable -name 'load-*' -printf '%T@ %p\n' | sort -rn | head -1 | cut -d' ' -f2)
echo "machine: $(nproc) cores, $(uname -sr)"

value() { sed -n "s/^$1: \([0-9.]*\).*/\1/p" "$2" | head -1; }

# --- the emulator, as a separate process like nginx ----------------------------------------------
coproc EMU { exec "$REL/smsauth" emulator --port 0 --quiet --exit-on-stdin-eof; }
EMU_PID_SAVED=$EMU_PID
read -r READY <&"${EMU[0]}"
EP=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["endpoint"])' "$READY")
echo; echo "== emulator ($EP), verification on"
"$LOAD" --url "$EP" --pid "$EMU_PID_SAVED" --connections "$CONNS" --seconds "$SECS" --presign "$PRESIGN" --threads 2 | tee "$OUT/emulator.txt"
exec {EMU[1]}>&-
wait "$EMU_PID_SAVED" || true
EMU_RPS=$(value throughput "$OUT/emulator.txt")

# --- nginx with a canned reply ------------------------------------------------------------------
NGINX_WRK="" NGINX_LOAD=""
if command -v nginx >/dev/null && command -v wrk >/dev/null; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$OUT/nginx"
  CANNED='{"AccessDeniedDetail":"","Code":"OK","Message":"成功","Model":{"OutId":"","VerifyResult":"UNKNOWN"},"RequestId":"A1B2C3D4-0000-4000-8000-000000000001","Success":true}'
  cat >"$OUT/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $PWD/$OUT/nginx/nginx.pid;
error_log $PWD/$OUT/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$PORT;
    location / { default_type application/json; return 200 '$CANNED'; }
  }
}
CONF
  nginx -p "$PWD/$OUT/nginx" -e "$PWD/$OUT/nginx/error.log" -c "$PWD/$OUT/nginx/nginx.conf" -g 'daemon off;' &
  NGINX_PID=$!
  trap 'kill $NGINX_PID 2>/dev/null || true' EXIT
  python3 - "$PORT" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=1).read()
        break
    except OSError:
        time.sleep(0.1)
PY
  echo; echo "== nginx $(nginx -v 2>&1 | sed 's/.*\///') canned reply, wrk -t2 -c$CONNS"
  wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$PORT/" | tee "$OUT/nginx-wrk.txt"
  NGINX_WRK=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$OUT/nginx-wrk.txt")
  echo; echo "== nginx canned reply, the same load generator as the emulator"
  "$LOAD" --url "http://127.0.0.1:$PORT" --any-200 --connections "$CONNS" --seconds "$SECS" --presign "$PRESIGN" --threads 2 | tee "$OUT/nginx-load.txt"
  NGINX_LOAD=$(value throughput "$OUT/nginx-load.txt")
  kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true
  trap - EXIT
else
  echo; echo "nginx and/or wrk are not installed (apt-get install -y nginx-light wrk): nginx not measured"
fi

echo; echo "== summary ($SECS s, $CONNS connections, $(nproc) cores, load generator on the same machine)"
row() { printf '%-52s %8.0f req/s\n' "$1" "$2"; }
row "emulator, V3 signature verified per request" "${EMU_RPS:-0}"
[[ -n $NGINX_LOAD ]] && row "nginx canned reply, the same load generator" "$NGINX_LOAD"
[[ -n $NGINX_WRK ]] && row "nginx canned reply, wrk -t2" "$NGINX_WRK"
if [[ -n $NGINX_WRK ]]; then
  python3 -c "import sys; e,l,w=map(float,sys.argv[1:]); print(f'emulator / nginx = {e/w:.0%} against wrk, {e/l:.0%} with the same generator (goal >= 50%)')" "$EMU_RPS" "$NGINX_LOAD" "$NGINX_WRK"
fi
