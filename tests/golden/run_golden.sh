#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Golden tests for the setkey front end: CASE.conf parses (setkey -n --json) to CASE.json, or fails
# with exactly CASE.err (diagnostics with carets). --update rewrites the expected files.
set -uo pipefail
setkey=$1 dir=$2 update=${3:-}
cd "$dir" || exit 1
fail=0 count=0
for conf in *.conf; do
  name=${conf%.conf}
  count=$((count + 1))
  mode=-k  # kernel mode keeps the model exactly as written; rfc-* cases test RFC mode
  [[ $name == rfc-* ]] && mode=-r
  out=$("$setkey" $mode -n --json -f "$conf" 2>"${TMPDIR:-/tmp}/golden-err.$$")
  rc=$?
  err=$(cat "${TMPDIR:-/tmp}/golden-err.$$")
  rm -f "${TMPDIR:-/tmp}/golden-err.$$"
  if [[ -f $name.err ]]; then
    if [[ $update == --update ]]; then printf '%s\n' "$err" >"$name.err"; continue; fi
    if [[ $rc -eq 0 ]]; then echo "FAIL $name: expected an error, got success"; fail=1; continue; fi
    if ! diff -u "$name.err" <(printf '%s\n' "$err"); then echo "FAIL $name: diagnostics differ"; fail=1; fi
  else
    if [[ $update == --update ]]; then printf '%s\n' "$out" >"$name.json"; continue; fi
    if [[ $rc -ne 0 ]]; then echo "FAIL $name: exit $rc"; printf '%s\n' "$err"; fail=1; continue; fi
    if ! diff -u "$name.json" <(printf '%s\n' "$out"); then echo "FAIL $name: model differs"; fail=1; fi
  fi
done
echo "golden: $count cases"
exit $fail
