# SPDX-License-Identifier: BSD-3-Clause
# Kernel and engine agree on SAs (issue 10): the same setkey file of SAs (ESP tunnel and transport, an
# AEAD, AH, IPComp, lifetimes, replay windows, v4 and v6) and policies loaded with `setkey -k` into the
# kernel and with `--backend=engine` into a state file give the same `setkey -D`, `-D --save`,
# `-D --json`, `-DP` and `ipseckey dump` output, with the times the kernel stamps masked. This host's
# kernel has ESP, so an SA the engine accepted and the kernel refused would fail the load here.
# vm-timeout: 60
setkey_setup
need_bin ipseckey
k16=0x00112233445566778899aabbccddeeff
k32=${k16}00112233445566778899aabbccddeeff
cat >sa.conf <<EOF
add $A4 $B4 esp 0x1000 -m tunnel -r 64 -E aes-cbc $k16 -A hmac-sha256 $k32;
add $B4 $A4 esp 0x1001 -m tunnel -r 64 -E aes-cbc $k16 -A hmac-sha256 $k32;
add $A4 $B4 esp 0x1002 -lh 3600 -ls 1800 -bh 1000000 -E aes-gcm-16 ${k16}01020304;
add $A6 $B6 ah 0x2000 -A hmac-sha1 ${k16}00112233;
add $A4 $B4 ipcomp 0x3000 -C deflate;
spdadd $A4 $B4 any -P out ipsec esp/transport//require;
spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/$A4-$B4/unique:7;
EOF
mask() { sed -e 's/created: .*current: .*/created: T current: T/' -e 's/diff: [0-9]*(s)/diff: N(s)/' \
	-e 's/ pid=[0-9]*/ pid=P/' -e 's/created: .*lastused:.*/created: T lastused: T/' -e 's/SA added at time: .*/SA added at time: T/' -e 's/Time now is .*/Time now is T/' \
	-e 's/"add_time": [0-9]*/"add_time": T/'; }
sk_load "$NS_A" sa.conf
assert_ok "$SK" -k --backend=engine --state "$PWD/e.state" -f sa.conf
for d in "-D" "-D --json" "-D --save" "-DP"; do
	in_ns "$NS_A" "$SK" $d | mask >k.out
	"$SK" --backend=engine --state "$PWD/e.state" $d | mask >e.out
	[ -s k.out ] || fail "setkey $d printed nothing from the kernel"
	cmp -s k.out e.out || { diff k.out e.out | head -60; fail "setkey $d: the kernel and the engine differ"; }
	log "setkey $d: the same ($(wc -l <k.out) lines)"
done
in_ns "$NS_A" "$XFRMPP_BIN/ipseckey" dump | mask >k.out
"$XFRMPP_BIN/ipseckey" --backend=engine --state "$PWD/e.state" dump | mask >e.out
cmp -s k.out e.out || { diff k.out e.out | head -20; fail "ipseckey dump: the kernel and the engine differ"; }
assert_ge "$(grep -c 'type DUMP' k.out)" 5 "ipseckey dump lists every SA"
log "ipseckey dump: the same ($(wc -l <k.out) lines)"
