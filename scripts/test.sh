#!/usr/bin/env bash
# Installs, builds and runs every test through ctest (unit, golden, kernel in private namespaces, vm),
# then the fuzz targets (tests/fuzz/run.sh).
set -euo pipefail
# Namespaces, netlink and apt need root; re-run through sudo when started as a normal user.
if [[ $(id -u) -ne 0 ]]; then exec sudo -- "$0" "$@"; fi
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j "$(nproc)" "$@")
# Then every libFuzzer target under ASan+UBSan for XFRMPP_FUZZ_SECONDS each (default 60, two at a time;
# 0 skips). A run narrowed with ctest arguments skips them unless XFRMPP_FUZZ_SECONDS is set.
if [[ $# -eq 0 || -n ${XFRMPP_FUZZ_SECONDS:-} ]] && [[ ${XFRMPP_FUZZ_SECONDS:-60} != 0 ]]; then
  tests/fuzz/run.sh "${XFRMPP_FUZZ_SECONDS:-60}"
fi
