# SPDX-License-Identifier: BSD-3-Clause
# Engine <-> kernel interop (issue 11), ESP transport with the AEADs: aes-gcm-16 (rfc4106, 256-bit
# key) over IPv4 and chacha20-poly1305 (rfc7539esp) over IPv6, one setkey file for both pairs. Each
# way 3 datagrams (100-byte payloads): the engine's reach a socket in a, the kernel's are decrypted
# by the engine to what a sent, the protected packets are of equal length both ways, every SA counts
# the same packets/bytes in the kernel and in the engine, and neither counts an XfrmIn* error.
# vm-timeout: 60
interop_setup
gcm=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fcafebabe
chacha=0x808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3
cat >sas.conf <<EOF
add $A4 $B4 esp 0x2001 -m transport -r 64 -E aes-gcm-16 $gcm;
add $B4 $A4 esp 0x2002 -m transport -r 64 -E aes-gcm-16 $gcm;
add $A6 $B6 esp 0x2101 -m transport -r 64 -E chacha20-poly1305 $chacha;
add $B6 $A6 esp 0x2102 -m transport -r 64 -E chacha20-poly1305 $chacha;
EOF
{ cat sas.conf; sk_spd "$A4" "$B4" esp/transport//require; sk_spd "$A6" "$B6" esp/transport//require; } >a.conf
{ cat sas.conf; sk_spd "$B4" "$A4" esp/transport//require; sk_spd "$B6" "$A6" esp/transport//require; } >e.conf
interop_load_files a.conf e.conf
state=$(ip -n "$NS_A" xfrm state)
assert_match "$state" 'aead rfc4106\(gcm\(aes\)\) .* 128$' "gcm in the kernel"
assert_match "$state" 'aead rfc7539esp\(chacha20,poly1305\) .* 128$' "chacha20-poly1305 in the kernel"

interop_roundtrip gcm "$A4" "$B4" 100 esp \
	"^[0-9]+ ip4 $(re "$B4") > $(re "$A4") len [0-9]+ esp spi 0x00002002 seq [1-3] len [0-9]+\$" \
	"^[0-9]+ ip4 $(re "$A4") > $(re "$B4") len [0-9]+ esp spi 0x00002001 seq [1-3] len [0-9]+\$"
interop_roundtrip chacha "$A6" "$B6" 100 'ip6 and esp' \
	"^[0-9]+ ip6 $(re "$B6") > $(re "$A6") len [0-9]+ esp spi 0x00002102 seq [1-3] len [0-9]+\$" \
	"^[0-9]+ ip6 $(re "$A6") > $(re "$B6") len [0-9]+ esp spi 0x00002101 seq [1-3] len [0-9]+\$"
for spi in 0x2001 0x2002 0x2101 0x2102; do
	same_counters esp $spi "aead"
	assert_eq "$KPB" 3/324 "SA $spi: 3 datagrams of 8 + 100 bytes"
done
assert_eq "$(in_errors "$NS_A")" "" "a's XfrmIn* counters"
assert_eq "$(eng_in_errors)" "" "the engine's XfrmIn* counters"
