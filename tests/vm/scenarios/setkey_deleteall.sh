# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: deleteall. a and b hold three ESP SAs a -> b, one ESP SA b -> a and an AH SA
# a -> b, all from our setkey; traffic flows over ESP. `deleteall A B esp` in a must remove exactly
# the three a -> b ESP SAs (Linux has no SPI-less delete, so setkey lists and deletes them) and
# leave the b -> a ESP SA and the AH SA; a ping then fails for want of an outbound SA
# (XfrmOutNoStates rises) while b's SAs are untouched.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
algs="-E aes-cbc $enc -A hmac-sha256 $auth"
cat >sas.conf <<EOF
add $A4 $B4 esp 0xe001 -m transport $algs;
add $A4 $B4 esp 0xe002 -m transport $algs;
add $A4 $B4 esp 0xe003 -m transport $algs;
add $B4 $A4 esp 0xe101 -m transport $algs;
add $A4 $B4 ah 0xe201 -m transport -A hmac-sha256 $auth;
EOF
sk_load_pair sas.conf esp/transport//require
expect_ping "$NS_A" "$B4" 3
sk_snap "$NS_A"
# the kernel sends with the newest matching SA
sk_counters "$NS_A" esp 0xe003
assert_eq "$PK" 3 "a's newest a -> b SA 0xe003: packets"

assert_ok sk "$NS_A" -f - <<EOF
deleteall $A4 $B4 esp;
EOF
sk_snap "$NS_A"
cat "$NS_A.sad"
for spi in 0xe001 0xe002 0xe003; do
	if grep -q "($(printf '0x%08x' $spi))" "$NS_A.sad"; then fail "a: SA $spi survived deleteall"; fi
done
sk_counters "$NS_A" esp 0xe101
assert_eq "$PK" 3 "a: b -> a SA 0xe101 kept, with its counters"
sk_field "$NS_A" ah 0xe201 state >/dev/null
assert_eq "$(grep -c "$(printf '^\t[a-z-]* mode=')" "$NS_A.sad")" 2 "a: SAs left after deleteall"
sk_snap "$NS_B"
assert_eq "$(grep -c "$(printf '^\t[a-z-]* mode=')" "$NS_B.sad")" 5 "b: SAs (untouched)"

nostates=$(xfrm_stat "$NS_A" XfrmOutNoStates)
out=$(in_ns "$NS_A" ping -c 1 -W 1 -w 2 "$B4" 2>&1) || true
echo "$out"
if echo "$out" | grep -q 'bytes from'; then fail "ping a -> b answered with no a -> b SA"; fi
assert_gt "$(xfrm_stat "$NS_A" XfrmOutNoStates)" "$nostates" "a: XfrmOutNoStates after deleteall"
