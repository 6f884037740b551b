#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Engine SPD lookup benchmark; see bench/README.md. No root needed:
#   bench/spd_lookup.sh                # 1000 10000 100000 policies, IPv4 and IPv6
#   SIZES="100000" bench/spd_lookup.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${SPD_BENCH:-$root/build/bench/spd_lookup_bench}
sizes=${SIZES:-1000 10000 100000}
[[ -x $bin ]] || { echo "bench: $bin not built (cmake --build build --target spd_lookup_bench)" >&2; exit 1; }
# One core, as the target is stated per core.
exec taskset -c 0 "$bin" $sizes
