# Harness self-test: ESP transport mode over IPv6 between two namespaces, configured with
# iproute2, cbc(aes) + hmac(sha256). Ping must pass and the SA packet counters must go up.
# Neighbour discovery is left unprotected by the policies (it is sent to multicast addresses or
# matched by the same SAs on both sides).
# vm-timeout: 60

setup_pair
enc=0x0123456789abcdef0123456789abcdef
auth=0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
for ns in "$NS_A" "$NS_B"; do
	ip -n "$ns" xfrm state add src "$A6" dst "$B6" proto esp spi 0x3000 reqid 3 mode transport \
		enc 'cbc(aes)' "$enc" auth-trunc 'hmac(sha256)' "$auth" 128
	ip -n "$ns" xfrm state add src "$B6" dst "$A6" proto esp spi 0x4000 reqid 4 mode transport \
		enc 'cbc(aes)' "$enc" auth-trunc 'hmac(sha256)' "$auth" 128
done
ip -n "$NS_A" xfrm policy add src "$A6" dst "$B6" dir out tmpl proto esp reqid 3 mode transport
ip -n "$NS_A" xfrm policy add src "$B6" dst "$A6" dir in tmpl proto esp reqid 4 mode transport
ip -n "$NS_B" xfrm policy add src "$B6" dst "$A6" dir out tmpl proto esp reqid 4 mode transport
ip -n "$NS_B" xfrm policy add src "$A6" dst "$B6" dir in tmpl proto esp reqid 3 mode transport

expect_ping "$NS_A" "$B6" 3
out_a=$(sa_counter "$NS_A" 0x3000 packets)
in_b=$(sa_counter "$NS_B" 0x3000 packets)
out_b=$(sa_counter "$NS_B" 0x4000 packets)
in_a=$(sa_counter "$NS_A" 0x4000 packets)
log "packets: a->b out $out_a in $in_b, b->a out $out_b in $in_a"
assert_ge "$out_a" 3 "packets on a's outbound SA 0x3000"
assert_ge "$in_b" 3 "packets on b's inbound SA 0x3000"
assert_ge "$out_b" 3 "packets on b's outbound SA 0x4000"
assert_ge "$in_a" 3 "packets on a's inbound SA 0x4000"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
