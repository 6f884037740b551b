# SPDX-License-Identifier: BSD-3-Clause
# Solaris tools, AH transport: ipseckey AH SAs (hmac-sha1 under its Solaris name "sha") and the
# ipsecconf rule `{laddr raddr} ipsec {auth_algs sha1}` on both hosts. Pings pass, the AH SAs count
# them, the policies carry an AH template whose auth mask is hmac-sha1's (SADB id 3), and no ESP is used.
# vm-timeout: 60
need_bin ipseckey
need_bin ipsecconf
umask 077
IK=$XFRMPP_BIN/ipseckey
IC=$XFRMPP_BIN/ipsecconf
ik() { _n=$1; shift; in_ns "$_n" "$IK" "$@"; }
ic() { _n=$1; shift; in_ns "$_n" "$IC" "$@"; }

setup_pair
auth=00112233445566778899aabbccddeeff00112233
cat >sas.keys <<EOF
add ah spi 0x3000 src $A4 dst $B4 auth_alg sha authkey $auth
add ah spi 0x4000 src $B4 dst $A4 authalg hmac-sha1 authkey $auth
EOF
printf '{laddr %s raddr %s} ipsec {auth_algs sha1}\n' "$A4" "$B4" >a.pol
printf '{laddr %s raddr %s} ipsec {auth_algs SHA1 sa shared}\n' "$B4" "$A4" >b.pol
for ns in "$NS_A" "$NS_B"; do
	assert_ok ik "$ns" -f sas.keys
	assert_ok ic "$ns" -q -a "$ns.pol"
done
pol=$(ip -n "$NS_A" -s xfrm policy)
echo "$pol"
assert_match "$pol" 'proto ah' "AH template"
assert_match "$pol" 'auth-mask 0*8 ' "the auth mask is hmac-sha1's bit"
expect_ping "$NS_A" "$B4" 3
for ns in "$NS_A" "$NS_B"; do
	for spi in 0x3000 0x4000; do
		assert_eq "$(sa_counter "$ns" $spi packets)" 3 "$ns AH SA $spi: packets after 3 pings"
	done
done
assert_eq "$(ip -n "$NS_A" xfrm state | grep -c 'proto esp')" 0 "no ESP SA involved"
