# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half, NEGATIVE CONTROL: SAs without policies. a and b get the ESP SAs of
# setkey_esp_transport_v4 from our setkey but no spdadd. This scenario passes only when the fault
# shows: the pings are answered in clear text while every ESP SA stays at 0 packets / 0 bytes in
# `setkey -D` and b's ICMP counters see the echo requests. Then the policies are added (spdadd from
# setkey) and the same pings must move every SA counter to 3, proving the counters were able to.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add $A4 $B4 esp 0x1000 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x2000 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
sk_load "$NS_A" sas.conf
sk_load "$NS_B" sas.conf
assert_eq "$(sk "$NS_A" -DP)" "No SPD entries." "a's SPD"
in_echos() { in_ns "$1" cat /proc/net/snmp | awk '$1 == "Icmp:" && $2 ~ /^[0-9]+$/ { print $10 }'; }
echos0=$(in_echos "$NS_B")
expect_ping "$NS_A" "$B4" 3
echos1=$(in_echos "$NS_B")
assert_eq "$((echos1 - echos0))" 3 "echo requests received by b's ICMP"
sk_expect_counts esp 0/0 "(nothing protected without a policy)" 0x1000 0x2000
assert_eq "$(xfrm_stats_nonzero "$NS_B")" "" "b's non-zero xfrm_stat counters"

sk_load_pair /dev/null esp/transport//require
expect_ping "$NS_A" "$B4" 3
sk_expect_counts esp 3/192 "with the policies in place" 0x1000 0x2000
