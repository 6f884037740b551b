#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# setkey load and parse benchmark; see bench/README.md. Run as root from anywhere:
#   bench/run.sh                 # N = 10000, 100000 and 1000000 loads against the floor and ip -batch,
#                                # 1000000 parse-only, the dumps (bench/dump.sh), the SA load in the VM
#   SIZES="10000" PARSE_N=100000 REPEAT=3 bench/run.sh
# Each load goes into a fresh network namespace that is deleted afterwards (also on failure).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
setkey=${SETKEY:-$root/build/bin/setkey}
sizes=${SIZES:-10000 100000 1000000}
parse_n=${PARSE_N:-1000000}
repeat=${REPEAT:-3}
floor=${FLOOR:-$root/build/bench/policy_floor}
batches=${FLOOR_BATCHES:-32 64 240 1024 4096}  # the floor's batch sweep at 100k (or the largest size below it)
vm=${VM:-1}                # 0 skips the SA load in the VM
keep=${KEEP:-0}            # 1 = keep the generated files in the temp dir

die() { echo "bench: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, XFRM)"
[[ -x $setkey ]] || die "$setkey not built (cmake --preset release && ninja -C build setkey)"
[[ -x $floor ]] || die "$floor not built (ninja -C build policy_floor)"
command -v ip > /dev/null || die "ip (iproute2) is missing"
if [[ ! -x /usr/bin/time ]]; then
  echo "bench: installing GNU time for peak RSS" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q time > /dev/null || die "cannot install package 'time'"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/xfrmpp-bench.XXXXXX")
namespaces=()
cleanup() {
  local ns
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2> /dev/null || true; done
  if [[ $keep == 1 ]]; then echo "bench: files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

new_ns() {
  local ns="xfrmpp-bench-$$-${#namespaces[@]}"
  ip netns add "$ns" || die "ip netns add $ns failed"
  namespaces+=("$ns")
  echo "$ns"
}
# Empties the SPD first, in this process: a namespace deleted with 100k policies in it is torn down by a
# kernel worker that runs into the next measurement (its flush holding XFRM locks on the other core).
del_ns() {
  ip -n "$1" xfrm policy flush
  ip netns del "$1"
}

# Runs "$@" under GNU time; sets secs (wall, ns resolution), cpu (user + system seconds) and rss_kb
# (peak RSS of the command). CPU time is less disturbed than wall time by other load on the machine.
measure() {
  local t0 t1 out=$work/time.out
  t0=$(date +%s%N)
  /usr/bin/time -f '%M %U %S' -o "$out" "$@" > "$work/cmd.out" 2> "$work/cmd.err" ||
    { cat "$work/cmd.err" >&2; die "failed: $*"; }
  t1=$(date +%s%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  read -r rss_kb cpu < <(tail -n 1 "$out" | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
}

# Keeps the best (lowest) wall and CPU time and the highest RSS seen for a key.
declare -A best_secs best_cpu best_rss
record() {
  local key=$1
  if [[ -z ${best_secs[$key]:-} ]] || awk -v a="$secs" -v b="${best_secs[$key]}" 'BEGIN { exit !(a < b) }'; then
    best_secs[$key]=$secs
  fi
  if [[ -z ${best_cpu[$key]:-} ]] || awk -v a="$cpu" -v b="${best_cpu[$key]}" 'BEGIN { exit !(a < b) }'; then
    best_cpu[$key]=$cpu
  fi
  if [[ -z ${best_rss[$key]:-} ]] || ((rss_kb > best_rss[$key])); then best_rss[$key]=$rss_kb; fi
}

# "OUT n" from ip xfrm policy count.
out_policies() { ip -n "$1" xfrm policy count | awk '{ for (i = 1; i < NF; i++) if ($i == "OUT") print $(i + 1) }'; }

# One line per policy (its ip-xfrm block joined), sorted, so two SPDs can be compared.
spd_fingerprint() {
  ip -n "$1" xfrm policy list | awk '/^src / && rec != "" { print rec; rec = "" } { sub(/[ \t]+$/, ""); rec = rec " " $0 } END { if (rec != "") print rec }' | sort
}

# The floor's own figure: its send phase (pre-encoded messages, the clock started after encoding).
declare -A floor_send
record_floor() {
  local key=$1 t
  t=$(awk '$1 == "floor" { print $4 }' "$work/cmd.out")
  [[ -n $t ]] || die "policy_floor printed no figure"
  if [[ -z ${floor_send[$key]:-} ]] || awk -v a="$t" -v b="${floor_send[$key]}" 'BEGIN { exit !(a < b) }'; then floor_send[$key]=$t; fi
}

for n in $sizes; do
  echo "bench: generating $n statements" >&2
  "$here/gen.sh" "$n" setkey > "$work/p$n.conf"
  "$here/gen.sh" "$n" ip > "$work/p$n.batch"
  # Rounds interleave the three tools, so a noisy moment hits all of them.
  for ((r = 1; r <= repeat; r++)); do
    for tool in setkey floor ip; do
      ns=$(new_ns)
      case $tool in
        setkey) measure ip netns exec "$ns" "$setkey" -k -f "$work/p$n.conf" ;;
        floor) measure ip netns exec "$ns" "$floor" "$n" 240 && record_floor "$n" ;;
        ip) measure ip netns exec "$ns" ip -batch "$work/p$n.batch" ;;
      esac
      got=$(out_policies "$ns")
      [[ $got == "$n" ]] || die "$tool: the namespace holds $got outbound policies, expected $n"
      if [[ $r == 1 ]]; then spd_fingerprint "$ns" > "$work/spd-$tool-$n"; fi
      del_ns "$ns"
      record "$tool/$n"
    done
  done
  for tool in floor ip; do
    cmp -s "$work/spd-setkey-$n" "$work/spd-$tool-$n" ||
      { diff "$work/spd-setkey-$n" "$work/spd-$tool-$n" | head -5 >&2; die "N=$n: setkey and $tool produced different SPDs"; }
  done
  rm -f "$work/spd-"*"-$n"
done

# The floor against its batch size (what setkey's 64 KiB batches, about 260 policies, were chosen by).
sweep_n=$(tr ' ' '\n' <<< "$sizes" | awk '$1 <= 100000' | sort -n | tail -n 1)
sweep_n=${sweep_n:-$(tr ' ' '\n' <<< "$sizes" | sort -n | head -n 1)}
for ((r = 1; r <= repeat; r++)); do
  for b in $batches; do
    ns=$(new_ns)
    measure ip netns exec "$ns" "$floor" "$sweep_n" "$b"
    record_floor "sweep/$b"
    del_ns "$ns"
  done
done

echo "bench: generating $parse_n statements for setkey -n" >&2
"$here/gen.sh" "$parse_n" setkey > "$work/parse.conf"
for ((r = 1; r <= repeat; r++)); do
  measure "$setkey" -n -f "$work/parse.conf"
  record parse
done
parse_secs=${best_secs[parse]} parse_cpu=${best_cpu[parse]} parse_rss=${best_rss[parse]}

echo
echo "Load into a fresh namespace (best of $repeat; the three SPDs verified identical, N outbound policies):"
echo "floor = bench/tools/policy_floor: pre-encoded NEWPOLICY messages, 240 per sendmsg, an ACK each;"
echo "'floor send' is its send phase alone, the figure setkey is judged against; the other rows are whole processes."
printf '%-18s %9s %9s %12s %14s %9s %11s %11s\n' tool N seconds policies/s "peak RSS MB" "CPU s" "/floor send" "ip/this"
for n in $sizes; do
  for tool in setkey floor ip; do
    s=${best_secs[$tool/$n]} kb=${best_rss[$tool/$n]}
    case $tool in setkey) label="setkey -k -f" ;; floor) label="floor (process)" ;; ip) label="ip -batch" ;; esac
    printf '%-18s %9d %9.3f %12.0f %14.1f %9.2f %10.2fx %10.2fx\n' "$label" "$n" "$s" "$(awk -v n="$n" -v s="$s" 'BEGIN { print (s > 0 ? n / s : 0) }')" \
      "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "${best_cpu[$tool/$n]}" \
      "$(awk -v a="$s" -v b="${floor_send[$n]}" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
      "$(awk -v a="${best_secs[ip/$n]}" -v b="$s" 'BEGIN { print (b > 0 ? a / b : 0) }')"
  done
  printf '%-18s %9d %9.3f %12.0f\n' "floor send" "$n" "${floor_send[$n]}" "$(awk -v n="$n" -v s="${floor_send[$n]}" 'BEGIN { print (s > 0 ? n / s : 0) }')"
done
echo
echo "The floor's send phase by batch size ($sweep_n policies, best of $repeat):"
printf '%-18s %9s %9s %12s\n' "policies/sendmsg" N seconds "/240"
for b in $batches; do
  printf '%-18s %9d %9.3f %11.2fx\n' "$b" "$sweep_n" "${floor_send[sweep/$b]}" \
    "$(awk -v a="${floor_send[sweep/$b]}" -v b="${floor_send[sweep/240]:-0}" 'BEGIN { print (b > 0 ? a / b : 0) }')"
done
echo
echo "Parse and validate only (setkey -n -f, best of $repeat):"
printf '%-18s %9s %9s %12s %14s %9s\n' tool N seconds statements/s "peak RSS MB" "CPU s"
printf '%-18s %9d %9.3f %12.0f %14.1f %9.2f\n' "setkey -n -f" "$parse_n" "$parse_secs" \
  "$(awk -v n="$parse_n" -v s="$parse_secs" 'BEGIN { print (s > 0 ? n / s : 0) }')" "$(awk -v k="$parse_rss" 'BEGIN { print k / 1024 }')" \
  "$parse_cpu"

if [[ -x $here/dump.sh ]]; then
  echo
  SIZES="$sizes" REPEAT="$repeat" SETKEY="$setkey" "$here/dump.sh"
fi
if [[ $vm == 1 ]]; then
  echo
  "$here/sa_vm.sh" || echo "bench: the SA load in the VM failed (VM=0 skips it)" >&2
fi

echo
echo "Targets:"
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }
largest=$(tr ' ' '\n' <<< "$sizes" | sort -n | tail -n 1)
ratio=$(awk -v a="${best_secs[ip/$largest]}" -v b="${best_secs[setkey/$largest]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
rate=$(awk -v n="$parse_n" -v s="$parse_secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
rss_mb=$(awk -v k="$parse_rss" 'BEGIN { printf "%.1f", k / 1024 }')
if [[ -n ${best_secs[setkey/100000]:-} ]]; then
  fr=$(awk -v a="${best_secs[setkey/100000]}" -v b="${floor_send[100000]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  echo "  load of 100000 <= 1.15x the floor's send phase: ${fr}x  $(verdict "$fr <= 1.15")"
fi
echo "  load of $largest >= 5x faster than ip -batch: ${ratio}x  $(verdict "$ratio >= 5")"
echo "  setkey -n >= 3,000,000 statements/s:        $rate/s  $(verdict "$rate >= 3000000")"
echo "  peak RSS <= 200 MB for $parse_n statements:  $rss_mb MB  $(verdict "$rss_mb <= 200")"
