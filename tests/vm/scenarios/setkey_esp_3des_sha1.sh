# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: ESP transport, 3des-cbc + hmac-sha1, IPv4, SAs and policies loaded only by our setkey.
# The kernel must hold the algorithm setkey maps it to (cbc(des3_ede) + hmac(sha1)) with the key and ICV length
# written (192-bit key; hmac-sha1 truncated to 96 bits, read back with iproute2); after 3 pings a -> b every SA counts exactly
# 3 packets / 192 bytes in `setkey -D`, equal to `ip -s xfrm state`.
# vm-timeout: 60
setkey_setup
algs='-E 3des-cbc 0x0123456789abcdef23456789abcdef01456789abcdef0123 -A hmac-sha1 0x0102030405060708090a0b0c0d0e0f1011121314'
sk_ping_pair esp 0x7301 0x7302 "$algs" 3 \
	'enc cbc\(des3_ede\) 0x0123456789abcdef23456789abcdef01456789abcdef0123 \(192 bits\)$' \
	"3DES cipher and key in the kernel" \
	'auth-trunc hmac\(sha1\) 0x0102030405060708090a0b0c0d0e0f1011121314 \(160 bits\) 96$' \
	"hmac-sha1 with a 96-bit ICV (RFC 2404)"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tA: hmac\\(sha1\\)  01020304 05060708 090a0b0c 0d0e0f10 11121314$')" "A: line in setkey -D"
