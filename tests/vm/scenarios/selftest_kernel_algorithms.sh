# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test: the image carries the crypto modules and the kernel loads them on demand
# (through busybox modprobe). Adds one ESP/IPComp SA per algorithm with iproute2 and prints a
# table; fails if an algorithm that the Debian kernel config provides cannot be used.
# vm-timeout: 120
# shellcheck disable=SC2046 # $(aes) and $(sha) below are split into words on purpose

ip netns add "$NS_A"
spi=256
k16=0x000102030405060708090a0b0c0d0e0f
k20=${k16}10111213
k24=${k20}14151617
k32=${k16}101112131415161718191a1b1c1d1e1f
k36=${k32}20212223
k48=${k32}202122232425262728292a2b2c2d2e2f
k64=${k32}202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
missing=
# try REQUIRED|OPTIONAL LABEL PROTO ALGORITHM-ARGS...
try() {
	want=$1 label=$2 proto=$3
	shift 3
	spi=$((spi + 1))
	if err=$(ip -n "$NS_A" xfrm state add src "$A4" dst "$B4" proto "$proto" spi "$spi" "$@" 2>&1); then
		printf '  %-34s available\n' "$label"
	else
		printf '  %-34s UNAVAILABLE (%s)\n' "$label" "$err"
		[ "$want" = OPTIONAL ] || missing="$missing $label"
	fi
}
aes() { echo "enc cbc(aes) $k16"; }
sha() { echo "auth-trunc hmac(sha256) $k32 128"; }

echo "AEAD:"
try REQUIRED 'rfc4106(gcm(aes))' esp aead 'rfc4106(gcm(aes))' "$k20" 128
try REQUIRED 'rfc4309(ccm(aes))' esp aead 'rfc4309(ccm(aes))' "${k16}101112" 128
try REQUIRED 'rfc4543(gcm(aes)) (GMAC)' esp aead 'rfc4543(gcm(aes))' "$k20" 128
try REQUIRED 'rfc7539esp(chacha20,poly1305)' esp aead 'rfc7539esp(chacha20,poly1305)' "$k36" 128
echo "Encryption (with hmac(sha256)):"
try REQUIRED 'cbc(aes)' esp enc 'cbc(aes)' "$k32" $(sha)
try REQUIRED 'rfc3686(ctr(aes))' esp enc 'rfc3686(ctr(aes))' "$k20" $(sha)
try REQUIRED 'cbc(des3_ede)' esp enc 'cbc(des3_ede)' "$k24" $(sha)
try REQUIRED 'cbc(des)' esp enc 'cbc(des)' 0x0001020304050607 $(sha)
try REQUIRED 'ecb(cipher_null)' esp enc 'ecb(cipher_null)' '' $(sha)
try OPTIONAL 'cbc(blowfish)' esp enc 'cbc(blowfish)' "$k16" $(sha)
try OPTIONAL 'cbc(cast5)' esp enc 'cbc(cast5)' "$k16" $(sha)
try OPTIONAL 'cbc(serpent)' esp enc 'cbc(serpent)' "$k16" $(sha)
try OPTIONAL 'cbc(twofish)' esp enc 'cbc(twofish)' "$k16" $(sha)
try OPTIONAL 'cbc(camellia)' esp enc 'cbc(camellia)' "$k16" $(sha)
echo "Authentication (with cbc(aes)):"
try REQUIRED 'hmac(md5)' esp $(aes) auth-trunc 'hmac(md5)' "$k16" 96
try REQUIRED 'hmac(sha1)' esp $(aes) auth-trunc 'hmac(sha1)' "$k20" 96
try REQUIRED 'hmac(sha256)' esp $(aes) auth-trunc 'hmac(sha256)' "$k32" 128
try REQUIRED 'hmac(sha384)' esp $(aes) auth-trunc 'hmac(sha384)' "$k48" 192
try REQUIRED 'hmac(sha512)' esp $(aes) auth-trunc 'hmac(sha512)' "$k64" 256
try REQUIRED 'xcbc(aes)' esp $(aes) auth-trunc 'xcbc(aes)' "$k16" 96
try REQUIRED 'cmac(aes)' esp $(aes) auth-trunc 'cmac(aes)' "$k16" 96
try OPTIONAL 'hmac(rmd160)' esp $(aes) auth-trunc 'hmac(rmd160)' "$k20" 96
echo "AH:"
try REQUIRED 'ah hmac(sha256)' ah auth-trunc 'hmac(sha256)' "$k32" 128
echo "IPComp:"
try REQUIRED 'deflate' comp comp deflate
try OPTIONAL 'lzs' comp comp lzs
try OPTIONAL 'lzjh' comp comp lzjh

echo "loaded modules:"
cut -d' ' -f1 /proc/modules | sort | tr '\n' ' '
echo
[ -z "$missing" ] || fail "unavailable:$missing"
