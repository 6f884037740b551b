# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: ESP transport, aes-ctr (AES-128-CTR, RFC 3686) + hmac-sha256, IPv4, SAs and policies loaded only by our setkey.
# The kernel must hold the algorithm setkey maps it to (rfc3686(ctr(aes)) + hmac(sha256)) with the key and ICV length
# written (160-bit key with the nonce; hmac-sha256 truncated to 128 bits, read back with iproute2); after 3 pings a -> b every SA counts exactly
# 3 packets / 192 bytes in `setkey -D`, equal to `ip -s xfrm state`.
# vm-timeout: 60
setkey_setup
algs='-E aes-ctr 0x00112233445566778899aabbccddeeff01020304 -A hmac-sha256 0x2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c'
sk_ping_pair esp 0x7101 0x7102 "$algs" 3 \
	'enc rfc3686\(ctr\(aes\)\) 0x00112233445566778899aabbccddeeff01020304 \(160 bits\)$' \
	"CTR cipher and key in the kernel" \
	'auth-trunc hmac\(sha256\) 0x2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c \(256 bits\) 128$' \
	"hmac-sha256 with a 128-bit ICV (RFC 4868)"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tE: rfc3686\\(ctr\\(aes\\)\\)  00112233 ')" "E: line in setkey -D"
