#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Pathological inputs against clean ones of the same size (issue 8: no quadratic path, bounded output).
#   bench/hardening.sh                 # every case, 3 runs each, medians
#   REPEAT=5 BIN=build/bin bench/hardening.sh
# Each row times a pathological input and a peer: the same tool on a clean input of the same number of
# statements. A linear-time pathological path has a ratio near 1 (errors cost more: each is printed with
# its source line). The JSON rows' peer is the same command on a quarter of the input, times 4: a ratio
# near 1 says the JSON path scales linearly. No kernel and no root: everything runs with -n / -c.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${BIN:-$root/build/bin}
repeat=${REPEAT:-3}
keep=${KEEP:-0}

die() { echo "bench: $*" >&2; exit 1; }
for t in setkey ipsecconf ipseckey; do [[ -x $bin/$t ]] || die "$bin/$t not built (cmake --build build --target $t)"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/xfrmpp-hardening.XXXXXX")
cleanup() { if [[ $keep == 1 ]]; then echo "bench: files kept in $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$work"

# --- inputs (the shapes of the issue's reproducers) -------------------------------------------------
K=00112233445566778899aabbccddeeff
gen() { awk -v n="$1" -v K=$K "BEGIN { for (i = 0; i < n; i++) { $2 } }"; }
addr='(int(i / 65536) % 256) "." (int(i / 256) % 256) "." (i % 256)'
echo "bench: generating inputs in $work" >&2
gen 20000 'print "spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//require;"' > dup20k.conf
gen 20000 "print \"spdadd 10.\" $addr \" 10.200.0.1 any -P out ipsec esp/transport//require;\"" > valid20k.conf
gen 100000 'print "spdadd 10.0.0.1 10.0.0.2 any -P out none;\nspddelete 10.0.0.1 10.0.0.2 any -P out;"' > churn100k.conf
gen 100000 "print \"spdadd 10.\" $addr \" 10.200.0.1 any -P out none;\nspddelete 10.\" $addr \" 10.200.0.1 any -P out;\"" > pairs100k.conf
gen 20000 'print "add 10.0.0.1 10.0.0.2 esp " 4096 + i " -E aes-cbc 0x" K " -A hmac-bogus 0x" K ";"' > sa_err20k.conf
gen 20000 'print "add 10.0.0.1 10.0.0.2 esp " 4096 + i " -E aes-cbc 0x" K " -A hmac-sha256 0x" K K ";"' > sa_valid20k.conf
gen 20000 'print "add esp spi " 4096 + i " dst 10.0.0.999 encr_alg aes encrkey " K' > ik_err20k.keys
gen 20000 'print "add esp spi " 4096 + i " dst 10.0.0.1 encr_alg aes encrkey " K' > ik_valid20k.keys
for n in 5000 20000; do
  gen $n "print \"{laddr 10.0.\" (int(i / 256) % 256) \".\" (i % 256) \" raddr 10.1.0.1 ulp tcp} ipsec {encr_algs aes encr_auth_algs sha256}\"" > ic_valid$((n / 1000))k.conf
done
head -n 5000 valid20k.conf > valid5k.conf
spaces() { head -c "$1" /dev/zero | tr '\0' "$2"; }
{ gen 1000 'printf "x; "'; spaces 1048576 ' '; echo; } > longline_err1k.conf
gen 1000 "print \"spdadd 10.\" $addr \" 10.200.0.1 any -P out none;\"" > valid1k.conf
{ spaces 1048576 b; echo ';'; } > suggest_1mb.conf
{ spaces 1048576 '#'; echo; } > comment_1mb.conf
chmod 600 ./*.keys  # ipseckey warns about key files others can read

# --- timing -------------------------------------------------------------------------------------------
# Median wall seconds of $repeat runs of "$@"; stdout and stderr go to files (their size is reported).
median_secs() {
  local i t0 t1 times=()
  for ((i = 0; i < repeat; i++)); do
    t0=$(date +%s%N)
    "$@" > run.out 2> run.err || true  # the pathological inputs exit 1 by design
    t1=$(date +%s%N)
    times+=("$(((t1 - t0) / 1000))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1e6 }'
}

printf '%-34s %8s %7s %5s  %-40s %8s %6s %10s\n' case seconds target met peer "peer s" ratio "stderr B"
row() {  # name target scale -- pathological command -- peer command (its time counted `scale` times)
  local name=$1 target=$2 scale=$3
  shift 3
  local -a a=() b=()
  [[ $1 == -- ]] && shift
  while [[ $1 != -- ]]; do a+=("$1"); shift; done
  shift
  b=("$@")
  local ta tb err met ratio
  ta=$(median_secs "${a[@]}")
  err=$(stat -c %s run.err)
  tb=$(median_secs "${b[@]}")
  tb=$(awk -v b="$tb" -v k="$scale" 'BEGIN { printf "%.3f", b * k }')
  ratio=$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  met=-
  [[ $target != - ]] && met=$(awk -v a="$ta" -v t="$target" 'BEGIN { print (a < t) ? "yes" : "NO" }')
  printf '%-34s %8s %7s %5s  %-40s %8s %6s %10s\n' "$name" "$ta" "$target" "$met" "${b[*]##*/}$([[ $scale == 1 ]] || echo " (x$scale)")" "$tb" "$ratio" "$err"
}

s=$bin/setkey c=$bin/ipsecconf k=$bin/ipseckey
row "dup20k: 20k errors (all shown)" 1 1 -- "$s" -n --max-errors 0 -f dup20k.conf -- "$s" -n -f valid20k.conf
row "dup20k: default limit (50)" - 1 -- "$s" -n -f dup20k.conf -- "$s" -n -f valid20k.conf
row "sa_err20k: 20k errors (all shown)" 1 1 -- "$s" -n --max-errors 0 -f sa_err20k.conf -- "$s" -n -f sa_valid20k.conf
row "ik_err20k: 20k errors (all shown)" 1 1 -- "$k" --max-errors 0 -c ik_err20k.keys -- "$k" -c ik_valid20k.keys
row "churn100k: 100k add/delete pairs" 1 1 -- "$s" -n -f churn100k.conf -- "$s" -n -f pairs100k.conf
row "setkey -n --json, 20k statements" 1 4 -- "$s" -n --json -f valid20k.conf -- "$s" -n --json -f valid5k.conf
row "ipsecconf -c --json, 20k rules" 1 4 -- "$c" -c ic_valid20k.conf --json -- "$c" -c ic_valid5k.conf --json
row "longline_err1k (all shown)" 1 1 -- "$s" -n --max-errors 0 -f longline_err1k.conf -- "$s" -n -f valid1k.conf
row "suggest on a 1 MB word" 1 1 -- "$s" -n -f suggest_1mb.conf -- "$s" -n -f comment_1mb.conf
