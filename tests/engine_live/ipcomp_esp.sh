#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-engine run, IPComp (deflate) inside ESP (cbc(aes) + hmac(sha256)), transport mode, IPv4 and
# IPv6, the bundle `ipcomp/transport//use esp/transport//require` of tests/vm (setkey_ipcomp_esp_bundle):
# A pings B 3 times per family with 1000 bytes of zeros, compressible. Every echo is answered, the wire
# carries only ESP, each ESP frame well under the 1000-byte payload (compressed before encryption), and
# each engine's IPComp and ESP SAs count 3 packets each way, with no inbound error.
#   ipcomp_esp.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_two_hosts
alg="-E aes-cbc $k16 -A hmac-sha256 $k32"
cat > sas.conf << EOF2
add $A4 $B4 ipcomp 0x901 -m transport -C deflate;
add $B4 $A4 ipcomp 0x902 -m transport -C deflate;
add $A6 $B6 ipcomp 0x911 -m transport -C deflate;
add $B6 $A6 ipcomp 0x912 -m transport -C deflate;
add $A4 $B4 esp 0x9101 -m transport -r 64 $alg;
add $B4 $A4 esp 0x9102 -m transport -r 64 $alg;
add $A6 $B6 esp 0x9111 -m transport -r 64 $alg;
add $B6 $A6 esp 0x9112 -m transport -r 64 $alg;
EOF2
transport_conf a sas.conf 'ipcomp/transport//use esp/transport//require'
transport_conf b sas.conf 'ipcomp/transport//use esp/transport//require'
live_load a
live_load b
engine_start a A
engine_start b B
transport_pings_captured wire -s 1000

check "3 pings A -> B of 1000 bytes answered over IPv4 and over IPv6" pings_ok
check "the wire carries only ESP, 3 frames per SA, each under 400 bytes" wire_protected wire.pcap \
  'esp.spi == 0x9101 and frame.len < 400=3' 'esp.spi == 0x9102 and frame.len < 400=3' \
  'esp.spi == 0x9111 and frame.len < 400=3' 'esp.spi == 0x9112 and frame.len < 400=3'
for n in a b; do
  check "engine $n: every IPComp SA counts 3 packets" sa_counts $n ipcomp 0x901=3 0x902=3 0x911=3 0x912=3
  check "engine $n: every ESP SA counts 3 packets" sa_counts $n esp 0x9101=3 0x9102=3 0x9111=3 0x9112=3
done
check "no XfrmIn* error at either engine" no_in_errors a b
live_done
