#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP throughput through the live dataplane: one BYTES-byte transfer (build/bench/tcp_transfer) from
# namespace A to namespace B over a veth pair, first bare (no engine), then through an `ipsec-engine run`
# pair in ESP transport mode with AES-128-GCM-16 and with AES-128-CBC + HMAC-SHA-256, in the same run.
# Every transfer's SHA-256 must be the same at both ends, and each engine SA A -> B must have counted at
# least one packet per 1400 bytes sent (so the data did go through ESP). Prints Gbit/s and the ratio
# engine/bare veth. Run as root:
#   bench/engine_live.sh                        # 100 MB, REPEAT=1
#   BYTES=500000000 REPEAT=3 bench/engine_live.sh   # medians of 3
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${BIN:-$root/build/bin}
tt=${TCP_TRANSFER:-$root/build/bench/tcp_transfer}
bytes=${BYTES:-100000000}
repeat=${REPEAT:-1}

die() { echo "bench: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, TUN devices)"
for t in "$bin/setkey" "$bin/ipsec-engine" "$tt"; do [[ -x $t ]] || die "$t not built"; done
command -v jq > /dev/null || die "needs jq"
"$bin/ipsec-engine" run --help > /dev/null 2>&1 || die "$bin/ipsec-engine has no 'run' subcommand"

work=$(mktemp -d "${TMPDIR:-/tmp}/xfrmpp-live-bench.XXXXXX")
nsa=xfrmpp-lbench-$$-a nsb=xfrmpp-lbench-$$-b
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2> /dev/null || true; done
  ip netns del "$nsa" 2> /dev/null || true
  ip netns del "$nsb" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

a4=10.78.0.1 b4=10.78.0.2
ip netns add "$nsa"
ip netns add "$nsb"
ip -n "$nsa" link add va type veth peer name vb netns "$nsb"
ip -n "$nsa" addr add "$a4/24" dev va
ip -n "$nsb" addr add "$b4/24" dev vb
for n in "$nsa" "$nsb"; do ip -n "$n" link set lo up; done
ip -n "$nsa" link set va up
ip -n "$nsb" link set vb up

# wait_for FILE ERE PID: until FILE has a line matching ERE (10 s), or die
wait_for() {
  local i=0
  until grep -Eq -- "$2" "$1"; do
    kill -0 "$3" 2> /dev/null || die "exited before /$2/: $(tail -n 3 "$1")"
    ((i++ < 200)) || die "no /$2/ in $1 after 10 s"
    sleep 0.05
  done
}

# transfer LABEL: one tcp_transfer A -> B; appends "gbit" to LABEL.gbit, checks both checksums agree
transfer() {
  local srv_out=$work/$1.srv cli_out=$work/$1.cli spid got sent
  : > "$srv_out.err"
  ip netns exec "$nsb" "$tt" serve --bind "$b4" 5201 > "$srv_out" 2> "$srv_out.err" &
  spid=$!
  pids+=("$spid")
  wait_for "$srv_out.err" '^tcp_transfer: listening' "$spid"
  ip netns exec "$nsa" "$tt" send "$b4" 5201 "$bytes" > "$cli_out" || die "$1: tcp_transfer send failed"
  wait "$spid" || die "$1: tcp_transfer serve failed: $(cat "$srv_out.err")"
  read -r _ got _ rsha _ _ _ gbit < "$srv_out"
  read -r _ sent _ ssha _ < "$cli_out"
  [[ $got == "$bytes" && $sent == "$bytes" ]] || die "$1: sent $sent, received $got of $bytes bytes"
  [[ $rsha == "$ssha" ]] || die "$1: SHA-256 differs: sent $ssha, received $rsha"
  echo "$rsha" > "$work/sha"
  echo "$gbit" >> "$work/$1.gbit"
}

# engine_pair NAME ALGORITHMS: both states hold the two SAs (ESP transport, ALGORITHMS) and the
# mirrored policies for A <-> B
engine_pair() {
  local s
  for s in a b; do
    {
      echo "add $a4 $b4 esp 0x7001 -m transport -r 128 $2;"
      echo "add $b4 $a4 esp 0x7002 -m transport -r 128 $2;"
      if [[ $s == a ]]; then l=$a4 r=$b4; else l=$b4 r=$a4; fi
      echo "spdadd $l $r any -P out ipsec esp/transport//require;"
      echo "spdadd $r $l any -P in ipsec esp/transport//require;"
    } > "$work/$1-$s.conf"
    chmod 600 "$work/$1-$s.conf"
    rm -f "$work/$1-$s.state"*
    "$bin/setkey" --backend=engine --state "$work/$1-$s.state" -f "$work/$1-$s.conf" > /dev/null
  done
}

declare -A epid
engine_up() {  # NAME
  local s n
  for s in a b; do
    [[ $s == a ]] && n=$nsa || n=$nsb
    : > "$work/$1-$s.log"
    ip netns exec "$n" "$bin/ipsec-engine" run --state "$work/$1-$s.state" >> "$work/$1-$s.log" 2>&1 &
    epid[$s]=$!
    pids+=("${epid[$s]}")
    wait_for "$work/$1-$s.log" '^ipsec-engine: ready:' "${epid[$s]}"
  done
}
engine_down() {  # NAME: SIGTERM both, then the SA A -> B must have carried the data
  local s pk n
  # What the kernel dropped at B's raw sockets (a full receive buffer: TCP retransmits those), and how
  # many packets each TUN device handed its engine (far more than the transfer's: a loop).
  # shellcheck disable=SC2016
  ip netns exec "$nsb" awk 'FNR > 1 { d += $NF } END { print d + 0 }' /proc/net/raw /proc/net/raw6 >> "$work/$1.rawdrops"
  for s in a b; do
    [[ $s == a ]] && n=$nsa || n=$nsb
    echo "$s:$(ip netns exec "$n" cat /sys/class/net/xfrmpp0/statistics/tx_packets)" >> "$work/$1.tun"
  done
  for s in a b; do
    kill -TERM "${epid[$s]}"
    wait "${epid[$s]}" || die "$1: engine $s did not stop cleanly: $(tail -n 2 "$work/$1-$s.log")"
  done
  for s in a b; do
    pk=$("$bin/setkey" --backend=engine --state "$work/$1-$s.state" -D --json |
      jq '[.sas[] | select(.spi == 28673) | .current.packets] | add // 0')
    ((pk >= bytes / 1400)) || die "$1: engine $s's SA 0x7001 counts $pk packets for $bytes bytes: not through ESP"
    # Drops (every xfrm_stat counter that moved): TCP retransmits what they cost.
    "$bin/ipsec-stat" --backend=engine --state "$work/$1-$s.state" --json |
      jq -r --arg s "$s" '.counters[] | select(.value != 0) | "\($s):\(.name)=\(.value)"' >> "$work/$1.drops"
  done
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

k16=0x00112233445566778899aabbccddeeff
k32=0x00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef
rows=(bare gcm cbc)
declare -A label=([bare]="bare veth (no engine)" [gcm]="engine ESP aes-gcm-16 (128)" [cbc]="engine ESP aes-cbc+hmac-sha256")
engine_pair gcm "-E aes-gcm-16 ${k16}c0ffee01"
engine_pair cbc "-E aes-cbc $k16 -A hmac-sha256 $k32"
for ((r = 1; r <= repeat; r++)); do
  transfer bare
  for e in gcm cbc; do
    engine_up "$e"
    transfer "$e"
    engine_down "$e"
  done
done

base=$(median < "$work/bare.gbit")
printf '%-34s %8s %13s %11s %19s  %s\n' "path ($((bytes / 1000000)) MB, A -> B, TCP)" "Gbit/s" "vs bare veth" \
  "B raw drops" "TUN packets a/b" "engine drop counters"
for row in "${rows[@]}"; do
  g=$(median < "$work/$row.gbit")
  drops=- raw=- tun=-
  if [[ $row != bare ]]; then
    drops=$(sort "$work/$row.drops" 2> /dev/null | tr '\n' ' ')
    raw=$(median < "$work/$row.rawdrops")
    tun=$(grep '^a:' "$work/$row.tun" | cut -d: -f2 | median)/$(grep '^b:' "$work/$row.tun" | cut -d: -f2 | median)
  fi
  printf '%-34s %8.3f %12.3fx %11s %19s  %s\n' "${label[$row]}" "$g" "$(awk -v a="$g" -v b="$base" 'BEGIN { print a / b }')" \
    "$raw" "$tun" "${drops:-none}"
done
echo "(receiver's figures, median of $repeat; SHA-256 equal at both ends in every transfer: $(cut -c1-16 "$work/sha")...;"
echo " the engine's TUN MTU is 1400, the bare veth 1500 with its offloads; $(nproc) CPU(s) shared by 2 engines, sender, receiver)"
