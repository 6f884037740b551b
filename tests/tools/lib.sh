# Sourced by the end-to-end tool tests: namespace checks and ok/FAIL counting shared by all of them.

# Exit 77 (CTest skip) when no private network namespace can be made, except under CI=true,
# where a kernel test that cannot run is a failure.
require_netns() {
  if ! unshare -n true 2>/dev/null; then
    if [[ ${CI:-} == true ]]; then echo "FAILED: cannot create a network namespace under CI=true"; exit 1; fi
    echo "SKIPPED: cannot create a network namespace (need root)"; exit 77
  fi
}

fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }
# Runs a shell command line in a fresh, empty network namespace.
in_ns() { unshare -n -- bash -c "$1"; }

# The closing line CTest and CI read; the exit status says whether anything failed.
finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
