# Harness self-test: ESP transport mode between two namespaces, configured with iproute2
# (`ip xfrm`), cbc(aes) + hmac(sha256). Ping must pass and the SA packet counters must go up.
# vm-timeout: 60

setup_pair
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
for ns in "$NS_A" "$NS_B"; do
	ip -n "$ns" xfrm state add src "$A4" dst "$B4" proto esp spi 0x1000 reqid 1 mode transport \
		enc 'cbc(aes)' "$enc" auth-trunc 'hmac(sha256)' "$auth" 128
	ip -n "$ns" xfrm state add src "$B4" dst "$A4" proto esp spi 0x2000 reqid 2 mode transport \
		enc 'cbc(aes)' "$enc" auth-trunc 'hmac(sha256)' "$auth" 128
done
ip -n "$NS_A" xfrm policy add src "$A4" dst "$B4" dir out tmpl proto esp reqid 1 mode transport
ip -n "$NS_A" xfrm policy add src "$B4" dst "$A4" dir in tmpl proto esp reqid 2 mode transport
ip -n "$NS_B" xfrm policy add src "$B4" dst "$A4" dir out tmpl proto esp reqid 2 mode transport
ip -n "$NS_B" xfrm policy add src "$A4" dst "$B4" dir in tmpl proto esp reqid 1 mode transport

expect_ping "$NS_A" "$B4" 3
ip -n "$NS_A" -s xfrm state
out_a=$(sa_counter "$NS_A" 0x1000 packets)
in_b=$(sa_counter "$NS_B" 0x1000 packets)
out_b=$(sa_counter "$NS_B" 0x2000 packets)
in_a=$(sa_counter "$NS_A" 0x2000 packets)
log "packets: a->b out $out_a in $in_b, b->a out $out_b in $in_a"
assert_ge "$out_a" 3 "packets on a's outbound SA 0x1000"
assert_ge "$in_b" 3 "packets on b's inbound SA 0x1000"
assert_ge "$out_b" 3 "packets on b's outbound SA 0x2000"
assert_ge "$in_a" 3 "packets on a's inbound SA 0x2000"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
