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

finish
