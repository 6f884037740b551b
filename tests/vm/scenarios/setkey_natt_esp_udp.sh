# setkey SA half: NAT-T, ESP in UDP (esp-udp, RFC 3948), SAs and policies loaded by our setkey:
# a -> b from port 4500 to 4500, b -> a from 4500 to 31000 (a peer behind a NAT), written both as
# `addr[port]` and KAME's `addr [port]`. The kernel must hold the SAs with UDP encapsulation
# (espinudp) and exactly those ports; `setkey -D` shows them as esp-udp with src[port] dst[port].
# On the wire: each receiver has a `-P in discard` policy for exactly that UDP 4-tuple, so its
# XfrmInPolBlock counter rises once per ESP-in-UDP packet with the right ports (a packet with other
# ports, or plain ESP, would not match it). The outbound SAs count exactly the 3 pings each way.
# Not tested: decapsulation. The kernel hands ESP-in-UDP to an SA only through a UDP socket that
# has the UDP_ENCAP option (an IKE daemon's); busybox, iproute2 and setkey cannot create one, and a
# FOU receiver leaves the IP protocol at UDP, which ESP input rejects. So no ping is answered here.
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
add ${A4}[4500] ${B4}[4500] esp-udp 0xa001 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 [4500] $A4 [31000] esp-udp 0xa002 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
cat sas.conf - >a.conf <<EOF
spdadd $A4 $B4 icmp -P out ipsec esp/transport//require;
spdadd ${B4}[4500] ${A4}[31000] udp -P in discard;
EOF
cat sas.conf - >b.conf <<EOF
spdadd $B4 $A4 icmp -P out ipsec esp/transport//require;
spdadd ${A4}[4500] ${B4}[4500] udp -P in discard;
EOF
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf
state=$(ip -n "$NS_A" xfrm state)
echo "$state"
assert_match "$state" 'encap type espinudp sport 4500 dport 4500 addr 0.0.0.0' "a -> b SA: UDP encapsulation 4500 -> 4500 in the kernel"
assert_match "$state" 'encap type espinudp sport 4500 dport 31000 addr 0.0.0.0' "b -> a SA: UDP encapsulation 4500 -> 31000 in the kernel"
sk_snap "$NS_A"
cat "$NS_A.sad"
assert_match "$(cat "$NS_A.sad")" "^$A4\\[4500\\] $B4\\[4500\\]\$" "setkey -D: address line with the NAT-T ports (a -> b)"
assert_match "$(cat "$NS_A.sad")" "^$B4\\[4500\\] $A4\\[31000\\]\$" "setkey -D: address line with the NAT-T ports (b -> a)"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tesp-udp mode=transport spi=40961\\(0x0000a001\\) ')" "setkey -D: esp-udp SA line"

block_a0=$(xfrm_stat "$NS_A" XfrmInPolBlock)
block_b0=$(xfrm_stat "$NS_B" XfrmInPolBlock)
# No replies can come (see above): both directions at once, 2 s
in_ns "$NS_A" ping -c 3 -i 0.2 -W 1 -w 2 "$B4" >ping_ab.txt 2>&1 &
in_ns "$NS_B" ping -c 3 -i 0.2 -W 1 -w 2 "$A4" >ping_ba.txt 2>&1 || true
wait || true
cat ping_ab.txt ping_ba.txt
block_a=$(($(xfrm_stat "$NS_A" XfrmInPolBlock) - block_a0))
block_b=$(($(xfrm_stat "$NS_B" XfrmInPolBlock) - block_b0))
log "ESP-in-UDP packets caught by the discard policies: b (from a 4500 -> 4500) $block_b, a (from b 4500 -> 31000) $block_a"
assert_eq "$block_b" 3 "b: ESP-in-UDP packets from $A4:4500 to $B4:4500"
assert_eq "$block_a" 3 "a: ESP-in-UDP packets from $B4:4500 to $A4:31000"
for ns_spi in "$NS_A 0xa001" "$NS_B 0xa002"; do
	set -- $ns_spi
	sk_snap "$1"
	assert_eq "$(sk_field "$1" esp "$2" proto)" esp-udp "$1 SA $2: shown as esp-udp"
	sk_counters "$1" esp "$2"
	assert_eq "$PK/$BY" 3/192 "$1 outbound SA $2: packets/bytes after 3 pings"
done
