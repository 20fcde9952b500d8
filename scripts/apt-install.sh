#!/usr/bin/env bash
# scripts/apt-install.sh PACKAGE...: install the Debian packages a suite needs (root only).
#
# The package lists are fetched once: `apt-get update` runs only when this machine has none yet
# (a fresh machine), or when an install fails on stale lists — so the suites that each need a
# package (redis-server, chromium, python3-venv, …) do not each re-download them.
set -euo pipefail
(($#)) || exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "apt-install: installing $* needs root and apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -qq -o DPkg::Lock::Timeout=120)
install() { "${apt[@]}" install -y "$@" >/dev/null; }

if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  "${apt[@]}" update
  install "$@"
elif ! install "$@" 2>/dev/null; then
  "${apt[@]}" update
  install "$@"
fi
