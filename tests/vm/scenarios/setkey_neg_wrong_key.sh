# setkey SA half, NEGATIVE CONTROL: the same ESP transport setup as setkey_esp_transport_v4, all
# from our setkey, except that b's copy of the a -> b SA has a different authentication key. This
# scenario passes only when the fault shows: no ping is answered, a's outbound SA still counts the
# 3 requests (the policy and SA were used, so the failure is the key's), b's inbound SA counts
# nothing in `setkey -D`, and b's XfrmInStateProtoError and the SA's integrity-failure counter
# rise by 3.
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
bad=0xffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
cat >a.conf <<EOF
add $A4 $B4 esp 0x1000 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x2000 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
spdadd $A4 $B4 any -P out ipsec esp/transport//require;
spdadd $B4 $A4 any -P in ipsec esp/transport//require;
EOF
cat >b.conf <<EOF
add $A4 $B4 esp 0x1000 -m transport -E aes-cbc $enc -A hmac-sha256 $bad;
add $B4 $A4 esp 0x2000 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
spdadd $B4 $A4 any -P out ipsec esp/transport//require;
spdadd $A4 $B4 any -P in ipsec esp/transport//require;
EOF
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf

before=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
expect_no_ping "$NS_A" "$B4" 3
after=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
xfrm_stats_nonzero "$NS_B"
log "XfrmInStateProtoError in b: $before -> $after"
assert_eq "$((after - before))" 3 "increase of XfrmInStateProtoError in b"
assert_eq "$(sa_counter "$NS_B" 0x1000 failed)" 3 "integrity failures on b's SA 0x1000 (ip -s)"
sk_snap "$NS_A"
sk_counters "$NS_A" esp 0x1000
assert_eq "$PK/$BY" 3/192 "a's outbound SA 0x1000: the requests were protected"
sk_snap "$NS_B"
sk_counters "$NS_B" esp 0x1000
assert_eq "$PK/$BY" 0/0 "b's inbound SA 0x1000: nothing authenticated"
sk_counters "$NS_B" esp 0x2000
assert_eq "$PK/$BY" 0/0 "b's outbound SA 0x2000: no reply sent"
