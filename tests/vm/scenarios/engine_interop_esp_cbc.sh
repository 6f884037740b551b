# SPDX-License-Identifier: BSD-3-Clause
# Engine <-> kernel interop (issue 11), ESP transport aes-cbc + hmac-sha256 over IPv4, with the
# negative control, the replay check and pings. The kernel of a is host A, the engine host B; one
# setkey file of SAs, loaded into both (lib_interop.sh).
# 1. Negative control, kernel side: a second engine state whose SAs have a wrong authentication key
#    protects 3 datagrams; a's kernel rejects all 3 (XfrmInStateProtoError +3, the SA's `failed` 3),
#    no datagram reaches the socket, the SA counts nothing.
# 2. engine -> kernel: 3 datagrams protected by the engine (ESP seq 1-3, SPI 0x1002) reach a socket
#    in a; a's SA 0x1002 and the engine's count the same packets/bytes; no new XfrmIn* error.
# 3. kernel -> engine: 3 datagrams a's kernel sends (SPI 0x1001) are decrypted by the engine to the
#    payloads a sent; both SAs count the same; the engine counts no XfrmIn* error. The ESP packets of
#    equal payloads are of equal length both ways.
# 4. Negative control, engine side: the wrong-key state drops the kernel's 3 packets
#    (XfrmInStateProtoError 3 in the engine), delivers nothing.
# 5. Replay: the engine's 3 packets injected again: a's XfrmInStateSeqError +3; the kernel's 3
#    packets processed again: the engine's XfrmInStateSeqError 3; no SA counts them.
# 6. Pings: 3 plain echo requests B -> A through the engine (ESP seq 4-6), a's kernel answers through
#    its SA, the engine decrypts the 3 echo replies.
# At the end both SAs count the same in the kernel and the engine: 6 packets each way.
# vm-timeout: 90
interop_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.conf <<EOF
add $A4 $B4 esp 0x1001 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x1002 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
interop_load sas.conf esp/transport//require
esk -D
sed 's/-A hmac-sha256 0x00/-A hmac-sha256 0xff/' e.conf >bad.conf
cmp -s e.conf bad.conf && fail "bad.conf: the key was not changed"
ESTATE_OVERRIDE=$PWD/bad.state
assert_ok esk -f bad.conf
ESTATE_OVERRIDE=
assert_ok "$PW" craft e_plain.pcap "$MAC_B" "$MAC_A" "$B4" "$A4" udp 40000 5000 3 cbce 100

log "--- 1. negative control: the engine with a wrong key -> kernel"
proto0=$(xfrm_stat "$NS_A" XfrmInStateProtoError)
ESTATE_OVERRIDE=$PWD/bad.state
eng_process out e_plain.pcap bad_wire.pcap
ESTATE_OVERRIDE=
expect_frames bad_wire.pcap 3 "esp spi 0x00001002 seq [1-3] " "wrong key, engine -> kernel"
bg_start recv_bad in_ns "$NS_A" "$UP" recv 5000 3 2500
recv_pid=$BG_PID
assert_ok in_ns "$NS_B" "$PW" inject veth_b bad_wire.pcap
bg_wait "$recv_pid" recv_bad
assert_match "$(cat recv_bad.log)" '^udp_probe: received 0$' "wrong key: datagrams that reached the socket in a"
assert_eq "$(($(xfrm_stat "$NS_A" XfrmInStateProtoError) - proto0))" 3 "wrong key: a's XfrmInStateProtoError"
assert_eq "$(sa_counter "$NS_A" 0x1002 failed)" 3 "wrong key: integrity failures on a's SA 0x1002"
sk_snap "$NS_A"
sk_expect_sa "$NS_A" esp 0x1002 0/0 "(wrong key: nothing accepted)"
baseline=$(in_errors "$NS_A")
log "a's XfrmIn* counters after the negative control: $baseline"

log "--- 2./3. both directions"
interop_roundtrip cbc "$A4" "$B4" 100 esp \
	"^[0-9]+ ip4 $(re "$B4") > $(re "$A4") len [0-9]+ esp spi 0x00001002 seq [1-3] len [0-9]+\$" \
	"^[0-9]+ ip4 $(re "$A4") > $(re "$B4") len [0-9]+ esp spi 0x00001001 seq [1-3] len [0-9]+\$"
for i in 1 2 3; do
	assert_match "$(sed -n "${i}p" cbc_e_wire.pcap.txt)" " seq $i len " "engine's ESP frame $i: sequence number"
done
assert_eq "$(in_errors "$NS_A")" "$baseline" "a's XfrmIn* counters after the engine's packets"
assert_eq "$(eng_in_errors)" "" "the engine's XfrmIn* counters after the kernel's packets"
same_counters esp 0x1002 "engine out, kernel in"
assert_eq "$KPB" 3/324 "SA 0x1002: 3 datagrams of 8 + 100 bytes"
same_counters esp 0x1001 "kernel out, engine in"
assert_eq "$KPB" 3/324 "SA 0x1001: 3 datagrams of 8 + 100 bytes"

log "--- 4. negative control: the kernel's packets -> the engine with a wrong key"
ESTATE_OVERRIDE=$PWD/bad.state
eng_process in cbc_k_wire.pcap bad_plain.pcap
frames bad_plain.pcap
assert_eq "$FRAMES" 0 "wrong key: packets the engine delivered"
assert_eq "$(eng_stat XfrmInStateProtoError)" 3 "wrong key: the engine's XfrmInStateProtoError"
ESTATE_OVERRIDE=

log "--- 5. replay"
seq0=$(xfrm_stat "$NS_A" XfrmInStateSeqError)
assert_ok in_ns "$NS_B" "$PW" inject veth_b cbc_e_wire.pcap
i=0
until [ "$(($(xfrm_stat "$NS_A" XfrmInStateSeqError) - seq0))" -ge 3 ] || [ $i -ge 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
kseq=$(($(xfrm_stat "$NS_A" XfrmInStateSeqError) - seq0))
eng_process in cbc_k_wire.pcap replay_plain.pcap
frames replay_plain.pcap
assert_eq "$FRAMES" 0 "replayed: packets the engine delivered"
eseq=$(eng_stat XfrmInStateSeqError)
log "COUNTERS replay: XfrmInStateSeqError kernel +$kseq, engine $eseq"
assert_eq "$kseq" 3 "replayed: a's XfrmInStateSeqError"
assert_eq "$eseq" 3 "replayed: the engine's XfrmInStateSeqError"
same_counters esp 0x1002 "after the replay"
assert_eq "$KPB" 3/324 "SA 0x1002 after the replay: nothing more"
same_counters esp 0x1001 "after the replay"

log "--- 6. pings B -> A through the engine, answered by a's kernel"
assert_ok "$PW" craft ping.pcap "$MAC_B" "$MAC_A" "$B4" "$A4" icmp 7 3 56
eng_process out ping.pcap ping_wire.pcap
expect_frames ping_wire.pcap 3 "esp spi 0x00001002 seq [4-6] " "pings, engine -> kernel"
bg_start replies_capture in_ns "$NS_B" "$PW" capture veth_b 3 8000 replies_wire.pcap esp
cap_pid=$BG_PID
assert_ok in_ns "$NS_B" "$PW" inject veth_b ping_wire.pcap
bg_wait "$cap_pid" replies_capture
expect_frames replies_wire.pcap 3 "^[0-9]+ ip4 $(re "$A4") > $(re "$B4") len [0-9]+ esp spi 0x00001001 seq [4-6] " "echo replies, kernel -> engine"
eng_process in replies_wire.pcap replies_plain.pcap
expect_frames replies_plain.pcap 3 "^[0-9]+ ip4 $(re "$A4") > $(re "$B4") len 84 icmp echo-reply id 7 seq [1-3] len 64\$" "echo replies decrypted"
same_counters esp 0x1002 "engine out, kernel in, at the end"
assert_eq "$KPB" 6/516 "SA 0x1002 at the end: 3 datagrams and 3 echo requests"
same_counters esp 0x1001 "kernel out, engine in, at the end"
assert_eq "$KPB" 6/516 "SA 0x1001 at the end: 3 datagrams and 3 echo replies"
assert_eq "$(in_errors "$NS_A" | sed 's/XfrmInStateSeqError=3//; s/^ //; s/ $//')" "$baseline" "a's XfrmIn* counters at the end (besides the replays)"
