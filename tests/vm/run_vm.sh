#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run_vm.sh [OPTIONS] SCENARIO.sh... [BINARY...]
#
# Boots a Debian kernel under qemu-system-x86_64 (TCG, no KVM needed) with an initramfs holding
# busybox, iproute2, the XFRM/IPsec/crypto modules, the given BINARYs (in /xfrmpp/bin) and the
# given scenarios, runs all scenarios in that one boot and reports one result per scenario.
# Arguments ending in .sh are scenarios, all others are binaries to put into the image.
#
# Exit status: 0 every scenario passed; 1 a scenario failed, or the VM did not report every
# scenario (crash, host timeout); 77 qemu or the kernel cannot be obtained, or every scenario
# skipped. With XFRMPP_REQUIRE_KERNEL=1 a missing prerequisite or a skipped scenario is a failure (1).
#
# Options:
#   --build-dir DIR   build tree: kernel cache in DIR/vm-cache, work files in DIR/vm
#                     (default: $XFRMPP_BUILD_DIR, else <repo>/build)
#   --bin-dir DIR     also put every executable file in DIR into the image (if DIR exists);
#                     may be given more than once (build/bin and the test helpers' directory)
#   --no-fetch        use only a kernel already in the cache (fetch_kernel.sh --offline); CTest runs
#                     it so, and never downloads
#   --initrd FILE     use this image from an earlier --make-initrd instead of building one
#   --make-initrd OUT only fetch the kernel and build the image (with the binaries) into OUT
#   --results DIR     keep NAME.result (PASS | FAIL reason | SKIP reason), NAME.log and
#                     console.log in DIR (default: a temporary directory, kept only on failure)
#   --collect         exit 0 once every scenario reported a result, whatever it was (the CTest
#                     fixture uses this; vm_result.sh then judges each scenario)
#   --trace           run scenarios with `set -x`
#   -v, --verbose     show the serial console while the VM runs
# Environment: XFRMPP_VM_TIMEOUT (host-side limit in seconds, default: 120 + the sum of the
# scenario timeouts), XFRMPP_VM_QEMU, XFRMPP_VM_APPEND (extra kernel command line), and those of
# fetch_kernel.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() { sed -n '2,30s/^# \{0,1\}//p' "$0" >&2; exit 2; }

build_dir=${XFRMPP_BUILD_DIR:-$repo/build}
bin_dirs=() initrd='' make_initrd='' results='' collect='' trace='' verbose='' fetch_opts=()
scenarios=() binaries=()
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build_dir=$2; shift ;;
	--bin-dir) bin_dirs+=("$2"); shift ;;
	--no-fetch) fetch_opts=(--offline) ;;
	--initrd) initrd=$2; shift ;;
	--make-initrd) make_initrd=$2; shift ;;
	--results) results=$2; shift ;;
	--collect) collect=1 ;;
	--trace) trace=1 ;;
	-v | --verbose) verbose=1 ;;
	-h | --help) usage ;;
	-*) echo "run_vm: unknown option $1" >&2; usage ;;
	*.sh) scenarios+=("$1") ;;
	*) binaries+=("$1") ;;
	esac
	shift
done
[ ${#scenarios[@]} -gt 0 ] || [ -n "$make_initrd" ] || usage

prereq() { # a missing prerequisite: skip, unless kernel tests must run
	echo "run_vm: $*" >&2
	if [ -n "$results" ]; then mkdir -p "$results" && echo "$*" >"$results/SKIPPED"; fi
	if [ "${XFRMPP_REQUIRE_KERNEL:-}" = 1 ]; then echo "run_vm: XFRMPP_REQUIRE_KERNEL=1, so this is a failure" >&2; exit 1; fi
	echo "run_vm: skipping" >&2
	exit 77
}

mkdir -p "$build_dir/vm"
build_dir=$(cd "$build_dir" && pwd)

qemu=${XFRMPP_VM_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || prereq "$qemu not found (apt-get install qemu-system-x86)"

kroot=$("$here/fetch_kernel.sh" ${fetch_opts[@]+"${fetch_opts[@]}"} "$build_dir/vm-cache")
rc=$?
[ $rc -eq 77 ] && prereq "no kernel for the VM"
[ $rc -eq 0 ] || exit $rc
vmlinuz=$(ls "$kroot"/boot/vmlinuz-* | head -n1)

for d in ${bin_dirs[@]+"${bin_dirs[@]}"}; do
	[ -d "$d" ] || continue
	for b in "$d"/*; do
		[ -f "$b" ] && [ -x "$b" ] && binaries+=("$b")
	done
done

if [ -n "$make_initrd" ]; then
	t0=$(date +%s%N)
	"$here/build_initramfs.sh" -k "$kroot" -o "$make_initrd" ${binaries[@]+"${binaries[@]}"} || exit 1
	echo "run_vm: image built in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
	exit 0
fi

# --- work directory -----------------------------------------------------------------------------
if [ -n "$results" ]; then
	mkdir -p "$results"
	work=$(cd "$results" && pwd)
	rm -f "$work"/*.result "$work"/*.log "$work"/SKIPPED
	keep=1
else
	work=$(mktemp -d "$build_dir/vm/run.XXXXXX")
	keep=
fi

if [ -z "$initrd" ]; then
	initrd="$work/base.cpio.gz"
	"$here/build_initramfs.sh" -k "$kroot" -o "$initrd" ${binaries[@]+"${binaries[@]}"} || exit 1
elif [ ${#binaries[@]} -gt 0 ]; then
	echo "run_vm: binaries are ignored with --initrd (they belong in --make-initrd)" >&2
fi
[ -f "$initrd" ] || { echo "run_vm: no image $initrd" >&2; exit 1; }

# --- scenario overlay: a second cpio archive appended to the image ------------------------------
overlay="$work/overlay"
rm -rf "$overlay"
mkdir -p "$overlay/xfrmpp/scenarios"
names=()
total_timeout=0
for s in "${scenarios[@]}"; do
	[ -f "$s" ] || { echo "run_vm: no such scenario: $s" >&2; exit 1; }
	n=$(basename "$s" .sh)
	[[ $n =~ ^[A-Za-z0-9_-]+$ ]] || { echo "run_vm: scenario names may use only [A-Za-z0-9_-]: $s" >&2; exit 1; }
	[ -e "$overlay/xfrmpp/scenarios/$n.sh" ] && { echo "run_vm: two scenarios named $n" >&2; exit 1; }
	cp "$s" "$overlay/xfrmpp/scenarios/$n.sh"
	echo "$n" >>"$overlay/xfrmpp/scenarios.list"
	names+=("$n")
	t=$(sed -n 's/^# *vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$s" | head -n1)
	total_timeout=$((total_timeout + ${t:-60}))
done
{
	echo "XFRMPP_TIMEOUT=60"
	[ -z "$trace" ] || echo "XFRMPP_TRACE=1"
} >"$overlay/xfrmpp/run.conf"
if command -v cpio >/dev/null; then
	cpio_o() { cpio -o -H newc -R 0:0 --quiet; }
else
	cpio_o() { busybox cpio -o -H newc -R 0:0 2>/dev/null; }
fi
(cd "$overlay" && find xfrmpp | LC_ALL=C sort | cpio_o | gzip -n) >"$work/overlay.cpio.gz" ||
	{ echo "run_vm: cannot pack the scenarios (cpio missing?)" >&2; exit 1; }
cat "$initrd" "$work/overlay.cpio.gz" >"$work/initrd.img"

# --- boot ---------------------------------------------------------------------------------------
host_timeout=${XFRMPP_VM_TIMEOUT:-$((120 + total_timeout))}
console="$work/console.log"
append="console=ttyS0 panic=-1 quiet ${XFRMPP_VM_APPEND:-}"
qemu_cmd=("$qemu" -accel tcg -m 1024 -smp 1 -nographic -no-reboot -nodefaults -serial stdio
	-kernel "$vmlinuz" -initrd "$work/initrd.img" -append "$append")
echo "run_vm: booting $(basename "$vmlinuz") with ${#names[@]} scenario(s), limit ${host_timeout}s" >&2
t0=$(date +%s)
if [ -n "$verbose" ]; then
	timeout -k 5 "$host_timeout" "${qemu_cmd[@]}" </dev/null 2>&1 | tee "$console" | tr -d '\r'
	qrc=${PIPESTATUS[0]}
else
	timeout -k 5 "$host_timeout" "${qemu_cmd[@]}" </dev/null >"$console" 2>&1
	qrc=$?
fi
elapsed=$(($(date +%s) - t0))
sed -i 's/\r$//' "$console"
case $qrc in
0) if grep -q 'XFRMPP-DONE:' "$console"; then why="VM powered off"; else why="VM stopped early"; fi ;;
124 | 137) why="host timeout after ${host_timeout}s, qemu killed" ;;
*) why="qemu exited with status $qrc" ;;
esac
if grep -q 'Kernel panic' "$console"; then why="$why, kernel panic"; fi
boot=$(sed -n 's/.*XFRMPP-READY: \([0-9.]*\)s.*/\1/p' "$console" | head -n1)
echo "run_vm: $why after ${elapsed}s (guest ready at ${boot:-?}s of guest uptime)" >&2

# --- results ------------------------------------------------------------------------------------
npass=0 nfail=0 nskip=0 missing=0
for n in "${names[@]}"; do
	res=$(sed -n "s/.*XFRMPP-RESULT: $n \(.*\)$/\1/p" "$console" | head -n1)
	if [ -z "$res" ]; then
		res="FAIL no result from the VM ($why)"
		missing=$((missing + 1))
	fi
	echo "$res" >"$work/$n.result"
	# the scenario's output: from its BEGIN line to its END line, or to the end of the console
	awk -v b="XFRMPP-BEGIN: $n" -v e="XFRMPP-END: $n " '
		index($0 " ", b " ") { on = 1; next }
		on && index($0, e) { exit }
		on { print }' "$console" >"$work/$n.log"
	case $res in
	PASS*) npass=$((npass + 1)); echo "PASS  $n" ;;
	SKIP*) nskip=$((nskip + 1)); echo "SKIP  $n: ${res#SKIP }" ;;
	*)
		nfail=$((nfail + 1))
		echo "FAIL  $n: ${res#FAIL }"
		if [ -z "$collect" ]; then
			echo "----- output of $n -----"
			if [ -s "$work/$n.log" ]; then sed 's/^/  | /' "$work/$n.log"; else echo "  (none)"; fi
			echo "-----"
		fi
		;;
	esac
done
echo "run_vm: ${npass} passed, ${nfail} failed, ${nskip} skipped in ${elapsed}s (results in $work)" >&2
if [ $missing -gt 0 ]; then
	echo "----- last 40 console lines -----" >&2
	tail -n 40 "$console" >&2
fi

if [ -n "$collect" ]; then
	[ $missing -eq 0 ] && exit 0
	exit 1
fi
status=0
if [ $nfail -gt 0 ]; then
	status=1
elif [ $nskip -gt 0 ] && [ "${XFRMPP_REQUIRE_KERNEL:-}" = 1 ]; then
	echo "run_vm: XFRMPP_REQUIRE_KERNEL=1, so a skipped scenario is a failure" >&2
	status=1
elif [ $nskip -gt 0 ] && [ $npass -eq 0 ]; then
	status=77
fi
[ $status -eq 0 ] && [ -z "$keep" ] && rm -rf "$work"
exit $status
