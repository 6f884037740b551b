# setkey SA half: an IPComp (deflate) + ESP bundle in transport mode, policy
# 'ipcomp/transport//require esp/transport//require', all loaded by our setkey. 3 pings of 1000
# bytes of one repeated byte (-p 41) a -> b: the IPComp SAs count the 3 packets at their full
# 1008 bytes, the ESP SAs the same 3 packets but compressed (under a quarter of the size), so
# compression really happened before encryption; all numbers from `setkey -D`, equal to ip -s.
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
enc=0x0f0e0d0c0b0a09080706050403020100
auth=0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
cat >sas.conf <<EOF
add $A4 $B4 ipcomp 0x901 -m transport -C deflate;
add $B4 $A4 ipcomp 0x902 -m transport -C deflate;
add $A4 $B4 esp 0x9101 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x9102 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
cat sas.conf - >a.conf <<EOF
spdadd $A4 $B4 any -P out ipsec ipcomp/transport//require esp/transport//require;
spdadd $B4 $A4 any -P in ipsec ipcomp/transport//require esp/transport//require;
EOF
cat sas.conf - >b.conf <<EOF
spdadd $B4 $A4 any -P out ipsec ipcomp/transport//require esp/transport//require;
spdadd $A4 $B4 any -P in ipsec ipcomp/transport//require esp/transport//require;
EOF
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
sk "$NS_A" -DP

out=$(in_ns "$NS_A" ping -c 3 -s 1000 -p 41 -i 0.2 -W 2 -w 6 "$B4" 2>&1) || true
echo "$out"
assert_match "$out" ' 3 packets received' "3 large pings a -> b answered"
for ns in "$NS_A" "$NS_B"; do
	sk_snap "$ns"
	for cpi in 0x901 0x902; do
		sk_counters "$ns" ipcomp $cpi
		assert_eq "$PK/$BY" 3/3024 "$ns IPComp SA $cpi: packets/bytes (3 x 1008 uncompressed)"
	done
	for spi in 0x9101 0x9102; do
		sk_counters "$ns" esp $spi
		assert_eq "$PK" 3 "$ns ESP SA $spi: packets"
		assert_gt "$BY" 0 "$ns ESP SA $spi: bytes"
		assert_gt 756 "$BY" "$ns ESP SA $spi: bytes of the compressed packets (3 x 1008 / 4 =)"
	done
done
cat "$NS_A.sad"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tC: deflate$')" "setkey -D: C: line of the IPComp SA"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
