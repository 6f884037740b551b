# SPDX-License-Identifier: BSD-3-Clause
# Live dataplane (issue 12), NAT-T and ESN, one engine run (see engine_live_esp.sh for the roles):
#   1. NAT-T: ESP in UDP (RFC 3948) 4500 <-> 4500 over IPv4, transport mode, aes-cbc + hmac-sha256.
#      The engine receives on its own UDP 4500 socket; b holds a UDP_ENCAP_ESPINUDP socket on 4500
#      (udp_encap_socket, as an IKE daemon does), so its kernel decapsulates what the engine sends.
#   2. ESN: -esn with a 64-packet window over IPv6, aes-cbc + hmac-sha256 one way (the ICV covers
#      the high 32 bits of the sequence number) and aes-gcm-16 the other (the AAD carries them).
# 3 pings each way per pair are all answered; after the engine's stop every SA counts the same
# 6 packets / 384 bytes in the engine and in b's kernel; the ESN flag is set on both sides and the
# encapsulation in b's kernel; no datagram was left to b's encap socket undecapsulated; no XfrmIn*
# error in b's kernel nor in the engine.
# Measured: 10 s in one boot with the other engine_live_* scenarios (TCG, host load 2-2.5).
# vm-timeout: 60
live_setup
need_bin udp_encap_socket
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
gcm=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fcafebabe

cat >natt.sas <<EOF
add ${A4}[4500] ${B4}[4500] esp-udp 0xa001 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
add ${B4}[4500] ${A4}[4500] esp-udp 0xa002 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
# The NAT-T policies cover ICMP only: with `any`, the receiving kernel also checks its in policy
# against the ESP-in-UDP datagrams themselves at the encap socket (XfrmInTmplMismatch 3 on each side,
# seen kernel <-> kernel with LIVE_A=kernel); an IKE daemon gives that socket a bypass policy.
live_row natt.sas esp/transport//require icmp
cat >esn.sas <<EOF
add $A6 $B6 esp 0xe001 -m transport -r 64 -esn -E aes-cbc $enc -A hmac-sha256 $auth;
add $B6 $A6 esp 0xe002 -m transport -r 64 -esn -E aes-gcm-16 $gcm;
EOF
live_row esn.sas esp/transport//require any "$A6" "$B6"
live_load

state=$(ip -n "$NS_B" xfrm state)
assert_match "$state" 'encap type espinudp sport 4500 dport 4500 addr 0.0.0.0' "NAT-T SAs in b's kernel: UDP encapsulation"
assert_match "$(echo "$state" | sed -n '/spi 0x0000e001/,/^src /p')" 'flag esn' "SA 0xe001 in b's kernel: ESN"
assert_match "$(echo "$state" | sed -n '/spi 0x0000e002/,/^src /p')" 'flag esn' "SA 0xe002 in b's kernel: ESN"
if [ "$LIVE_A" = engine ]; then
	esk -D >e.sad
	assert_eq "$(sk_field e esp 0xa002 proto)" esp-udp "the engine's SA 0xa002"
	assert_eq "$(sk_field e esp 0xe002 flags)" 0x00000080 "the engine's SA 0xe002: flags (ESN)"
else
	udp_encap_start "$NS_A" 4500
fi
udp_encap_start "$NS_B" 4500
encap_b=$ENCAP_PID log_b=$ENCAP_LOG

live_start
live_pings "$A4" "$B4" 3
live_pings "$A6" "$B6" 3
live_stop
udp_encap_stop "$encap_b"
cat "$log_b"
assert_eq "$(grep -c ': datagram from ' "$log_b" || true)" 0 "datagrams left to b's UDP_ENCAP socket (not decapsulated)"

for spi in 0xa001 0xa002; do live_same_counters esp $spi 6/384 "NAT-T esp-udp 4500"; done
for spi in 0xe001 0xe002; do live_same_counters esp $spi 6/384 "ESN"; done
if [ "$LIVE_A" = engine ]; then
	assert_eq "$(sk_field e esp 0xe001 flags)" 0x00000080 "the engine's SA 0xe001 after the run: flags (ESN)"
fi
live_no_errors
