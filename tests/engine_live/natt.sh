#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-engine run, NAT-T: ESP in UDP (RFC 3948) on port 4500 both ways, cbc(aes) + hmac(sha256), IPv4,
# the SAs written as tests/vm/scenarios/engine_interop_natt_esn.sh writes them (`add A[4500] B[4500]
# esp-udp ...`). A pings B 3 times: every echo is answered, the wire carries only UDP 4500 -> 4500 (6
# datagrams, ESP inside), no ICMP in the clear (no port unreachable either: the engines' UDP sockets
# take the datagrams), each engine's SAs count 3 packets, no inbound error.
#   natt.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_two_hosts
alg="-E aes-cbc $k16 -A hmac-sha256 $k32"
cat > sas.conf << EOF2
add ${A4}[4500] ${B4}[4500] esp-udp 0xa001 -m transport -r 64 $alg;
add ${B4}[4500] ${A4}[4500] esp-udp 0xa002 -m transport -r 64 $alg;
EOF2
{ cat sas.conf; spd "$A4" "$B4" esp/transport//require; } > a.conf
{ cat sas.conf; spd "$B4" "$A4" esp/transport//require; } > b.conf
live_load a
live_load b
engine_start a A
engine_start b B
capture_start wire A va
pings A "$B4" && PINGS_OK=1 || PINGS_OK=0
capture_stop wire
engine_stop a
engine_stop b

check "3 pings A -> B answered" pings_ok
check "the wire carries only ESP in UDP 4500 -> 4500, 3 datagrams per SA" wire_protected wire.pcap \
  "udp.srcport == 4500 and udp.dstport == 4500 and ip.src == $A4=3" \
  "udp.srcport == 4500 and udp.dstport == 4500 and ip.src == $B4=3" 'esp.spi == 0xa001=3' 'esp.spi == 0xa002=3' \
  'not udp and (esp or ah or ipcomp)=0'
for n in a b; do
  check "engine $n: both SAs count 3 packets" sa_counts $n esp 0xa001=3 0xa002=3
done
check "no XfrmIn* error at either engine" no_in_errors a b
live_done
