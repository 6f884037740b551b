#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SPD dump benchmark; see bench/README.md, section "Dump benchmark". Run as root from anywhere:
#   bench/dump.sh                     # N = 100000 and 1000000
#   SIZES="100000" REPEAT=3 bench/dump.sh
# For each N, loads N policies into a fresh network namespace and times `setkey -DP` (text),
# `setkey -DP --json` and `ip xfrm policy list` (the peer) into /dev/null; the namespace is deleted
# afterwards, also on failure or interruption.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
setkey=${SETKEY:-$root/build/bin/setkey}
sizes=${SIZES:-100000 1000000}
repeat=${REPEAT:-1}

die() { echo "dump bench: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, XFRM)"
[[ -x $setkey ]] || die "$setkey not built (cmake --preset release && ninja -C build setkey)"
command -v ip > /dev/null || die "ip (iproute2) is missing"
if [[ ! -x /usr/bin/time ]]; then
  echo "dump bench: installing GNU time for peak RSS" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q time > /dev/null || die "cannot install package 'time'"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/xfrmpp-dump.XXXXXX")
ns=""
cleanup() {
  [[ -n $ns ]] && ip netns del "$ns" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs "$@" REPEAT times into /dev/null; sets secs to the best wall time and rss_kb to the highest peak RSS.
best() {
  local i t0 t1 s r
  secs="" rss_kb=0
  for ((i = 0; i < repeat; i++)); do
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/time.out" "$@" > /dev/null 2> "$work/cmd.err" || { cat "$work/cmd.err" >&2; die "failed: $*"; }
    t1=$(date +%s%N)
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    r=$(tail -n 1 "$work/time.out")
    if [[ -z $secs ]] || awk -v a="$s" -v b="$secs" 'BEGIN { exit !(a < b) }'; then secs=$s; fi
    if ((r > rss_kb)); then rss_kb=$r; fi
  done
}

rows=()
for n in $sizes; do
  "$here/gen.sh" "$n" setkey > "$work/policies.conf"
  ns="xfrmpp-dump-$$-$n"
  ip netns add "$ns" || die "ip netns add $ns failed"
  ip netns exec "$ns" "$setkey" -k -f "$work/policies.conf" || die "loading $n policies failed"
  got=$(ip netns exec "$ns" "$setkey" -DP --json | grep -c '"action"' || true)
  [[ $got == "$n" ]] || die "the JSON dump lists $got policies, not $n"
  best ip netns exec "$ns" "$setkey" -DP
  text_s=$secs text_rss=$rss_kb
  best ip netns exec "$ns" "$setkey" -DP --json
  json_s=$secs json_rss=$rss_kb
  best ip netns exec "$ns" ip xfrm policy list
  ip_s=$secs ip_rss=$rss_kb
  ip netns del "$ns"
  ns=""
  rows+=("$(awk -v n="$n" -v t="$text_s" -v j="$json_s" -v tr="$text_rss" -v jr="$json_rss" -v i="$ip_s" -v ir="$ip_rss" 'BEGIN {
    printf "%-9d %8.3f %8.3f %8.2f %11.1f %11.1f %8.3f %9.1f %s", n, t, j, j / t, tr / 1024, jr / 1024, i, ir / 1024,
      (j <= 1.5 * t && jr < 100 * 1024) ? "yes" : "NO" }')")
done

printf '%-9s %8s %8s %8s %11s %11s %8s %9s %s\n' N "text s" "json s" json/text "text RSS MB" "json RSS MB" "ip s" "ip RSS MB" "target met"
printf '%s\n' "${rows[@]}"
echo "target: JSON dump time <= 1.5 x text dump time and JSON peak RSS < 100 MB"
