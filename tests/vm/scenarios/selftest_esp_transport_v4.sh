# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test: ESP transport mode between two namespaces, configured with iproute2
# (`ip xfrm`), cbc(aes) + hmac(sha256). Ping must pass and the SA packet counters must go up.
# vm-timeout: 60

setup_pair
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
for ns in "$NS_A" "$NS_B"; do
	xfrm_esp_sa "$ns" "$A4" "$B4" 0x1000 1 "$enc" "$auth"
	xfrm_esp_sa "$ns" "$B4" "$A4" 0x2000 2 "$enc" "$auth"
done
xfrm_esp_policies "$NS_A" "$A4" "$B4" 1 2
xfrm_esp_policies "$NS_B" "$B4" "$A4" 2 1

expect_ping "$NS_A" "$B4" 3
ip -n "$NS_A" -s xfrm state
expect_pair_packets_ge 3 0x1000 0x2000
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
