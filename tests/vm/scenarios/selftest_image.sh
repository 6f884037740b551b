# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test: the image is put together as lib.sh promises. `ip` (also through
# `ip netns exec`) is iproute2, not the busybox applet; the IPsec modules are loaded; every
# binary in /xfrmpp/bin (project tools from build/bin) finds all its shared libraries.
# vm-timeout: 30

assert_match "$(ip -V)" 'iproute2' "ip -V"
ip netns add "$NS_A"
assert_match "$(in_ns "$NS_A" ip -V)" 'iproute2' "ip -V through ip netns exec"

for m in xfrm_user esp4 esp6 ah4 ah6 ipcomp ipcomp6 xfrm4_tunnel xfrm6_tunnel veth af_key; do
	grep -q "^$m " /proc/modules || fail "module $m is not loaded"
done

n=0
for b in "$XFRMPP_BIN"/*; do
	[ -f "$b" ] || continue
	n=$((n + 1))
	libs=$(/lib64/ld-linux-x86-64.so.2 --list "$b" 2>&1) || true
	echo "$b:"
	echo "$libs"
	if echo "$libs" | grep -q 'not found'; then
		fail "$b: missing shared libraries: $(echo "$libs" | grep 'not found' | tr -d '\t' | tr '\n' ' ')"
	fi
done
log "$n project binaries in the image"
