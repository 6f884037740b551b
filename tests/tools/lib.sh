# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the end-to-end tool tests: namespace checks and ok/FAIL counting shared by all of them.

# require_netns "$@": a private network namespace (as root, or root of an unprivileged user namespace),
# else exit 77 (CTest skip), or 1 when XFRMPP_REQUIRE_KERNEL=1 (tests/support/netns.sh).
. "$(dirname "${BASH_SOURCE[0]}")/../support/netns.sh"

fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }
# Runs a shell command line in a fresh, empty network namespace.
in_ns() { unshare -n -- bash -c "$1"; }

# The closing line CTest reads; the exit status says whether anything failed.
finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
