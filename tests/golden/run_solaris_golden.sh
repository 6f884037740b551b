#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Golden tests for the Solaris front ends. Usage: run_solaris_golden.sh ipsecconf|ipseckey TOOL DIR [--update]
#   ipsecconf: CASE.conf, checked with `ipsecconf --hosts hosts --tunnels tunnels -c CASE.conf --json`
#   ipseckey:  CASE.keys, checked with `ipseckey --hosts hosts -c CASE.keys --json`
# A case named error-* must fail with exactly CASE.err on stderr (diagnostics with carets). Any other
# case must succeed with CASE.json on stdout (the model) and CASE.warn on stderr (absent = no output).
# --update rewrites the expected files.
set -uo pipefail
kind=$1 tool=$2 dir=$3 update=${4:-}
cd "$dir" || exit 1
case $kind in
  ipsecconf) ext=conf; run() { "$tool" --hosts hosts --tunnels tunnels -c "$1" --json; } ;;
  # Key files are read from a mode-600 copy: ipseckey warns about key files others can read.
  ipseckey) ext=keys; run() {
    mkdir -p "$tmp/case" && cp hosts "$tmp/case/" && cp "$1" "$tmp/case/$1" && chmod 600 "$tmp/case/$1"
    (cd "$tmp/case" && "$tool" --hosts hosts -c "$1" --json)
  } ;;
  *) echo "unknown kind $kind"; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 count=0
for input in *."$ext"; do
  name=${input%."$ext"}
  count=$((count + 1))
  run "$input" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [[ $name == error-* ]]; then
    if [[ $update == --update ]]; then cp "$tmp/err" "$name.err"; continue; fi
    if [[ $rc -eq 0 ]]; then echo "FAIL $name: expected an error, got success"; fail=1; continue; fi
    if ! diff -u "$name.err" "$tmp/err"; then echo "FAIL $name: diagnostics differ"; fail=1; fi
  else
    if [[ $update == --update ]]; then
      cp "$tmp/out" "$name.json"
      if [[ -s $tmp/err ]]; then cp "$tmp/err" "$name.warn"; else rm -f "$name.warn"; fi
      continue
    fi
    if [[ $rc -ne 0 ]]; then echo "FAIL $name: exit $rc"; cat "$tmp/err"; fail=1; continue; fi
    if ! diff -u "$name.json" "$tmp/out"; then echo "FAIL $name: model differs"; fail=1; fi
    if [[ -f $name.warn ]]; then
      diff -u "$name.warn" "$tmp/err" || { echo "FAIL $name: warnings differ"; fail=1; }
    elif [[ -s $tmp/err ]]; then
      echo "FAIL $name: unexpected output on stderr:"; cat "$tmp/err"; fail=1
    fi
  fi
done
[[ $count -gt 0 ]] || { echo "FAIL: no *.$ext cases in $dir"; exit 1; }
echo "golden $kind: $count cases"
exit $fail
