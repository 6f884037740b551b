# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: ESP transport mode, aes-cbc + hmac-sha256, over IPv6, SAs and policies loaded
# only by our setkey. After 3 pings a -> b, every SA must count at least the 3 pings (64 bytes of
# ICMPv6 each; unicast neighbour discovery between the two addresses may add a few) in `setkey -D`,
# equal to `ip -s xfrm state`, and the outbound SA's seq= must equal its packet count.
# vm-timeout: 60
setkey_setup
enc=0x0123456789abcdef0123456789abcdef
auth=0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
sk_transport_pair esp 0x3000 0x4000 "-E aes-cbc $enc -A hmac-sha256 $auth" "$A6" "$B6"
sk_snap "$NS_A"
sk_expect_sa "$NS_A" esp 0x3000 0/0 "before any traffic"
assert_eq "$(sk_field "$NS_A" esp 0x3000 seq)" 0x00000000 "a's SA 0x3000: seq before any traffic"

expect_ping "$NS_A" "$B6" 3
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	for spi in 0x3000 0x4000; do
		sk_counters "$ns" esp $spi
		assert_ge "$PK" 3 "$ns SA $spi: packets after 3 pings"
		assert_ge "$BY" $((PK * 32 + 3 * 32)) "$ns SA $spi: bytes (3 x 64 for the pings, >= 32 for any other)"
	done
done
cat "$NS_A.sad"
sk_counters "$NS_A" esp 0x3000
assert_eq "$(sk_field "$NS_A" esp 0x3000 seq)" "$(printf '0x%08x' "$PK")" "a's outbound SA 0x3000: seq = packets sent"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
