# setkey SA half: flush by protocol. a and b hold ESP, AH and IPComp SA pairs from our setkey; the
# policies use AH. `flush esp;` must remove only the ESP SAs: AH and IPComp stay and AH traffic
# keeps flowing (AH counters 3 -> 6). `flush ah;` then leaves only IPComp and traffic stops;
# `flush;` empties the SAD ("No SAD entries."). Finally `setkey -F` and `setkey -FP` on a full
# reload empty the SAD and the SPD.
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
add $A4 $B4 esp 0xf001 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0xf002 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $A4 $B4 ah 0xf101 -m transport -A hmac-sha256 $auth;
add $B4 $A4 ah 0xf102 -m transport -A hmac-sha256 $auth;
add $A4 $B4 ipcomp 0xf201 -m transport -C deflate;
add $B4 $A4 ipcomp 0xf202 -m transport -C deflate;
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
# protos NS: the SA protocols in NS's snapshot, sorted, one line
protos() { awk '$2 ~ /^mode=/ { print $1 }' "$1.sad" | sort | tr '\n' ' '; }
expect_ping "$NS_A" "$B4" 3
sk_snap "$NS_A"
assert_eq "$(protos "$NS_A")" "ah ah esp esp ipcomp ipcomp " "a: SAs before any flush"
sk_counters "$NS_A" ah 0xf101
assert_eq "$PK" 3 "a's AH SA 0xf101: packets"

echo 'flush esp;' | assert_ok sk "$NS_A" -c
sk_snap "$NS_A"
assert_eq "$(protos "$NS_A")" "ah ah ipcomp ipcomp " "a: SAs after 'flush esp;'"
expect_ping "$NS_A" "$B4" 3
sk_snap "$NS_A"
sk_counters "$NS_A" ah 0xf101
assert_eq "$PK" 6 "a's AH SA 0xf101 still carries traffic after 'flush esp;'"

echo 'flush ah;' | assert_ok sk "$NS_A" -c
sk_snap "$NS_A"
assert_eq "$(protos "$NS_A")" "ipcomp ipcomp " "a: SAs after 'flush ah;'"
out=$(in_ns "$NS_A" ping -c 1 -W 1 -w 2 "$B4" 2>&1) || true
if echo "$out" | grep -q 'bytes from'; then fail "ping a -> b answered with the AH SAs flushed"; fi

echo 'flush;' | assert_ok sk "$NS_A" -c
assert_eq "$(sk "$NS_A" -D)" "No SAD entries." "a: setkey -D after 'flush;'"
assert_eq "$(ip -n "$NS_A" xfrm state)" "" "a: ip xfrm state after 'flush;'"

sk_snap "$NS_B"
assert_eq "$(protos "$NS_B")" "ah ah esp esp ipcomp ipcomp " "b: SAs (untouched by a's flushes)"
assert_ok sk "$NS_B" -F
assert_eq "$(sk "$NS_B" -D)" "No SAD entries." "b: setkey -D after setkey -F"
assert_match "$(sk "$NS_B" -DP)" 'ipsec' "b: setkey -F leaves the SPD"
assert_ok sk "$NS_B" -FP
assert_eq "$(sk "$NS_B" -DP)" "No SPD entries." "b: setkey -DP after setkey -FP"
