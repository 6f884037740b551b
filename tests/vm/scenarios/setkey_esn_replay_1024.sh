# setkey SA half: extended sequence numbers with a 1024-packet anti-replay window (`-r 1024 -esn`)
# a -> b, and a 64-packet window without ESN (`-r 64`, over the legacy 32-packet limit) b -> a.
# The kernel must hold ESN with replay_window 1024 (32 bitmap words) and a plain 64-packet window
# (iproute2's view); `setkey -D` must show replay=1024 flags=0x00000080 (XFRM_STATE_ESN) and
# replay=64 flags=0x00000000; after 3 pings every SA counts exactly 3 packets / 192 bytes, and the
# outbound seq= is 3 on both.
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
add $A4 $B4 esp 0xc001 -m transport -r 1024 -esn -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0xc002 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
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
state=$(ip -n "$NS_B" xfrm state)
echo "$state"
# iproute2 prints the SA blocks newest first: b -> a (0xc002) then a -> b (0xc001)
esn_block=$(echo "$state" | sed -n '/spi 0x0000c001/,/^src /p')
plain_block=$(echo "$state" | sed -n '/spi 0x0000c002/,/^src /p')
assert_match "$esn_block" 'flag esn' "SA 0xc001: ESN flag in the kernel"
assert_match "$esn_block" 'replay_window 1024, bitmap-length 32' "SA 0xc001: 1024-packet window in the kernel"
assert_match "$plain_block" 'replay_window 64, bitmap-length 2' "SA 0xc002: 64-packet window in the kernel"
if echo "$plain_block" | grep -q 'flag esn'; then fail "SA 0xc002 has ESN in the kernel"; fi

expect_ping "$NS_A" "$B4" 3
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	assert_eq "$(sk_field "$ns" esp 0xc001 replay)" 1024 "$ns SA 0xc001: replay="
	assert_eq "$(sk_field "$ns" esp 0xc001 flags)" 0x00000080 "$ns SA 0xc001: flags= (ESN)"
	assert_eq "$(sk_field "$ns" esp 0xc002 replay)" 64 "$ns SA 0xc002: replay="
	assert_eq "$(sk_field "$ns" esp 0xc002 flags)" 0x00000000 "$ns SA 0xc002: flags="
	for spi in 0xc001 0xc002; do
		sk_counters "$ns" esp $spi
		assert_eq "$PK/$BY" 3/192 "$ns SA $spi: packets/bytes after 3 pings"
	done
done
cat "$NS_A.sad"
assert_eq "$(sk_field "$NS_A" esp 0xc001 seq)" 0x00000003 "a's outbound ESN SA: seq"
assert_eq "$(sk_field "$NS_B" esp 0xc002 seq)" 0x00000003 "b's outbound SA: seq"
assert_match "$(ip -n "$NS_B" xfrm state | sed -n '/spi 0x0000c001/,/^src /p')" 'seq 0x3, oseq-hi 0x0' "b's inbound ESN SA: highest sequence number received"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
