#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The rules for kernel tests that cannot run, checked with namespaces made impossible
# (XFRMPP_TEST_NO_NETNS=1) and with no kernel for the VM:
#   - they exit 77 (CTest SKIP); with XFRMPP_REQUIRE_KERNEL=1 they fail (1) instead;
#   - CI=true (set in every GitLab job) changes nothing;
#   - the VM tests' kernel look-up (run_vm.sh --no-fetch, fetch_kernel.sh --offline) never calls apt.
# Controls: where a namespace can be made, the same binary runs (exit 0), and without --offline
# the fake apt is reached, so its silence above means something.
#   skip_rules_test.sh KERNEL_TEST_BINARY TESTS_SOURCE_DIR
set -u
bin=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }

# expect RC ERE WHAT VAR=VALUE... -- COMMAND...: COMMAND, in a clean environment plus the VARs, exits
# with RC and prints a line matching ERE.
expect() {
  local want=$1 re=$2 what=$3 rc
  shift 3
  local vars=()
  while [[ $1 != -- ]]; do vars+=("$1"); shift; done
  shift
  env -u CI -u XFRMPP_REQUIRE_KERNEL -u XFRMPP_TEST_NO_NETNS -u XFRMPP_TEST_PRIVATE_RUN -u XFRMPP_VM_KERNEL_ROOT \
    -u XFRMPP_VM_KERNEL_PACKAGE ${vars[@]+"${vars[@]}"} "$@" > "$work/out" 2>&1
  rc=$?
  if [[ $rc == "$want" ]] && grep -Eq -- "$re" "$work/out"; then
    ok "$what"
  else
    bad "$what: exit $rc (want $want, and a line matching /$re/)"
    sed 's/^/  | /' "$work/out" | head -n 20
  fi
}

# The three rules, for one kind of kernel test.
rules() {
  local kind=$1 skip_re=$2 fail_re=$3
  shift 3
  expect 77 "$skip_re" "$kind: no namespace -> 77 (skip)" XFRMPP_TEST_NO_NETNS=1 -- "$@"
  expect 1 "$fail_re" "$kind: ... with XFRMPP_REQUIRE_KERNEL=1 -> 1 (fail)" XFRMPP_TEST_NO_NETNS=1 XFRMPP_REQUIRE_KERNEL=1 -- "$@"
  expect 77 "$skip_re" "$kind: ... with CI=true -> still 77" XFRMPP_TEST_NO_NETNS=1 CI=true -- "$@"
  expect 77 "$skip_re" "$kind: ... with XFRMPP_REQUIRE_KERNEL=0 -> still 77" XFRMPP_TEST_NO_NETNS=1 XFRMPP_REQUIRE_KERNEL=0 -- "$@"
}

# --- C++ kernel tests (tests/support/kernel_test_main.cpp) ---
rules "C++ kernel test" '^SKIPPED: .*XFRMPP_TEST_NO_NETNS=1' '^FAILED: .*XFRMPP_REQUIRE_KERNEL=1' "$bin"
if unshare -n true 2> /dev/null || unshare -Urn true 2> /dev/null; then
  expect 0 'test cases: *0' "control: where a namespace can be made the C++ test runs" XFRMPP_REQUIRE_KERNEL=1 -- \
    "$bin" --test-case=xfrmpp-no-such-case
else
  echo "note: this system allows no network namespace; the positive control is not possible here"
fi

# --- shell kernel tests (tests/support/netns.sh, through tests/tools/lib.sh or directly) ---
rules "shell kernel test (tools/lib.sh)" '^SKIPPED: XFRMPP_TEST_NO_NETNS=1' '^FAILED: .*XFRMPP_REQUIRE_KERNEL=1' \
  "$src/tools/setkey_kernel.sh" /nonexistent/setkey "$work"
rules "shell kernel test (support/netns.sh)" '^SKIPPED: XFRMPP_TEST_NO_NETNS=1' '^FAILED: .*XFRMPP_REQUIRE_KERNEL=1' \
  "$src/kernel/knobs_tools_test.sh" /nonexistent/a /nonexistent/b /nonexistent/c
rules "live engine test (engine_live/lib.sh)" '^SKIPPED: XFRMPP_TEST_NO_NETNS=1' '^FAILED: .*XFRMPP_REQUIRE_KERNEL=1' \
  "$src/engine_live/esp_transport.sh" /nonexistent/bin

# --- VM tests ---
mkdir -p "$work/results"
echo "qemu-system-x86_64 not found" > "$work/results/SKIPPED"
expect 77 '^SKIP x: the VM did not run' "vm.<scenario>: VM not run -> 77" -- "$src/vm/vm_result.sh" "$work/results" x
expect 1 'XFRMPP_REQUIRE_KERNEL=1, so a skip is a failure' "vm.<scenario>: ... with XFRMPP_REQUIRE_KERNEL=1 -> 1" \
  XFRMPP_REQUIRE_KERNEL=1 -- "$src/vm/vm_result.sh" "$work/results" x
expect 77 '^SKIP x' "vm.<scenario>: ... with CI=true -> still 77" CI=true -- "$src/vm/vm_result.sh" "$work/results" x

# A fake apt-get/apt-cache first on PATH records every call.
mkdir -p "$work/fakebin"
for t in apt-get apt-cache; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/apt.calls"\nexit 100\n' "$t" "$work" > "$work/fakebin/$t"
  chmod +x "$work/fakebin/$t"
done
fake="PATH=$work/fakebin:$PATH"
apt_silent() { # WHAT: no apt call was recorded
  if [[ -e $work/apt.calls ]]; then bad "$1 called apt: $(tr '\n' ';' < "$work/apt.calls")"; else ok "$1 never calls apt"; fi
  rm -f "$work/apt.calls"
}
expect 77 'no kernel in .*run tests/vm/fetch_kernel.sh' "fetch_kernel.sh --offline, empty cache -> 77" "$fake" -- \
  "$src/vm/fetch_kernel.sh" --offline "$work/cache"
apt_silent "fetch_kernel.sh --offline"
expect 1 'XFRMPP_REQUIRE_KERNEL=1, so this is a failure' "fetch_kernel.sh --offline ... with XFRMPP_REQUIRE_KERNEL=1 -> 1" \
  "$fake" XFRMPP_REQUIRE_KERNEL=1 -- "$src/vm/fetch_kernel.sh" --offline "$work/cache"
apt_silent "fetch_kernel.sh --offline (XFRMPP_REQUIRE_KERNEL=1)"
# run_vm.sh as vm.initramfs runs it (qemu "found": `true` stands in for it).
expect 77 'run_vm: skipping' "run_vm.sh --no-fetch without a cached kernel -> 77" "$fake" XFRMPP_VM_QEMU=true -- \
  "$src/vm/run_vm.sh" --build-dir "$work/build" --no-fetch --make-initrd "$work/build/img"
apt_silent "run_vm.sh --no-fetch"
expect 1 'XFRMPP_REQUIRE_KERNEL=1, so this is a failure' "run_vm.sh --no-fetch ... with XFRMPP_REQUIRE_KERNEL=1 -> 1" \
  "$fake" XFRMPP_VM_QEMU=true XFRMPP_REQUIRE_KERNEL=1 -- \
  "$src/vm/run_vm.sh" --build-dir "$work/build" --no-fetch --make-initrd "$work/build/img"
apt_silent "run_vm.sh --no-fetch (XFRMPP_REQUIRE_KERNEL=1)"
# Control: without --offline the look-up reaches (the fake) apt, so the checks above can fail.
expect 77 'cannot resolve linux-image-amd64' "control: fetch_kernel.sh without --offline looks the kernel up" "$fake" -- \
  "$src/vm/fetch_kernel.sh" "$work/cache"
if [[ -e $work/apt.calls ]]; then ok "control: the fake apt records that call"; else bad "control: the fake apt recorded nothing"; fi

echo "$passes passed, $fails failed"
[[ $fails -eq 0 ]]
