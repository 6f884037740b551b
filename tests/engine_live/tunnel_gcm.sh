#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-engine run, ESP tunnel mode with rfc4106(gcm(aes)) (16-byte ICV) between two gateways:
#   H1 10.1.0.2 -- 10.1.0.1 GA 192.0.2.1 -- 192.0.2.2 GB 10.2.0.1 -- 10.2.0.2 H2
# The gateways forward (ip_forward) and run one engine each; their SAs are tunnel SAs between 192.0.2.1
# and 192.0.2.2, their policies the out/in/fwd triple a gateway gets for 10.1.0.0/24 <-> 10.2.0.0/24.
# H1 pings H2 3 times: every echo is answered, the GA-GB wire carries only ESP between the gateways'
# addresses (3 frames per SA), both engines' SAs count 3 packets each way, no inbound error. The packets
# an engine decapsulates are forwarded, not local, so they pass its fwd policy. Control: the same with
# GB's fwd policy deleted, and H1's pings must no longer be answered (GB drops the decapsulated packets,
# as the kernel does, XfrmInNoPols).
#   tunnel_gcm.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_ns H1 GA GB H2
live_link H1 v1 GA v1h
live_link GA vw GB vw
live_link GB v2h H2 v2
live_addr H1 v1 10.1.0.2/24
live_addr GA v1h 10.1.0.1/24
live_addr GA vw 192.0.2.1/24
live_addr GB vw 192.0.2.2/24
live_addr GB v2h 10.2.0.1/24
live_addr H2 v2 10.2.0.2/24
ip -n "$(ns H1)" route add default via 10.1.0.1
ip -n "$(ns H2)" route add default via 10.2.0.1
# The gateways' own routes to the far network, as without IPsec (the engine's table comes first).
ip -n "$(ns GA)" route add 10.2.0.0/24 via 192.0.2.2
ip -n "$(ns GB)" route add 10.1.0.0/24 via 192.0.2.1
for g in GA GB; do nsx $g sysctl -q -w net.ipv4.ip_forward=1; done

gcm="-E aes-gcm-16 $k16$salt"
cat > sas.conf << EOF2
add 192.0.2.1 192.0.2.2 esp 0x2001 -m tunnel -r 64 $gcm;
add 192.0.2.2 192.0.2.1 esp 0x2002 -m tunnel -r 64 $gcm;
EOF2
# A gateway's policies as setkey writes them: out and in; setkey (RFC mode, the default) installs each
# in policy as fwd too, which is the one that the forwarded, decapsulated packets meet.
gateway() {  # LOCAL_NET REMOTE_NET LOCAL_GW REMOTE_GW
  cat sas.conf
  echo "spdadd $1 $2 any -P out ipsec esp/tunnel/$3-$4/require;"
  echo "spdadd $2 $1 any -P in ipsec esp/tunnel/$4-$3/require;"
}
gateway 10.1.0.0/24 10.2.0.0/24 192.0.2.1 192.0.2.2 > ga.conf
gateway 10.2.0.0/24 10.1.0.0/24 192.0.2.2 192.0.2.1 > gb.conf
live_load ga
live_load gb
dirs() { sk "$1" -DP --json | jq -r '[.policies[] | "\(.dir) \(.selector.src) \(.selector.dst)"] | sort | join(", ")'; }
check "GB's SPD: out, in and fwd for the two inner networks" [ "$(dirs gb)" = \
  "fwd 10.1.0.0/24 10.2.0.0/24, in 10.1.0.0/24 10.2.0.0/24, out 10.2.0.0/24 10.1.0.0/24" ]
engine_start ga GA
engine_start gb GB
capture_start wire GA vw
pings H1 10.2.0.2 && PINGS_OK=1 || PINGS_OK=0
capture_stop wire
engine_stop ga
engine_stop gb

check "3 pings H1 -> H2 through the tunnel answered" pings_ok
check "the GA-GB wire carries only ESP between 192.0.2.1 and 192.0.2.2, 3 frames per SA" wire_protected wire.pcap \
  'esp.spi == 0x2001 and ip.src == 192.0.2.1 and ip.dst == 192.0.2.2=3' \
  'esp.spi == 0x2002 and ip.src == 192.0.2.2 and ip.dst == 192.0.2.1=3' 'ip.addr == 10.1.0.0/16=0'
for n in ga gb; do
  check "engine $n: both tunnel SAs count 3 packets" sa_counts $n esp 0x2001=3 0x2002=3
done
check "no XfrmIn* error at either gateway" no_in_errors ga gb

# Control: without GB's fwd policy the decapsulated packets have no policy to pass.
echo "spddelete 10.1.0.0/24 10.2.0.0/24 any -P fwd;" > gb-nofwd.conf
chmod 600 gb-nofwd.conf
sk gb -f gb-nofwd.conf > load-gb-nofwd.log 2>&1 || bad "spddelete of GB's fwd policy: $(cat load-gb-nofwd.log)"
engine_start ga GA
engine_start gb GB
pings H1 10.2.0.2 && PINGS_OK=1 || PINGS_OK=0
engine_stop ga
engine_stop gb
control "without GB's fwd policy: 3 pings H1 -> H2 answered" pings_ok
check "GB counts the 3 decapsulated packets under XfrmInNoPols" counter_is gb XfrmInNoPols 3
live_done
