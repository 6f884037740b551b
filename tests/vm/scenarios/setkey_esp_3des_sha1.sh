# setkey SA half: ESP transport, 3des-cbc + hmac-sha1, IPv4, SAs and policies loaded only by our setkey.
# The kernel must hold the algorithm setkey maps it to (cbc(des3_ede) + hmac(sha1)) with the key and ICV length
# written (192-bit key; hmac-sha1 truncated to 96 bits, read back with iproute2); after 3 pings a -> b every SA counts exactly
# 3 packets / 192 bytes in `setkey -D`, equal to `ip -s xfrm state`.
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
algs='-E 3des-cbc 0x0123456789abcdef23456789abcdef01456789abcdef0123 -A hmac-sha1 0x0102030405060708090a0b0c0d0e0f1011121314'
cat >sas.conf <<EOF
add $A4 $B4 esp 0x7301 -m transport $algs;
add $B4 $A4 esp 0x7302 -m transport $algs;
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
state=$(ip -n "$NS_A" -s xfrm state)
echo "$state"
assert_match "$state" 'enc cbc\(des3_ede\) 0x0123456789abcdef23456789abcdef01456789abcdef0123 \(192 bits\)$' "3DES cipher and key in the kernel"
assert_match "$state" 'auth-trunc hmac\(sha1\) 0x0102030405060708090a0b0c0d0e0f1011121314 \(160 bits\) 96$' "hmac-sha1 with a 96-bit ICV (RFC 2404)"
expect_ping "$NS_A" "$B4" 3
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	for spi in 0x7301 0x7302; do
		sk_counters "$ns" esp $spi
		assert_eq "$PK/$BY" 3/192 "$ns SA $spi: packets/bytes after 3 pings"
	done
done
cat "$NS_A.sad"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tA: hmac\\(sha1\\)  01020304 05060708 090a0b0c 0d0e0f10 11121314$')" "A: line in setkey -D"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
