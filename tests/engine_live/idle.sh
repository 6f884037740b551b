#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An idle engine stays idle: two hosts on an IPv4-only veth (addresses set before the links go up, as
# bench/engine_live.sh does it), ESP transport policies, both engines running 6 s with no traffic. Each
# TUN device may hand its engine only the kernel's own few packets of a new link (router solicitations,
# MLD: a handful), and each engine may use little CPU. Regression test: the TUN's router solicitation to
# ff02::2, passed on in the clear through the raw IPv6 socket with no interface, was routed back into
# the TUN (the multicast route of the TUN device came first) and went round at 100,000s per second.
#   idle.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_ns A B
ip -n "$(ns A)" link add va type veth peer name vb netns "$(ns B)"
live_addr A va "$A4/24"
live_addr B vb "$B4/24"
ip -n "$(ns A)" link set va up
ip -n "$(ns B)" link set vb up
alg="-E aes-gcm-16 $k16$salt"
cat > sas.conf << EOF2
add $A4 $B4 esp 0x8001 -m transport -r 64 $alg;
add $B4 $A4 esp 0x8002 -m transport -r 64 $alg;
EOF2
{ cat sas.conf; spd "$A4" "$B4" esp/transport//require; } > a.conf
{ cat sas.conf; spd "$B4" "$A4" esp/transport//require; } > b.conf
live_load a
live_load b
engine_start a A
engine_start b B
sleep 6
# utime + stime of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
for n in a b; do
  tx=$(nsx "${engine_ns[$n]}" cat /sys/class/net/xfrmpp0/statistics/tx_packets)
  ticks=$(cpu_ticks "${engine_pid[$n]}")
  note "engine $n after 6 s idle: its TUN handed it $tx packets, it used $ticks ticks of CPU ($(getconf CLK_TCK)/s)"
  check "engine $n: its TUN handed it at most 20 packets in 6 s idle" [ "$tx" -le 20 ]
  check "engine $n: at most 0.5 s of CPU in 6 s idle" [ "$ticks" -le $(($(getconf CLK_TCK) / 2)) ]
done
nsx B dumpcap -q -P -i xfrmpp0 -a duration:1 -w "$work/tun-b.pcap" > /dev/null 2>&1
note "B's TUN, 1 s: $(ts tun-b.pcap -T fields -e ipv6.src -e ipv6.dst -e icmpv6.type | sort | uniq -c | sort -rn | head -n 3 | tr '\n' ';')"
engine_stop a
engine_stop b
live_done
