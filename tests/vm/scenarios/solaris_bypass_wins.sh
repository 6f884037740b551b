# SPDX-License-Identifier: BSD-3-Clause
# Solaris tools, bypass before ipsec: each host has a broad rule `{raddr PEER} ipsec {...}` (no SAs are
# keyed, so whatever it covers cannot be sent) and, after it in the file, `{raddr PEER ulp icmp}
# bypass {}`. As on Solaris the bypass rule wins although it comes second (its XFRM priority is lower):
# pings pass in clear text and `ipsecconf -l` lists it first. Deleting the bypass rule leaves only
# the ipsec rule, and the same pings fail.
# vm-timeout: 60
need_bin ipsecconf
IC=$XFRMPP_BIN/ipsecconf
ic() { _n=$1; shift; in_ns "$_n" "$IC" "$@"; }

setup_pair
for ns in "$NS_A" "$NS_B"; do
	[ "$ns" = "$NS_A" ] && peer=$B4 || peer=$A4
	printf '{raddr %s} ipsec {encr_algs aes encr_auth_algs sha256}\n{raddr %s ulp icmp} bypass {}\n' "$peer" "$peer" >"$ns.pol"
	assert_ok ic "$ns" -q -a "$ns.pol"
done
list=$(ic "$NS_A" -l)
echo "$list"
first=$(echo "$list" | grep -v '^#' | head -n1)
assert_match "$first" 'pass \{ \}$' "ipsecconf -l lists the bypass rule first (match order)"
expect_ping "$NS_A" "$B4" 3
assert_eq "$(ip -n "$NS_A" xfrm state | grep -c src)" 0 "no SA was needed"
idx=$(ic "$NS_A" | grep -B1 bypass | sed -n 's/^#INDEX //p')
assert_ok ic "$NS_A" -q -d "$idx"
expect_no_ping "$NS_A" "$B4" 2
