# SPDX-License-Identifier: BSD-3-Clause
# Engine <-> kernel interop (issue 11), ESP tunnel mode (aes-cbc + hmac-sha256) between the gateways
# A (kernel, a) and B (engine) for their inner networks 10.1.0.0/24 (A has 10.1.0.1 on lo) and
# 10.2.0.0/24 (B's host 10.2.0.1). 3 datagrams each way between the inner hosts: the engine's
# tunnel packets B4 -> A4 are decapsulated by a and reach a socket on 10.1.0.1, the kernel's are
# decapsulated by the engine to the inner datagrams a sent; the tunnel packets are of equal length
# both ways; both SAs count the 128-byte inner packets, the same in the kernel and the engine.
# vm-timeout: 60
interop_setup
enc=0x4a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263646566676869
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
ip -n "$NS_A" addr add 10.1.0.1/32 dev lo
ip -n "$NS_A" route add 10.2.0.0/24 via "$B4" dev veth_a
cat >sas.conf <<EOF
add $A4 $B4 esp 0x5001 -m tunnel -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x5002 -m tunnel -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
interop_load sas.conf "esp/tunnel/$A4-$B4/require" any 10.1.0.0/24 10.2.0.0/24 "esp/tunnel/$B4-$A4/require"
cat e.conf

interop_roundtrip tun 10.1.0.1 10.2.0.1 100 esp \
	"^[0-9]+ ip4 $(re "$B4") > $(re "$A4") len [0-9]+ esp spi 0x00005002 seq [1-3] len [0-9]+\$" \
	"^[0-9]+ ip4 $(re "$A4") > $(re "$B4") len [0-9]+ esp spi 0x00005001 seq [1-3] len [0-9]+\$"
for spi in 0x5001 0x5002; do
	same_counters esp $spi "tunnel"
	assert_eq "$KPB" 3/384 "tunnel SA $spi: 3 inner packets of 20 + 8 + 100 bytes"
	assert_eq "$(sk_field e esp $spi mode)" tunnel "the engine's SA $spi: mode"
done
assert_eq "$(in_errors "$NS_A")" "" "a's XfrmIn* counters"
assert_eq "$(eng_in_errors)" "" "the engine's XfrmIn* counters"
