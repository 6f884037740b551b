# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: SA lifetimes and their EXPIRE events, seen by our `setkey -x`.
# Time: in b, `setkey -x --count 3` runs in the background (output to a file) while an SA with
# `-ls 2 -lh 4` (between addresses no traffic uses) is added; it must print the new SA, then an "expire soft" block for that SA, then
# an "expire hard" one no sooner than 4 s after the add, and exit by itself; the SA must then be
# gone from `setkey -D`.
# Bytes: a's a -> b SA has `-bs 256 -bh 512`. Of 10 pings of 64 counted bytes each exactly 8 get
# through (the 9th finds 512 bytes used and the SA expired); `setkey -x --count 2` in a must show
# "expire soft" at 256 bytes / 4 packets and "expire hard" at 512 bytes / 8 packets.
# Every wait is bounded.
# vm-timeout: 60
setkey_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
# wait_monitor NS: until a NETLINK_XFRM socket in NS (protocol 6 in /proc/net/netlink) has joined
# a multicast group, i.e. setkey -x listens; at most 5 s
wait_monitor() {
	ns_sh "$1" 'i=0; while [ $i -lt 50 ]; do
		awk "\$2 == 6 && \$4 != \"00000000\" { f = 1 } END { exit !f }" /proc/net/netlink && exit 0
		sleep 0.1; i=$((i + 1)); done; exit 1' || fail "setkey -x in $1 did not subscribe within 5 s"
}
# wait_exit PID SECONDS: wait until PID exits, at most SECONDS; its exit status (or "timeout") in rc
wait_exit() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt $(($2 * 10)) ]; do sleep 0.1; _i=$((_i + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		kill "$1"
		rc=timeout
	else
		wait "$1" && rc=0 || rc=$?
	fi
}
# event_block FILE KIND: the first block of FILE whose header line ends in KIND ("expire soft")
event_block() { awk -v k="$2" 'on && /^$/ { exit } on { print } !on && $0 ~ (" " k "$") { on = 1; print }' "$1"; }
now() { cut -d' ' -f1 /proc/uptime; }

# SAs for the byte part: a's outbound SA has the byte limits, b's copy of it none (so b's monitor
# below sees only its own time SA)
cat >a.conf <<EOF
add $A4 $B4 esp 0xb101 -m transport -bs 256 -bh 512 -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0xb102 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
sk_spd "$A4" "$B4" esp/transport//require >>a.conf
cat >b.conf <<EOF
add $A4 $B4 esp 0xb101 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0xb102 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
sk_spd "$B4" "$A4" esp/transport//require >>b.conf
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf

# --- time lifetimes, in b ---
"$IP" netns exec "$NS_B" "$SK" -x --count 3 >mon_time.txt 2>&1 &
mon_time=$!
wait_monitor "$NS_B"
# between other addresses: an SA B4 -> A4 would be the newest match of b's outbound policy
echo "add 198.51.100.1 198.51.100.2 esp 0xb001 -m transport -ls 2 -lh 4 -E aes-cbc $enc -A hmac-sha256 $auth;" >time.conf
t_add=$(now)
sk_load "$NS_B" time.conf
sk_snap "$NS_B"
assert_match "$(cat "$NS_B.sad")" "$(printf '^\tdiff: [0-9]+\\(s\\)\thard: 4\\(s\\)\tsoft: 2\\(s\\)$')" "setkey -D: time lifetimes of SA 0xb001"

# --- byte lifetimes, in a, while b's SA ages ---
"$IP" netns exec "$NS_A" "$SK" -x --count 2 >mon_bytes.txt 2>&1 &
mon_bytes=$!
wait_monitor "$NS_A"
sk_snap "$NS_A"
assert_match "$(cat "$NS_A.sad")" "$(printf '^\tcurrent: 0\\(bytes\\)\thard: 512\\(bytes\\)\tsoft: 256\\(bytes\\)$')" "setkey -D: byte lifetimes of SA 0xb101"
# busybox ping stops at the 9th echo request, which sendto() refuses (EINVAL from the expired SA)
in_ns "$NS_A" ping -c 10 -i 0.2 -W 2 -w 6 "$B4" >ping.txt 2>&1 || true
cat ping.txt
got=$(grep -c 'bytes from' ping.txt || true)
assert_eq "$got" 8 "pings answered before the byte lifetime ran out (8 x 64 = 512 bytes)"
wait_exit $mon_bytes 5
cat mon_bytes.txt
assert_eq "$rc" 0 "setkey -x --count 2 in a: exit status"
soft=$(event_block mon_bytes.txt "expire soft")
hard=$(event_block mon_bytes.txt "expire hard")
assert_match "$soft" 'spi=45313\(0x0000b101\)' "a: expire soft for SA 0xb101"
assert_match "$soft" "$(printf '^\tcurrent: 256\\(bytes\\)\thard: 512\\(bytes\\)\tsoft: 256\\(bytes\\)$')" "a: soft expire at 256 bytes"
assert_match "$soft" "$(printf '^\tallocated: 4\t')" "a: soft expire after 4 packets"
assert_match "$hard" 'spi=45313\(0x0000b101\)' "a: expire hard for SA 0xb101"
assert_match "$hard" "$(printf '^\tcurrent: 512\\(bytes\\)\t')" "a: hard expire at 512 bytes"
assert_match "$hard" "$(printf '^\tallocated: 8\t')" "a: hard expire after 8 packets"
assert_ge "$(xfrm_stat "$NS_A" XfrmOutStateExpired)" 1 "a: XfrmOutStateExpired (packets refused by the expired SA)"

# --- back to b's time SA ---
wait_exit $mon_time 10
t_end=$(now)
cat mon_time.txt
assert_eq "$rc" 0 "setkey -x --count 3 in b: exit status (new SA, soft, hard)"
assert_match "$(head -n1 mon_time.txt)" ' new-sa$' "b: first event"
soft=$(event_block mon_time.txt "expire soft")
hard=$(event_block mon_time.txt "expire hard")
assert_match "$soft" 'spi=45057\(0x0000b001\)' "b: expire soft for SA 0xb001"
assert_match "$hard" 'spi=45057\(0x0000b001\)' "b: expire hard for SA 0xb001"
assert_eq "$(grep -n ' expire ' mon_time.txt | cut -d' ' -f4 | tr '\n' ' ')" "soft hard " "b: order of the expire events"
elapsed=$(echo "$t_end $t_add" | awk '{ printf "%d", $1 - $2 }')
log "time SA: hard expire seen within ${elapsed}s of the add"
assert_ge "$elapsed" 4 "seconds from the add to the end of the hard expire"
sk_snap "$NS_B"
if grep -q 'spi=45057(0x0000b001)' "$NS_B.sad"; then fail "SA 0xb001 still in b's SAD after its hard expiry"; fi
