# setkey SA half: ESP tunnel mode between two gateways (a, b) protecting their inner subnets
# 10.1.0.0/24 (host ha behind a) and 10.2.0.0/24 (host hb behind b). Only the gateways get SAs and
# policies, from our setkey; the forwarded traffic needs the 'fwd' copies that RFC mode (the
# default) adds for every 'in' policy. ha pings hb; every tunnel SA must count exactly the 3
# packets and the 3 x 84 bytes of the inner IP packets, equal to `ip -s xfrm state`.
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
ip netns add ha
ip netns add hb
ip link add ha0 netns ha type veth peer name a1 netns "$NS_A"
ip link add hb0 netns hb type veth peer name b1 netns "$NS_B"
ip -n ha addr add 10.1.0.2/24 dev ha0
ip -n "$NS_A" addr add 10.1.0.1/24 dev a1
ip -n hb addr add 10.2.0.2/24 dev hb0
ip -n "$NS_B" addr add 10.2.0.1/24 dev b1
for l in "ha ha0" "hb hb0" "$NS_A a1" "$NS_B b1"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n ha link set lo up
ip -n hb link set lo up
ip -n ha route add default via 10.1.0.1
ip -n hb route add default via 10.2.0.1
ip -n "$NS_A" route add 10.2.0.0/24 via "$B4"
ip -n "$NS_B" route add 10.1.0.0/24 via "$A4"
in_ns "$NS_A" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
in_ns "$NS_B" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'

enc=0x4a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263646566676869
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add $A4 $B4 esp 0x5000 -m tunnel -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x6000 -m tunnel -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
cat sas.conf - >a.conf <<EOF
spdadd 10.1.0.0/24 10.2.0.0/24 any -P out ipsec esp/tunnel/$A4-$B4/require;
spdadd 10.2.0.0/24 10.1.0.0/24 any -P in ipsec esp/tunnel/$B4-$A4/require;
EOF
cat sas.conf - >b.conf <<EOF
spdadd 10.2.0.0/24 10.1.0.0/24 any -P out ipsec esp/tunnel/$B4-$A4/require;
spdadd 10.1.0.0/24 10.2.0.0/24 any -P in ipsec esp/tunnel/$A4-$B4/require;
EOF
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
spd=$(sk "$NS_B" -DP)
echo "$spd"
assert_match "$spd" "$(printf '^\tfwd prio def ipsec')" "RFC mode's fwd copy of b's 'in' policy in setkey -DP"

expect_ping ha 10.2.0.2 3
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	for spi in 0x5000 0x6000; do
		assert_eq "$(sk_field "$ns" esp $spi mode)" tunnel "$ns SA $spi: mode"
		sk_counters "$ns" esp $spi
		assert_eq "$PK/$BY" 3/252 "$ns SA $spi: packets/bytes (tunnel mode counts the 84-byte inner packets)"
	done
done
cat "$NS_B.sad"
assert_eq "$(xfrm_stat "$NS_B" XfrmInNoPols)" 0 "XfrmInNoPols in b"
assert_eq "$(xfrm_stat "$NS_B" XfrmFwdHdrError)" 0 "XfrmFwdHdrError in b"
