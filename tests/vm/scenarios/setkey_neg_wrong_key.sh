# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half, NEGATIVE CONTROL: the same ESP transport setup as setkey_esp_transport_v4, all
# from our setkey, except that b's copy of the a -> b SA has a different authentication key. This
# scenario passes only when the fault shows: no ping is answered, a's outbound SA still counts the
# 3 requests (the policy and SA were used, so the failure is the key's), b's inbound SA counts
# nothing in `setkey -D`, and b's XfrmInStateProtoError and the SA's integrity-failure counter
# rise by 3.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
bad=0xffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
cat >a.conf <<EOF
add $A4 $B4 esp 0x1000 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x2000 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
sk_spd "$A4" "$B4" esp/transport//require >>a.conf
cat >b.conf <<EOF
add $A4 $B4 esp 0x1000 -m transport -E aes-cbc $enc -A hmac-sha256 $bad;
add $B4 $A4 esp 0x2000 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
sk_spd "$B4" "$A4" esp/transport//require >>b.conf
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf

before=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
expect_no_ping "$NS_A" "$B4" 3
after=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
xfrm_stats_nonzero "$NS_B"
log "XfrmInStateProtoError in b: $before -> $after"
assert_eq "$((after - before))" 3 "increase of XfrmInStateProtoError in b"
assert_eq "$(sa_counter "$NS_B" 0x1000 failed)" 3 "integrity failures on b's SA 0x1000 (ip -s)"
sk_snap "$NS_A"
sk_expect_sa "$NS_A" esp 0x1000 3/192 "(a's outbound SA: the requests were protected)"
sk_snap "$NS_B"
sk_expect_sa "$NS_B" esp 0x1000 0/0 "(b's inbound SA: nothing authenticated)"
sk_expect_sa "$NS_B" esp 0x2000 0/0 "(b's outbound SA: no reply sent)"
