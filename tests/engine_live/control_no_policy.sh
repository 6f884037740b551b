#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Negative control of esp_transport.sh: both engines run with the SAs but without any policy. The pings
# are answered (nothing asks for IPsec), but the positive assertion "the wire carries only ESP" must fail:
# all 12 echo packets, IPv4 and IPv6, are on the wire in the clear, and no SA counts a packet.
#   control_no_policy.sh BIN_DIR
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
cp sas.conf a.conf
cp sas.conf b.conf
live_load a
live_load b
engine_start a A
engine_start b B
transport_pings_captured wire

check "without policies the pings are still answered" pings_ok
control "no policy: the wire carries only ESP" wire_protected wire.pcap \
  'esp.spi == 0x1001=3' 'esp.spi == 0x1002=3' 'esp.spi == 0x1101=3' 'esp.spi == 0x1102=3'
clear=$(wire_cleartext wire.pcap)
check "all 12 echo packets are in the clear on the wire" [ "$clear" -eq 12 ]
for n in a b; do
  check "engine $n: no SA counts a packet" sa_counts $n esp 0x1001=0 0x1002=0 0x1101=0 0x1102=0
done
live_done
