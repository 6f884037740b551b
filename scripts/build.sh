#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Configures and builds the release tree in build/ (binaries in build/bin), warnings as errors (the preset).
#   scripts/build.sh [CMAKE_CONFIGURE_ARGS...]   e.g. -DXFRMPP_VM_TESTS=ON
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release "$@" >/dev/null
cmake --build --preset release -j "$(nproc)"
