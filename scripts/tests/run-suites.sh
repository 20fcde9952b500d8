#!/usr/bin/env bash
# Tests scripts/run-suites.sh (the suite loop of scripts/test-all.sh) on suites in a temporary
# folder: all passing -> success; a failing, a non-executable or a missing suite -> failure with
# a message naming it, and the suites after it do not run. Ends with "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/run-suites.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#!/bin/sh\necho "ran $0"\n' >"$tmp/ok.sh"
printf '#!/bin/sh\nexit 3\n' >"$tmp/fails.sh"
cp "$tmp/ok.sh" "$tmp/not-executable.sh"
cp "$tmp/ok.sh" "$tmp/after.sh"
chmod +x "$tmp/ok.sh" "$tmp/fails.sh" "$tmp/after.sh"
chmod -x "$tmp/not-executable.sh"

passed=0
failed=0
# expect STATUS PATTERN SUITE...: run_suites SUITE... must exit with STATUS (0 or non-zero) and
# print PATTERN; "after" must never run once a suite failed.
expect() {
  local want=$1 pattern=$2 out status=0
  shift 2
  out=$( (run_suites "$@") 2>&1) || status=$?
  if (((want == 0) == (status == 0))) && grep -q -- "$pattern" <<<"$out" && ! grep -q 'ran .*after' <<<"$out"; then
    passed=$((passed + 1))
    echo "ok    run_suites $* -> $status"
  else
    failed=$((failed + 1))
    echo "FAIL  run_suites $* -> $status (wanted $([[ $want == 0 ]] && echo 0 || echo non-zero), output containing '$pattern'):"
    sed 's/^/      /' <<<"$out"
  fi
}
expect 0 "ran $tmp/ok.sh" "$tmp/ok.sh" "$tmp/ok.sh"
expect 1 "ran $tmp/ok.sh" "$tmp/ok.sh" "$tmp/fails.sh" "$tmp/after.sh"
expect 1 "not-executable.sh is not executable" "$tmp/ok.sh" "$tmp/not-executable.sh" "$tmp/after.sh"
expect 1 "missing.sh does not exist" "$tmp/missing.sh" "$tmp/after.sh"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
