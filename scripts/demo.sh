#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The main job, on a fresh Debian 12 machine: install, build, load every examples/*.conf with our setkey
# into a private network namespace, print the SPD in setkey format, remove the namespace; then an
# encrypted ping between two namespaces (scripts/demo_ping.sh): through the kernel's ESP where it has
# one, else through the software engine's live dataplane (ipsec-engine run).
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
echo
scripts/demo_ping.sh build/bin
