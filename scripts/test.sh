#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs, builds and runs every test through ctest (unit, golden, kernel in private namespaces, vm),
# then builds the engine-only configuration (-DXFRMPP_KERNEL=OFF) and runs its unit, golden and engine
# tests, then the fuzz targets (tests/fuzz/run.sh).
# XFRMPP_REQUIRE_KERNEL=1 (.ci/run sets it): a kernel or VM test that cannot run fails instead of skipping.
set -euo pipefail
# Namespaces, netlink and apt need root; re-run through sudo when started as a normal user (sudo resets the
# environment, so the variables this script and the tests read are passed on explicitly).
if [[ $(id -u) -ne 0 ]]; then
  keep=()
  for v in XFRMPP_REQUIRE_KERNEL XFRMPP_FUZZ_SECONDS XFRMPP_VM_KERNEL_ROOT XFRMPP_VM_KERNEL_PACKAGE XFRMPP_VM_REFRESH; do
    [[ -n ${!v:-} ]] && keep+=("$v=${!v}")
  done
  exec sudo -- env ${keep[@]+"${keep[@]}"} "$0" "$@"
fi
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DXFRMPP_VM_TESTS=ON
# The VM tests' kernel is fetched here, before ctest: ctest itself never calls apt-get, and skips the VM
# tests without a kernel (fails them with XFRMPP_REQUIRE_KERNEL=1, as fetch_kernel.sh then does here).
rc=0
tests/vm/fetch_kernel.sh build/vm-cache > /dev/null || rc=$?
[[ $rc -eq 0 || $rc -eq 77 ]] || exit "$rc"
(cd build && ctest --output-on-failure -j "$(nproc)" "$@")
# Then the build without the kernel backend (-DXFRMPP_KERNEL=OFF, preset engine-only, build-engine/): it
# must build, and pass its unit, golden and engine tests (the preset's label filter). Only on a full run.
if [[ $# -eq 0 ]]; then
  scripts/build.sh --preset engine-only
  ctest --preset engine-only -j "$(nproc)"
fi
# Then every libFuzzer target under ASan+UBSan for XFRMPP_FUZZ_SECONDS each (default 60, two at a time;
# 0 skips). A run narrowed with ctest arguments skips them unless XFRMPP_FUZZ_SECONDS is set.
if [[ $# -eq 0 || -n ${XFRMPP_FUZZ_SECONDS:-} ]] && [[ ${XFRMPP_FUZZ_SECONDS:-60} != 0 ]]; then
  tests/fuzz/run.sh "${XFRMPP_FUZZ_SECONDS:-60}"
fi
