# SPDX-License-Identifier: BSD-3-Clause
# lib_interop.sh: helpers for the engine_interop_* scenarios, which prove that the software engine's
# packet path (`ipsec-engine process`) and the kernel's XFRM speak the same wire format. Sourced by
# lib.sh; defining the functions does nothing else. busybox sh, `set -e` is on in scenarios.
#
# Roles: the kernel in $NS_A is host A; the engine plays host B (its state file $ESTATE holds the
# same SAs and B's mirrored policies). $NS_B is only B's wire: frames the engine made are injected
# there out of veth_b (so they arrive at veth_a), and what A sends is captured there, inbound on
# veth_b. The kernel of $NS_B has no SAs; it drops the ESP meant for the engine (its counters are not
# looked at). Neighbour entries are static, so no ARP or neighbour discovery is needed (IPv6 ND
# under an `any` policy would itself need IPsec, which $NS_B cannot do).
#
# Files in the working directory: a.conf (loaded into the kernel), e.conf (into the engine),
# *.pcap, NAME.log (each tool's output), e.sad (`setkey -D` of the engine), a.sad/a.ip (sk_snap).
# shellcheck shell=sh

PW=$XFRMPP_BIN/pcap_wire
UP=$XFRMPP_BIN/udp_probe
ENGINE=$XFRMPP_BIN/ipsec-engine

# interop_setup: the start of every engine_interop_* scenario: setkey_setup (skip without setkey),
# skip unless ipsec-engine, pcap_wire and udp_probe are in the image; MAC_A/MAC_B = the veths' MACs,
# static neighbours both ways for IPv4 and IPv6; ESTATE = the engine's state file.
interop_setup() {
	setkey_setup
	need_bin ipsec-engine
	need_bin pcap_wire
	need_bin udp_probe
	"$ENGINE" process --help >/dev/null 2>&1 || skip "ipsec-engine has no 'process' subcommand (packet path not built in)"
	MAC_A=$(in_ns "$NS_A" cat /sys/class/net/veth_a/address)
	MAC_B=$(in_ns "$NS_B" cat /sys/class/net/veth_b/address)
	ip -n "$NS_A" neigh replace "$B4" lladdr "$MAC_B" dev veth_a nud permanent
	ip -n "$NS_A" neigh replace "$B6" lladdr "$MAC_B" dev veth_a nud permanent
	ip -n "$NS_B" neigh replace "$A4" lladdr "$MAC_A" dev veth_b nud permanent
	ip -n "$NS_B" neigh replace "$A6" lladdr "$MAC_A" dev veth_b nud permanent
	ESTATE=$PWD/e.state
	log "veth_a $MAC_A (kernel host A), veth_b $MAC_B (the engine's wire, host B)"
}

# esk ARGS...: our setkey on the engine's state ($ESTATE, or $ESTATE_OVERRIDE)
esk() { "$SK" --backend=engine --state "${ESTATE_OVERRIDE:-$ESTATE}" "$@"; }

# interop_load SAS 'TEMPLATES' [UPPER [SRC DST ['IN_TEMPLATES']]]: a.conf = SAS + A's policies
# (sk_spd SRC DST: out SRC -> DST, in DST -> SRC), e.conf = SAS + B's mirrored policies; a.conf
# goes into the kernel of $NS_A, e.conf into the engine's state. SRC/DST default to $A4/$B4; for a
# tunnel they are A's and B's inner networks, TEMPLATES A's out template, IN_TEMPLATES its in one.
interop_load() {
	_il_src=${4:-$A4} _il_dst=${5:-$B4}
	{ cat "$1"; sk_spd "$_il_src" "$_il_dst" "$2" "${3:-any}" "${6:-$2}"; } >a.conf
	{ cat "$1"; sk_spd "$_il_dst" "$_il_src" "${6:-$2}" "${3:-any}" "$2"; } >e.conf
	sk_load "$NS_A" a.conf
	assert_ok esk -f e.conf
	esk -DP >e.spd
	[ -s e.spd ] || fail "the engine's state has no policies after setkey --backend=engine -f e.conf"
}

# bg_start NAME CMD...: start CMD in the background with its output in NAME.log; wait (at most 5 s)
# until it prints a line ending in ": ready". BG_PID = its pid.
bg_start() {
	_bg_name=$1
	shift
	: >"$_bg_name.log"
	"$@" >"$_bg_name.log" 2>&1 &
	BG_PID=$!
	_bg_i=0
	until grep -q ': ready$' "$_bg_name.log"; do
		kill -0 "$BG_PID" 2>/dev/null || fail "$_bg_name exited before it was ready: $(tail -n1 "$_bg_name.log")"
		[ $_bg_i -lt 50 ] || fail "$_bg_name: not ready after 5 s"
		sleep 0.1
		_bg_i=$((_bg_i + 1))
	done
}

# bg_wait PID NAME: wait for a bg_start job; fail unless it exited 0; print its output
bg_wait() {
	wait "$1" && _bw_rc=0 || _bw_rc=$?
	cat "$2.log"
	[ "$_bw_rc" -eq 0 ] || fail "$2 exited with status $_bw_rc: $(tail -n1 "$2.log")"
}

# eng_process out|in IN.pcap OUT.pcap [NAME]: `ipsec-engine process` on the engine's state (or
# $ESTATE_OVERRIDE), output in NAME.log (default: OUT without .pcap). The exit status is logged, not
# judged: the frames in OUT and the counters are what the scenario checks. Fails if OUT is missing.
eng_process() {
	_ep_log=${4:-${3%.pcap}}
	rm -f "$3"
	"$ENGINE" process --state "${ESTATE_OVERRIDE:-$ESTATE}" --"$1" -r "$2" -w "$3" >"$_ep_log.log" 2>&1 && _ep_rc=0 || _ep_rc=$?
	log "ipsec-engine process --$1 $2 -> $3: status $_ep_rc"
	cat "$_ep_log.log"
	[ -f "$3" ] || fail "ipsec-engine process --$1 $2 wrote no $3 (status $_ep_rc): $(tail -n1 "$_ep_log.log")"
}

# frames PCAP: `pcap_wire show PCAP` (one line per frame) into PCAP.txt, printed; FRAMES = the count
frames() {
	"$PW" show "$1" >"$1.txt" || fail "pcap_wire show $1 failed"
	sed 's/^/  /' "$1.txt"
	FRAMES=$(wc -l <"$1.txt" | tr -d ' ')
}

# expect_frames PCAP COUNT ERE WHAT: PCAP holds exactly COUNT frames and every one matches ERE; the
# frames with a bad checksum or a truncated header fail it whatever ERE says
expect_frames() {
	frames "$1"
	assert_eq "$FRAMES" "$2" "$4: frames in $1"
	_xf_bad=$(grep -Evc -- "$3" "$1.txt" || true)
	[ "$_xf_bad" -eq 0 ] || fail "$4: $_xf_bad of $FRAMES frames in $1 do not match /$3/: $(grep -Ev -- "$3" "$1.txt" | head -n1)"
	if grep -Eq 'BAD-CHECKSUM|TRUNCATED' "$1.txt"; then fail "$4: $(grep -E 'BAD-CHECKSUM|TRUNCATED' "$1.txt" | head -n1)"; fi
}

# expect_payloads PCAP PREFIX COUNT: frame i (1..COUNT) of PCAP (after `frames`) carries the UDP
# payload 'PREFIX-i'
expect_payloads() {
	_xp_i=1
	while [ "$_xp_i" -le "$3" ]; do
		grep -q "^$_xp_i .* '$2-$_xp_i'\$" "$1.txt" || fail "$1: frame $_xp_i does not carry the payload '$2-$_xp_i': $(sed -n "${_xp_i}p" "$1.txt")"
		_xp_i=$((_xp_i + 1))
	done
}

# eng_stat COUNTER: the engine's xfrm_stat COUNTER, as `ipsec-stat -a` shows it for the state
eng_stat() {
	_es=$("$XFRMPP_BIN/ipsec-stat" -a --backend=engine --state "${ESTATE_OVERRIDE:-$ESTATE}" 2>&1) || fail "ipsec-stat on the engine's state: $(echo "$_es" | tail -n1)"
	_es_v=$(echo "$_es" | awk -v c="$1" '$1 == c { print $2 }')
	[ -n "$_es_v" ] || fail "no counter $1 in ipsec-stat -a of the engine: $(echo "$_es" | head -n3)"
	echo "$_es_v"
}

# in_errors NS: the XfrmIn* counters of NS that are not 0 (as "NAME=VALUE ..."; empty if none)
in_errors() {
	in_ns "$1" cat /proc/net/xfrm_stat | awk '$1 ~ /^XfrmIn/ && $2 != 0 { printf "%s%s=%s", sep, $1, $2; sep = " " }'
}

# eng_in_errors: the same for the engine's counters
eng_in_errors() {
	"$XFRMPP_BIN/ipsec-stat" -a --backend=engine --state "${ESTATE_OVERRIDE:-$ESTATE}" 2>/dev/null |
		awk '$1 ~ /^XfrmIn/ && $2 != 0 { printf "%s%s=%s", sep, $1, $2; sep = " " }'
}

# same_counters PROTO SPI WHAT: the kernel's SA (in $NS_A, `setkey -D` = `ip -s xfrm state`) and the
# engine's SA with SPI count the same packets and bytes; logs both. Sets KPB (kernel) and EPB.
same_counters() {
	sk_snap "$NS_A"
	sk_counters "$NS_A" "$1" "$2"
	KPB=$PK/$BY
	esk -D >e.sad || fail "setkey --backend=engine -D failed"
	EPB=$(sk_field e "$1" "$2" packets)/$(sk_field e "$1" "$2" bytes)
	log "COUNTERS $1 SA $2 ($3): kernel $KPB, engine $EPB (packets/bytes)"
	assert_eq "$EPB" "$KPB" "$1 SA $2 ($3): engine vs kernel packets/bytes"
}

# engine_to_kernel PCAP_PLAIN PCAP_WIRE ERE COUNT PORT PREFIX [SRC]: protect the plain frames with
# the engine (--out), check the wire frames (COUNT, each matching ERE), inject them at veth_b and
# wait until udp_probe in $NS_A received COUNT datagrams PREFIX-1.. on PORT from SRC (default $B4)
engine_to_kernel() {
	eng_process out "$1" "$2"
	expect_frames "$2" "$4" "$3" "engine -> kernel"
	bg_start recv_"$6" in_ns "$NS_A" "$UP" recv "$5" "$4" 8000
	_ek_pid=$BG_PID
	assert_ok in_ns "$NS_B" "$PW" inject veth_b "$2"
	bg_wait "$_ek_pid" recv_"$6"
	_ek_i=1
	while [ "$_ek_i" -le "$4" ]; do
		grep -q "^udp_probe: from ${7:-$B4}:[0-9]* len [0-9]* '$6-$_ek_i'\$" recv_"$6".log ||
			fail "engine -> kernel: datagram '$6-$_ek_i' did not reach the socket on port $5 in $NS_A (XfrmIn errors: $(in_errors "$NS_A"))"
		_ek_i=$((_ek_i + 1))
	done
	log "engine -> kernel: all $4 datagrams reached the socket in $NS_A"
}

# kernel_to_engine FILTER COUNT PCAP_WIRE ERE SEND_ARGS...: capture (inbound on veth_b, BPF FILTER)
# COUNT frames that `udp_probe send SEND_ARGS...` in $NS_A makes the kernel send; each must match ERE
kernel_to_engine() {
	_ke_filter=$1 _ke_n=$2 _ke_pcap=$3 _ke_ere=$4
	shift 4
	bg_start "${_ke_pcap%.pcap}_capture" in_ns "$NS_B" "$PW" capture veth_b "$_ke_n" 8000 "$_ke_pcap" "$_ke_filter"
	_ke_pid=$BG_PID
	assert_ok in_ns "$NS_A" "$UP" send "$@"
	bg_wait "$_ke_pid" "${_ke_pcap%.pcap}_capture"
	expect_frames "$_ke_pcap" "$_ke_n" "$_ke_ere" "kernel -> engine (on the wire)"
}

# interop_load_files A_CONF E_CONF: load A_CONF into the kernel of $NS_A and E_CONF into the engine
# (for scenarios that write several policy pairs themselves)
interop_load_files() {
	sk_load "$NS_A" "$1"
	assert_ok esk -f "$2"
}

# re TEXT: TEXT with its dots escaped, for an ERE
re() { echo "$1" | sed 's/[.]/\\./g'; }

# wire_len PCAP N: the IP total length of frame N in PCAP.txt (after `frames`)
wire_len() { awk -v n="$2" '$1 == n { print $7 }' "$1.txt"; }

# interop_roundtrip TAG A B SIZE FILTER E2K_ERE K2E_ERE: the two directions for one pair of SAs,
# 3 UDP datagrams each way with SIZE-byte payloads.
#   engine -> kernel: plain frames B:40000 -> A:5000 'TAGe-1'.. (TAG_e.pcap), protected by the engine
#     (TAG_e_wire.pcap, every frame matching E2K_ERE), injected, received by a socket in $NS_A.
#   kernel -> engine: udp_probe in $NS_A sends A:40000 -> B:5001 'TAGk-1'..; the kernel's frames
#     (TAG_k_wire.pcap, BPF FILTER, matching K2E_ERE) are unprotected by the engine (--in) into
#     TAG_k_plain.pcap: the same 3 datagrams, checksums right.
# Both directions carry the same payload length, so the protected frames must have the same size
# (checked unless ROW_SIZES_DIFFER=1: compression may differ between implementations).
interop_roundtrip() {
	_rt_tag=$1 _rt_a=$2 _rt_b=$3 _rt_size=$4 _rt_filter=$5 _rt_e2k=$6 _rt_k2e=$7
	log "--- $_rt_tag: engine -> kernel"
	assert_ok "$PW" craft "${_rt_tag}_e.pcap" "$MAC_B" "$MAC_A" "$_rt_b" "$_rt_a" udp 40000 5000 3 "${_rt_tag}e" "$_rt_size"
	engine_to_kernel "${_rt_tag}_e.pcap" "${_rt_tag}_e_wire.pcap" "$_rt_e2k" 3 5000 "${_rt_tag}e" "$_rt_b"
	log "--- $_rt_tag: kernel -> engine"
	kernel_to_engine "$_rt_filter" 3 "${_rt_tag}_k_wire.pcap" "$_rt_k2e" -s 40000 -b "$_rt_a" "$_rt_b" 5001 3 "${_rt_tag}k" "$_rt_size"
	eng_process in "${_rt_tag}_k_wire.pcap" "${_rt_tag}_k_plain.pcap"
	expect_frames "${_rt_tag}_k_plain.pcap" 3 \
		"^[0-9]+ ip[46] $(re "$_rt_a") > $(re "$_rt_b") len [0-9]+ udp 40000 > 5001 len $((_rt_size + 8)) '" "kernel -> engine (decrypted)"
	expect_payloads "${_rt_tag}_k_plain.pcap" "${_rt_tag}k" 3
	_rt_le=$(wire_len "${_rt_tag}_e_wire.pcap" 1) _rt_lk=$(wire_len "${_rt_tag}_k_wire.pcap" 1)
	log "WIRE $_rt_tag: protected packet of a ${_rt_size}-byte payload: engine $_rt_le bytes, kernel $_rt_lk bytes"
	[ "${ROW_SIZES_DIFFER:-0}" = 1 ] || assert_eq "$_rt_le" "$_rt_lk" "$_rt_tag: IP length of the engine's protected packet vs the kernel's"
}
