# SPDX-License-Identifier: BSD-3-Clause
# Solaris tools, a drop rule: `{laddr A raddr B ulp icmp dir out} drop {}` on a blocks the pings (the
# kernel counts XfrmOutPolBlock) while nothing else changes; `ipsecconf -d` of that index lets them
# through again. The UDP 500/4500 bypass that ipsecconf always adds is in the SPD.
# vm-timeout: 60
need_bin ipsecconf
IC=$XFRMPP_BIN/ipsecconf
ic() { _n=$1; shift; in_ns "$_n" "$IC" "$@"; }

setup_pair
expect_ping "$NS_A" "$B4" 2
printf '{laddr %s raddr %s ulp icmp dir out} drop {}\n' "$A4" "$B4" >drop.pol
assert_ok ic "$NS_A" -q -a drop.pol
assert_eq "$(ip -n "$NS_A" xfrm policy | grep -cE 'proto (udp|17) ')" 8 "IKE bypass policies (UDP 500 and 4500, in and out, v4 and v6)"
before=$(xfrm_stat "$NS_A" XfrmOutPolBlock)
expect_no_ping "$NS_A" "$B4" 3
after=$(xfrm_stat "$NS_A" XfrmOutPolBlock)
assert_gt "$((after - before))" 0 "XfrmOutPolBlock rises with the dropped pings"
view=$(ic "$NS_A")
echo "$view"
idx=$(echo "$view" | sed -n 's/^#INDEX //p' | head -n1)
assert_ok ic "$NS_A" -q -d "$idx"
expect_ping "$NS_A" "$B4" 3
assert_eq "$(ip -n "$NS_A" xfrm policy | grep -c src)" 0 "the last rule's deletion took the IKE bypass with it"
