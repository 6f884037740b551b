# SPDX-License-Identifier: BSD-3-Clause
# Engine <-> kernel interop (issue 11), NAT-T and ESN.
# 1. NAT-T: ESP in UDP (RFC 3948), aes-cbc + hmac-sha256, A's port 4500 and B's 4501 (B as if
#    behind a NAT that remapped it). a holds a UDP_ENCAP_ESPINUDP socket on 4500 (udp_encap_socket),
#    so its kernel decrypts what the engine sends there; b holds a plain socket on 4501 so the
#    kernel's ESP-in-UDP meant for the engine draws no port unreachable. Each way 3 datagrams: the
#    engine's reach a socket in a, the kernel's are decrypted by the engine; nothing is left to the
#    encap socket (the kernel took every datagram for XFRM).
# 2. ESN: -esn with a 64-packet window, aes-cbc + hmac-sha256 one way (the ICV covers the high 32
#    bits of the sequence number) and aes-gcm-16 the other (the AAD carries them), over IPv6.
# Every SA counts the same packets/bytes in the kernel and in the engine; no XfrmIn* error.
# vm-timeout: 60
interop_setup
need_bin udp_encap_socket
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
gcm=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fcafebabe
cat >sas.conf <<EOF
add ${A4}[4500] ${B4}[4501] esp-udp 0xa001 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
add ${B4}[4501] ${A4}[4500] esp-udp 0xa002 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
add $A6 $B6 esp 0xe001 -m transport -r 64 -esn -E aes-cbc $enc -A hmac-sha256 $auth;
add $B6 $A6 esp 0xe002 -m transport -r 64 -esn -E aes-gcm-16 $gcm;
EOF
# The NAT-T policies name the probes' ports: with `any` the kernel also checks a's in policy against
# the outer ESP-in-UDP datagrams at the encap socket (TmplMismatch; an IKE daemon gives that socket a
# bypass policy), the same with two kernels.
natt_a="spdadd ${A4}[any] ${B4}[5001] udp -P out ipsec esp/transport//require;
spdadd ${B4}[any] ${A4}[5000] udp -P in ipsec esp/transport//require;"
natt_e="spdadd ${B4}[any] ${A4}[5000] udp -P out ipsec esp/transport//require;
spdadd ${A4}[any] ${B4}[5001] udp -P in ipsec esp/transport//require;"
{ cat sas.conf; echo "$natt_a"; sk_spd "$A6" "$B6" esp/transport//require; } >a.conf
{ cat sas.conf; echo "$natt_e"; sk_spd "$B6" "$A6" esp/transport//require; } >e.conf
interop_load_files a.conf e.conf
state=$(ip -n "$NS_A" xfrm state)
assert_match "$state" 'encap type espinudp sport 4500 dport 4501 addr 0.0.0.0' "a -> b SA: UDP encapsulation in the kernel"
assert_match "$(echo "$state" | sed -n '/spi 0x0000e001/,/^src /p')" 'flag esn' "SA 0xe001: ESN in the kernel"
esk -D >e.sad
assert_eq "$(sk_field e esp 0xa002 proto)" esp-udp "the engine's SA 0xa002"
assert_eq "$(sk_field e esp 0xe002 flags)" 0x00000080 "the engine's SA 0xe002: flags (ESN)"

udp_encap_start "$NS_A" 4500
encap_a=$ENCAP_PID log_a=$ENCAP_LOG
udp_encap_start "$NS_B" --no-encap 4501
plain_b=$ENCAP_PID log_b=$ENCAP_LOG
interop_roundtrip natt "$A4" "$B4" 100 'udp port 4501' \
	"^[0-9]+ ip4 $(re "$B4") > $(re "$A4") len [0-9]+ udp 4501 > 4500 len [0-9]+ esp spi 0x0000a002 seq [1-3] len [0-9]+\$" \
	"^[0-9]+ ip4 $(re "$A4") > $(re "$B4") len [0-9]+ udp 4500 > 4501 len [0-9]+ esp spi 0x0000a001 seq [1-3] len [0-9]+\$"
udp_encap_stop "$encap_a"
udp_encap_stop "$plain_b"
cat "$log_a" "$log_b"
assert_eq "$(grep -c ': datagram from ' "$log_a" || true)" 0 "datagrams left to a's UDP_ENCAP socket"
assert_eq "$(grep -c ': datagram from ' "$log_b" || true)" 3 "ESP-in-UDP datagrams at b's plain socket on 4501"
for spi in 0xa001 0xa002; do
	same_counters esp $spi "nat-t"
	assert_eq "$KPB" 3/324 "NAT-T SA $spi: 3 datagrams of 8 + 100 bytes"
done

# gcm one way, cbc the other: the lengths differ by design; each is what RFC 4106 / RFC 3602 give for a
# 108-byte UDP datagram over IPv6: 40 + 8 (ESP) + 8 (IV) + 112 (padded) + 16 (ICV), and 16 bytes of IV
ROW_SIZES_DIFFER=1
interop_roundtrip esn "$A6" "$B6" 100 'ip6 and esp' \
	"^[0-9]+ ip6 $(re "$B6") > $(re "$A6") len [0-9]+ esp spi 0x0000e002 seq [1-3] len [0-9]+\$" \
	"^[0-9]+ ip6 $(re "$A6") > $(re "$B6") len [0-9]+ esp spi 0x0000e001 seq [1-3] len [0-9]+\$"
assert_eq "$(wire_len esn_e_wire.pcap 1)" 184 "esn: the engine's aes-gcm-16 packet"
assert_eq "$(wire_len esn_k_wire.pcap 1)" 192 "esn: the kernel's aes-cbc packet"
for spi in 0xe001 0xe002; do
	same_counters esp $spi "esn"
	assert_eq "$KPB" 3/324 "ESN SA $spi: 3 datagrams of 8 + 100 bytes"
done
assert_eq "$(in_errors "$NS_A")" "" "a's XfrmIn* counters"
assert_eq "$(eng_in_errors)" "" "the engine's XfrmIn* counters"
