# SPDX-License-Identifier: BSD-3-Clause
# Live dataplane (issue 12): `ipsec-engine run` in a protects host A, the kernel's XFRM in b host B,
# both loaded by our setkey from the same SAs. Three pairs at once, one engine run:
#   1. ESP transport over IPv4, cbc(aes) + hmac(sha256) (128-bit ICV)
#   2. ESP transport over IPv6, rfc4106(gcm(aes)) with a 16-byte ICV
#   3. ESP tunnel between A4 and B4 for 10.1.0.0/24 (A's 10.1.0.1 on lo) and 10.2.0.0/24 (B's
#      10.2.0.1 on lo), rfc7539esp(chacha20,poly1305)
# For each pair 3 pings a -> b and 3 pings b -> a are all answered; then the engine stops (SIGTERM,
# so it commits its counters to the state file) and every SA counts the same 6 packets in the engine
# (`setkey -D --backend=engine`) and in b's kernel (`setkey -D` = `ip -s xfrm state`): 6 x 64 bytes
# in transport mode, 6 x 84 (the inner IPv4 packets) in tunnel mode. No XfrmIn* error in b's kernel
# nor in the engine. The engine's TUN device, rules and routes are gone after the stop.
# Measured: 11 s in one boot with the other engine_live_* scenarios (TCG, host load 2-2.5).
# vm-timeout: 60
live_setup
enc=0x00112233445566778899aabbccddeeff
auth=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
gcm=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fcafebabe
chacha=0x808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3

cat >cbc.sas <<EOF
add $A4 $B4 esp 0x1001 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
add $B4 $A4 esp 0x1002 -m transport -r 64 -E aes-cbc $enc -A hmac-sha256 $auth;
EOF
live_row cbc.sas esp/transport//require

cat >gcm.sas <<EOF
add $A6 $B6 esp 0x2001 -m transport -r 64 -E aes-gcm-16 $gcm;
add $B6 $A6 esp 0x2002 -m transport -r 64 -E aes-gcm-16 $gcm;
EOF
live_row gcm.sas esp/transport//require any "$A6" "$B6"

ip -n "$NS_A" addr add 10.1.0.1/32 dev lo
ip -n "$NS_B" addr add 10.2.0.1/32 dev lo
ip -n "$NS_B" route add 10.1.0.0/24 via "$A4" dev veth_b src 10.2.0.1
# the engine routes 10.2.0.0/24 into its TUN device itself (preferred source 10.1.0.1); a's kernel
# needs the route only when it plays host A (LIVE_A=kernel)
[ "$LIVE_A" = engine ] || ip -n "$NS_A" route add 10.2.0.0/24 via "$B4" dev veth_a src 10.1.0.1
cat >tun.sas <<EOF
add $A4 $B4 esp 0x3001 -m tunnel -r 64 -E chacha20-poly1305 $chacha;
add $B4 $A4 esp 0x3002 -m tunnel -r 64 -E chacha20-poly1305 $chacha;
EOF
live_row tun.sas "esp/tunnel/$A4-$B4/require" any 10.1.0.0/24 10.2.0.0/24 "esp/tunnel/$B4-$A4/require"

live_load
state=$(ip -n "$NS_B" xfrm state)
assert_match "$state" 'enc cbc\(aes\) ' "pair 1 in b's kernel: cbc(aes)"
assert_match "$state" 'auth-trunc hmac\(sha256\) .* 128' "pair 1 in b's kernel: hmac(sha256), 128-bit ICV"
assert_match "$state" 'aead rfc4106\(gcm\(aes\)\) .* 128' "pair 2 in b's kernel: rfc4106(gcm(aes)), 16-byte ICV"
assert_match "$state" 'aead rfc7539esp\(chacha20,poly1305\) .* 128' "pair 3 in b's kernel: rfc7539esp"
assert_match "$(echo "$state" | sed -n '/spi 0x00003001/,/^src /p')" 'mode tunnel' "SA 0x3001 in b's kernel: tunnel mode"

live_start
live_pings "$A4" "$B4" 3
live_pings "$A6" "$B6" 3
live_pings 10.1.0.1 10.2.0.1 3
live_stop

for spi in 0x1001 0x1002; do live_same_counters esp $spi 6/384 "v4 transport, cbc(aes) + hmac(sha256)"; done
for spi in 0x2001 0x2002; do live_same_counters esp $spi 6/384 "v6 transport, rfc4106(gcm(aes))"; done
for spi in 0x3001 0x3002; do live_same_counters esp $spi 6/504 "v4 tunnel, rfc7539esp"; done
[ "$LIVE_A" = kernel ] || assert_eq "$(sk_field e esp 0x3001 mode)" tunnel "the engine's SA 0x3001: mode"
live_no_errors
