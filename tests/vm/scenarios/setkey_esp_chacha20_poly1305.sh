# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: ESP transport, chacha20-poly1305 (RFC 7634), IPv4, SAs and policies loaded only by our setkey.
# The kernel must hold the algorithm setkey maps it to (rfc7539esp(chacha20,poly1305)) with the key and ICV length
# written (AEAD, 288-bit key with the salt, ICV 128, read back with iproute2); after 3 pings a -> b every SA counts exactly
# 3 packets / 192 bytes in `setkey -D`, equal to `ip -s xfrm state`.
# vm-timeout: 60
setkey_setup
algs='-E chacha20-poly1305 0x808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3'
sk_ping_pair esp 0x7201 0x7202 "$algs" 3 \
	'aead rfc7539esp\(chacha20,poly1305\) 0x808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3 \(288 bits\) 128$' \
	"AEAD algorithm, key and ICV in the kernel"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tE: rfc7539esp\\(chacha20,poly1305\\)  80818283 ')" "E: line in setkey -D"
