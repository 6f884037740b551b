# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: flush by protocol. a and b hold ESP, AH and IPComp SA pairs from our setkey; the
# policies use AH. `flush esp;` must remove only the ESP SAs: AH and IPComp stay and AH traffic
# keeps flowing (AH counters 3 -> 6). `flush ah;` then leaves only IPComp and traffic stops;
# `flush;` empties the SAD ("No SAD entries."). Finally `setkey -F` and `setkey -FP` on a full
# reload empty the SAD and the SPD.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add $A4 $B4 esp 0xf001 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0xf002 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $A4 $B4 ah 0xf101 -m transport -A hmac-sha256 $auth;
add $B4 $A4 ah 0xf102 -m transport -A hmac-sha256 $auth;
add $A4 $B4 ipcomp 0xf201 -m transport -C deflate;
add $B4 $A4 ipcomp 0xf202 -m transport -C deflate;
EOF
sk_load_pair sas.conf ah/transport//require
# protos NS: the SA protocols in NS's snapshot, sorted, one line
protos() { awk '$2 ~ /^mode=/ { print $1 }' "$1.sad" | sort | tr '\n' ' '; }
expect_ping "$NS_A" "$B4" 3
sk_snap "$NS_A"
assert_eq "$(protos "$NS_A")" "ah ah esp esp ipcomp ipcomp " "a: SAs before any flush"
sk_counters "$NS_A" ah 0xf101
assert_eq "$PK" 3 "a's AH SA 0xf101: packets"

echo 'flush esp;' | assert_ok sk "$NS_A" -c
sk_snap "$NS_A"
assert_eq "$(protos "$NS_A")" "ah ah ipcomp ipcomp " "a: SAs after 'flush esp;'"
expect_ping "$NS_A" "$B4" 3
sk_snap "$NS_A"
sk_counters "$NS_A" ah 0xf101
assert_eq "$PK" 6 "a's AH SA 0xf101 still carries traffic after 'flush esp;'"

echo 'flush ah;' | assert_ok sk "$NS_A" -c
sk_snap "$NS_A"
assert_eq "$(protos "$NS_A")" "ipcomp ipcomp " "a: SAs after 'flush ah;'"
out=$(in_ns "$NS_A" ping -c 1 -W 1 -w 2 "$B4" 2>&1) || true
if echo "$out" | grep -q 'bytes from'; then fail "ping a -> b answered with the AH SAs flushed"; fi

echo 'flush;' | assert_ok sk "$NS_A" -c
assert_eq "$(sk "$NS_A" -D)" "No SAD entries." "a: setkey -D after 'flush;'"
assert_eq "$(ip -n "$NS_A" xfrm state)" "" "a: ip xfrm state after 'flush;'"

sk_snap "$NS_B"
assert_eq "$(protos "$NS_B")" "ah ah esp esp ipcomp ipcomp " "b: SAs (untouched by a's flushes)"
assert_ok sk "$NS_B" -F
assert_eq "$(sk "$NS_B" -D)" "No SAD entries." "b: setkey -D after setkey -F"
assert_match "$(sk "$NS_B" -DP)" 'ipsec' "b: setkey -F leaves the SPD"
assert_ok sk "$NS_B" -FP
assert_eq "$(sk "$NS_B" -DP)" "No SPD entries." "b: setkey -DP after setkey -FP"
