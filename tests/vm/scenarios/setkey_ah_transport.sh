# setkey SA half: AH transport mode, hmac-sha256, IPv4, SAs and policies loaded only by our setkey.
# The kernel must hold hmac(sha256) truncated to 128 bits (RFC 4868, not the 96-bit XFRMA_ALG_AUTH
# default); after 3 pings a -> b every AH SA counts exactly 3 packets / 192 bytes in `setkey -D`,
# equal to `ip -s xfrm state`, and the packets really carry AH (XfrmInStateProtoError stays 0
# while the AH SAs count; no ESP SA exists).
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
auth=0x6b65796b65796b65796b65796b65796b65796b65796b65796b65796b65796b65
cat >sas.conf <<EOF
add $A4 $B4 ah 0x8001 -m transport -A hmac-sha256 $auth;
add $B4 $A4 ah 0x8002 -m transport -A hmac-sha256 $auth;
EOF
cat sas.conf - >a.conf <<EOF
spdadd $A4 $B4 any -P out ipsec ah/transport//require;
spdadd $B4 $A4 any -P in ipsec ah/transport//require;
EOF
cat sas.conf - >b.conf <<EOF
spdadd $B4 $A4 any -P out ipsec ah/transport//require;
spdadd $A4 $B4 any -P in ipsec ah/transport//require;
EOF
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
state=$(ip -n "$NS_A" -s xfrm state)
echo "$state"
assert_match "$state" 'proto ah spi 0x00008001' "AH SA 0x8001 in the kernel"
assert_match "$state" "auth-trunc hmac\\(sha256\\) $auth \\(256 bits\\) 128\$" "hmac-sha256 with a 128-bit ICV"

expect_ping "$NS_A" "$B4" 3
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	for spi in 0x8001 0x8002; do
		sk_counters "$ns" ah $spi
		assert_eq "$PK/$BY" 3/192 "$ns AH SA $spi: packets/bytes after 3 pings"
	done
	! grep -q "$(printf '^\tesp ')" "$ns.sad" || fail "$ns: setkey -D shows an ESP SA"
done
cat "$NS_A.sad"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tah mode=transport spi=32769\\(0x00008001\\) ')" "setkey -D: AH SA line"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tA: hmac\\(sha256\\)  6b65796b ')" "setkey -D: A: line"
assert_eq "$(sk_field "$NS_A" ah 0x8001 seq)" 0x00000003 "a's outbound AH SA: seq"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
