#!/usr/bin/env bash
# Build libsmsauth and install the header, the shared and static libraries and smsauth.pc.
#
#   ffi-c/install.sh [--prefix DIR] [--release]
#
# Default prefix /usr/local (then: pkg-config --cflags --libs smsauth). Honours
# CARGO_BUILD_TARGET and CARGO_TARGET_DIR like cargo does. Needs cargo, sed and install.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=/usr/local
profile=debug
cargo_profile=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --prefix) prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --release) profile=release; cargo_profile=(--release); shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Build both crate types and learn which system libraries the static library needs. Cargo
# replays rustc's note when the build is already fresh, so this is cheap to repeat.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! cargo rustc -p smsauth-ffi --lib "${cargo_profile[@]}" -- --print native-static-libs >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
native=$(sed -n 's/.*native-static-libs: //p' "$log" | tail -n 1)
if [[ -z $native ]]; then
  cat "$log" >&2
  echo "install.sh: rustc did not report the native static libraries" >&2
  exit 1
fi

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
artifacts=$target_dir/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}$profile
version=$(cargo pkgid -p smsauth-ffi | sed 's/.*[#@]//')

install -d "$prefix/include" "$prefix/lib/pkgconfig"
install -m 644 include/smsauth.h "$prefix/include/smsauth.h"
install -m 755 "$artifacts/libsmsauth.so" "$prefix/lib/libsmsauth.so"
install -m 644 "$artifacts/libsmsauth.a" "$prefix/lib/libsmsauth.a"
sed -e "s|@PREFIX@|$prefix|" -e "s|@LIBDIR@|\${prefix}/lib|" -e "s|@INCLUDEDIR@|\${prefix}/include|" \
    -e "s|@VERSION@|$version|" -e "s|@NATIVE_STATIC_LIBS@|$native|" \
    ffi-c/smsauth.pc.in >"$prefix/lib/pkgconfig/smsauth.pc"
echo "installed smsauth $version ($profile) into $prefix"
