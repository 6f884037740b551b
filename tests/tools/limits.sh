#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bounded output and bounded input (issue 8), end to end with -n / -c (no kernel): the error limit and its
# closing line, the window shown of a long line, no "did you mean" work on a huge word, --max-input on
# files and on /dev/zero, and the duplicate check under churn and across two files.
#   limits.sh SETKEY IPSECCONF IPSECKEY DATA_DIR
set -u
setkey=$1 ipsecconf=$2 ipseckey=$3 data=$4
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
gen() { awk -v n="$1" "BEGIN { for (i = 0; i < n; i++) { $2 } }"; }

# --- the error limit: 50 by default, then one line; 0 shows all; exit status still 1 ---------------
gen 61 'print "spdadd 10.0.0.1 10.0.0.2 any -P out none;"' > dup61.conf  # 60 duplicates
"$setkey" -n -f dup61.conf 2> err; rc=$?
n=$(grep -c ': error: ' err)
[[ $rc -eq 1 && $n -eq 50 ]] && grep -qxF 'setkey: 10 more errors not shown (--max-errors=50)' err &&
  ok "setkey: 50 errors shown, then '10 more errors not shown'" || bad "setkey default limit: rc=$rc, $n errors: $(tail -2 err)"
"$setkey" -n --max-errors 1 -f dup61.conf 2> err; rc=$?
[[ $rc -eq 1 && $(grep -c ': error: ' err) -eq 1 ]] && grep -qxF 'setkey: 59 more errors not shown (--max-errors=1)' err &&
  ok "setkey --max-errors 1" || bad "setkey --max-errors 1: rc=$rc: $(tail -2 err)"
"$setkey" -n --max-errors 0 -f dup61.conf 2> err; rc=$?
[[ $rc -eq 1 && $(grep -c ': error: ' err) -eq 60 ]] && ! grep -q 'not shown' err &&
  ok "setkey --max-errors 0 shows all 60" || bad "setkey --max-errors 0: rc=$rc, $(grep -c ': error: ' err) errors"
# The limit is for the whole run: two files share it.
"$setkey" -n --max-errors 70 -f dup61.conf -f dup61.conf 2> err; rc=$?
[[ $rc -eq 1 && $(grep -c ': error: ' err) -eq 70 ]] && grep -qxF 'setkey: 51 more errors not shown (--max-errors=70)' err &&
  ok "setkey: one limit across two inputs" || bad "setkey two inputs: $(grep -c ': error: ' err) errors: $(tail -2 err)"

gen 60 'print "add esp spi " 4096 + i " dst 10.0.0.999 encr_alg aes encrkey 00112233445566778899aabbccddeeff"' > bad60.keys
chmod 600 bad60.keys
timeout 60 "$ipseckey" --max-errors 5 -c bad60.keys 2> err; rc=$?
[[ $rc -eq 1 && $(grep -c ': error: ' err) -eq 5 ]] && grep -qxF 'ipseckey: 55 more errors not shown (--max-errors=5)' err &&
  ok "ipseckey --max-errors 5 (and malformed addresses cost no resolver round trip)" || bad "ipseckey limit: rc=$rc: $(tail -2 err)"
gen 60 'print "{laddr 10.0.0.1 rport bogus} ipsec {encr_algs aes encr_auth_algs sha256}"' > bad60.conf
"$ipsecconf" -c bad60.conf 2> err; rc=$?
[[ $rc -eq 1 && $(grep -c ': error: ' err) -eq 50 ]] && grep -qxF 'ipsecconf: 10 more errors not shown (--max-errors=50)' err &&
  ok "ipsecconf: 50 errors, then '10 more errors not shown'" || bad "ipsecconf limit: rc=$rc, $(grep -c ': error: ' err) errors: $(tail -2 err)"
for t in setkey ipsecconf ipseckey; do
  "${!t}" --max-errors x -c /dev/null > /dev/null 2> err; rc=$?
  [[ $rc -ne 0 ]] && grep -q 'max-errors' err && ok "$t refuses --max-errors x" || bad "$t --max-errors x: rc=$rc"
done

# --- a long line is shown as a window around the caret, the caret under the bad word ----------------
{ printf 'spdadd 10.0.0.1 10.0.0.2 any -P out'; head -c 5000 /dev/zero | tr '\0' ' '; echo 'bogus;'; } > long.conf
"$setkey" -n -f long.conf 2> err; rc=$?
src=$(sed -n 2p err) caret=$(sed -n 3p err)
at=${caret%%^*}
[[ $rc -eq 1 && ${#src} -le 130 && $src == ...* && ${src:${#at}:5} == bogus && $(wc -c < err) -lt 1000 ]] &&
  ok "long line: a window with '...', caret under 'bogus' at column ${#at} of it" || bad "long line: rc=$rc, ${#src} bytes: '${src:0:20}...', caret at ${#at}"

# --- "did you mean" does not compare a huge word -------------------------------------------------
{ head -c 8388608 /dev/zero | tr '\0' 'b'; echo ';'; } > word.conf
timeout 20 "$setkey" -n -f word.conf 2> err; rc=$?
[[ $rc -eq 1 ]] && ! grep -q 'did you mean' err && [[ $(wc -c < err) -lt 2000 ]] &&
  ok "an 8 MB word: no suggestion, $(wc -c < err) bytes of output" || bad "8 MB word: rc=$rc (124 = hung), $(wc -c < err) bytes"

# --- --max-input ----------------------------------------------------------------------------------
head -c 1024 /dev/zero | tr '\0' '#' > cap.conf
echo >> cap.conf  # 1025 bytes: just over 1K
head -c 1023 /dev/zero | tr '\0' '#' > fits.conf
echo >> fits.conf  # exactly 1K
for t in setkey ipsecconf ipseckey; do
  case $t in setkey) args=(-n -f) ;; *) args=(-c) ;; esac
  "${!t}" --max-input 1K "${args[@]}" cap.conf > out 2> err; rc=$?
  [[ $rc -eq 1 ]] && grep -qxF 'cap.conf: error: input larger than 1 KiB (--max-input)' err &&
    ok "$t: a file just over --max-input 1K is refused" || bad "$t over the cap: rc=$rc: $(cat err)"
  "${!t}" --max-input 1K "${args[@]}" fits.conf > out 2> err; rc=$?
  [[ $rc -eq 0 ]] && ok "$t: a file of exactly 1K passes" || bad "$t at the cap: rc=$rc: $(cat err)"
  timeout 20 "${!t}" --max-input 1M "${args[@]}" /dev/zero > out 2> err; rc=$?
  [[ $rc -eq 1 ]] && grep -qxF '/dev/zero: error: input larger than 1 MiB (--max-input)' err &&
    ok "$t: /dev/zero stops at the cap" || bad "$t /dev/zero: rc=$rc (124 = never stopped): $(head -c 200 err)"
done
head -c 5000 /dev/zero | tr '\0' '#' | "$setkey" -n --max-input 4096 -c 2> err; rc=$?
[[ $rc -eq 1 ]] && grep -qxF '<stdin>: error: input larger than 4 KiB (--max-input)' err &&
  ok "setkey -c: standard input over the cap" || bad "stdin over the cap: rc=$rc: $(cat err)"
"$setkey" -n --max-input 12Q -f fits.conf 2> err; rc=$?
[[ $rc -eq 2 ]] && ok "setkey refuses --max-input 12Q" || bad "--max-input 12Q: rc=$rc"

# --- the duplicate check: churn, then a real duplicate; and across two files ------------------------
gen 3000 'print "spdadd 10.0.0.1 10.0.0.2 any -P out none;\nspddelete 10.0.0.1 10.0.0.2 any -P out;"' > churn.conf
gen 2 'print "spdadd 10.0.0.1 10.0.0.2 any -P out none;"' >> churn.conf
"$setkey" -n --max-errors 0 -f churn.conf 2> err; rc=$?
[[ $rc -eq 1 && $(grep -c ': error: ' err) -eq 1 ]] && grep -q '^churn.conf:6002:1: error: this out policy was already added at line 6001;' err &&
  ok "churn: the one duplicate after 3000 add/delete pairs is found" || bad "churn: rc=$rc: $(grep error: err | head -3)"
cp "$data/xfile_a.conf" "$data/xfile_b.conf" .
"$setkey" -n -f xfile_a.conf -f xfile_b.conf 2> err; rc=$?
[[ $rc -eq 1 ]] && grep -q '^xfile_b.conf:1:1: error: this out policy was already added at xfile_a.conf:3;' err &&
  ok "a duplicate across two files names xfile_b.conf:1 and xfile_a.conf:3" || bad "cross-file duplicate: rc=$rc: $(head -1 err)"

finish
