# SPDX-License-Identifier: BSD-3-Clause
# setkey, issue 8 (fidelity): hmac-sha256 with a 160-bit key, as in the FreeBSD manual's example. The
# kernel's hmac() takes any key length (RFC 2104), so a's SAs and policies come from our setkey and
# b's from iproute2 with the same 20 key bytes: pings answered both ways and every SA counting them
# show the key went out exactly as written (not padded to 256 bits). The load warns (RFC 4868 wants
# 256 bits). Negative control: a 520-bit key (longer than the hash's 512-bit block) is refused by our
# setkey before anything is sent, while the kernel itself would take it: that refusal is FreeBSD's
# rule, kept on purpose (setkey(8)), not the kernel's.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x0011223344556677889900112233445566778899
{
	echo "add $A4 $B4 esp 0x1000 -m transport -E aes-cbc $enc -A hmac-sha2-256 $auth;"
	echo "add $B4 $A4 esp 0x2000 -m transport -E aes-cbc $enc -A hmac-sha2-256 $auth;"
	sk_spd "$A4" "$B4" esp/transport//require
} >a.conf
warn=$(in_ns "$NS_A" "$SK" -f a.conf 2>&1) || fail "setkey -f a.conf failed: $warn"
echo "$warn"
assert_match "$warn" "a.conf:1:[0-9]+: warning: hmac-sha256 keys should be 256 bits, the hash's output length \(RFC 4868\); a 160-bit key" "warning at load"
xfrm_esp_sa "$NS_B" "$A4" "$B4" 0x1000 0 "$enc" "$auth"
xfrm_esp_sa "$NS_B" "$B4" "$A4" 0x2000 0 "$enc" "$auth"
xfrm_esp_policies "$NS_B" "$B4" "$A4" 0 0
state=$(ip -n "$NS_A" xfrm state)
echo "$state"
assert_match "$state" "auth-trunc hmac\(sha256\) $auth 128" "a's SA holds the 160-bit key and the 128-bit ICV"

expect_ping "$NS_A" "$B4" 3
expect_ping "$NS_B" "$A4" 2
# a -> b: 3 requests + 2 replies; b -> a: 3 replies + 2 requests; 64 bytes each (transport mode).
sk_snap "$NS_A"
sk_expect_sa "$NS_A" esp 0x1000 5/320 "(a's outbound SA)"
sk_expect_sa "$NS_A" esp 0x2000 5/320 "(a's inbound SA)"
assert_eq "$(sa_counter "$NS_B" 0x1000 packets)" 5 "b's inbound SA 0x1000: packets"
assert_eq "$(sa_counter "$NS_B" 0x2000 packets)" 5 "b's outbound SA 0x2000: packets"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
assert_eq "$(xfrm_stat "$NS_A" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in a"

# Negative control: 65 key bytes. Our setkey refuses it and sends nothing.
long=0x$(i=0; while [ $i -lt 65 ]; do printf ab; i=$((i + 1)); done)
echo "add $A4 $B4 esp 0x3000 -m transport -E aes-cbc $enc -A hmac-sha256 $long;" >long.conf
out=$(in_ns "$NS_A" "$SK" -f long.conf 2>&1) && fail "setkey accepted a 520-bit hmac-sha256 key"
echo "$out"
assert_match "$out" "hmac-sha256 takes a key of 8 to 512 bits in whole bytes" "the refusal names the lengths"
assert_match "$out" "nothing was sent to the kernel" "refused before sending"
assert_eq "$(ip -n "$NS_A" xfrm state | grep -c 'spi 0x00003000')" 0 "SA 0x3000 in a after the refusal"
# ... while the kernel would have taken it, so the limit is ours.
assert_ok ip -n "$NS_A" xfrm state add src "$A4" dst "$B4" proto esp spi 0x3001 mode transport \
	enc 'cbc(aes)' "$enc" auth-trunc 'hmac(sha256)' "$long" 128
