# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: getspi, then update. The receiver of each direction reserves the SPI: b runs
# `getspi A B esp 0` (the kernel picks an SPI in 0x100-0x0fffffff), a runs `getspi B A esp 0xd002`
# (exactly that SPI). Each reserved SA is larval: `setkey -D` shows it with state=larval and no
# algorithm. `update` in a later setkey run completes it with the keys (state=mature), the sender
# `add`s its copy, and 3 pings must pass with exactly 3 packets / 192 bytes on every SA. Also:
# `update` of an SA that does not exist fails, and `getspi ... ipcomp 0` reserves a 16-bit CPI
# that `delete` removes.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
algs="-E aes-cbc $enc -A hmac-sha256 $auth"

out=$(echo "getspi $A4 $B4 esp 0;" | sk "$NS_B" -c) || fail "getspi in b: $out"
echo "$out"
assert_match "$out" '^spi=[0-9]+\(0x[0-9a-f]{8}\)$' "getspi output"
spi_ab=$(echo "$out" | sed 's/.*(\(0x[0-9a-f]*\)).*/\1/')
assert_ge "$((spi_ab))" 256 "SPI chosen by the kernel (>= 0x100)"
assert_ge $((0x0fffffff)) "$((spi_ab))" "SPI chosen by the kernel (<= 0x0fffffff)"
out=$(echo "getspi $B4 $A4 esp 0xd002;" | sk "$NS_A" -c) || fail "getspi in a: $out"
assert_eq "$out" "spi=53250(0x0000d002)" "getspi of an exact SPI"

for ns_spi in "$NS_B $spi_ab" "$NS_A 0xd002"; do
	set -- $ns_spi
	sk_snap "$1"
	cat "$1.sad"
	sk_counters "$1" esp "$2"
	assert_eq "$PK/$BY" 0/0 "$1: larval SA $2 counters"
	assert_eq "$(sk_field "$1" esp "$2" state)" larval "$1: SA $2 reserved by getspi: state="
	if grep -q "$(printf '^\t[EA]: ')" "$1.sad"; then fail "$1: the larval SA $2 already has algorithms"; fi
done

assert_fail sk "$NS_A" -f - <<EOF
update $A4 $B4 esp 0xdead -m transport $algs;
EOF

{
	echo "update $A4 $B4 esp $spi_ab -m transport $algs;"
	echo "add $B4 $A4 esp 0xd002 -m transport $algs;"
	sk_spd "$B4" "$A4" esp/transport//require
} >b.conf
{
	echo "update $B4 $A4 esp 0xd002 -m transport $algs;"
	echo "add $A4 $B4 esp $spi_ab -m transport $algs;"
	sk_spd "$A4" "$B4" esp/transport//require
} >a.conf
sk_load "$NS_B" b.conf
sk_load "$NS_A" a.conf
expect_ping "$NS_A" "$B4" 3
sk_expect_counts esp 3/192 "after 3 pings" "$spi_ab" 0xd002
for ns in "$NS_A" "$NS_B"; do
	assert_eq "$(grep -c "$(printf '^\tesp ')" "$ns.sad")" 2 "$ns: ESP SAs after update (the larval one was completed, not duplicated)"
done
sk_expect_field esp state mature "$spi_ab" 0xd002
cat "$NS_B.sad"

out=$(echo "getspi $A4 $B4 ipcomp 0;" | sk "$NS_B" -c) || fail "getspi ipcomp in b: $out"
echo "$out"
cpi=$(echo "$out" | sed -n 's/^spi=[0-9]*(\(0x[0-9a-f]*\))$/\1/p')
[ -n "$cpi" ] || fail "getspi ipcomp printed no CPI: $out"
assert_ge $((0xffff)) "$((cpi))" "IPComp CPI chosen by the kernel (16 bits)"
sk_snap "$NS_B"
sk_field "$NS_B" ipcomp "$cpi" state >/dev/null
assert_ok sk "$NS_B" -f - <<EOF
delete $A4 $B4 ipcomp $cpi;
EOF
sk_snap "$NS_B"
if grep -q "$(printf '^\tipcomp ')" "$NS_B.sad"; then fail "the IPComp SA $cpi is still there after delete"; fi
