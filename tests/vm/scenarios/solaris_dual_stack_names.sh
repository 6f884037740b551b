# SPDX-License-Identifier: BSD-3-Clause
# Solaris tools with host names that resolve to an IPv4 and an IPv6 address each (--hosts file): one
# ipseckey `add ... src alpha dst beta` gives an SA per address family, one ipsecconf rule
# `{laddr alpha raddr beta}` gives a policy pair per family (v4/v6 mismatches skipped), and pings over
# both families are carried by the right SAs. src6/dst6 take only the IPv6 addresses of a name.
# `ipsecconf -l` lists both pairs under the rule's one index (-d of it removes both).
# vm-timeout: 90
need_bin ipseckey
need_bin ipsecconf
umask 077 # the key files below
IK=$XFRMPP_BIN/ipseckey
IC=$XFRMPP_BIN/ipsecconf

setup_pair
printf '%s alpha\n%s alpha\n%s beta\n%s beta\n' "$A4" "$A6" "$B4" "$B6" >hosts
ik() { _n=$1; shift; in_ns "$_n" "$IK" --hosts "$PWD/hosts" "$@"; }
ic() { _n=$1; shift; in_ns "$_n" "$IC" --hosts "$PWD/hosts" "$@"; }
enc=000102030405060708090a0b0c0d0e0f
auth=101112131415161718191a1b1c1d1e1f101112131415161718191a1b1c1d1e1f
cat >sas.keys <<EOF
add esp spi 0x5000 src alpha dst beta encr_alg aes encrkey $enc auth_alg sha256 authkey $auth
add esp spi 0x6000 src beta dst alpha encr_alg aes encrkey $enc auth_alg sha256 authkey $auth
# IPv6 only: a second pair on its own SPIs
add esp spi 0x7000 src6 alpha dst6 beta encr_alg aes encrkey $enc auth_alg sha256 authkey $auth
add esp spi 0x8000 src6 beta dst6 alpha encr_alg aes encrkey $enc auth_alg sha256 authkey $auth
EOF
printf '{laddr alpha raddr beta} ipsec {encr_algs aes encr_auth_algs sha256}\n' >a.pol
printf '{laddr beta raddr alpha} ipsec {encr_algs aes encr_auth_algs sha256}\n' >b.pol
for ns in "$NS_A" "$NS_B"; do
	assert_ok ik "$ns" -f sas.keys
done
assert_ok ic "$NS_A" -q -a a.pol
assert_ok ic "$NS_B" -q -a b.pol
ip -n "$NS_A" xfrm state | grep -c '^src' >a.count
assert_eq "$(cat a.count)" 6 "SAs in a: 0x5000 and 0x6000 in both families, 0x7000 and 0x8000 in IPv6 only"
assert_eq "$(ip -n "$NS_A" xfrm policy | grep -c "^src $A4/32 dst $B4/32")" 1 "a's outbound IPv4 policy"
assert_eq "$(ip -n "$NS_A" xfrm policy | grep -c "^src $A6/128 dst $B6/128")" 1 "a's outbound IPv6 policy"
assert_eq "$(ip -n "$NS_A" xfrm policy | grep -c "^src $A4/32 dst $B6/128\|^src $A6/128 dst $B4/32")" 0 "no mixed-family policy"

expect_ping "$NS_A" "$B4" 3
expect_ping "$NS_A" "$B6" 3
# pk NS SRC DST SPI: packets of one SA (the same SPI exists in both families, so sa_counter's SPI-only
# lookup is not enough)
pk() {
	_v=$(ip -n "$1" -s xfrm state list src "$2" dst "$3" proto esp spi "$4" | awk '
		nl { gsub(/[(),]/, " "); print $3; exit } /^\tlifetime current:/ { nl = 1 }')
	echo "${_v:-0}"
}
# The IPv4 pings can only be on the IPv4 SAs; the kernel picks either IPv6 pair (0x5000 or 0x7000 have
# the same selector and keys) for the IPv6 pings, but never the clear.
assert_eq "$(pk "$NS_A" "$A4" "$B4" 0x5000)" 3 "a's IPv4 SA 0x5000: packets after 3 pings"
assert_eq "$(pk "$NS_B" "$B4" "$A4" 0x6000)" 3 "b's IPv4 SA 0x6000: packets after 3 replies"
out6=$(($(pk "$NS_A" "$A6" "$B6" 0x5000) + $(pk "$NS_A" "$A6" "$B6" 0x7000)))
in6=$(($(pk "$NS_B" "$A6" "$B6" 0x5000) + $(pk "$NS_B" "$A6" "$B6" 0x7000)))
assert_ge "$out6" 3 "IPv6 pings counted on a's outbound IPv6 SAs"
assert_eq "$in6" "$out6" "b received on its IPv6 SAs what a sent"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
assert_eq "$(xfrm_stat "$NS_B" XfrmInNoStates)" 0 "XfrmInNoStates in b"

list=$(ic "$NS_A" -l)
echo "$list"
assert_eq "$(printf '%s\n' "$list" | grep -c '^#INDEX 1$')" 2 "both pairs under the rule's index"
assert_eq "$(printf '%s\n' "$list" | grep -c '^#INDEX')" 2 "no other index"
assert_match "$list" "laddr $A4/32 raddr $B4/32" "-l: the IPv4 pair"
assert_match "$list" "laddr $A6/128 raddr $B6/128" "-l: the IPv6 pair"
assert_ok ic "$NS_A" -d 1
assert_eq "$(ip -n "$NS_A" xfrm policy | grep -c '^src')" 0 "-d 1 removed both pairs (and the IKE bypass with the last rule)"
expect_no_ping "$NS_A" "$B6" 2
