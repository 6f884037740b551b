#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The main job, on a fresh Debian 12 machine: install, build, load every examples/*.conf with our setkey
# into a private network namespace, print the SPD in setkey format, remove the namespace.
set -euo pipefail
# Namespaces, netlink and apt need root; re-run through sudo when started as a normal user.
if [[ $(id -u) -ne 0 ]]; then exec sudo -- "$0" "$@"; fi
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ns="xfrmpp-demo-$$"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
for f in examples/*.conf; do
  echo "== setkey -f $f"
  ip netns exec "$ns" build/bin/setkey -f "$f"
done
echo "== setkey -DP"
ip netns exec "$ns" build/bin/setkey -DP
