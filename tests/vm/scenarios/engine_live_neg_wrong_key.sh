# SPDX-License-Identifier: BSD-3-Clause
# NEGATIVE control for the live dataplane (issue 12): engine_live_esp.sh's first pair (ESP transport
# over IPv4, aes-cbc + hmac-sha256), but the engine's state holds a different auth key for both SAs
# than b's kernel. The positive check of the other engine_live_* scenarios (3 pings each way all
# answered, the engine stopped, the same 6/384 on every SA in the engine and in b's kernel, no
# XfrmIn* error) must fail, at its first step: no ping is answered either way. Then the failure
# itself: b's kernel refuses the engine's 3 echo requests (XfrmInStateProtoError +3, SA 0x1001
# `failed` 3, 0 packets counted), the engine refuses b's 3 (its XfrmInStateProtoError 3), and the
# engine's outbound SA counts 3 packets that b's inbound SA never counted, so the counter check fails
# as well.
# Measured: 12 s in one boot with the other engine_live_* scenarios (TCG, host load 2-2.5).
# vm-timeout: 60
live_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
bad=0xffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
cat >cbc.sas <<EOF
add $A4 $B4 esp 0x1001 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x1002 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
live_row cbc.sas esp/transport//require
sed -i "s/$auth/$bad/g" e.conf
grep -q -- "$bad" e.conf && ! grep -q -- "$auth" e.conf || fail "e.conf does not hold only the wrong key"
live_load
live_start

# the positive check, as engine_live_esp.sh makes it for this pair; its failure is recorded in
# positive.result instead of this scenario's result
positive_check() {
	live_pings "$A4" "$B4" 3
	live_stop
	for spi in 0x1001 0x1002; do live_same_counters esp $spi 6/384 "v4 transport, cbc(aes) + hmac(sha256)"; done
	live_no_errors
}
proto_before=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
if (XFRMPP_RESULT=$PWD/positive.result && positive_check); then
	fail "NEGATIVE: the positive check passed although the engine holds the wrong auth key"
fi
reason=$(head -n1 positive.result)
log "NEGATIVE: the positive check failed: $reason"
assert_match "$reason" "^FAIL ping $(re "$A4") -> $(re "$B4"): 0 of 3 replies, $(re "$B4") -> $(re "$A4"): 0 of 3 replies" \
	"why the positive check failed"

proto_after=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
log "b's XfrmInStateProtoError: $proto_before before the pings, $proto_after after"
assert_eq "$((proto_after - proto_before))" 3 "b's XfrmInStateProtoError rise (the engine's 3 echo requests)"
assert_eq "$(sa_counter "$NS_B" 0x1001 failed)" 3 "b's SA 0x1001: integrity failures"
assert_eq "$(sa_counter "$NS_B" 0x1001 packets)" 0 "b's SA 0x1001: packets counted"
live_stop
if [ "$LIVE_A" = engine ]; then
	assert_eq "$(eng_stat XfrmInStateProtoError)" 3 "the engine's XfrmInStateProtoError (b's 3 echo requests)"
else
	assert_eq "$(xfrm_stat "$NS_A" XfrmInStateProtoError)" 3 "a's XfrmInStateProtoError (b's 3 echo requests)"
fi
if (XFRMPP_RESULT=$PWD/counters.result && live_same_counters esp 0x1001 3/192 "a -> b, wrong key"); then
	fail "NEGATIVE: host A and b's kernel count the same on SA 0x1001 although b refused every packet"
fi
log "NEGATIVE: the counter check failed too: $(head -n1 counters.result)"
assert_match "$(head -n1 counters.result)" "host A \($LIVE_A\) vs the kernel of b, packets/bytes: got '3/192', expected '0/0'" \
	"why the counter check failed"
