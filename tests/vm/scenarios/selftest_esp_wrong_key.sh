# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test, negative control for selftest_esp_transport_v4: the same ESP transport setup,
# except that b's copy of the a->b SA has a different authentication key. Ping must fail, a's
# outbound SA must still count the packets it protected (so the policy matched), and b must count
# the ICV failures: XfrmInStateProtoError in its xfrm_stat and `failed` on the SA.
# vm-timeout: 60

setup_pair
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
bad=0xffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
xfrm_esp_sa "$NS_A" "$A4" "$B4" 0x1000 1 "$enc" "$auth"
xfrm_esp_sa "$NS_B" "$A4" "$B4" 0x1000 1 "$enc" "$bad"
for ns in "$NS_A" "$NS_B"; do
	xfrm_esp_sa "$ns" "$B4" "$A4" 0x2000 2 "$enc" "$auth"
done
xfrm_esp_policies "$NS_A" "$A4" "$B4" 1 2
xfrm_esp_policies "$NS_B" "$B4" "$A4" 2 1

before=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
expect_no_ping "$NS_A" "$B4" 3
after=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
xfrm_stats_nonzero "$NS_B"
out_a=$(sa_counter "$NS_A" 0x1000 packets)
failed_b=$(sa_counter "$NS_B" 0x1000 failed)
log "XfrmInStateProtoError in b: $before -> $after; a's outbound SA sent $out_a; b's SA failed $failed_b"
assert_ge "$out_a" 3 "packets on a's outbound SA 0x1000"
assert_ge "$((after - before))" 3 "increase of XfrmInStateProtoError in b"
assert_ge "$failed_b" 3 "integrity failures on b's SA 0x1000"
