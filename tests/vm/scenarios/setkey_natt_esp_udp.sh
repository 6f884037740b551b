# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: NAT-T, ESP in UDP (esp-udp, RFC 3948), SAs and policies loaded by our setkey:
# a -> b from port 4500 to 4500, b -> a from 4500 to 31000 (a peer behind a NAT), written both as
# `addr[port]` and KAME's `addr [port]`. The kernel must hold the SAs with UDP encapsulation
# (espinudp) and exactly those ports; `setkey -D` shows them as esp-udp with src[port] dst[port].
# ICMP between a and b must use ESP both ways (out and in policies on each side).
# 1. On the wire: each receiver first has a `-P in discard` policy for exactly that UDP 4-tuple, so
#    its XfrmInPolBlock counter rises once per ESP-in-UDP packet with the right ports (a packet with
#    other ports, or plain ESP, would not match it). 3 pings each way: the outbound SAs count them
#    (3 packets / 192 bytes), no ping is answered, the inbound SAs count nothing.
# 2. Negative control, discard policies deleted: b's port 4500 open on a plain UDP socket (no
#    UDP_ENCAP). The 3 pings a sends arrive there as ordinary datagrams from a's port 4500, read by
#    the helper: each 120 bytes of ESP (SPI 0xa001, sequence numbers 4, 5, 6 after phase 1's 1-3,
#    16-byte IV, 80 bytes of padded ICMP, 16-byte ICV). Nothing is decrypted (b's inbound SA stays
#    0/0) and no ping is answered.
# 3. Delivery: udp_encap_socket (UDP_ENCAP_ESPINUDP, as an IKE daemon sets it) on b's 4500 and a's
#    31000. 3 pings a -> b and 3 pings b -> a are all answered; each inbound SA decrypts exactly the
#    6 packets of this phase (6 / 384 bytes), each outbound SA counts them on top of phases 1-2;
#    XfrmInStateProtoError and XfrmInStateMismatch stay 0 in both, and the sockets themselves
#    receive no datagram (the kernel took every packet for XFRM).
# vm-timeout: 60
setkey_setup
need_bin udp_encap_socket
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add ${A4}[4500] ${B4}[4500] esp-udp 0xa001 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 [4500] $A4 [31000] esp-udp 0xa002 -m transport -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
discard_a="${B4}[4500] ${A4}[31000] udp -P in"
discard_b="${A4}[4500] ${B4}[4500] udp -P in"
{
	cat sas.conf
	sk_spd "$A4" "$B4" esp/transport//require icmp
	echo "spdadd $discard_a discard;"
} >a.conf
{
	cat sas.conf
	sk_spd "$B4" "$A4" esp/transport//require icmp
	echo "spdadd $discard_b discard;"
} >b.conf
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
# replies NAME: how many echo replies the ping output in NAME.txt shows
replies() { grep -c 'bytes from' "$1.txt" || true; }

log "--- 1. on the wire: ESP-in-UDP with the SAs' ports, caught by the discard policies"
block_a0=$(xfrm_stat "$NS_A" XfrmInPolBlock)
block_b0=$(xfrm_stat "$NS_B" XfrmInPolBlock)
# No replies can come: both directions at once, 2 s
in_ns "$NS_A" ping -c 3 -i 0.2 -W 1 -w 2 "$B4" >ping_ab.txt 2>&1 &
in_ns "$NS_B" ping -c 3 -i 0.2 -W 1 -w 2 "$A4" >ping_ba.txt 2>&1 || true
wait || true
cat ping_ab.txt ping_ba.txt
block_a=$(($(xfrm_stat "$NS_A" XfrmInPolBlock) - block_a0))
block_b=$(($(xfrm_stat "$NS_B" XfrmInPolBlock) - block_b0))
log "ESP-in-UDP packets caught by the discard policies: b (from a 4500 -> 4500) $block_b, a (from b 4500 -> 31000) $block_a"
assert_eq "$block_b" 3 "b: ESP-in-UDP packets from $A4:4500 to $B4:4500"
assert_eq "$block_a" 3 "a: ESP-in-UDP packets from $B4:4500 to $A4:31000"
assert_eq "$(replies ping_ab)/$(replies ping_ba)" 0/0 "replies a -> b / b -> a with the discard policies"
for ns_spi in "$NS_A 0xa001" "$NS_B 0xa002"; do
	set -- $ns_spi
	sk_snap "$1"
	assert_eq "$(sk_field "$1" esp "$2" proto)" esp-udp "$1 SA $2: shown as esp-udp"
	sk_expect_sa "$1" esp "$2" 3/192 "(outbound, after 3 pings)"
done
sk_expect_sa "$NS_A" esp 0xa002 0/0 "(a's inbound SA: everything discarded before it)"
sk_expect_sa "$NS_B" esp 0xa001 0/0 "(b's inbound SA: everything discarded before it)"

log "--- 2. negative control: b's port 4500 open without UDP_ENCAP"
printf 'spddelete %s;\n' "$discard_a" | assert_ok sk "$NS_A" -c
printf 'spddelete %s;\n' "$discard_b" | assert_ok sk "$NS_B" -c
if sk "$NS_B" -DP | grep -q discard; then fail "b: discard policy still there after spddelete"; fi
udp_encap_start "$NS_B" --no-encap 4500
plain_b=$ENCAP_PID
in_ns "$NS_A" ping -c 3 -i 0.2 -W 1 -w 2 "$B4" >ping_plain.txt 2>&1 || true
cat ping_plain.txt
udp_encap_stop "$plain_b"
cat "$ENCAP_LOG"
assert_eq "$(replies ping_plain)" 0 "replies a -> b with a plain socket on b's port 4500"
assert_eq "$(sed -n 's/^udp_encap_socket: port 4500: datagram from //p' "$ENCAP_LOG" | tr '\n' ';')" \
	"$A4:4500, 120 bytes, starts 0000a001 00000004;$A4:4500, 120 bytes, starts 0000a001 00000005;$A4:4500, 120 bytes, starts 0000a001 00000006;" \
	"b: datagrams on the plain socket at port 4500 (ESP SPI and sequence number)"
sk_snap "$NS_A"
sk_expect_sa "$NS_A" esp 0xa001 6/384 "(a's outbound SA after 3 + 3 pings)"
sk_snap "$NS_B"
sk_expect_sa "$NS_B" esp 0xa001 0/0 "(b's inbound SA: nothing decrypted without UDP_ENCAP)"

log "--- 3. delivery: UDP_ENCAP_ESPINUDP sockets on b's 4500 and a's 31000"
udp_encap_start "$NS_B" 4500
encap_b=$ENCAP_PID log_b=$ENCAP_LOG
udp_encap_start "$NS_A" 31000
encap_a=$ENCAP_PID log_a=$ENCAP_LOG
expect_ping "$NS_A" "$B4" 3
expect_ping "$NS_B" "$A4" 3
# each direction's SA carried 3 requests and 3 replies (64 bytes each) in this phase
sk_snap "$NS_A"
sk_snap "$NS_B"
sk_expect_sa "$NS_B" esp 0xa001 6/384 "(b's inbound SA: decrypted the 6 packets a sent in phase 3)"
sk_expect_sa "$NS_A" esp 0xa002 6/384 "(a's inbound SA: decrypted the 6 packets b sent in phase 3)"
sk_expect_sa "$NS_A" esp 0xa001 12/768 "(a's outbound SA: 3 + 3 + 6 packets)"
sk_expect_sa "$NS_B" esp 0xa002 9/576 "(b's outbound SA: 3 + 6 packets)"
for ns in "$NS_A" "$NS_B"; do
	xfrm_stats_nonzero "$ns"
	assert_eq "$(xfrm_stat "$ns" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in $ns"
	assert_eq "$(xfrm_stat "$ns" XfrmInStateMismatch)" 0 "XfrmInStateMismatch in $ns"
done
udp_encap_stop "$encap_a"
udp_encap_stop "$encap_b"
cat "$log_a" "$log_b"
assert_eq "$(cat "$log_a" "$log_b" | grep -c ': datagram from ' || true)" 0 "datagrams left to the UDP_ENCAP sockets (all ESP went to XFRM)"
