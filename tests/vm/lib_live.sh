# SPDX-License-Identifier: BSD-3-Clause
# lib_live.sh: helpers for the engine_live_* scenarios, which run the live userspace dataplane
# (`ipsec-engine run`, issue 12) against the kernel's XFRM with real traffic. Sourced by lib.sh;
# defining the functions does nothing else. busybox sh, `set -e` is on in scenarios.
#
# Roles: $NS_A is host A, protected by the engine. Its SAs and policies are in the engine's state file
# $ESTATE (our setkey --backend=engine), the kernel of $NS_A holds none; `ipsec-engine run` in $NS_A
# routes the protected destinations into its TUN device (table 2800, rule `not fwmark 0x7866`) and
# sends and receives ESP through raw and UDP 4500 sockets. $NS_B is host B: the kernel's XFRM, loaded
# by our setkey from the same SAs with the mirrored policies. Traffic is busybox ping, both ways.
#
# LIVE_A=kernel (set before live_setup) puts the kernel's XFRM into $NS_A as well: the same e.conf is
# loaded into a's kernel by setkey and no engine runs. That is a kernel <-> kernel run of the same
# scenario (to check a scenario itself) and the baseline of bench/engine_live_vm.sh.
#
# Files in the working directory: e.conf (host A: the engine's state, or a's kernel), k.conf (b's
# kernel), engine.log (the engine's stderr), e.sad (`setkey -D --backend=engine` after the engine
# stopped) or a.sad, and b.sad/b.ip (sk_snap).
# shellcheck shell=sh

ENGINE=$XFRMPP_BIN/ipsec-engine
LIVE_TABLE=2800

# live_setup: the start of every engine_live_* scenario: setkey_setup (skip without setkey); with the
# engine, skip unless ipsec-engine has the `run` subcommand, fail without /dev/net/tun; static
# neighbours both ways for IPv4 and IPv6 (IPv6 neighbour advertisements between A6 and B6 would
# themselves fall under b's `any` policies); ESTATE = the engine's state file, ENGINE_LOG its log.
live_setup() {
	setkey_setup
	LIVE_A=${LIVE_A:-engine}
	case $LIVE_A in
	engine)
		need_bin ipsec-engine
		"$ENGINE" run --help >/dev/null 2>&1 || skip "ipsec-engine has no 'run' subcommand (the live dataplane is not built in)"
		[ -c /dev/net/tun ] || fail "/dev/net/tun is missing in the VM (tun.ko not loaded?)"
		;;
	kernel) ;;
	*) fail "LIVE_A must be engine or kernel, not '$LIVE_A'" ;;
	esac
	MAC_A=$(in_ns "$NS_A" cat /sys/class/net/veth_a/address)
	MAC_B=$(in_ns "$NS_B" cat /sys/class/net/veth_b/address)
	ip -n "$NS_A" neigh replace "$B4" lladdr "$MAC_B" dev veth_a nud permanent
	ip -n "$NS_A" neigh replace "$B6" lladdr "$MAC_B" dev veth_a nud permanent
	ip -n "$NS_B" neigh replace "$A4" lladdr "$MAC_A" dev veth_b nud permanent
	ip -n "$NS_B" neigh replace "$A6" lladdr "$MAC_A" dev veth_b nud permanent
	ESTATE=$PWD/e.state
	ENGINE_LOG=$PWD/engine.log
	ENGINE_PID=
	: >e.conf
	: >k.conf
	log "host A in $NS_A: $LIVE_A; host B in $NS_B: the kernel's XFRM"
}

# esk ARGS... (lib_interop.sh) is our setkey with --backend=engine on $ESTATE (or $ESTATE_OVERRIDE).

# live_row SAS 'TEMPLATES' [UPPER [SRC DST ['IN_TEMPLATES']]]: append one pair of hosts to the
# scripts: the SAs of file SAS to both, A's policies (sk_spd SRC DST: out SRC -> DST with TEMPLATES,
# in DST -> SRC with IN_TEMPLATES) to e.conf, B's mirrored ones to k.conf. SRC/DST default to
# $A4/$B4; for a tunnel they are A's and B's inner networks, TEMPLATES A's out template (A -> B
# endpoints) and IN_TEMPLATES (default TEMPLATES) the other way.
live_row() {
	_lr_src=${4:-$A4} _lr_dst=${5:-$B4}
	{ cat "$1"; sk_spd "$_lr_src" "$_lr_dst" "$2" "${3:-any}" "${6:-$2}"; } >>e.conf
	{ cat "$1"; sk_spd "$_lr_dst" "$_lr_src" "${6:-$2}" "${3:-any}" "$2"; } >>k.conf
}

# live_load: load k.conf into b's kernel and e.conf into the engine's state (LIVE_A=kernel: into
# a's kernel); print the engine's SPD
live_load() {
	sk_load "$NS_B" k.conf
	if [ "$LIVE_A" = engine ]; then
		assert_ok esk -f e.conf
		esk -DP >e.spd
		[ -s e.spd ] || fail "the engine's state has no policies after setkey --backend=engine -f e.conf"
	else
		sk_load "$NS_A" e.conf
	fi
}

# live_start [ARGS...]: start `ipsec-engine run --state $ESTATE ARGS...` in $NS_A (stderr and stdout
# in $ENGINE_LOG) and wait, at most 10 s, for its `ipsec-engine: ready:` line; print that line and
# a's rules and routes of table 2800. ENGINE_PID = its pid (ip netns exec execs it, so the pid is
# the engine's). Nothing with LIVE_A=kernel.
live_start() {
	[ "$LIVE_A" = engine ] || return 0
	: >"$ENGINE_LOG"
	/usr/sbin/ip netns exec "$NS_A" "$ENGINE" run --state "${ESTATE_OVERRIDE:-$ESTATE}" "$@" >>"$ENGINE_LOG" 2>&1 &
	ENGINE_PID=$!
	_ls_i=0
	until grep -q '^ipsec-engine: ready:' "$ENGINE_LOG"; do
		if ! live_alive "$ENGINE_PID"; then
			cat "$ENGINE_LOG"
			fail "ipsec-engine run exited before it was ready: $(tail -n1 "$ENGINE_LOG")"
		fi
		[ $_ls_i -lt 100 ] || { cat "$ENGINE_LOG"; fail "ipsec-engine run: no 'ready:' line after 10 s"; }
		sleep 0.1
		_ls_i=$((_ls_i + 1))
	done
	log "engine pid $ENGINE_PID ($(cat /proc/"$ENGINE_PID"/comm 2>/dev/null)), up after ~$((_ls_i / 10)).$((_ls_i % 10)) s: $(grep '^ipsec-engine: ready:' "$ENGINE_LOG")"
	ip -n "$NS_A" rule show
	ip -n "$NS_A" -6 rule show
	ip -n "$NS_A" route show table "$LIVE_TABLE"
	ip -n "$NS_A" -6 route show table "$LIVE_TABLE"
}

# live_alive PID: true while PID runs (a zombie, exited but not yet waited for, counts as gone)
live_alive() {
	[ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# live_stop: SIGTERM the engine, wait (at most 10 s) for it; fail unless it exits 0 having logged
# `ipsec-engine: stop:`, and unless its TUN device, its rules and its table's routes are gone. Prints
# its log. Afterwards the state file holds its counters. Nothing with LIVE_A=kernel.
live_stop() {
	[ "$LIVE_A" = engine ] && [ -n "$ENGINE_PID" ] || return 0
	kill -TERM "$ENGINE_PID" 2>/dev/null || true
	_lt_i=0
	while live_alive "$ENGINE_PID"; do
		[ $_lt_i -lt 100 ] || { cat "$ENGINE_LOG"; fail "ipsec-engine run still running 10 s after SIGTERM"; }
		sleep 0.1
		_lt_i=$((_lt_i + 1))
	done
	wait "$ENGINE_PID" && _lt_rc=0 || _lt_rc=$?
	_lt_pid=$ENGINE_PID
	ENGINE_PID=
	log "engine pid $_lt_pid exited with status $_lt_rc; its log:"
	sed 's/^/  | /' "$ENGINE_LOG"
	[ "$_lt_rc" -eq 0 ] || fail "ipsec-engine run exited with status $_lt_rc after SIGTERM: $(tail -n1 "$ENGINE_LOG")"
	grep -q '^ipsec-engine: stop:' "$ENGINE_LOG" || fail "ipsec-engine run logged no 'stop:' line"
	_lt_left=$(
		ip -n "$NS_A" -o link show | grep -c ' xfrmpp0[:@]' || true
		ip -n "$NS_A" rule show | grep -c "lookup $LIVE_TABLE" || true
		ip -n "$NS_A" -6 rule show | grep -c "lookup $LIVE_TABLE" || true
		ip -n "$NS_A" route show table "$LIVE_TABLE" 2>/dev/null | grep -c . || true
		ip -n "$NS_A" -6 route show table "$LIVE_TABLE" 2>/dev/null | grep -c . || true
	)
	assert_eq "$(echo "$_lt_left" | tr '\n' ' ')" "0 0 0 0 0 " "left after the stop: TUN links, v4 rules, v6 rules, v4 routes, v6 routes of table $LIVE_TABLE"
}

# live_diag: what to look at when traffic failed: the engine's counters (SIGUSR1) and log, a's rules
# and routes, both namespaces' non-zero xfrm_stat counters, b's SAs
live_diag() {
	log "--- diagnostics"
	if [ -n "$ENGINE_PID" ] && live_alive "$ENGINE_PID"; then
		kill -USR1 "$ENGINE_PID" 2>/dev/null || true
		sleep 0.5
		sed 's/^/  engine | /' "$ENGINE_LOG"
	fi
	ip -n "$NS_A" rule show || true
	ip -n "$NS_A" route show table "$LIVE_TABLE" || true
	ip -n "$NS_A" -6 route show table "$LIVE_TABLE" || true
	ip -n "$NS_A" -s link show || true
	log "xfrm_stat a: $(xfrm_stats_nonzero "$NS_A" | tr '\n\t' '  ')"
	log "xfrm_stat b: $(xfrm_stats_nonzero "$NS_B" | tr '\n\t' '  ')"
	ip -n "$NS_B" -s xfrm state || true
}

# live_ping_count NS SRC DST N: how many of N pings from SRC (busybox ping -I) in NS to DST were
# answered: 0.2 s apart, 2 s for late replies, N+3 s at most (as ping_count)
live_ping_count() {
	_lp_out=$(/usr/sbin/ip netns exec "$1" ping -I "$2" -c "$4" -i 0.2 -W 2 -w $(($4 + 3)) "$3" 2>&1) || true
	echo "$_lp_out" >&2
	echo "$_lp_out" | sed -n 's/.* \([0-9][0-9]*\) packets received.*/\1/p' | grep . || echo 0
}

# live_pings A_ADDR B_ADDR N: N pings A_ADDR (in $NS_A) -> B_ADDR, then N pings B_ADDR (in $NS_B) ->
# A_ADDR; fail (after live_diag) unless every one is answered. Each SA then counts 2N packets: N
# requests of one side and N replies to the other's.
live_pings() {
	_lp_ab=$(live_ping_count "$NS_A" "$1" "$2" "$3")
	_lp_ba=$(live_ping_count "$NS_B" "$2" "$1" "$3")
	log "PING $1 -> $2: $_lp_ab of $3 answered; $2 -> $1: $_lp_ba of $3 answered"
	if [ "$_lp_ab" -ne "$3" ] || [ "$_lp_ba" -ne "$3" ]; then
		live_diag
		fail "ping $1 -> $2: $_lp_ab of $3 replies, $2 -> $1: $_lp_ba of $3 replies, expected all"
	fi
}

# live_same_counters PROTO SPI P/B WHAT: the SA SPI counts exactly P packets / B bytes in b's kernel
# (`setkey -D` = `ip -s xfrm state`) and the same on host A (the engine's state through `setkey -D
# --backend=engine` after live_stop; LIVE_A=kernel: a's kernel); logs a COUNTERS line. Sets KPB, EPB.
live_same_counters() {
	sk_snap "$NS_B"
	sk_counters "$NS_B" "$1" "$2"
	KPB=$PK/$BY
	if [ "$LIVE_A" = engine ]; then
		esk -D >e.sad || fail "setkey --backend=engine -D failed"
		EPB=$(sk_field e "$1" "$2" packets)/$(sk_field e "$1" "$2" bytes)
	else
		sk_snap "$NS_A"
		sk_counters "$NS_A" "$1" "$2"
		EPB=$PK/$BY
	fi
	log "COUNTERS $1 SA $2 ($4): kernel $KPB, $LIVE_A $EPB (packets/bytes)"
	assert_eq "$EPB" "$KPB" "$1 SA $2 ($4): host A ($LIVE_A) vs the kernel of b, packets/bytes"
	assert_eq "$KPB" "$3" "$1 SA $2 ($4): packets/bytes"
}

# live_a_in_errors: host A's non-zero XfrmIn* counters: the engine's (ipsec-stat --backend=engine, its
# state file), or a's kernel's with LIVE_A=kernel
live_a_in_errors() {
	if [ "$LIVE_A" = engine ]; then eng_in_errors; else in_errors "$NS_A"; fi
}

# live_no_errors: b's kernel and host A count no XfrmIn* error (after live_stop)
live_no_errors() {
	assert_eq "$(in_errors "$NS_B")" "" "the XfrmIn* error counters of b's kernel"
	assert_eq "$(live_a_in_errors)" "" "the XfrmIn* error counters of host A ($LIVE_A)"
	log "no XfrmIn* errors in b's kernel nor on host A ($LIVE_A)"
	# Not judged: with the engine, a's kernel has esp4/esp6 loaded but no SA, so it also counts the
	# ESP packets its raw sockets hand to the engine (XfrmInNoStates) before dropping its own copy.
	[ "$LIVE_A" = kernel ] || log "a's kernel (no SAs, for the record): $(in_errors "$NS_A")"
}
