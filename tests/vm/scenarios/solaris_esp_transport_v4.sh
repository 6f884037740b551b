# SPDX-License-Identifier: BSD-3-Clause
# Solaris tools, ESP transport over IPv4: both hosts keyed with `ipseckey -f` (aes + hmac-sha256, Solaris
# names) and policed with `ipsecconf -a` (one laddr/raddr rule, in and out). Three pings pass and every
# SA counts them in `ip -s xfrm state` and in `ipseckey dump`; `ipsecconf -l` shows the rule. Then
# `ipseckey -s FILE` (mode 0400), flush (pings now fail: the policy still requires ESP) and `ipseckey -f
# FILE`: a second save is identical (the same SAD) and traffic is protected again.
# vm-timeout: 90
need_bin ipseckey
need_bin ipsecconf
umask 077 # the key files below
IK=$XFRMPP_BIN/ipseckey
IC=$XFRMPP_BIN/ipsecconf
ik() { _n=$1; shift; in_ns "$_n" "$IK" "$@"; }
ic() { _n=$1; shift; in_ns "$_n" "$IC" "$@"; }

setup_pair
enc=00112233445566778899aabbccddeeff
auth=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cat >sas.keys <<EOF
# the same file on both hosts: one SA each way
add esp spi 0x1000 src $A4 dst $B4 encr_alg aes encrkey $enc auth_alg sha256 authkey $auth
add esp spi 0x2000 src $B4 dst $A4 encr_alg AES encrkey $enc \\
    auth_alg hmac-sha256 authkey 0x$auth
EOF
printf '{laddr %s raddr %s} ipsec {encr_algs aes encr_auth_algs sha256}\n' "$A4" "$B4" >a.pol
printf '{\n\tladdr %s\n\traddr %s\n} ipsec {\n\tencr_algs aes\n\tencr_auth_algs sha256\n}\n' "$B4" "$A4" >b.pol
for ns in "$NS_A" "$NS_B"; do
	assert_ok ik "$ns" -f sas.keys
	assert_ok ic "$ns" -q -a "$ns.pol"
done
ip -n "$NS_A" xfrm policy
expect_ping "$NS_A" "$B4" 3
for ns in "$NS_A" "$NS_B"; do
	for spi in 0x1000 0x2000; do
		assert_eq "$(sa_counter "$ns" $spi packets)" 3 "$ns SA $spi: packets after 3 pings"
	done
done
ik "$NS_A" -n dump >a.dump
cat a.dump
assert_match "$(cat a.dump)" '^SA: SADB_ASSOC spi=0x1000, replay window size=0, state=MATURE$' "ipseckey dump: SA line"
assert_match "$(cat a.dump)" '^CLT: 192 bytes protected, 3 allocations used\.$' "ipseckey dump: current lifetime of an SA"
assert_match "$(cat a.dump)" '^Dump succeeded for SA type 0\.$' "ipseckey dump: trailer"
get=$(ik "$NS_A" -n get esp spi 0x1000 dst "$B4")
assert_match "$get" '^SA: Encryption algorithm = aes-cbc$' "ipseckey get: algorithm name"
list=$(ic "$NS_A" -l)
echo "$list"
assert_match "$list" "^\\{ laddr $A4/32 raddr $B4/32 dir both \\} ipsec \\{ encr_algs aes-cbc encr_auth_algs hmac-sha256 sa shared \\}\$" "ipsecconf -l"

# save -> flush -> reload
assert_ok ik "$NS_A" -s saved.keys
assert_eq "$(stat -c %a saved.keys)" 400 "mode of the save file"
cat saved.keys
assert_ok ik "$NS_A" flush
expect_no_ping "$NS_A" "$B4" 2
assert_ok ik "$NS_A" -f saved.keys
# One line per SA (the dump order is the kernel's), then compare: the reload gave back the same SAD.
blocks() { awk '/^# begin assoc/ { b = "" } { b = b $0 "|" } /^# end assoc/ { print b }' "$1" | sort; }
assert_ok ik "$NS_A" -s saved2.keys
blocks saved.keys >s1
blocks saved2.keys >s2
assert_ok diff s1 s2
assert_eq "$(wc -l <s1)" 2 "SAs saved"
expect_ping "$NS_A" "$B4" 3
assert_ge "$(sa_counter "$NS_A" 0x1000 packets)" 3 "a's reloaded SA 0x1000 carries the pings"
assert_eq "$(xfrm_stat "$NS_B" XfrmInStateProtoError)" 0 "XfrmInStateProtoError in b"
