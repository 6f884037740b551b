# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: extended sequence numbers with a 1024-packet anti-replay window (`-r 1024 -esn`)
# a -> b, and a 64-packet window without ESN (`-r 64`, over the legacy 32-packet limit) b -> a.
# The kernel must hold ESN with replay_window 1024 (32 bitmap words) and a plain 64-packet window
# (iproute2's view); `setkey -D` must show replay=1024 flags=0x00000080 (XFRM_STATE_ESN) and
# replay=64 flags=0x00000000; after 3 pings every SA counts exactly 3 packets / 192 bytes, and the
# outbound seq= is 3 on both.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add $A4 $B4 esp 0xc001 -m transport -r 1024 -esn -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0xc002 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
sk_load_pair sas.conf esp/transport//require
state=$(ip -n "$NS_B" xfrm state)
echo "$state"
# iproute2 prints the SA blocks newest first: b -> a (0xc002) then a -> b (0xc001)
esn_block=$(echo "$state" | sed -n '/spi 0x0000c001/,/^src /p')
plain_block=$(echo "$state" | sed -n '/spi 0x0000c002/,/^src /p')
assert_match "$esn_block" 'flag esn' "SA 0xc001: ESN flag in the kernel"
assert_match "$esn_block" 'replay_window 1024, bitmap-length 32' "SA 0xc001: 1024-packet window in the kernel"
assert_match "$plain_block" 'replay_window 64, bitmap-length 2' "SA 0xc002: 64-packet window in the kernel"
if echo "$plain_block" | grep -q 'flag esn'; then fail "SA 0xc002 has ESN in the kernel"; fi

expect_ping "$NS_A" "$B4" 3
sk_expect_counts esp 3/192 "after 3 pings" 0xc001 0xc002
sk_expect_field esp replay 1024 0xc001
sk_expect_field esp flags 0x00000080 0xc001 # ESN
sk_expect_field esp replay 64 0xc002
sk_expect_field esp flags 0x00000000 0xc002
cat "$NS_A.sad"
assert_eq "$(sk_field "$NS_A" esp 0xc001 seq)" 0x00000003 "a's outbound ESN SA: seq"
assert_eq "$(sk_field "$NS_B" esp 0xc002 seq)" 0x00000003 "b's outbound SA: seq"
assert_match "$(ip -n "$NS_B" xfrm state | sed -n '/spi 0x0000c001/,/^src /p')" 'seq 0x3, oseq-hi 0x0' "b's inbound ESN SA: highest sequence number received"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
