# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the end-to-end tool tests: namespace checks and ok/FAIL counting shared by all of them.

# require_netns "$@": a private network namespace (as root, or root of an unprivileged user namespace),
# else exit 77 (CTest skip), or 1 when XFRMPP_REQUIRE_KERNEL=1 (tests/support/netns.sh).
. "$(dirname "${BASH_SOURCE[0]}")/../support/netns.sh"

fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }

# XFRMPP_TEST_BACKEND=engine runs the same test against the software engine instead of the kernel, as an
# ordinary user: no root, no namespace. Each in_ns then gets a fresh, empty state file where the kernel
# variant gets a fresh, empty network namespace; the tools find it through XFRMPP_BACKEND/XFRMPP_STATE.
backend=${XFRMPP_TEST_BACKEND:-kernel}

# require_backend "$@" (call it first, before mktemp or traps): require_netns for the kernel; for the engine,
# as root, re-runs the script as nobody with a scratch TMPDIR of its own (removed afterwards).
require_backend() {
  if [[ $backend != engine ]]; then
    require_netns "$@"
    return
  fi
  if [[ $(id -u) -eq 0 ]]; then
    local scratch rc
    scratch=$(mktemp -d)
    chown 65534:65534 "$scratch"
    TMPDIR=$scratch XDG_RUNTIME_DIR=$scratch setpriv --reuid=65534 --regid=65534 --clear-groups -- bash "$0" "$@"
    rc=$?
    rm -rf "$scratch"
    exit $rc
  fi
  engine_states=$(mktemp -d)
}

# Runs a shell command line in a fresh, empty network namespace (kernel) or state file (engine).
in_ns() {
  if [[ $backend == engine ]]; then
    XFRMPP_BACKEND=engine XFRMPP_STATE=$(mktemp -u "$engine_states/state.XXXXXX") bash -c "$1"
  else
    unshare -n -- bash -c "$1"
  fi
}

# The closing line CTest reads; the exit status says whether anything failed.
finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
