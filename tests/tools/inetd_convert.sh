#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-inetd-convert against its golden files (label golden, no kernel):
#   data/inetd/kame.conf -> kame.expected (stdout of the dry run, and the file -o writes);
#   data/inetd/bad.conf  -> exit 1, bad.stderr exactly, nothing on stdout, no -o file;
#   every wrapped line's ipsec-exec arguments are accepted by ipsec-exec itself (its policies parse; it
#   then stops because fd 0 and 1 are no sockets here, before running anything).
# Negative controls: the same comparison must fail on an input with one "#@" line dropped, and on the
# diagnostics of a bad.conf with one error fewer, so a checker that compares nothing cannot pass.
# usage: inetd_convert.sh CONVERT EXEC|- DATA_DIR
set -uo pipefail
convert=${1:?converter}
exec_bin=${2:?ipsec-exec}
data=$(cd "${3:?data dir}" && pwd) || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$data" || exit 1

# 0 when the dry run of $1 prints exactly $2.
same_output() { "$convert" "$1" > "$tmp/out" 2> "$tmp/err" && diff -u "$2" "$tmp/out"; }
# 0 when $1 is refused with exactly the diagnostics of $2 and prints nothing.
same_errors() {
  "$convert" "$1" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  [[ $rc -eq 1 ]] || { echo "exit $rc, not 1"; return 1; }
  [[ ! -s $tmp/out ]] || { echo "stdout not empty"; return 1; }
  diff -u "$2" "$tmp/err"
}

same_output kame.conf kame.expected || fail "kame.conf: dry run differs from kame.expected"
grep -q 'ipsec-exec ipsec-exec -p in,bypass -p out,bypass --argv0 in.daytime -- /usr/sbin/in.daytime$' kame.expected ||
  fail "kame.expected lacks the wrapped daytime line"

"$convert" -o "$tmp/inetd.conf" kame.conf || fail "-o: exit $?"
cmp -s "$tmp/inetd.conf" kame.expected || fail "-o wrote something else than kame.expected"
[[ -z $(ls "$tmp" | grep -v -e '^inetd.conf$' -e '^out$' -e '^err$') ]] || fail "-o left a temporary file"
"$convert" kame.conf > /dev/null && [[ ! -e kame.conf.ipsec-inetd-convert.tmp ]] || fail "the dry run wrote a file"

same_errors bad.conf bad.stderr || fail "bad.conf: diagnostics differ from bad.stderr"
rm -f "$tmp/never"
"$convert" -o "$tmp/never" bad.conf 2> /dev/null && fail "-o with errors: exit 0"
[[ ! -e $tmp/never ]] || fail "-o wrote a file although the input has errors"
"$convert" < kame.conf | cmp -s - kame.expected || fail "standard input: output differs"

# Every wrapped line's arguments, run through ipsec-exec (fd 0/1 are a file and a pipe: no sockets).
# EXEC "-" (a build without the kernel backend, so without ipsec-exec) skips this.
if [[ $exec_bin != - ]]; then
  n=0
  while IFS= read -r line; do
    [[ $line == *"/ipsec-exec ipsec-exec "* ]] || continue
    n=$((n + 1))
    read -r -a args <<< "${line#*/ipsec-exec ipsec-exec }"
    out=$("$exec_bin" "${args[@]}" < /dev/null 2>&1 | cat)
    [[ $out == "ipsec-exec: neither fd 0 nor fd 1 is an inet or inet6 socket"* ]] ||
      fail "ipsec-exec refuses the arguments of: $line"$'\n'"$out"
  done < kame.expected
  [[ $n -eq 4 ]] || fail "expected 4 wrapped lines in kame.expected, found $n"
  # ...and an argument list with a broken policy is refused before that (the control of the loop above).
  out=$("$exec_bin" -p in,bypas -- /bin/true < /dev/null 2>&1 | cat)
  [[ $out == *"-p 1:1:4: error: unknown policy action 'bypas'"* ]] || fail "ipsec-exec accepted -p in,bypas: $out"
fi

# Negative controls.
grep -v '^#@ in bypass; out bypass$' kame.conf > "$tmp/dropped.conf"
same_output "$tmp/dropped.conf" kame.expected > /dev/null && fail "control: an input without its first #@ line matched kame.expected"
head -n 4 bad.conf > "$tmp/fewer.conf"
(cd "$tmp" && cp fewer.conf bad.conf && same_errors bad.conf "$data/bad.stderr" > /dev/null) &&
  fail "control: a bad.conf with fewer errors matched bad.stderr"

[[ $fails -eq 0 ]] && echo "PASS: ipsec-inetd-convert golden files" || echo "$fails failure(s)"
[[ $fails -eq 0 ]]
