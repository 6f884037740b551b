#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The README's main command ends with scripts/demo_ping.sh: this keeps it true. On this kernel (no ESP)
# it runs `ipsec-engine run` in two namespaces; the ping must be answered and the veth must carry ESP
# only. Negative control: the same demo with the policies left out of the file sends cleartext ICMP,
# and the demo must say so by failing.
# demo_ping_test.sh BINDIR SOURCEDIR
set -euo pipefail
src=$2
source "$src/tests/support/netns.sh"
require_netns "$@"
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$src/scripts/demo_ping.sh" "$bin" 2>&1) || { echo "$out"; fail "the demo failed"; }
echo "$out"
grep -q '3 packets transmitted, 3 packets received' <<<"$out" || fail "the 3 pings were not all answered"
grep -Eq '^== [0-9]+ ESP frames, 0 cleartext ICMP frames' <<<"$out" || fail "the wire carried more than ESP"

grep -v '^spdadd' "$src/examples/engine/two-hosts.conf" >"$work/no-policy.conf"
chmod 600 "$work/no-policy.conf"
if ctl=$("$src/scripts/demo_ping.sh" "$bin" "$work/no-policy.conf" 2>&1); then
  echo "$ctl"
  fail "control: without policies the demo still reported an ESP-only wire"
fi
grep -Eq '^== 0 ESP frames, [1-9][0-9]* cleartext ICMP frames' <<<"$ctl" || { echo "$ctl"; fail "control: no cleartext ICMP seen"; }
echo "ok: the demo's ping went through ESP only; without policies it was cleartext and the demo failed"
