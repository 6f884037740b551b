# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the shell kernel tests (bash): the same namespace rules as tests/support/netns.cpp.
#
# require_netns "$@" (call it first, before mktemp or traps: it may re-execute the script):
#   - a private network namespace can be made (root): carry on, in a private mount namespace with a tmpfs
#     on /run (see below);
#   - otherwise, where unprivileged user namespaces are allowed, re-execute the script as root of a new
#     user namespace with its own network and mount namespaces (`unshare -Urnm`) and a private tmpfs on
#     /run, so `ip netns add` and the tools' /run/xfrmpp defaults stay inside the test;
#   - otherwise exit 77 (CTest SKIP), or 1 when XFRMPP_REQUIRE_KERNEL=1 (kernel tests must run).
# XFRMPP_TEST_NO_NETNS=1 makes every namespace impossible (the negative control of this logic).
require_netns() {
  local why
  if [[ ${XFRMPP_TEST_NO_NETNS:-} == 1 ]]; then
    why="XFRMPP_TEST_NO_NETNS=1"
  elif unshare -n true 2>/dev/null; then
    # As root: a private mount namespace with a tmpfs on /run, so `ip netns add` and the tools' /run/xfrmpp
    # defaults (setkey and ipsec-sysctl share the knobs' state there) never touch the host's /run.
    if [[ -z ${XFRMPP_TEST_PRIVATE_RUN:-} ]] && unshare -m true 2>/dev/null; then
      export XFRMPP_TEST_PRIVATE_RUN=1
      exec unshare -m --propagation private -- bash -c 'mount -n -t tmpfs -o mode=0755 xfrmpp-run /run && exec "$@"' \
        bash "$0" "$@"
    fi
    return 0
  elif [[ -z ${XFRMPP_TEST_PRIVATE_RUN:-} ]] && unshare -Urnm true 2>/dev/null; then
    export XFRMPP_TEST_PRIVATE_RUN=1
    exec unshare -Urnm --propagation private -- bash -c 'mount -n -t tmpfs -o mode=0755 xfrmpp-run /run && exec "$@"' bash "$0" "$@"
  else
    why="cannot create a network namespace (not root, and no unprivileged user namespaces)"
  fi
  if [[ ${XFRMPP_REQUIRE_KERNEL:-} == 1 ]]; then
    echo "FAILED: kernel test cannot run and XFRMPP_REQUIRE_KERNEL=1: $why"
    exit 1
  fi
  echo "SKIPPED: $why"
  exit 77
}
