#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# SA bulk-load benchmark in the real-kernel test VM (the host has no ESP): loads N ESP SAs
# (aes-cbc + hmac-sha256, unique SPIs) with our setkey and with `ip -batch`, each into a fresh
# network namespace, in one boot of tests/vm/run_vm.sh, and prints a table (time, SAs/s) and the
# ratio. Needs what tests/vm needs (qemu-system-x86, busybox-static, cpio; the kernel is fetched
# once into build/vm-cache) and a built build/bin/setkey.
#
#   bench/sa_vm.sh                  # N = 10000, 1 round (setkey, ip)
#   N=2000 ROUNDS=2 bench/sa_vm.sh  # 2 rounds: setkey, ip, ip, setkey
#   PROFILE=1 bench/sa_vm.sh        # and a kernel-function breakdown per tool (ftrace, untimed loads)
#
# The VM runs under TCG (no KVM) with one CPU, so the absolute numbers are far below real
# hardware; both tools pay the same kernel cost per SA (state and crypto transform allocation),
# which dominates: the "bound" line divides ip's time by setkey's system time, the ratio setkey
# would reach if its own userspace work (start, parse, encode) cost nothing. Results and the VM log go to build/vm/bench-sa.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${XFRMPP_BUILD_DIR:-$root/build}
n=${N:-10000}
rounds=${ROUNDS:-1}
profile=${PROFILE:-0}
setkey=$build/bin/setkey
[[ -x $setkey ]] || { echo "sa_vm: $setkey not built (ninja -C build setkey)" >&2; exit 1; }
[[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 1000000 ]] || { echo "sa_vm: N must be 1..1000000" >&2; exit 2; }
[[ $rounds =~ ^[0-9]+$ && $rounds -ge 1 ]] || { echo "sa_vm: ROUNDS must be >= 1" >&2; exit 2; }
[[ $profile == 0 || $profile == 1 ]] || { echo "sa_vm: PROFILE must be 0 or 1" >&2; exit 2; }

out=$build/vm/bench-sa
mkdir -p "$out"
scenario=$out/sa_vm_bench.sh
{
	echo "SA_VM_COUNT=$n"
	echo "SA_VM_ROUNDS=$rounds"
	echo "SA_VM_PROFILE=$profile"
	cat "$here/sa_vm_scenario.sh"
} >"$scenario"
# the VM's limit: boot, plus (generous) 0.1 s per SA and load under TCG
export XFRMPP_VM_TIMEOUT=$((300 + n * (rounds + profile * 2) * 2 / 10))
sed -i "s/^# vm-timeout: .*/# vm-timeout: $((XFRMPP_VM_TIMEOUT - 60))/" "$scenario"
"$root/tests/vm/run_vm.sh" --build-dir "$build" --results "$out" "$scenario" "$setkey" >&2 ||
	{ echo "sa_vm: the benchmark failed, see $out/sa_vm_bench.log" >&2; exit 1; }

log=$out/sa_vm_bench.log
grep -v -e '^BENCH' -e '^PARSE' -e '^PROF' "$log" | grep '^\[' >&2 || true
awk -v n="$n" '
	$1 == "BENCH" {
		tool = $2; t = $5; sum[tool] += t; usr[tool] += $6; sys[tool] += $7; cnt[tool]++
		if (!(tool in best) || t < best[tool]) best[tool] = t
		runs = runs sprintf("  %-8s run %-2s %8.2f s %10.0f SAs/s  (user %.2f s, system %.2f s)\n", tool, $3, t, t > 0 ? n / t : 0, $6, $7)
	}
	$1 == "PARSE" { parse = $3 }
	$1 == "PROF" { prof[$2, $3] = $5; calls[$2, $3] = $4; fn[$3] = 1 }
	END {
		printf "SA bulk load, %d ESP SAs (aes-cbc 128 + hmac-sha256), Debian kernel under QEMU TCG, 1 vCPU\n", n
		printf "%s", runs
		printf "%-16s %6s %10s %10s %10s %10s %12s\n", "tool", "runs", "mean s", "best s", "user s", "system s", "SAs/s (mean)"
		split("setkey ip", order, " ")
		for (k = 1; k <= 2; k++) {
			tool = order[k]
			if (!(tool in sum)) continue
			m = sum[tool] / cnt[tool]
			printf "%-16s %6d %10.2f %10.2f %10.2f %10.2f %12.0f\n", (tool == "ip" ? "ip -batch" : "setkey -f"), cnt[tool], m, best[tool], usr[tool] / cnt[tool], sys[tool] / cnt[tool], (m > 0 ? n / m : 0)
			mean[tool] = m; msys[tool] = sys[tool] / cnt[tool]
		}
		if (parse != "") printf "setkey -n (parse and check only, no kernel): %.2f s\n", parse
		if (mean["setkey"] > 0) printf "ratio ip -batch / setkey time (mean): %.2f  (> 1: setkey is faster)\n", mean["ip"] / mean["setkey"]
		if (msys["setkey"] > 0) printf "bound: ip -batch time / setkey system time (mean): %.2f  (the ratio if setkey spent no time in userspace)\n", mean["ip"] / msys["setkey"]
		if (length(fn) > 0) {
			printf "kernel functions under ftrace function_graph (inclusive, us per SA; the tracer inflates them):\n"
			printf "  %-24s %12s %12s %12s %12s\n", "function", "setkey", "calls", "ip -batch", "calls"
			for (f in fn) printf "  %-24s %12.1f %12d %12.1f %12d\n", f, prof["setkey", f] * 1000 / n, calls["setkey", f], prof["ip", f] * 1000 / n, calls["ip", f] | "sort -k2 -nr"
		}
	}' "$log"
