# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test: the image is put together as lib.sh promises. `ip` (also through
# `ip netns exec`) is iproute2, not the busybox applet; the IPsec modules are loaded; every
# binary in /xfrmpp/bin (project tools from build/bin) finds all its shared libraries; the TUN
# driver that `ipsec-engine run` needs is there: /dev/net/tun is the misc device 10:200, opens
# read-write, and iproute2 makes a TUN device with it inside a namespace.
# vm-timeout: 30

assert_match "$(ip -V)" 'iproute2' "ip -V"
ip netns add "$NS_A"
assert_match "$(in_ns "$NS_A" ip -V)" 'iproute2' "ip -V through ip netns exec"

for m in xfrm_user esp4 esp6 ah4 ah6 ipcomp ipcomp6 xfrm4_tunnel xfrm6_tunnel veth af_key tun; do
	grep -q "^$m " /proc/modules || fail "module $m is not loaded"
done

[ -c /dev/net/tun ] || fail "/dev/net/tun is not a character device: $(ls -l /dev/net 2>&1)"
assert_eq "$(stat -c '%t:%T' /dev/net/tun)" "a:c8" "/dev/net/tun major:minor (hex)"
# opening needs the driver (without it: ENODEV); the descriptor is closed again at once
( exec 3<>/dev/net/tun ) || fail "cannot open /dev/net/tun read-write"
assert_ok ip -n "$NS_A" tuntap add dev tuntest0 mode tun
assert_match "$(ip -n "$NS_A" -d link show tuntest0)" 'tun type tun' "tuntest0 in $NS_A is a TUN device"
assert_ok ip -n "$NS_A" tuntap del dev tuntest0 mode tun
log "TUN: $(ls -l /dev/net/tun), opens, ip tuntap add/del in $NS_A work"

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
