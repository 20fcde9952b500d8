#!/usr/bin/env bash
# The C ABI suite (called by scripts/test-all.sh from the repo root):
#   1. include/smsauth.h is what cbindgen 0.29.4 generates (drift check), and defines only
#      smsauth_ / SMSAUTH_ names;
#   2. libsmsauth exports exactly the header's functions, all prefixed smsauth_;
#   3. ffi-c/install.sh installs header, libraries and smsauth.pc into a staging prefix, and
#      pkg-config reports the right flags (static ones from rustc --print native-static-libs);
#   4. tests/c/test_smsauth.c built with gcc -std=c11 -Wall -Wextra -Werror -pedantic against the
#      shared and the static library, and with g++ -std=c++17 as C++, each run under valgrind
#      (0 errors, 0 definite or indirect leaks) against the emulator;
#   5. tests/c/test_faults.c (fault matrix through the blocking and async API, replay, fd/thread
#      counts after failing calls, threads sharing a client) natively with strict deadlines, then
#      under valgrind (async matrix; suppressions in tests/c/valgrind.supp);
#   5b. tests/c/test_behaviour.c runs the shared table tests/behaviour/*.json (turned into a
#      header by tests/behaviour/to_c.py);
#   6. the README's and docs/observing.md's C examples compile and run; examples/c builds with its
#      Makefile (shared and static) and sends + checks a code.
# Ends with "N passed, M failed" and a non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

: "${CARGO_BUILD_TARGET:=$(rustc -vV | sed -n 's/^host: //p')}"
export CARGO_BUILD_TARGET
CBINDGEN_VERSION=0.29.4
build=$root/target/$CARGO_BUILD_TARGET/ffi-c-tests
prefix=$build/prefix
mkdir -p "$build"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
}
step() { printf -- "--- %s (at %d s)\n" "$*" "$SECONDS"; }

# --- 0. Tools ------------------------------------------------------------------------------
# CI machines have gcc, valgrind, pkg-config and python3; the C++ build and the example's
# Makefile also need g++ and make (Debian packages, installed here when missing).
missing=()
for tool in gcc g++ make valgrind pkg-config nm python3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  packages=$(printf '%s\n' "${missing[@]}" | sed 's/^nm$/binutils/' | sort -u | tr '\n' ' ')
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    step "apt-get install $packages"
    # shellcheck disable=SC2086 # one word per package
    scripts/apt-install.sh $packages || { fail "install $packages"; finish; }
  else
    fail "missing tools: $packages(install them, or run as root on Debian)"
    finish
  fi
fi

# --- 1. Header drift -----------------------------------------------------------------------
step "cbindgen $CBINDGEN_VERSION"
if [[ "$(cbindgen --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]]; then
  # Installed once per machine (~70 s); the exact version keeps the header byte-stable.
  env -u CARGO_BUILD_TARGET cargo install cbindgen --locked --version "$CBINDGEN_VERSION" --quiet ||
    { fail "install cbindgen $CBINDGEN_VERSION"; finish; }
fi
# cbindgen reads the macro-expanded crate (rustc -Zunpretty=expanded: RUSTC_BOOTSTRAP=1 on stable),
# checked into a target directory of its own so the normal build's artifacts are not disturbed.
if RUSTC_BOOTSTRAP=1 CARGO_EXPAND_TARGET_DIR="$root/target/cbindgen-expand" \
  cbindgen --quiet --config ffi-c/cbindgen.toml --crate smsauth-ffi --output "$build/smsauth.h" ffi-c &&
  diff -u include/smsauth.h "$build/smsauth.h"; then
  pass "include/smsauth.h matches cbindgen $CBINDGEN_VERSION output"
else
  fail "include/smsauth.h is stale: regenerate with the command in ffi-c/cbindgen.toml"
fi
# cbindgen also reads the core (for its wire enums, renamed smsauth_*): nothing else of it may
# reach the header. Every macro, type and enum constant the header defines is smsauth_/SMSAUTH_.
names=$(sed -nE 's/^#define ([A-Za-z0-9_]+).*/\1/p; s/^(typedef|enum|struct) ([^(]*[ *])?([A-Za-z0-9_]+)( *;)?$/\3/p
  s/^  ([A-Za-z0-9_]+) = .*/\1/p' include/smsauth.h | sort -u)
foreign=$(grep -viE '^smsauth_' <<<"$names")
if [[ -n $names && -z $foreign ]]; then
  pass "smsauth.h defines only smsauth_ / SMSAUTH_ names ($(wc -l <<<"$names"))"
else
  fail "smsauth.h defines names without the prefix (exclude them in ffi-c/cbindgen.toml): $(echo $foreign)"
fi

# --- 2. Build, install into a staging prefix, pkg-config ---------------------------------------
step "build and install into $prefix"
rm -rf "$prefix"
if ! ffi-c/install.sh --prefix "$prefix"; then
  fail "ffi-c/install.sh"
  finish
fi
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
libdir=$(pkg-config --variable=libdir smsauth)
native=$(pkg-config --variable=native_static_libs smsauth)
version=$(cargo pkgid -p smsauth-ffi | sed 's/.*[#@]//')
pc() { echo $(pkg-config "$@"); } # one line, single spaces
if [[ "$(pc --modversion smsauth)" == "$version" &&
      "$(pc --cflags smsauth)" == "-I$prefix/include" &&
      "$(pc --libs smsauth)" == "-L$prefix/lib -lsmsauth" &&
      "$(pc --static --libs smsauth)" == *"-lsmsauth $native"* && $native == *-lpthread* ]]; then
  pass "smsauth.pc: version $version, flags '$(pkg-config --cflags --libs smsauth)', static adds '$native'"
else
  fail "smsauth.pc: $(pkg-config --modversion --cflags --static --libs smsauth 2>&1 | tr '\n' ' ')"
fi

# --- 3. Exported symbols == the header's functions ----------------------------------------------
declared=$(sed -n 's/^[^ #/*].*[ *]\(smsauth_[a-z0-9_]*\)(.*/\1/p' include/smsauth.h | sort -u)
exported=$(nm -D --defined-only "$libdir/libsmsauth.so" | awk '$2 == "T" {print $3}' | sort -u)
others=$(nm -D --defined-only "$libdir/libsmsauth.so" | awk '$2 ~ /[TDBR]/ && $3 !~ /^smsauth_/ {print $3}')
if [[ -n $declared && "$declared" == "$exported" && -z $others ]]; then
  pass "libsmsauth.so exports exactly the $(wc -l <<<"$declared") functions of smsauth.h"
else
  fail "exports differ from the header: $(diff <(echo "$declared") <(echo "$exported") | tr '\n' ' ') other: $others"
fi

# --- 4. The C tests: shared, static, C++ ------------------------------------------------------
step "compile tests/c/test_smsauth.c"
python3 ffi-c/tests/extract_vectors.py "$build/vectors.txt" tests/vectors/official-python.json tests/vectors/official-node.json
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g "-DEXPECTED_VERSION=\"$version\"")
cxxflags=(-std=c++17 -Wall -Wextra -Werror -pedantic -g "-DEXPECTED_VERSION=\"$version\"")
read -ra pc_cflags <<<"$(pkg-config --cflags smsauth)"
read -ra pc_libs <<<"$(pkg-config --libs smsauth)"
read -ra native_libs <<<"$native"
compile_c11_shared() {
  gcc "${cflags[@]}" "${pc_cflags[@]}" -o "$build/test_c11_shared" tests/c/test_smsauth.c \
    "${pc_libs[@]}" -Wl,-rpath,"$libdir" -pthread
}
compile_c11_static() {
  gcc "${cflags[@]}" "${pc_cflags[@]}" -o "$build/test_c11_static" tests/c/test_smsauth.c \
    "$libdir/libsmsauth.a" "${native_libs[@]}" -pthread
}
compile_cxx17_shared() {
  g++ "${cxxflags[@]}" "${pc_cflags[@]}" -x c++ tests/c/test_smsauth.c -x none -o "$build/test_cxx17_shared" \
    "${pc_libs[@]}" -Wl,-rpath,"$libdir" -pthread
}
binaries=()
for name in c11_shared c11_static cxx17_shared; do
  if "compile_$name"; then
    pass "compile $name"
    binaries+=("$name")
  else
    fail "compile $name"
  fi
done
if [[ " ${binaries[*]} " == *" c11_static "* ]]; then
  if ldd "$build/test_c11_static" | grep -q smsauth; then
    fail "the static build still needs libsmsauth.so"
  else
    pass "the static build does not need libsmsauth.so"
  fi
fi

step "run under valgrind"
for name in "${binaries[@]}"; do
  bin=$build/test_$name
  log=$build/$name.valgrind.log
  start=$SECONDS
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=97 \
    --log-file="$log" "$bin" "$build/vectors.txt" >"$build/$name.out" 2>&1
  rc=$?
  sed 's/^/    /' "$build/$name.out"
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$build/$name.out" | tail -n 1)
  inner_passed=${summary%% passed*}
  inner_failed=${summary#*, }
  inner_failed=${inner_failed%% failed}
  passed=$((passed + ${inner_passed:-0}))
  failed=$((failed + ${inner_failed:-0}))
  if [[ $rc -eq 0 && -n $summary && ! -s $log ]]; then
    pass "$name under valgrind: $summary, 0 memory errors, 0 definite/indirect leaks ($((SECONDS - start)) s)"
  else
    sed 's/^/    valgrind: /' "$log"
    fail "$name under valgrind (exit $rc${summary:+, $summary})"
  fi
done

# --- 4b. The hostile corpus: tests/c/test_hostile.c under valgrind -------------------------------
step "tests/c/test_hostile.c"
python3 ffi-c/tests/extract_hostile.py "$build/hostile.txt" tests/vectors/hostile.json
if gcc "${cflags[@]}" "${pc_cflags[@]}" -o "$build/test_hostile" tests/c/test_hostile.c "${pc_libs[@]}" \
    -Wl,-rpath,"$libdir" -pthread; then
  pass "compile test_hostile (c11, shared)"
  log=$build/hostile.valgrind.log
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=97 --log-file="$log" "$build/test_hostile" "$build/hostile.txt" >"$build/hostile.out" 2>&1
  rc=$?
  sed 's/^/    /' "$build/hostile.out"
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$build/hostile.out" | tail -n 1)
  if [[ $rc -eq 0 && -n $summary && ! -s $log ]]; then
    pass "test_hostile under valgrind: $summary"
  else
    sed 's/^/    valgrind: /' "$log"
    fail "test_hostile (exit $rc${summary:+, $summary})"
  fi
else
  fail "compile test_hostile"
fi

# --- 5. Reliability: tests/c/test_faults.c ----------------------------------------------------
step "tests/c/test_faults.c"
# Sets $summary to a run's closing "N passed, M failed" line and adds its counts to ours.
add_summary() {
  local inner_passed inner_failed
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
  inner_passed=${summary%% passed*}
  inner_failed=${summary#*, }
  inner_failed=${inner_failed%% failed}
  passed=$((passed + ${inner_passed:-0}))
  failed=$((failed + ${inner_failed:-0}))
}
if gcc "${cflags[@]}" "${pc_cflags[@]}" -o "$build/test_faults" tests/c/test_faults.c "${pc_libs[@]}" \
    -Wl,-rpath,"$libdir" -pthread; then
  pass "compile test_faults (c11, shared)"
  start=$SECONDS
  "$build/test_faults" >"$build/faults.out" 2>&1
  rc=$?
  sed 's/^/    /' "$build/faults.out"
  add_summary "$build/faults.out"
  if [[ $rc -eq 0 && -n $summary ]]; then
    pass "test_faults natively (strict deadlines): $summary ($((SECONDS - start)) s)"
  else
    fail "test_faults natively (exit $rc${summary:+, $summary})"
  fi
  start=$SECONDS
  log=$build/faults.valgrind.log
  valgrind --quiet --suppressions=tests/c/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=97 \
    --log-file="$log" "$build/test_faults" --valgrind >"$build/faults.vg.out" 2>&1
  rc=$?
  sed 's/^/    /' "$build/faults.vg.out"
  add_summary "$build/faults.vg.out"
  if [[ $rc -eq 0 && -n $summary && ! -s $log ]]; then
    pass "test_faults under valgrind: $summary, 0 memory errors, 0 definite/indirect leaks ($((SECONDS - start)) s)"
  else
    sed 's/^/    valgrind: /' "$log"
    fail "test_faults under valgrind (exit $rc${summary:+, $summary})"
  fi
else
  fail "compile test_faults (c11, shared)"
fi

# --- 5b. The shared behaviour table (tests/behaviour/*.json) ------------------------------------
# behaviour TEST GENERATOR HEADER: generate the rows' C header with tests/behaviour/GENERATOR,
# compile tests/c/TEST.c against the shared library, run it.
behaviour() {
  local test=$1 generator=$2 header=$3 rc
  step "tests/c/$test.c (tests/behaviour/$generator)"
  if ! python3 "tests/behaviour/$generator" "$build/$header" ||
    ! gcc "${cflags[@]}" "${pc_cflags[@]}" -I"$build" -o "$build/$test" "tests/c/$test.c" "${pc_libs[@]}" \
      -Wl,-rpath,"$libdir" -pthread; then
    fail "compile $test (c11, shared)"
    return
  fi
  "$build/$test" >"$build/$test.out" 2>&1
  rc=$?
  add_summary "$build/$test.out"
  if [[ $rc -eq 0 ]]; then
    pass "$test: $summary"
  else
    cat "$build/$test.out"
    fail "$test (exit $rc${summary:+, $summary})"
  fi
}
behaviour test_behaviour to_c.py behaviour_cases.h
behaviour test_behaviour_sign sign_to_c.py sign_cases.h
behaviour test_behaviour_calls calls_to_c.py calls_cases.h

# --- 6. The README's example and examples/c --------------------------------------------------
step "ffi-c/README.md example"
awk '/^## Example/ {f = 1} f && /^```c$/ {p = 1; next} p && /^```$/ {exit} p' ffi-c/README.md >"$build/readme_example.c"
if gcc "${cflags[@]}" "${pc_cflags[@]}" -o "$build/readme_example" "$build/readme_example.c" "${pc_libs[@]}" \
    -Wl,-rpath,"$libdir" &&
  ! env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET -u ALIBABA_CLOUD_CREDENTIALS_FILE \
    -u ALIBABA_CLOUD_ROLE_ARN -u ALIBABA_CLOUD_CREDENTIALS_URI -u ALIBABA_CLOUD_PROFILE \
    ALIBABA_CLOUD_ECS_METADATA_DISABLED=true ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true HOME="$build/no-home" \
    "$build/readme_example" 13800138000 2>"$build/readme_example.err" &&
  grep -q '^credentials: ' "$build/readme_example.err"; then
  pass "README example ($(wc -l <"$build/readme_example.c") lines) compiles and reports: $(head -c 80 "$build/readme_example.err")"
else
  fail "README example: $(cat "$build/readme_example.err" 2>/dev/null)"
fi

step "docs/observing.md C example"
awk '/^## C: / {f = 1} f && /^```c$/ {p = 1; next} p && /^```$/ {exit} p' docs/observing.md >"$build/observing.c"
if gcc "${cflags[@]}" "${pc_cflags[@]}" -o "$build/observing" "$build/observing.c" "${pc_libs[@]}" -Wl,-rpath,"$libdir" &&
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=97 "$build/observing" >"$build/observing.out" 2>"$build/observing.err" &&
  grep -q '^smsauth_sends_total 2$' "$build/observing.out" &&
  grep -q '^smsauth_errors_total{kind="throttled"} 1$' "$build/observing.out" &&
  grep -q 'le="+Inf"} 2$' "$build/observing.out" &&
  [[ $(grep -c '^smsauth SendSmsVerifyCode phone=138\*\*\*\*8000 ' "$build/observing.err") == 2 ]]; then
  pass "docs/observing.md C example: events and Prometheus counters, valgrind-clean"
else
  sed 's/^/    /' "$build/observing.out" "$build/observing.err"
  fail "docs/observing.md C example"
fi

step "examples/c"
for link in shared static; do
  if make --no-print-directory -C examples/c OUT="$build" LINK="$link" -B >"$build/example-$link.log" 2>&1 &&
    "$build/send_and_check" >>"$build/example-$link.log" 2>&1 &&
    grep -q 'check: PASS' "$build/example-$link.log"; then
    pass "examples/c ($link): $(tail -n 1 "$build/example-$link.log")"
  else
    sed 's/^/    /' "$build/example-$link.log"
    fail "examples/c ($link)"
  fi
done

finish
