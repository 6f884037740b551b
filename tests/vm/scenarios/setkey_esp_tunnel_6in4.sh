# setkey SA half: ESP tunnel mode carrying IPv6 between inner subnets (2001:db8:1::/64 on a,
# 2001:db8:2::/64 on b) over IPv4 gateways (192.0.2.1 <-> 192.0.2.2), all from our setkey. A
# tunnel SA written without a selector must accept either inner family: setkey has to send it
# with XFRM_STATE_AF_UNSPEC (iproute2 shows "flag af-unspec"), or the kernel ties it to the outer
# family and the IPv6 pings find no SA (XfrmOutNoStates). 3 pings must pass and every SA must
# count exactly 3 packets / 312 bytes (the 104-byte inner IPv6 packets).
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
ip -n "$NS_A" addr add 2001:db8:1::1/64 dev lo
ip -n "$NS_B" addr add 2001:db8:2::1/64 dev lo
ip -n "$NS_A" route add 2001:db8:2::/64 dev veth_a
ip -n "$NS_B" route add 2001:db8:1::/64 dev veth_b
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add $A4 $B4 esp 0x4601 -m tunnel -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x4602 -m tunnel -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
cat sas.conf - >a.conf <<EOF
spdadd 2001:db8:1::/64 2001:db8:2::/64 any -P out ipsec esp/tunnel/$A4-$B4/require;
spdadd 2001:db8:2::/64 2001:db8:1::/64 any -P in ipsec esp/tunnel/$B4-$A4/require;
EOF
cat sas.conf - >b.conf <<EOF
spdadd 2001:db8:2::/64 2001:db8:1::/64 any -P out ipsec esp/tunnel/$B4-$A4/require;
spdadd 2001:db8:1::/64 2001:db8:2::/64 any -P in ipsec esp/tunnel/$A4-$B4/require;
EOF
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
state=$(ip -n "$NS_A" xfrm state)
echo "$state"
assert_eq "$(echo "$state" | grep -c 'flag af-unspec')" 2 "tunnel SAs without a selector carry XFRM_STATE_AF_UNSPEC"

nostates=$(xfrm_stat "$NS_A" XfrmOutNoStates)
out=$(in_ns "$NS_A" ping -c 3 -i 0.2 -W 2 -w 6 -I 2001:db8:1::1 2001:db8:2::1 2>&1) || true
echo "$out"
assert_eq "$(xfrm_stat "$NS_A" XfrmOutNoStates)" "$nostates" "a: XfrmOutNoStates (IPv6 packets that found no IPv4 tunnel SA)"
assert_match "$out" ' 3 packets received' "3 IPv6 pings over the IPv4 tunnel answered"
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	for spi in 0x4601 0x4602; do
		assert_eq "$(sk_field "$ns" esp $spi mode)" tunnel "$ns SA $spi: mode"
		sk_counters "$ns" esp $spi
		assert_eq "$PK/$BY" 3/312 "$ns SA $spi: packets/bytes (3 inner IPv6 packets of 104 bytes)"
	done
done
cat "$NS_A.sad"
