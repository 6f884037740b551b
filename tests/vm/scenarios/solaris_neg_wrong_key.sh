# SPDX-License-Identifier: BSD-3-Clause
# Solaris tools, NEGATIVE CONTROL: the ESP transport setup of solaris_esp_transport_v4, except that b
# has a different authentication key for the a -> b SA. Passes only when the fault shows: no ping is
# answered, a's outbound SA still counts the requests (policy and SA were used), and b's
# XfrmInStateProtoError and the SA's integrity-failure counter rise by 3.
# vm-timeout: 60
need_bin ipseckey
need_bin ipsecconf
umask 077
IK=$XFRMPP_BIN/ipseckey
IC=$XFRMPP_BIN/ipsecconf
ik() { _n=$1; shift; in_ns "$_n" "$IK" "$@"; }
ic() { _n=$1; shift; in_ns "$_n" "$IC" "$@"; }

setup_pair
enc=00112233445566778899aabbccddeeff
auth=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
bad=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
printf 'add esp spi 0x1000 src %s dst %s encr_alg aes encrkey %s auth_alg sha256 authkey %s\n' "$A4" "$B4" "$enc" "$auth" >a.keys
printf 'add esp spi 0x1000 src %s dst %s encr_alg aes encrkey %s auth_alg sha256 authkey %s\n' "$A4" "$B4" "$enc" "$bad" >b.keys
for f in a.keys b.keys; do
	printf 'add esp spi 0x2000 src %s dst %s encr_alg aes encrkey %s auth_alg sha256 authkey %s\n' "$B4" "$A4" "$enc" "$auth" >>$f
done
printf '{laddr %s raddr %s} ipsec {encr_algs aes encr_auth_algs sha256}\n' "$A4" "$B4" >a.pol
printf '{laddr %s raddr %s} ipsec {encr_algs aes encr_auth_algs sha256}\n' "$B4" "$A4" >b.pol
for ns in "$NS_A" "$NS_B"; do
	assert_ok ik "$ns" -f "$ns.keys"
	assert_ok ic "$ns" -q -a "$ns.pol"
done
before=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
expect_no_ping "$NS_A" "$B4" 3
after=$(xfrm_stat "$NS_B" XfrmInStateProtoError)
assert_eq "$((after - before))" 3 "increase of XfrmInStateProtoError in b"
assert_eq "$(sa_counter "$NS_B" 0x1000 failed)" 3 "integrity failures on b's SA 0x1000"
assert_eq "$(sa_counter "$NS_A" 0x1000 packets)" 3 "a's outbound SA 0x1000 protected the requests"
