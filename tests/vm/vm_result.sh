#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm_result.sh [--expect-fail ERE] RESULTS_DIR NAME
#
# Judges one scenario from a run of `run_vm.sh --results RESULTS_DIR --collect` (the vm.boot
# CTest fixture): prints the scenario's result and its output, and exits 0 (passed), 1 (failed)
# or 77 (skipped, or the VM run itself was skipped for a missing prerequisite). With
# XFRMPP_REQUIRE_KERNEL=1 a skip is a failure. With --expect-fail the scenario must have failed
# with a result matching ERE (a harness self-test that fails on purpose); then that is a pass and
# anything else a failure.
set -u
expect=
if [ "${1:-}" = --expect-fail ]; then
	expect=$2
	shift 2
fi
[ $# -eq 2 ] || { echo "usage: $0 [--expect-fail ERE] RESULTS_DIR NAME" >&2; exit 2; }
dir=$1 name=$2

skip() {
	echo "SKIP $name: $*"
	if [ "${XFRMPP_REQUIRE_KERNEL:-}" = 1 ]; then echo "XFRMPP_REQUIRE_KERNEL=1, so a skip is a failure"; exit 1; fi
	exit 77
}

if [ ! -f "$dir/$name.result" ]; then
	[ -f "$dir/SKIPPED" ] && skip "the VM did not run: $(cat "$dir/SKIPPED")"
	echo "FAIL $name: no result in $dir (did the vm.boot test run?)"
	exit 1
fi
res=$(head -n1 "$dir/$name.result")
echo "--- output of $name in the VM ---"
cat "$dir/$name.log" 2>/dev/null
echo "---"
echo "result: $res"

if [ -n "$expect" ]; then
	if [[ $res == FAIL* ]] && echo "$res" | grep -Eq -- "$expect"; then
		echo "PASS $name: failed as expected (/$expect/)"
		exit 0
	fi
	echo "FAIL $name: expected a failure matching /$expect/"
	exit 1
fi
case $res in
PASS*) exit 0 ;;
SKIP*) skip "${res#SKIP }" ;;
*) exit 1 ;;
esac
