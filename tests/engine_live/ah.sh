#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-engine run, AH transport mode with hmac(sha256), IPv4 and IPv6: A pings B 3 times per family,
# every echo is answered, the wire carries only AH (3 frames per SA: the ICMP is readable inside, as AH
# does not encrypt, but none travels without AH), each engine's SAs count 3 packets, no inbound error.
#   ah.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_two_hosts
cat > sas.conf << EOF2
add $A4 $B4 ah 0x3001 -m transport -r 64 -A hmac-sha256 $k32;
add $B4 $A4 ah 0x3002 -m transport -r 64 -A hmac-sha256 $k32;
add $A6 $B6 ah 0x3101 -m transport -r 64 -A hmac-sha256 $k32;
add $B6 $A6 ah 0x3102 -m transport -r 64 -A hmac-sha256 $k32;
EOF2
start_pair sas.conf ah/transport//require
transport_pings_captured wire

check "3 pings A -> B answered over IPv4 and over IPv6" pings_ok
check "the wire carries only AH, 3 frames per SA" wire_protected wire.pcap \
  'ah.spi == 0x3001=3' 'ah.spi == 0x3002=3' 'ah.spi == 0x3101=3' 'ah.spi == 0x3102=3' 'esp=0'
for n in a b; do
  check "engine $n: every SA counts 3 packets" sa_counts $n ah 0x3001=3 0x3002=3 0x3101=3 0x3102=3
done
check "no XfrmIn* error at either engine" no_in_errors a b
live_done
