# setkey SA half, NEGATIVE CONTROL: SAs without policies. a and b get the ESP SAs of
# setkey_esp_transport_v4 from our setkey but no spdadd. This scenario passes only when the fault
# shows: the pings are answered in clear text while every ESP SA stays at 0 packets / 0 bytes in
# `setkey -D` and b's ICMP counters see the echo requests. Then the policies are added (spdadd from
# setkey) and the same pings must move every SA counter to 3, proving the counters were able to.
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
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	for spi in 0x1000 0x2000; do
		sk_counters "$ns" esp $spi
		assert_eq "$PK/$BY" 0/0 "$ns SA $spi: nothing protected without a policy"
	done
done
assert_eq "$(xfrm_stats_nonzero "$NS_B")" "" "b's non-zero xfrm_stat counters"

cat >a.conf <<EOF
spdadd $A4 $B4 any -P out ipsec esp/transport//require;
spdadd $B4 $A4 any -P in ipsec esp/transport//require;
EOF
cat >b.conf <<EOF
spdadd $B4 $A4 any -P out ipsec esp/transport//require;
spdadd $A4 $B4 any -P in ipsec esp/transport//require;
EOF
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
expect_ping "$NS_A" "$B4" 3
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	for spi in 0x1000 0x2000; do
		sk_counters "$ns" esp $spi
		assert_eq "$PK/$BY" 3/192 "$ns SA $spi: with the policies in place"
	done
done
