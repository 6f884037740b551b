# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: AH transport mode, hmac-sha256, IPv4, SAs and policies loaded only by our setkey.
# The kernel must hold hmac(sha256) truncated to 128 bits (RFC 4868, not the 96-bit XFRMA_ALG_AUTH
# default); after 3 pings a -> b every AH SA counts exactly 3 packets / 192 bytes in `setkey -D`,
# equal to `ip -s xfrm state`, and the packets really carry AH (XfrmInStateProtoError stays 0
# while the AH SAs count; no ESP SA exists).
# vm-timeout: 60
setkey_setup
auth=0x6b65796b65796b65796b65796b65796b65796b65796b65796b65796b65796b65
sk_ping_pair ah 0x8001 0x8002 "-A hmac-sha256 $auth" 3 \
	'proto ah spi 0x00008001' "AH SA 0x8001 in the kernel" \
	"auth-trunc hmac\\(sha256\\) $auth \\(256 bits\\) 128\$" "hmac-sha256 with a 128-bit ICV"
for ns in "$NS_A" "$NS_B"; do
	! grep -q "$(printf '^\tesp ')" "$ns.sad" || fail "$ns: setkey -D shows an ESP SA"
done
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tah mode=transport spi=32769\\(0x00008001\\) ')" "setkey -D: AH SA line"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tA: hmac\\(sha256\\)  6b65796b ')" "setkey -D: A: line"
assert_eq "$(sk_field "$NS_A" ah 0x8001 seq)" 0x00000003 "a's outbound AH SA: seq"
