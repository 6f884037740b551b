# setkey SA half: deleteall. a and b hold three ESP SAs a -> b, one ESP SA b -> a and an AH SA
# a -> b, all from our setkey; traffic flows over ESP. `deleteall A B esp` in a must remove exactly
# the three a -> b ESP SAs (Linux has no SPI-less delete, so setkey lists and deletes them) and
# leave the b -> a ESP SA and the AH SA; a ping then fails for want of an outbound SA
# (XfrmOutNoStates rises) while b's SAs are untouched.
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
cat >sas.conf <<EOF
add $A4 $B4 esp 0xe001 -m transport $algs;
add $A4 $B4 esp 0xe002 -m transport $algs;
add $A4 $B4 esp 0xe003 -m transport $algs;
add $B4 $A4 esp 0xe101 -m transport $algs;
add $A4 $B4 ah 0xe201 -m transport -A hmac-sha256 $auth;
EOF
cat sas.conf - >a.conf <<EOF
spdadd $A4 $B4 any -P out ipsec esp/transport//require;
spdadd $B4 $A4 any -P in ipsec esp/transport//require;
EOF
cat sas.conf - >b.conf <<EOF
spdadd $B4 $A4 any -P out ipsec esp/transport//require;
spdadd $A4 $B4 any -P in ipsec esp/transport//require;
EOF
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
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
