# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: ESP tunnel mode carrying IPv6 between inner subnets (2001:db8:1::/64 on a,
# 2001:db8:2::/64 on b) over IPv4 gateways (192.0.2.1 <-> 192.0.2.2), all from our setkey. A
# tunnel SA written without a selector must accept either inner family: setkey has to send it
# with XFRM_STATE_AF_UNSPEC (iproute2 shows "flag af-unspec"), or the kernel ties it to the outer
# family and the IPv6 pings find no SA (XfrmOutNoStates). 3 pings must pass and every SA must
# count exactly 3 packets / 312 bytes (the 104-byte inner IPv6 packets).
# vm-timeout: 60
setkey_setup
ip -n "$NS_A" addr add 2001:db8:1::1/64 dev lo
ip -n "$NS_B" addr add 2001:db8:2::1/64 dev lo
ip -n "$NS_A" route add 2001:db8:2::/64 dev veth_a
ip -n "$NS_B" route add 2001:db8:1::/64 dev veth_b
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add $A4 $B4 esp 0x4601 -m tunnel -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x4602 -m tunnel -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
{ cat sas.conf; sk_spd 2001:db8:1::/64 2001:db8:2::/64 "esp/tunnel/$A4-$B4/require" any "esp/tunnel/$B4-$A4/require"; } >a.conf
{ cat sas.conf; sk_spd 2001:db8:2::/64 2001:db8:1::/64 "esp/tunnel/$B4-$A4/require" any "esp/tunnel/$A4-$B4/require"; } >b.conf
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
state=$(ip -n "$NS_A" xfrm state)
echo "$state"
assert_eq "$(echo "$state" | grep -c 'flag af-unspec')" 2 "tunnel SAs without a selector carry XFRM_STATE_AF_UNSPEC"

nostates=$(xfrm_stat "$NS_A" XfrmOutNoStates)
out=$(in_ns "$NS_A" ping -c 3 -i 0.2 -W 2 -w 6 -I 2001:db8:1::1 2001:db8:2::1 2>&1) || true
echo "$out"
assert_eq "$(xfrm_stat "$NS_A" XfrmOutNoStates)" "$nostates" "a: XfrmOutNoStates (IPv6 packets that found no IPv4 tunnel SA)"
assert_match "$out" ' 3 packets received' "3 IPv6 pings over the IPv4 tunnel answered"
sk_expect_counts esp 3/312 "(3 inner IPv6 packets of 104 bytes)" 0x4601 0x4602
sk_expect_field esp mode tunnel 0x4601 0x4602
cat "$NS_A.sad"
