#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Engine vs kernel: the same N-policy setkey file loaded by `setkey -k` into a fresh network namespace and
# by `setkey -k --backend=engine` into a fresh state file, in turn, REPEAT times each (medians reported);
# both SPDs are checked identical (setkey -DP, kernel-stamped fields masked). Then the state file's size and
# how long a reader takes to load it (`ipsec-engine lookup` on one flow: read, decode, and the lookup index,
# which the SPD builds at its first lookup). Run as root:
#   bench/engine_load.sh                  # N = 100000
#   SIZES="10000 100000" REPEAT=5 bench/engine_load.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${BIN:-$root/build/bin}
sizes=${SIZES:-100000}
repeat=${REPEAT:-3}

die() { echo "bench: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, XFRM)"
for t in setkey ipsec-engine; do [[ -x $bin/$t ]] || die "$bin/$t not built"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/xfrmpp-engine-bench.XXXXXX")
ns=xfrmpp-ebench-$$
cleanup() { ip netns del "$ns" 2> /dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Wall seconds of "$@" (stdout and stderr kept in $work/cmd.*).
wall() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" > "$work/cmd.out" 2> "$work/cmd.err" || { cat "$work/cmd.err" >&2; die "failed: $*"; }
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# What identifies a policy's content: the dump without kernel-stamped times, ids and counters.
masked_dump() { sed -E 's/created: .*//; s/lastused: .*//; s/spid=[0-9]+ seq=[0-9]+ pid=[0-9]+//' | sort; }

printf '%-8s %-28s %10s %12s\n' N what "median s" policies/s
for n in $sizes; do
  "$here/gen.sh" "$n" setkey > "$work/p.conf"
  echo "out udp 10.0.0.0 1 11.0.0.0 2" > "$work/flow"
  : > "$work/k.times"; : > "$work/e.times"; : > "$work/r.times"
  for ((r = 1; r <= repeat; r++)); do
    ip netns add "$ns"
    wall ip netns exec "$ns" "$bin/setkey" -k -f "$work/p.conf" >> "$work/k.times"
    [[ $r == 1 ]] && ip netns exec "$ns" "$bin/setkey" -DP | masked_dump > "$work/k.dump"
    ip netns del "$ns"
    rm -f "$work/e.state"*
    wall "$bin/setkey" -k --backend=engine --state "$work/e.state" -f "$work/p.conf" >> "$work/e.times"
    wall "$bin/ipsec-engine" lookup --state "$work/e.state" < "$work/flow" >> "$work/r.times"
  done
  "$bin/setkey" --backend=engine --state "$work/e.state" -DP | masked_dump > "$work/e.dump"
  cmp -s "$work/k.dump" "$work/e.dump" || { diff "$work/k.dump" "$work/e.dump" | head -5 >&2; die "N=$n: kernel and engine SPDs differ"; }
  [[ $(grep -c 'spid=' "$work/k.dump" || true) -eq 0 ]] || die "mask failed"
  k=$(median < "$work/k.times") e=$(median < "$work/e.times") rd=$(median < "$work/r.times")
  size=$(stat -c %s "$work/e.state")
  printf '%-8s %-28s %10.3f %12.0f\n' "$n" "setkey -k (kernel)" "$k" "$(awk -v n="$n" -v s="$k" 'BEGIN { print n / s }')"
  printf '%-8s %-28s %10.3f %12.0f\n' "$n" "setkey -k --backend=engine" "$e" "$(awk -v n="$n" -v s="$e" 'BEGIN { print n / s }')"
  printf '%-8s %-28s %10s\n' "$n" "ratio kernel/engine" "$(awk -v a="$k" -v b="$e" 'BEGIN { printf "%.2fx", a / b }')"
  printf '%-8s %-28s %10.3f\n' "$n" "state load (ipsec-engine)" "$rd"
  printf '%-8s %-28s %10s %12s\n' "$n" "state file" "$(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }')" \
    "$(awk -v s="$size" -v n="$n" 'BEGIN { printf "%.0f B/pol", s / n }')"
done
echo "(the engine must not be slower: ratio kernel/engine >= 1.00; SPDs verified identical)"
