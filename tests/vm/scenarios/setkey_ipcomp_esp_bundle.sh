# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: an IPComp (deflate) + ESP bundle in transport mode, policy
# 'ipcomp/transport//require esp/transport//require', all loaded by our setkey. 3 pings of 1000
# bytes of one repeated byte (-p 41) a -> b: the IPComp SAs count the 3 packets at their full
# 1008 bytes, the ESP SAs the same 3 packets but compressed (under a quarter of the size), so
# compression really happened before encryption; all numbers from `setkey -D`, equal to ip -s.
# vm-timeout: 60
setkey_setup
enc=0x0f0e0d0c0b0a09080706050403020100
auth=0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
cat >sas.conf <<EOF
add $A4 $B4 ipcomp 0x901 -m transport -C deflate;
add $B4 $A4 ipcomp 0x902 -m transport -C deflate;
add $A4 $B4 esp 0x9101 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x9102 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
sk_load_pair sas.conf 'ipcomp/transport//require esp/transport//require'
sk "$NS_A" -DP

out=$(in_ns "$NS_A" ping -c 3 -s 1000 -p 41 -i 0.2 -W 2 -w 6 "$B4" 2>&1) || true
echo "$out"
assert_match "$out" ' 3 packets received' "3 large pings a -> b answered"
sk_expect_counts ipcomp 3/3024 "(3 x 1008 uncompressed)" 0x901 0x902
for ns in "$NS_A" "$NS_B"; do
	for spi in 0x9101 0x9102; do
		sk_counters "$ns" esp $spi
		assert_eq "$PK" 3 "$ns ESP SA $spi: packets"
		assert_gt "$BY" 0 "$ns ESP SA $spi: bytes"
		assert_gt 756 "$BY" "$ns ESP SA $spi: bytes of the compressed packets (3 x 1008 / 4 =)"
	done
done
cat "$NS_A.sad"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tC: deflate$')" "setkey -D: C: line of the IPComp SA"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
