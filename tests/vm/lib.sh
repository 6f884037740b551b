# SPDX-License-Identifier: BSD-3-Clause
# lib.sh: sourced (by /init) before every VM scenario; busybox sh, `set -e` is on in scenarios.
#
# Topology made by setup_pair:
#   netns $NS_A  veth_a  $A4/24  $A6/64  <-- veth -->  veth_b  $B4/24  $B6/64  netns $NS_B
# Addresses are from the documentation ranges (192.0.2.0/24, 2001:db8::/64); IPv6 is nodad.
#
# Results: call `fail REASON` or `skip REASON` (both end the scenario). A scenario that reaches its
# end, or exits 0, passes. Any other exit status is a failure (set -e: a failing command fails the
# scenario; use `if`, `!` or assert_fail for commands that are expected to fail).
#
# Busybox quirk: busybox sh runs its own applets before searching PATH, so a bare `ip` would be the
# busybox applet. The function below makes `ip` mean iproute2 in scenarios; programs started by
# other programs (`ip netns exec NS ip ...`) find /usr/sbin/ip through PATH, since the image has no
# busybox `ip` link.

IP=/usr/sbin/ip
XFRMPP_BIN=/xfrmpp/bin
NS_A=a
NS_B=b
A4=192.0.2.1
B4=192.0.2.2
A6=2001:db8::1
B6=2001:db8::2

ip() { /usr/sbin/ip "$@"; }

log() { echo "[$XFRMPP_NAME] $*"; }

_result() { # first result wins
	[ -s "$XFRMPP_RESULT" ] || echo "$*" >"$XFRMPP_RESULT"
}

# fail REASON...: the scenario fails with REASON (one line, shown by ctest and run_vm.sh)
fail() {
	echo "FAIL: $*" >&2
	_result "FAIL $*"
	exit 1
}

# skip REASON...: the scenario cannot run here (e.g. a tool was not built). With
# XFRMPP_REQUIRE_KERNEL=1 the host turns a skip into a failure.
skip() {
	echo "SKIP: $*" >&2
	_result "SKIP $*"
	exit 0
}

# in_ns NS CMD [ARGS...]: run a program in network namespace NS
in_ns() {
	_ns=$1
	shift
	/usr/sbin/ip netns exec "$_ns" "$@"
}

# ns_sh NS 'shell code': run busybox sh code (with this library loaded) in NS
ns_sh() {
	/usr/sbin/ip netns exec "$1" sh -c ". /xfrmpp/lib.sh; set -e; $2"
}

# need_bin NAME: skip unless the xfrmpp binary NAME was put into the image (build/bin/NAME)
need_bin() {
	[ -x "$XFRMPP_BIN/$1" ] || skip "$1 is not in the VM image (not built?)"
}

# setup_pair: create netns $NS_A and $NS_B joined by a veth pair, with IPv4 and IPv6 addresses
setup_pair() {
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	ip link add veth_a netns "$NS_A" type veth peer name veth_b netns "$NS_B"
	ip -n "$NS_A" addr add "$A4/24" dev veth_a
	ip -n "$NS_B" addr add "$B4/24" dev veth_b
	ip -n "$NS_A" addr add "$A6/64" dev veth_a nodad
	ip -n "$NS_B" addr add "$B6/64" dev veth_b nodad
	for _ns in "$NS_A" "$NS_B"; do
		ip -n "$_ns" link set lo up
	done
	ip -n "$NS_A" link set veth_a up
	ip -n "$NS_B" link set veth_b up
}

# ping_count NS DST [COUNT]: print how many of COUNT (default 3) pings from NS to DST were answered.
# Bounded: 0.2 s apart, then up to 2 s for late replies (busybox -W counts from the last request),
# COUNT+3 s in total. TCG under load can be slow, so not less.
ping_count() {
	_out=$(/usr/sbin/ip netns exec "$1" ping -c "${3:-3}" -i 0.2 -W 2 -w $((${3:-3} + 3)) "$2" 2>&1) || true
	echo "$_out" >&2
	echo "$_out" | sed -n 's/.* \([0-9][0-9]*\) packets received.*/\1/p' | grep . || echo 0
}

# expect_ping NS DST [COUNT]: fail unless every ping from NS to DST is answered
expect_ping() {
	_got=$(ping_count "$@")
	[ "$_got" -eq "${3:-3}" ] || fail "ping $1 -> $2: $_got of ${3:-3} replies, expected all"
}

# expect_no_ping NS DST [COUNT]: fail if any ping from NS to DST is answered
expect_no_ping() {
	_got=$(ping_count "$@")
	[ "$_got" -eq 0 ] || fail "ping $1 -> $2: $_got of ${3:-3} replies, expected none"
}

# xfrm_stat NS COUNTER: print COUNTER (e.g. XfrmInStateProtoError) from /proc/net/xfrm_stat in NS
xfrm_stat() {
	_v=$(/usr/sbin/ip netns exec "$1" cat /proc/net/xfrm_stat | awk -v c="$2" '$1 == c { print $2 }')
	[ -n "$_v" ] || fail "no counter $2 in /proc/net/xfrm_stat of $1"
	echo "$_v"
}

# xfrm_stats_nonzero NS: print the non-zero /proc/net/xfrm_stat counters of NS (for logs)
xfrm_stats_nonzero() {
	/usr/sbin/ip netns exec "$1" cat /proc/net/xfrm_stat | awk '$2 != 0'
}

# sa_counter NS SPI FIELD: print a counter of the SA with SPI (e.g. 0x1000) from `ip -s xfrm state`
# in NS. FIELD: packets, bytes (lifetime current), replay, replay-window or failed (integrity
# failures, from the stats line).
sa_counter() {
	_spi=$(printf '0x%08x' "$2")
	_v=$(/usr/sbin/ip -n "$1" -s xfrm state | awk -v spi="$_spi" -v f="$3" '
		/^src / { cur = 0 }
		$1 == "proto" && $3 == "spi" { s = $4; sub(/\(.*/, "", s); cur = (s == spi) }
		cur && next_is_lifetime {
			next_is_lifetime = 0
			gsub(/[(),]/, " ")
			if (f == "bytes") print $1
			if (f == "packets") print $3
		}
		cur && /^\tlifetime current:/ { next_is_lifetime = 1 }
		cur && $1 == "replay-window" {
			for (i = 1; i < NF; i++) if ($i == f) print $(i + 1)
		}')
	[ -n "$_v" ] || fail "no SA with spi $_spi (field $3) in $1"
	echo "$_v" | head -n1
}

# xfrm_esp_sa NS SRC DST SPI REQID ENC AUTH: add with iproute2 an ESP transport-mode SA SRC -> DST
# to NS: cbc(aes) with key ENC, hmac(sha256) with key AUTH truncated to 128 bits
xfrm_esp_sa() {
	ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$4" reqid "$5" mode transport \
		enc 'cbc(aes)' "$6" auth-trunc 'hmac(sha256)' "$7" 128
}

# xfrm_esp_policies NS LOCAL PEER REQID_OUT REQID_IN: add with iproute2 NS's two ESP transport
# policies: out LOCAL -> PEER (template reqid REQID_OUT) and in PEER -> LOCAL (reqid REQID_IN)
xfrm_esp_policies() {
	ip -n "$1" xfrm policy add src "$2" dst "$3" dir out tmpl proto esp reqid "$4" mode transport
	ip -n "$1" xfrm policy add src "$3" dst "$2" dir in tmpl proto esp reqid "$5" mode transport
}

# expect_pair_packets_ge MIN SPI_AB SPI_BA: fail unless each SA of an a <-> b pair counts at least MIN
# packets in `ip -s xfrm state` (sa_counter): SPI_AB in a (outbound) and b (inbound), SPI_BA in b
# (outbound) and a (inbound)
expect_pair_packets_ge() {
	_pp_out_a=$(sa_counter "$NS_A" "$2" packets)
	_pp_in_b=$(sa_counter "$NS_B" "$2" packets)
	_pp_out_b=$(sa_counter "$NS_B" "$3" packets)
	_pp_in_a=$(sa_counter "$NS_A" "$3" packets)
	log "packets: a->b out $_pp_out_a in $_pp_in_b, b->a out $_pp_out_b in $_pp_in_a"
	assert_ge "$_pp_out_a" "$1" "packets on a's outbound SA $2"
	assert_ge "$_pp_in_b" "$1" "packets on b's inbound SA $2"
	assert_ge "$_pp_out_b" "$1" "packets on b's outbound SA $3"
	assert_ge "$_pp_in_a" "$1" "packets on a's inbound SA $3"
}

# assert_eq ACTUAL EXPECTED WHAT / assert_ne / assert_gt (numeric) / assert_ge (numeric)
assert_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }
assert_ne() { [ "$1" != "$2" ] || fail "$3: got '$1', expected anything else"; }
assert_gt() { [ "$1" -gt "$2" ] || fail "$3: got $1, expected > $2"; }
assert_ge() { [ "$1" -ge "$2" ] || fail "$3: got $1, expected >= $2"; }

# assert_match TEXT ERE WHAT: fail unless TEXT matches the extended regular expression
assert_match() {
	echo "$1" | grep -Eq -- "$2" || fail "$3: '$1' does not match /$2/"
}

# assert_ok CMD [ARGS...]: run CMD, fail (with its output) if it exits non-zero
assert_ok() {
	_out=$("$@" 2>&1) && _rc=0 || _rc=$?
	[ -z "$_out" ] || echo "$_out"
	[ "$_rc" -eq 0 ] || fail "command failed (status $_rc): $* :: $(echo "$_out" | tail -n1)"
}

# assert_fail CMD [ARGS...]: run CMD, fail if it exits 0
assert_fail() {
	_out=$("$@" 2>&1) && _rc=0 || _rc=$?
	[ -z "$_out" ] || echo "$_out"
	[ "$_rc" -ne 0 ] || fail "command succeeded, expected failure: $*"
}

# udp_encap_start NS [--no-encap] PORT...: start the test helper udp_encap_socket
# (tools/udp_encap_socket.cpp) in NS: UDP sockets on 0.0.0.0:PORT with UDP_ENCAP_ESPINUDP, as an IKE
# daemon opens them for NAT-T, so that the kernel decrypts the ESP-in-UDP arriving at those ports
# (with --no-encap: plain sockets, a negative control). Waits until the sockets are open (at most
# 5 s; fails if the helper exits first), skips if the helper is not in the image. Leaves its PID in
# ENCAP_PID and the name of its output file in ENCAP_LOG (udp_encap.N.log in the working directory:
# a line "udp_encap_socket: port P: datagram from ADDR:PORT, N bytes, starts SPI SEQ" for each
# datagram a socket receives, i.e. the UDP that was not decapsulated). It runs until
# udp_encap_stop or the end of the scenario (everything the scenario started is killed then).
udp_encap_start() {
	need_bin udp_encap_socket
	_ue_ns=$1
	shift
	_ue_seq=$((${_ue_seq:-0} + 1))
	_ue_log=udp_encap.$_ue_seq.log
	: >"$_ue_log" # the background job below may open it only after the first grep
	/usr/sbin/ip netns exec "$_ue_ns" "$XFRMPP_BIN/udp_encap_socket" "$@" >"$_ue_log" 2>&1 &
	ENCAP_PID=$!
	ENCAP_LOG=$_ue_log
	_ue_i=0
	until grep -q '^udp_encap_socket: ready$' "$_ue_log"; do
		kill -0 "$ENCAP_PID" 2>/dev/null || fail "udp_encap_socket $* in $_ue_ns exited: $(tail -n1 "$_ue_log")"
		[ $_ue_i -lt 50 ] || fail "udp_encap_socket $* in $_ue_ns: not ready after 5 s"
		sleep 0.1
		_ue_i=$((_ue_i + 1))
	done
	log "$_ue_ns: udp_encap_socket $* ready (pid $ENCAP_PID, output in $ENCAP_LOG)"
}

# udp_encap_stop PID: end a udp_encap_start helper (SIGTERM) and wait for it; fail unless it exits 0
udp_encap_stop() {
	kill "$1"
	wait "$1" && _ue_rc=0 || _ue_rc=$?
	[ "$_ue_rc" -eq 0 ] || fail "udp_encap_socket (pid $1) exited with status $_ue_rc"
}

# The setkey_* scenarios' helpers (setkey_setup, sk, sk_load, sk_snap, sk_field, sk_counters,
# sk_expect_counts, sk_spd, sk_load_pair, sk_transport_pair, sk_ping_pair) are in lib_setkey.sh,
# next to this file in the image (XFRMPP_LIB_DIR overrides /xfrmpp, e.g. to try them on a host).
# shellcheck source=lib_setkey.sh
. "${XFRMPP_LIB_DIR:-/xfrmpp}/lib_setkey.sh"

# The engine_interop_* scenarios' helpers (interop_setup, interop_load, eng_process, frames,
# expect_frames, engine_to_kernel, kernel_to_engine, same_counters, ...) are in lib_interop.sh.
# shellcheck source=lib_interop.sh
. "${XFRMPP_LIB_DIR:-/xfrmpp}/lib_interop.sh"

# The engine_live_* scenarios' helpers (live_setup, live_row, live_load, live_start, live_stop,
# live_pings, live_same_counters, live_no_errors, ...) are in lib_live.sh.
# shellcheck source=lib_live.sh
. "${XFRMPP_LIB_DIR:-/xfrmpp}/lib_live.sh"
