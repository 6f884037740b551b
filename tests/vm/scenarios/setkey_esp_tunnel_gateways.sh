# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: ESP tunnel mode between two gateways (a, b) protecting their inner subnets
# 10.1.0.0/24 (host ha behind a) and 10.2.0.0/24 (host hb behind b). Only the gateways get SAs and
# policies, from our setkey; the forwarded traffic needs the 'fwd' copies that RFC mode (the
# default) adds for every 'in' policy. ha pings hb; every tunnel SA must count exactly the 3
# packets and the 3 x 84 bytes of the inner IP packets, equal to `ip -s xfrm state`.
# vm-timeout: 60
setkey_setup
ip netns add ha
ip netns add hb
ip link add ha0 netns ha type veth peer name a1 netns "$NS_A"
ip link add hb0 netns hb type veth peer name b1 netns "$NS_B"
ip -n ha addr add 10.1.0.2/24 dev ha0
ip -n "$NS_A" addr add 10.1.0.1/24 dev a1
ip -n hb addr add 10.2.0.2/24 dev hb0
ip -n "$NS_B" addr add 10.2.0.1/24 dev b1
for l in "ha ha0" "hb hb0" "$NS_A a1" "$NS_B b1"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n ha link set lo up
ip -n hb link set lo up
ip -n ha route add default via 10.1.0.1
ip -n hb route add default via 10.2.0.1
ip -n "$NS_A" route add 10.2.0.0/24 via "$B4"
ip -n "$NS_B" route add 10.1.0.0/24 via "$A4"
in_ns "$NS_A" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
in_ns "$NS_B" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'

enc=0x4a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263646566676869
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add $A4 $B4 esp 0x5000 -m tunnel -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x6000 -m tunnel -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
{ cat sas.conf; sk_spd 10.1.0.0/24 10.2.0.0/24 "esp/tunnel/$A4-$B4/require" any "esp/tunnel/$B4-$A4/require"; } >a.conf
{ cat sas.conf; sk_spd 10.2.0.0/24 10.1.0.0/24 "esp/tunnel/$B4-$A4/require" any "esp/tunnel/$A4-$B4/require"; } >b.conf
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
spd=$(sk "$NS_B" -DP)
echo "$spd"
assert_match "$spd" "$(printf '^\tfwd prio def ipsec')" "RFC mode's fwd copy of b's 'in' policy in setkey -DP"

expect_ping ha 10.2.0.2 3
sk_expect_counts esp 3/252 "(tunnel mode counts the 84-byte inner packets)" 0x5000 0x6000
sk_expect_field esp mode tunnel 0x5000 0x6000
cat "$NS_B.sad"
assert_eq "$(xfrm_stat "$NS_B" XfrmInNoPols)" 0 "XfrmInNoPols in b"
assert_eq "$(xfrm_stat "$NS_B" XfrmFwdHdrError)" 0 "XfrmFwdHdrError in b"
