# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test: ESP transport mode over IPv6 between two namespaces, configured with
# iproute2, cbc(aes) + hmac(sha256). Ping must pass and the SA packet counters must go up.
# Neighbour discovery is left unprotected by the policies (it is sent to multicast addresses or
# matched by the same SAs on both sides).
# vm-timeout: 60

setup_pair
enc=0x0123456789abcdef0123456789abcdef
auth=0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
for ns in "$NS_A" "$NS_B"; do
	xfrm_esp_sa "$ns" "$A6" "$B6" 0x3000 3 "$enc" "$auth"
	xfrm_esp_sa "$ns" "$B6" "$A6" 0x4000 4 "$enc" "$auth"
done
xfrm_esp_policies "$NS_A" "$A6" "$B6" 3 4
xfrm_esp_policies "$NS_B" "$B6" "$A6" 4 3

expect_ping "$NS_A" "$B6" 3
expect_pair_packets_ge 3 0x3000 0x4000
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
