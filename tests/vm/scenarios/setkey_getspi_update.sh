# setkey SA half: getspi, then update. The receiver of each direction reserves the SPI: b runs
# `getspi A B esp 0` (the kernel picks an SPI in 0x100-0x0fffffff), a runs `getspi B A esp 0xd002`
# (exactly that SPI). Each reserved SA is larval: `setkey -D` shows it with state=larval and no
# algorithm. `update` in a later setkey run completes it with the keys (state=mature), the sender
# `add`s its copy, and 3 pings must pass with exactly 3 packets / 192 bytes on every SA. Also:
# `update` of an SA that does not exist fails, and `getspi ... ipcomp 0` reserves a 16-bit CPI
# that `delete` removes.
# vm-timeout: 60
# --- setkey helpers: the same block opens every setkey_* scenario (lib.sh has no setkey helpers) ---
need_bin setkey
SK=$XFRMPP_BIN/setkey
umask 077 # the scripts below hold keys (setkey warns about world-readable key files)
# sk NS ARGS...: our setkey in netns NS.  sk_load NS FILE: load a script, fail with its diagnostics.
sk() { _n=$1; shift; in_ns "$_n" "$SK" "$@"; }
sk_load() { assert_ok in_ns "$1" "$SK" -f "$2"; }
# sk_snap NS: snapshot NS's SAD as `setkey -D` (NS.sad) and `ip -s xfrm state` (NS.ip) print it
sk_snap() {
	in_ns "$1" "$SK" -D >"$1.sad" || fail "setkey -D failed in $1"
	ip -n "$1" -s xfrm state >"$1.ip"
}
# sk_field NS PROTO SPI FIELD: FIELD of an SA in the last snapshot of NS: bytes ("current: N(bytes)"),
# packets ("allocated: N"), seq, replay, flags, state, mode, reqid, proto (esp-udp for NAT-T SAs).
sk_field() {
	_v=$(awk -v p="$2" -v spi="$(printf '0x%08x' "$3")" -v f="$4" '
		/^[^\t]/ { cur = 0; next }
		$2 ~ /^mode=/ && $3 ~ /^spi=/ {
			split($3, s, /[()]/)
			cur = ($1 == p || ($1 == "esp-udp" && p == "esp")) && s[2] == spi
			if (cur && f == "proto") print $1
			if (cur) for (i = 2; i <= NF; i++) { split($i, kv, /[=(]/); if (kv[1] == f) print kv[2] }
			next
		}
		cur && $1 ~ /^seq=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }
		cur && f == "bytes" && $1 == "current:" && $2 ~ /\(bytes\)$/ { sub(/\(bytes\)/, "", $2); print $2 }
		cur && f == "packets" && $1 == "allocated:" { print $2 }' "$1.sad")
	[ -n "$_v" ] || fail "setkey -D in $1: no $2 SA with spi $3 (field $4)"
	echo "$_v" | head -n1
}
# sk_counters NS PROTO SPI: PK and BY = the SA's packets and bytes in NS's snapshot, after checking
# that they equal the kernel's numbers as iproute2 prints them ("lifetime current: B(bytes), P(packets)")
sk_counters() {
	PK=$(sk_field "$1" "$2" "$3" packets)
	BY=$(sk_field "$1" "$2" "$3" bytes)
	_ip=$(awk -v spi="$(printf '0x%08x' "$3")" '
		/^src / { cur = 0 }
		$1 == "proto" && $3 == "spi" { s = $4; sub(/\(.*/, "", s); cur = (s == spi) }
		cur && lt { lt = 0; gsub(/[(),]/, " "); print $3 "/" $1; exit }
		cur && /^\tlifetime current:/ { lt = 1 }' "$1.ip")
	assert_eq "$PK/$BY" "$_ip" "$1 $2 SA $3: setkey -D allocated/current bytes vs ip -s xfrm state packets/bytes"
	log "$1 $2 SA $3: $PK packets, $BY bytes"
}
# --- end of setkey helpers ---

setup_pair
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

cat >b.conf <<EOF
update $A4 $B4 esp $spi_ab -m transport $algs;
add $B4 $A4 esp 0xd002 -m transport $algs;
spdadd $B4 $A4 any -P out ipsec esp/transport//require;
spdadd $A4 $B4 any -P in ipsec esp/transport//require;
EOF
cat >a.conf <<EOF
update $B4 $A4 esp 0xd002 -m transport $algs;
add $A4 $B4 esp $spi_ab -m transport $algs;
spdadd $A4 $B4 any -P out ipsec esp/transport//require;
spdadd $B4 $A4 any -P in ipsec esp/transport//require;
EOF
sk_load "$NS_B" b.conf
sk_load "$NS_A" a.conf
expect_ping "$NS_A" "$B4" 3
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	assert_eq "$(grep -c "$(printf '^\tesp ')" "$ns.sad")" 2 "$ns: ESP SAs after update (the larval one was completed, not duplicated)"
	for spi in "$spi_ab" 0xd002; do
		assert_eq "$(sk_field "$ns" esp "$spi" state)" mature "$ns SA $spi after update: state="
		sk_counters "$ns" esp "$spi"
		assert_eq "$PK/$BY" 3/192 "$ns SA $spi: packets/bytes after 3 pings"
	done
done
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
