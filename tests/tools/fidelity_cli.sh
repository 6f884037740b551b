#!/usr/bin/env bash
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

finish
