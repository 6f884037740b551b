# SPDX-License-Identifier: BSD-3-Clause
# Engine <-> kernel interop (issue 11), IPComp (deflate) inside ESP (aes-cbc + hmac-sha256),
# transport, IPv4. 3 datagrams each way with 1000-byte payloads (compressible: a short text padded
# with '.'): the engine's reach a socket in a, the kernel's are decompressed and decrypted by the
# engine to what a sent. The IPComp SAs count the uncompressed 1008 bytes on both sides; each ESP SA
# counts in the engine exactly what it counts in the kernel (the compressed size, which may differ
# between the two compressors, so the wire lengths are only logged); no XfrmIn* error.
# vm-timeout: 60
interop_setup
enc=0x0f0e0d0c0b0a09080706050403020100
auth=0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
cat >sas.conf <<EOF
add $A4 $B4 ipcomp 0x901 -m transport -C deflate;
add $B4 $A4 ipcomp 0x902 -m transport -C deflate;
add $A4 $B4 esp 0x9101 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x9102 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
interop_load sas.conf 'ipcomp/transport//require esp/transport//require'

ROW_SIZES_DIFFER=1
interop_roundtrip comp "$A4" "$B4" 1000 esp \
	"^[0-9]+ ip4 $(re "$B4") > $(re "$A4") len [0-9]+ esp spi 0x00009102 seq [1-3] len [0-9]+\$" \
	"^[0-9]+ ip4 $(re "$A4") > $(re "$B4") len [0-9]+ esp spi 0x00009101 seq [1-3] len [0-9]+\$"
for d in comp_e_wire comp_k_wire; do
	assert_gt 500 "$(wire_len $d.pcap 1)" "$d: a compressed 1000-byte payload is well under 500 bytes on the wire"
done
for spi in 0x901 0x902; do
	same_counters ipcomp $spi "ipcomp"
	assert_eq "$KPB" 3/3024 "IPComp SA $spi: 3 datagrams of 8 + 1000 bytes, uncompressed"
done
for spi in 0x9101 0x9102; do
	same_counters esp $spi "esp around ipcomp"
done
assert_eq "$(in_errors "$NS_A")" "" "a's XfrmIn* counters"
assert_eq "$(eng_in_errors)" "" "the engine's XfrmIn* counters"
