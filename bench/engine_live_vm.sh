#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Live dataplane throughput in the real-kernel test VM (the host has no ESP): one TCP transfer
# through `ipsec-engine run` in namespace a <-> the kernel's ESP in namespace b, next to the same
# transfer kernel <-> kernel with the same SA pair, in one boot of tests/vm/run_vm.sh; prints
# Gbit/s for each and the ratio. The scenario is bench/engine_live_vm_scenario.sh. Needs what
# tests/vm needs (qemu-system-x86, busybox-static, cpio; the kernel is fetched once into
# build/vm-cache) and a built build/bin/{setkey,ipsec-engine,ipsec-stat} and build/bench/tcp_transfer.
#
#   bench/engine_live_vm.sh                           # 20 MB, aes-gcm-16, 2 rounds (engine kernel, kernel engine)
#   BYTES=50000000 ALG=cbc ROUNDS=1 bench/engine_live_vm.sh
#   MODES=kernel bench/engine_live_vm.sh              # only kernel <-> kernel (no engine needed)
#
# BYTES: per transfer (default 20000000, about 12 s per transfer under TCG); ALG: gcm
# (rfc4106(gcm(aes)), 16-byte ICV) or cbc (cbc(aes) + hmac(sha256)); ROUNDS (default 2): rounds of
# MODES (default "engine kernel"), the order reversed every other round. The VM runs under TCG (no
# KVM) with one vCPU and no AES-NI, and everything (TCP at both ends, ESP at both ends, the engine)
# shares that vCPU, so the absolute numbers are far below real hardware; the ratio is the figure to
# read. MTU: the engine's TUN MTU (default: its own, 1400; the kernel's path MTU for the same SA
# gives TCP segments of about 1410 bytes, MTU=1450 about the same as the engine's). Results and the VM
# log go to build/vm/bench-live.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${XFRMPP_BUILD_DIR:-$root/build}
bytes=${BYTES:-20000000}
alg=${ALG:-gcm}
rounds=${ROUNDS:-2}
modes=${MODES:-engine kernel}
mtu=${MTU:-}
[[ -z $mtu || $mtu =~ ^[0-9]+$ ]] || { echo "engine_live_vm: MTU must be a number" >&2; exit 2; }
[[ $bytes =~ ^[0-9]+$ && $bytes -ge 1048576 && $bytes -le 4294967296 ]] || { echo "engine_live_vm: BYTES must be 1 MiB .. 4 GiB" >&2; exit 2; }
[[ $alg == gcm || $alg == cbc ]] || { echo "engine_live_vm: ALG must be gcm or cbc" >&2; exit 2; }
[[ $rounds =~ ^[0-9]+$ && $rounds -ge 1 ]] || { echo "engine_live_vm: ROUNDS must be >= 1" >&2; exit 2; }
for m in $modes; do [[ $m == engine || $m == kernel ]] || { echo "engine_live_vm: MODES are engine and kernel" >&2; exit 2; }; done
bins=("$build/bin/setkey" "$build/bin/ipsec-stat" "$build/bench/tcp_transfer")
[[ " $modes " == *" engine "* ]] && bins+=("$build/bin/ipsec-engine")
for b in "${bins[@]}"; do
	[[ -x $b ]] || { echo "engine_live_vm: $b not built (cmake --build build)" >&2; exit 1; }
done

out=$build/vm/bench-live
mkdir -p "$out"
scenario=$out/engine_live_bench.sh
{
	echo "LIVE_BENCH_BYTES=$bytes"
	echo "LIVE_BENCH_ALG=$alg"
	echo "LIVE_BENCH_ROUNDS=$rounds"
	echo "LIVE_BENCH_MODES='$modes'"
	echo "LIVE_BENCH_MTU=$mtu"
	cat "$here/engine_live_vm_scenario.sh"
} >"$scenario"
# the VM's limit: boot, a warm-up, then per transfer 60 s plus 1 s per MB (8 Mbit/s; TCG measured
# well above that)
nmodes=$(wc -w <<<"$modes")
per=$((60 + bytes / 1000000))
limit=$((120 + per * (rounds * nmodes + 1)))
sed -i "s/^# vm-timeout: .*/# vm-timeout: $limit/" "$scenario"
export XFRMPP_VM_TIMEOUT=$((limit + 120))
"$root/tests/vm/run_vm.sh" --build-dir "$build" --results "$out" "$scenario" "${bins[@]}" >&2 ||
	{ echo "engine_live_vm: the benchmark failed, see $out/engine_live_bench.log" >&2; exit 1; }

log=$out/engine_live_bench.log
grep -E '^\[engine_live_bench\] (SA pair|[0-9]+ bytes|SA |engine round|kernel round)' "$log" >&2 || true
awk -v bytes="$bytes" -v alg="$alg" -v mtu="$mtu" '
	$1 == "BENCH" && $3 > 0 {
		# from bytes and seconds: tcp_transfer rounds its own gbit figure to 3 decimals
		m = $2; g = $5 > 0 ? $4 * 8 / $5 / 1e9 : 0; sum[m] += g; cnt[m]++
		if (!(m in best) || g > best[m]) best[m] = g
		runs = runs sprintf("  %-7s round %-2s %12d bytes %8.3f s %8.4f Gbit/s (%.1f Mbit/s)\n", m, $3, $4, $5, g, g * 1000)
	}
	END {
		printf "TCP through ESP transport (%s), %d bytes per transfer, engine TUN MTU %s, Debian kernel under QEMU TCG, 1 vCPU\n",
			alg == "gcm" ? "rfc4106(gcm(aes)), 16-byte ICV" : "cbc(aes) + hmac(sha256)", bytes, mtu == "" ? "1400" : mtu
		printf "%s", runs
		printf "%-34s %5s %14s %14s\n", "host A", "runs", "mean Gbit/s", "best Gbit/s"
		split("engine kernel", order, " ")
		for (k = 1; k <= 2; k++) {
			m = order[k]
			if (!(m in sum)) continue
			mean[m] = sum[m] / cnt[m]
			printf "%-34s %5d %14.4f %14.4f\n", (m == "engine" ? "ipsec-engine run <-> kernel ESP" : "kernel ESP <-> kernel ESP"), cnt[m], mean[m], best[m]
		}
		if (("engine" in mean) && mean["kernel"] > 0)
			printf "ratio engine / kernel (mean Gbit/s): %.3f\n", mean["engine"] / mean["kernel"]
	}' "$log"
