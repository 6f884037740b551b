#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-engine run, ESP transport mode with cbc(aes) + hmac(sha256), IPv4 and IPv6: hosts A and B (one
# engine each, the same SAs, mirrored policies) ping each other 3 times per family; every echo is
# answered, the wire between them carries only ESP (3 frames per SA, no ICMP in the clear), and each
# engine's SAs count the 3 packets each way, with no inbound error. The negative controls of these
# assertions are control_wrong_key.sh and control_no_policy.sh.
#   esp_transport.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_two_hosts
alg="-E aes-cbc $k16 -A hmac-sha256 $k32"
cat > sas.conf << EOF2
add $A4 $B4 esp 0x1001 -m transport -r 64 $alg;
add $B4 $A4 esp 0x1002 -m transport -r 64 $alg;
add $A6 $B6 esp 0x1101 -m transport -r 64 $alg;
add $B6 $A6 esp 0x1102 -m transport -r 64 $alg;
EOF2
start_pair sas.conf esp/transport//require
transport_pings_captured wire

check "3 pings A -> B answered over IPv4 and over IPv6" pings_ok
check "the wire carries only ESP, 3 frames per SA" wire_protected wire.pcap \
  'esp.spi == 0x1001=3' 'esp.spi == 0x1002=3' 'esp.spi == 0x1101=3' 'esp.spi == 0x1102=3'
for n in a b; do
  check "engine $n: every SA counts 3 packets" sa_counts $n esp 0x1001=3 0x1002=3 0x1101=3 0x1102=3
done
check "no XfrmIn* error at either engine" no_in_errors a b
live_done
