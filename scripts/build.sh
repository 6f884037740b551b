#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Configures and builds a preset's tree (default release: build/, binaries in build/bin), warnings as
# errors (the presets). With ccache installed every compile goes through it, with the checkout as its base
# directory, so build/ and build-engine/ (-DXFRMPP_KERNEL=OFF) share the objects they compile alike.
#   scripts/build.sh [--preset NAME] [CMAKE_CONFIGURE_ARGS...]   e.g. -DXFRMPP_VM_TESTS=ON
set -euo pipefail
cd "$(dirname "$0")/.."
preset=release
if [[ ${1:-} == --preset ]]; then
  preset=${2:?--preset needs a name}
  shift 2
fi
launcher=()
if command -v ccache > /dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset "$preset" ${launcher[@]+"${launcher[@]}"} "$@" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
