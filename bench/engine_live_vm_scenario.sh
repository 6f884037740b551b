# SPDX-License-Identifier: BSD-3-Clause
# Live dataplane throughput, run inside the test VM by bench/engine_live_vm.sh (not a CTest
# scenario: it lives in bench/, which the vm tests do not glob). bench/engine_live_vm.sh prepends
# LIVE_BENCH_BYTES, LIVE_BENCH_ALG (gcm | cbc), LIVE_BENCH_ROUNDS, LIVE_BENCH_MODES and
# LIVE_BENCH_MTU (the engine's TUN MTU; empty: its default, 1400).
#
# One ESP transport SA pair over IPv4 between a (host A) and b (the kernel's XFRM, host B), loaded by
# our setkey; one TCP transfer of LIVE_BENCH_BYTES (tcp_transfer send in a -> serve in b) per run:
#   engine  host A is `ipsec-engine run` (TUN device, MTU 1400 or LIVE_BENCH_MTU, raw sockets), its state from setkey
#           --backend=engine; a's kernel has no SA
#   kernel  host A is a's kernel XFRM with the same setkey file
# Every run starts from fresh SAs (sequence numbers and replay windows from 0): b's SAD and SPD are
# flushed and reloaded, the engine's state file rewritten. Rounds alternate the order (engine kernel,
# kernel engine, ...) so neither always runs on a warmer VM. Each run checks that b received every
# byte with the sender's SHA-256 and prints
#   BENCH MODE ROUND BYTES SECONDS GBIT
# (the sender's figures: it waits for the receiver to close, so they cover the whole delivery), and
# an SA line: packets on A's outbound SA and on b's inbound one.
# vm-timeout: 1200
LIVE_A=engine
bytes=${LIVE_BENCH_BYTES:-20000000}
alg=${LIVE_BENCH_ALG:-gcm}
rounds=${LIVE_BENCH_ROUNDS:-1}
modes=${LIVE_BENCH_MODES:-engine kernel}
case " $modes " in *" engine "*) ;; *) LIVE_A=kernel ;; esac
live_setup
need_bin tcp_transfer
TT=$XFRMPP_BIN/tcp_transfer
case $alg in
gcm) algs="-E aes-gcm-16 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fcafebabe" ;;
cbc) algs="-E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" ;;
*) fail "LIVE_BENCH_ALG must be gcm or cbc, not $alg" ;;
esac
cat >bench.sas <<EOF
add $A4 $B4 esp 0x1001 -m transport -r 64 $algs;
add $B4 $A4 esp 0x1002 -m transport -r 64 $algs;
EOF
live_row bench.sas esp/transport//require
log "SA pair: ESP transport, $algs (keys elided below)" | sed 's/0x[0-9a-f]\{16,\}/KEY/g'
log "$bytes bytes per transfer, $rounds round(s) of: $modes; guest: $(grep -c ^processor /proc/cpuinfo) vCPU, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"

# fresh MODE: host A as MODE with fresh SAs, b's kernel reloaded
fresh() {
	assert_ok sk "$NS_B" -F
	assert_ok sk "$NS_B" -FP
	sk_load "$NS_B" k.conf
	assert_ok sk "$NS_A" -F
	assert_ok sk "$NS_A" -FP
	LIVE_A=$1
	if [ "$1" = engine ]; then
		rm -f "$ESTATE"
		assert_ok esk -f e.conf
	else
		sk_load "$NS_A" e.conf
	fi
}

# transfer MODE ROUND: one timed transfer a -> b through host A as MODE
transfer() {
	fresh "$1"
	live_start ${LIVE_BENCH_MTU:+--mtu "$LIVE_BENCH_MTU"}
	: >serve.log
	/usr/sbin/ip netns exec "$NS_B" "$TT" serve --bind "$B4" 5201 >serve.out 2>serve.log &
	_tr_srv=$!
	_tr_i=0
	until grep -q 'listening on' serve.log; do
		live_alive "$_tr_srv" || fail "tcp_transfer serve exited: $(cat serve.log)"
		[ $_tr_i -lt 50 ] || fail "tcp_transfer serve: not listening after 5 s"
		sleep 0.1
		_tr_i=$((_tr_i + 1))
	done
	_tr_t0=$(cut -d' ' -f1 /proc/uptime)
	if ! /usr/sbin/ip netns exec "$NS_A" "$TT" send --bind "$A4" "$B4" 5201 "$bytes" >send.out 2>send.log; then
		cat send.log serve.log
		live_diag
		fail "$1 round $2: tcp_transfer send failed: $(tail -n1 send.log)"
	fi
	_tr_t1=$(cut -d' ' -f1 /proc/uptime)
	wait "$_tr_srv" || fail "$1 round $2: tcp_transfer serve failed: $(tail -n1 serve.log)"
	log "$1 round $2: $(cat send.out) | $(cat serve.out) | wall $(echo "$_tr_t1 $_tr_t0" | awk '{ printf "%.2f", $1 - $2 }') s"
	# sent BYTES sha256 HEX seconds S gbit G / received BYTES sha256 HEX ...
	set -- "$1" "$2" $(cat send.out) $(cat serve.out)
	[ "$3" = sent ] && [ "${11}" = received ] || fail "$1 round $2: unexpected tcp_transfer output: $(cat send.out serve.out)"
	assert_eq "${12}" "$4" "$1 round $2: bytes received vs sent"
	assert_eq "${14}" "$6" "$1 round $2: SHA-256 received vs sent"
	assert_eq "$4" "$bytes" "$1 round $2: bytes sent"
	echo "BENCH $1 $2 $4 $8 ${10}"
	_tr_mode=$1 _tr_round=$2
	live_stop
	sk_snap "$NS_B"
	_tr_kin=$(sk_field "$NS_B" esp 0x1001 packets)
	if [ "$_tr_mode" = engine ]; then
		esk -D >e.sad || fail "setkey --backend=engine -D failed"
		_tr_aout=$(sk_field e esp 0x1001 packets)
	else
		sk_snap "$NS_A"
		_tr_aout=$(sk_field "$NS_A" esp 0x1001 packets)
	fi
	log "SA $_tr_mode round $_tr_round: A's outbound SA 0x1001 $_tr_aout packets ($((bytes / (_tr_aout > 0 ? _tr_aout : 1))) bytes of data per packet), b's inbound $_tr_kin; b's XfrmIn* errors: $(in_errors "$NS_B")"
}

# warm-up, not measured: crypto modules, page cache and the VM's caches
saved=$bytes
bytes=1048576
transfer "${modes%% *}" 0
bytes=$saved

i=1
while [ $i -le "$rounds" ]; do
	if [ $((i % 2)) -eq 1 ]; then order=$modes; else order=$(echo "$modes" | awk '{ for (k = NF; k >= 1; k--) printf "%s ", $k }'); fi
	for m in $order; do transfer "$m" "$i"; done
	i=$((i + 1))
done
