# SPDX-License-Identifier: BSD-3-Clause
# lib_setkey.sh: helpers for the setkey_* scenarios (SAs and policies loaded by our setkey, counters
# read back with `setkey -D` and checked against `ip -s xfrm state`). Sourced by lib.sh, so every
# scenario and every `ns_sh` has them; defining them does nothing else (no skip, no umask): a
# scenario starts with `setkey_setup`. busybox sh, `set -e` is on in scenarios.
#
# Files written in the scenario's working directory: sas.conf, a.conf, b.conf (the scripts loaded
# into $NS_A / $NS_B) and, per snapshot, NS.sad (`setkey -D`) and NS.ip (`ip -s xfrm state`).
# shellcheck shell=sh

SK=$XFRMPP_BIN/setkey

# setkey_setup: the start of every setkey_* scenario: skip unless setkey is in the image, umask 077
# (the scripts written afterwards hold keys; setkey warns about world-readable key files), then
# setup_pair.
setkey_setup() {
	need_bin setkey
	umask 077
	setup_pair
}

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

# sk_expect_sa NS PROTO SPI PACKETS/BYTES WHAT: fail unless the SA counts exactly PACKETS/BYTES in
# NS's last snapshot, in `setkey -D` and the same in `ip -s xfrm state` (sk_counters; sets PK, BY)
sk_expect_sa() {
	sk_counters "$1" "$2" "$3"
	assert_eq "$PK/$BY" "$4" "$1 $2 SA $3: packets/bytes $5"
}

# sk_expect_counts PROTO PACKETS/BYTES WHAT SPI...: snapshot $NS_A, then $NS_B (sk_snap; the
# snapshots stay for later checks), and fail unless every PROTO SA SPI in each counts exactly
# PACKETS/BYTES (sk_expect_sa). WHAT ends the message.
sk_expect_counts() {
	_ec_proto=$1 _ec_want=$2 _ec_what=$3
	shift 3
	for _ec_ns in "$NS_A" "$NS_B"; do
		sk_snap "$_ec_ns"
		for _ec_spi in "$@"; do
			sk_expect_sa "$_ec_ns" "$_ec_proto" "$_ec_spi" "$_ec_want" "$_ec_what"
		done
	done
}

# sk_expect_field PROTO FIELD VALUE SPI...: fail unless FIELD (see sk_field) of every PROTO SA SPI
# is VALUE in the last snapshots of both $NS_A and $NS_B
sk_expect_field() {
	_ef_proto=$1 _ef_field=$2 _ef_want=$3
	shift 3
	for _ef_ns in "$NS_A" "$NS_B"; do
		for _ef_spi in "$@"; do
			assert_eq "$(sk_field "$_ef_ns" "$_ef_proto" "$_ef_spi" "$_ef_field")" "$_ef_want" "$_ef_ns $_ef_proto SA $_ef_spi: $_ef_field="
		done
	done
}

# sk_spd SRC DST 'TEMPLATES' [UPPER ['IN_TEMPLATES']]: print the policy pair of the host SRC
# talking to DST:
#   spdadd SRC DST UPPER -P out ipsec TEMPLATES;  spdadd DST SRC UPPER -P in ipsec IN_TEMPLATES;
# UPPER defaults to `any`, IN_TEMPLATES to TEMPLATES (e.g. `esp/transport//require`; a tunnel's
# in policy names the endpoints the other way round: esp/tunnel/$B4-$A4/require).
sk_spd() {
	echo "spdadd $1 $2 ${4:-any} -P out ipsec $3;"
	echo "spdadd $2 $1 ${4:-any} -P in ipsec ${5:-$3};"
}

# sk_load_pair SAS 'TEMPLATES' [SRC DST]: write a.conf (file SAS, then `sk_spd SRC DST TEMPLATES`)
# and b.conf (SAS, then `sk_spd DST SRC TEMPLATES`) and load them into $NS_A and $NS_B. SRC and DST
# (a's and b's address) default to $A4 and $B4. SAS may be /dev/null (policies only).
sk_load_pair() {
	{ cat "$1"; sk_spd "${3:-$A4}" "${4:-$B4}" "$2"; } >a.conf
	{ cat "$1"; sk_spd "${4:-$B4}" "${3:-$A4}" "$2"; } >b.conf
	sk_load "$NS_A" a.conf
	sk_load "$NS_B" b.conf
}

# sk_transport_pair PROTO SPI_AB SPI_BA 'ALGS' [SRC DST]: write sas.conf with two transport-mode
# PROTO SAs, SRC -> DST with SPI_AB and DST -> SRC with SPI_BA, both with ALGS (setkey's -E/-A/-C
# arguments), and load it into both namespaces with the PROTO/transport//require policies
# (sk_load_pair). SRC and DST default to $A4 and $B4.
sk_transport_pair() {
	_tp_src=${5:-$A4} _tp_dst=${6:-$B4}
	{
		echo "add $_tp_src $_tp_dst $1 $2 -m transport $4;"
		echo "add $_tp_dst $_tp_src $1 $3 -m transport $4;"
	} >sas.conf
	sk_load_pair sas.conf "$1/transport//require" "$_tp_src" "$_tp_dst"
}

# sk_ping_pair PROTO SPI_AB SPI_BA 'ALGS' N [ERE WHAT]...: the whole transport-mode check in one
# call, IPv4: sk_transport_pair PROTO SPI_AB SPI_BA ALGS; print a's `ip -s xfrm state` and fail
# unless it matches every ERE (WHAT names it); N pings a -> b must all be answered; every one of
# the four SAs (two in each namespace) must count exactly N packets and N x 64 bytes (ICMP header +
# busybox's 56 data bytes) in `setkey -D` and `ip -s xfrm state` (sk_expect_counts); print a's
# `setkey -D`; b's XfrmInStateProtoError must be 0. The snapshots $NS_A.sad and $NS_B.sad stay.
sk_ping_pair() {
	_pp_proto=$1 _pp_ab=$2 _pp_ba=$3 _pp_n=$5
	sk_transport_pair "$1" "$2" "$3" "$4"
	shift 5
	_pp_state=$(ip -n "$NS_A" -s xfrm state)
	echo "$_pp_state"
	while [ $# -ge 2 ]; do
		assert_match "$_pp_state" "$1" "$2"
		shift 2
	done
	[ $# -eq 0 ] || fail "sk_ping_pair: an ERE without its WHAT: $1"
	expect_ping "$NS_A" "$B4" "$_pp_n"
	sk_expect_counts "$_pp_proto" "$_pp_n/$((_pp_n * 64))" "after $_pp_n pings" "$_pp_ab" "$_pp_ba"
	cat "$NS_A.sad"
	assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
}
