#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Engine ESP throughput against openssl speed; see bench/README.md. No root needed:
#   bench/esp.sh                 # best of three 0.3 s rounds per measurement, openssl speed best of three 1 s runs
#   bench/esp.sh --seconds 1     # steadier numbers on a busy machine
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${ESP_BENCH:-$root/build/bench/esp_bench}
[[ -x $bin ]] || { echo "bench: $bin not built (cmake --build build --target esp_bench)" >&2; exit 1; }
command -v openssl > /dev/null || echo "bench: no openssl(1): the ratio columns stay empty" >&2
# One core for both, the engine and openssl speed, as the ratio is per core.
exec taskset -c 0 "$bin" "$@"
