# SPDX-License-Identifier: BSD-3-Clause
# Solaris tools, ESP tunnel between two gateways' inner subnets over an XFRM interface named like a
# Solaris tunnel (ip.tun0, if_id 7, outer endpoints in its alias "tsrc A tdst B"). ipseckey adds
# tunnel-mode SAs (proto 4 with isrc/idst: inner subnets 10.1.0.0/24 and 10.2.0.0/24) and gives them the
# interface's if_id; ipsecconf adds `{tunnel ip.tun0 negotiate tunnel laddr ... raddr ...}` as in, out
# and fwd policies with that if_id. A ping between the inner addresses is carried by ESP: the SAs count
# it, `ipsecconf -L` lists the rule as "#INDEX ip.tun0,1", and `ipseckey dump` shows the inner addresses.
# vm-timeout: 90
need_bin ipseckey
need_bin ipsecconf
umask 077
IK=$XFRMPP_BIN/ipseckey
IC=$XFRMPP_BIN/ipsecconf
ik() { _n=$1; shift; in_ns "$_n" "$IK" "$@"; }
ic() { _n=$1; shift; in_ns "$_n" "$IC" "$@"; }

setup_pair
# ns a: inner 10.1.0.1 (subnet 10.1.0.0/24), ns b: inner 10.2.0.1 (subnet 10.2.0.0/24)
tunnel() { # tunnel NS DEV LOCAL REMOTE INNER PEER_SUBNET
	ip -n "$1" link add ip.tun0 type xfrm dev "$2" if_id 7 || fail "ip link add type xfrm in $1"
	ip -n "$1" link set ip.tun0 alias "tsrc $3 tdst $4"
	ip -n "$1" link set ip.tun0 up
	ip -n "$1" addr add "$5/32" dev lo
	ip -n "$1" route add "$6" dev ip.tun0 src "$5"
}
tunnel "$NS_A" veth_a "$A4" "$B4" 10.1.0.1 10.2.0.0/24
tunnel "$NS_B" veth_b "$B4" "$A4" 10.2.0.1 10.1.0.0/24
enc=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
auth=0001020304050607080910111213141516171819
cat >sas.keys <<EOF
add esp spi 0x100 src $A4 dst $B4 proto 4 isrc 10.1.0.0/24 idst 10.2.0.0/24 \\
    encr_alg aes encrkey $enc auth_alg sha1 authkey $auth
add esp spi 0x200 src $B4 dst $A4 proto 4 isrc 10.2.0.0/24 idst 10.1.0.0/24 \\
    encr_alg aes encrkey $enc auth_alg sha1 authkey $auth
EOF
cat >a.pol <<EOF
# ip.tun0 between me and site B: my subnet to theirs
{tunnel ip.tun0 negotiate tunnel laddr 10.1.0.0/24
raddr 10.2.0.0/24} ipsec {encr_algs aes encr_auth_algs sha1}
EOF
sed 's#laddr 10.1.0.0/24#laddr 10.2.0.0/24#; s#raddr 10.2.0.0/24#raddr 10.1.0.0/24#' a.pol >b.pol
for ns in "$NS_A" "$NS_B"; do
	assert_ok ik "$ns" -f sas.keys
	assert_ok ic "$ns" -q -a "$ns.pol"
done
ip -n "$NS_A" xfrm state
ip -n "$NS_A" xfrm policy
assert_match "$(ip -n "$NS_A" xfrm state)" 'if_id 0x7' "ipseckey gave the tunnel SAs the interface's if_id"
assert_eq "$(ip -n "$NS_A" xfrm policy | grep -c 'if_id 0x7')" 3 "in, out and fwd policies with the if_id"
expect_ping "$NS_A" 10.2.0.1 3
for ns in "$NS_A" "$NS_B"; do
	for spi in 0x100 0x200; do
		assert_eq "$(sa_counter "$ns" $spi packets)" 3 "$ns tunnel SA $spi: packets after 3 pings"
	done
done
list=$(ic "$NS_A" -L)
echo "$list"
assert_match "$list" '^#INDEX ip\.tun0,1$' "ipsecconf -L: tunnel index"
assert_match "$list" '^\{ tunnel ip\.tun0 negotiate tunnel laddr 10\.1\.0\.0/24 raddr 10\.2\.0\.0/24 dir both \}' "ipsecconf -L: tunnel rule"
assert_eq "$(ic "$NS_A" -l | grep -c '^#INDEX')" 0 "ipsecconf -l (host SPD only) has no tunnel rule"
dump=$(ik "$NS_A" -n dump)
assert_match "$dump" '^INS: AF_INET: port 0, 10\.1\.0\.0/24\.$' "ipseckey dump: inner source"
assert_match "$dump" 'X_TUNNEL' "ipseckey dump: tunnel flag"
# Traffic outside the tunnel's subnets stays in clear text on the outer addresses.
expect_ping "$NS_A" "$B4" 2
