#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Negative control of esp_transport.sh: the same hosts, SAs and policies, but B holds the SAs A -> B with
# a different authentication key. The positive assertion "3 pings answered" must fail, for IPv4 and for
# IPv6: B's engine rejects every ESP packet of A (its ICV check fails), counts each under
# XfrmInStateProtoError, and never answers; A's requests still leave as ESP.
#   control_wrong_key.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_two_hosts
alg="-E aes-cbc $k16 -A hmac-sha256"
wrong=0xff${k32#0x??}
sas() {  # AUTH_KEY_A_TO_B
  cat << EOF2
add $A4 $B4 esp 0x1001 -m transport -r 64 $alg $1;
add $B4 $A4 esp 0x1002 -m transport -r 64 $alg $k32;
add $A6 $B6 esp 0x1101 -m transport -r 64 $alg $1;
add $B6 $A6 esp 0x1102 -m transport -r 64 $alg $k32;
EOF2
}
sas "$k32" > sas-a.conf
sas "$wrong" > sas-b.conf
transport_conf a sas-a.conf esp/transport//require
transport_conf b sas-b.conf esp/transport//require
live_load a
live_load b
engine_start a A
engine_start b B
transport_pings_captured wire

control "wrong key at B: 3 pings A -> B answered" pings_ok
check "the 6 echo requests left A as ESP, none in the clear" wire_protected wire.pcap \
  'esp.spi == 0x1001=3' 'esp.spi == 0x1101=3' 'esp.spi == 0x1002=0' 'esp.spi == 0x1102=0'
check "B counts the 6 rejected packets under XfrmInStateProtoError" counter_is b XfrmInStateProtoError 6
check "B's SAs A -> B count no packet" sa_counts b esp 0x1001=0 0x1101=0
check "A's SAs A -> B count the 6 packets sent" sa_counts a esp 0x1001=3 0x1101=3
live_done
