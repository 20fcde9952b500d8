#!/usr/bin/env bash
# Superseded by bench/run, which measures every language side by side (this language's
# smsauth and official SDK included) in one run; kept so that older instructions still work.
exec "$(dirname "$0")/../run" "$@"
