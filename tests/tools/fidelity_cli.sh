#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Files from the BSD and illumos trees that the originals load and we once refused (issue 8, item 6),
# checked without a kernel: setkey -n and ipsecconf -c accept them with the warnings, and the
# controls around each (what the originals refuse too) are still errors.
set -uo pipefail
setkey=$1 ipsecconf=$2 data=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"

# 1. unique:N above 16383: accepted with a warning; -n has no reqid to name yet.
"$setkey" -k -n -f "$data/setkey_unique_big.conf" 2>"$work/u.err"; rc=$?
[[ $rc -eq 0 ]] && ok "setkey -n accepts unique:20000 and unique:32767" || { bad "unique:N -n: rc $rc"; cat "$work/u.err"; }
grep -q 'setkey_unique_big.conf:3:58: warning: unique:20000 is above 16383, the largest reqid a policy may choose: as with PF_KEY, the request gets a generated reqid instead (the next free one above 16383, chosen when the file is loaded)' "$work/u.err" &&
  grep -q 'setkey_unique_big.conf:4:57: warning: unique:32767 is above 16383' "$work/u.err" && [[ $(grep -c warning: "$work/u.err") -eq 2 ]] &&
  ok "with one warning per request above 16383, at the request" || { bad "unique:N -n warnings"; cat "$work/u.err"; }
"$setkey" -r -n --json -f "$data/setkey_unique_big.conf" 2>/dev/null >"$work/u.json"
[[ $(grep -c '"reqid": 0' "$work/u.json") -ge 2 ]] && ! grep -q '"reqid": 20000' "$work/u.json" &&
  ok "the model holds a reqid to generate, not 20000" || bad "unique:N model"
printf 'spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//unique:4294967296;\n' >"$work/u2.conf"
"$setkey" -n -f "$work/u2.conf" 2>"$work/u2.err" && bad "unique:4294967296 accepted" ||
  { grep -q 'unique:N takes a reqid from 1 to 4294967295' "$work/u2.err" && ok "a reqid PF_KEY could not carry is still an error" || { bad "unique:2^32 message"; cat "$work/u2.err"; }; }

# 2. An HMAC key shorter than the hash (FreeBSD's example): accepted with an RFC 4868 warning; a key
# of the hash's length draws none; one past the block size is still refused.
"$setkey" -n -f "$data/setkey_hmac_short_key.conf" 2>"$work/h.err"; rc=$?
[[ $rc -eq 0 ]] && ok "setkey -n accepts hmac-sha2-256 with a 160-bit key" || { bad "160-bit hmac key: rc $rc"; cat "$work/h.err"; }
grep -q "setkey_hmac_short_key.conf:2:83: warning: hmac-sha256 keys should be 256 bits, the hash's output length (RFC 4868); a 160-bit key works" "$work/h.err" &&
  [[ $(grep -c warning: "$work/h.err") -eq 1 ]] && ok "with one warning, at the algorithm, none for the 256-bit key" || { bad "hmac warning"; cat "$work/h.err"; }
! grep -q 0011223344556677889900112233445566778899 "$work/h.err" && ok "the warning does not show the key" || bad "key in the warning output"
printf 'add 10.0.0.1 10.0.0.2 ah 0x1000 -A hmac-sha256 0x%s;\n' "$(printf 'ab%.0s' $(seq 65))" >"$work/h2.conf"
"$setkey" -n -f "$work/h2.conf" 2>"$work/h2.err" && bad "a 520-bit hmac-sha256 key accepted" ||
  { grep -q 'hmac-sha256 takes a key of 8 to 512 bits in whole bytes' "$work/h2.err" && ok "a key past the block size is refused" || { bad "520-bit message"; cat "$work/h2.err"; }; }
# ipseckey shares the rule (model::key_length_ok and its warning). Read from a mode-600 copy: it warns
# about key files others can read.
ipseckey=$(dirname "$setkey")/ipseckey
if [[ -x $ipseckey ]]; then
  cp "$data/ipseckey_hmac_short_key.keys" "$work/k.keys" && chmod 600 "$work/k.keys"
  "$ipseckey" -c "$work/k.keys" 2>"$work/k.err"; rc=$?
  [[ $rc -eq 0 ]] && grep -q "k.keys:1:109: warning: hmac-sha256 keys should be 256 bits" "$work/k.err" &&
    ok "ipseckey -c accepts a 160-bit sha256 authkey with the same warning" || { bad "ipseckey 160-bit key: rc $rc"; cat "$work/k.err"; }
fi

# 3. ipsecconf -c of a gateway's file on a machine without its tunnel: a warning, not an error; with
# --tunnels naming it the policies are planned as before; -a keeps the error (ipsecconf_kernel.sh).
# In an empty namespace when one can be made, so no interface of the host gets in the way.
iso() { if unshare -n true 2>/dev/null; then unshare -n -- "$@"; else "$@"; fi; }
iso "$ipsecconf" -c "$data/ic_tun.conf" >"$work/t.out" 2>"$work/t.err"; rc=$?
[[ $rc -eq 0 ]] && grep -q 'does not contain any errors' "$work/t.out" && ok "ipsecconf -c accepts a rule whose tunnel is not on this machine" ||
  { bad "-c unknown tunnel: rc $rc"; cat "$work/t.err"; }
grep -q 'ic_tun.conf:1:9: warning: Cannot find tunnel interface tun0' "$work/t.err" && grep -q 'checked without it' "$work/t.err" &&
  ! grep -q 'error:' "$work/t.err" && ok "and warns that the tunnel was not found" || { bad "-c unknown tunnel warning"; cat "$work/t.err"; }
iso "$ipsecconf" -c "$data/ic_tun.conf" --json 2>/dev/null | grep -q '"tunnel_not_found": "tun0"' &&
  ok "-c --json marks the rule as checked without its tunnel" || bad "-c --json unknown tunnel"
iso "$ipsecconf" --tunnels "$data/ic_tun.tunnels" -c "$data/ic_tun.conf" --json >"$work/tt.json" 2>"$work/tt.err"
grep -q '"if_id": 7' "$work/tt.json" && ! grep -q warning "$work/tt.err" && ! grep -q tunnel_not_found "$work/tt.json" &&
  ok "with --tunnels naming it, -c plans the tunnel's policies and does not warn" || { bad "-c --tunnels"; cat "$work/tt.err"; }
printf '{tunnel tun0 negotiate tunnel laddr 10.8.0.0/24 raddr 10.9.0.0/24} ipsec {encr_algs aes encr_auth_algs sha256}\n{raddr 10.0.0.2 dir sideways} pass {}\n' >"$work/t2.conf"
iso "$ipsecconf" -c "$work/t2.conf" 2>"$work/t2.err" && bad "-c passed a file with an error besides the tunnel" ||
  { grep -q 't2.conf:2:.*error: Bad Direction' "$work/t2.err" && ok "-c still fails on the file's other errors" || { bad "-c other errors"; cat "$work/t2.err"; }; }
printf '{tunnel tun0 negotiate transport raddr 10.9.0.0/24} ipsec {encr_algs aes encr_auth_algs sha256}\n' >"$work/t3.conf"
iso "$ipsecconf" -c "$work/t3.conf" 2>"$work/t3.err" && bad "-c passed negotiate transport with addresses" ||
  { grep -q 'negotiate transport takes no addresses' "$work/t3.err" && ok "-c still checks what the rule says without the tunnel" || { bad "-c transport check"; cat "$work/t3.err"; }; }

finish
