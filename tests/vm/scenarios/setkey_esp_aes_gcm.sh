# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: ESP transport, aes-gcm-16 (AES-256-GCM, 16-byte ICV), IPv4, SAs and policies loaded only by our setkey.
# The kernel must hold the algorithm setkey maps it to (rfc4106(gcm(aes))) with the key and ICV length
# written (AEAD, 288-bit key with the salt, ICV 128, read back with iproute2); after 3 pings a -> b every SA counts exactly
# 3 packets / 192 bytes in `setkey -D`, equal to `ip -s xfrm state`.
# vm-timeout: 60
setkey_setup
algs='-E aes-gcm-16 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fcafebabe'
sk_ping_pair esp 0x7001 0x7002 "$algs" 3 \
	'aead rfc4106\(gcm\(aes\)\) 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fcafebabe \(288 bits\) 128$' \
	"AEAD algorithm, key and ICV in the kernel"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tE: rfc4106\\(gcm\\(aes\\)\\)  00010203 ')" "E: line in setkey -D"
! grep -q "$(printf '^\tA: ')" "$NS_A.sad" || fail "setkey -D shows an A: line for an AEAD SA"
