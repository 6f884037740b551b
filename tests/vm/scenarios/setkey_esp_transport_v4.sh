# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: ESP transport mode, aes-cbc + hmac-sha256, IPv4, SAs and policies loaded only by
# our setkey. All four SAs start at 0/0; after 3 pings a -> b each must show exactly 3 packets
# (`allocated:`) and 192 bytes (`current: N(bytes)`) in `setkey -D`, equal to what `ip -s xfrm
# state` reports; `get` prints the same counters; the outbound SAs' seq= is 3.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
sk_transport_pair esp 0x1000 0x2000 "-E aes-cbc $enc -A hmac-sha256 $auth"
sk_expect_counts esp 0/0 "before any traffic" 0x1000 0x2000

expect_ping "$NS_A" "$B4" 3
# a -> b: three echo requests, b -> a: three replies. Transport mode counts the IP payload: 8 bytes
# of ICMP header + 56 of data = 64 bytes a packet (skb->len once the IP header is pulled).
sk_expect_counts esp 3/192 "after 3 pings" 0x1000 0x2000
cat "$NS_A.sad"
assert_eq "$(sk_field "$NS_A" esp 0x1000 seq)" 0x00000003 "a's outbound SA 0x1000: seq"
assert_eq "$(sk_field "$NS_B" esp 0x2000 seq)" 0x00000003 "b's outbound SA 0x2000: seq"
assert_eq "$(sk_field "$NS_A" esp 0x1000 mode)" transport "SA 0x1000: mode"
get=$(echo "get $A4 $B4 esp 0x1000;" | sk "$NS_A" -c)
echo "$get"
assert_match "$get" "$(printf '^\tcurrent: 192\\(bytes\\)\t')" "setkey get: current bytes"
assert_match "$get" "$(printf '^\tallocated: 3\t')" "setkey get: allocated"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
