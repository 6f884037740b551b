#!/usr/bin/env bash
# Installs, builds and runs every test through ctest (unit, golden, kernel in private namespaces, vm).
set -euo pipefail
# Namespaces, netlink and apt need root; re-run through sudo when started as a normal user.
if [[ $(id -u) -ne 0 ]]; then exec sudo -- "$0" "$@"; fi
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
