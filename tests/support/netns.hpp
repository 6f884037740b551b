// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Kernel tests run in a private network namespace, never the host's; their second run, against the
// software engine, as an ordinary user in neither.
#include <functional>
#include <string>

namespace xfrmpp::test {

/// Moves the calling process into a new, empty network namespace. As root (or with CAP_SYS_ADMIN) that is
/// unshare(CLONE_NEWNET); otherwise, where the system allows unprivileged user namespaces, a new user
/// namespace mapping the caller to root comes with it (`unshare -Urn`), so the test holds CAP_NET_ADMIN
/// over its own network namespace only. Must run before any thread is started.
/// XFRMPP_TEST_NO_NETNS=1 makes it fail without trying (the skip/require logic's negative control).
/// Returns "" or why no namespace could be made.
std::string enter_fresh_netns();

/// Best effort, after enter_fresh_netns(): a private mount namespace with an empty tmpfs on /run, so whatever
/// the test or a tool it starts writes under /run (ip netns, the /run/xfrmpp defaults) never reaches the host.
/// The tests pass their own state directories anyway; this is the backstop.
void hide_host_run();

/// False after enter_fresh_netns() took the user-namespace path (or in a rootless container): the kernel then
/// hides the net.core.xfrm_* sysctls of the network namespace (net/xfrm/xfrm_sysctl.c exports them only to
/// namespaces of the initial user namespace), so checks of them are skipped, saying so.
bool in_initial_user_namespace();

/// True when XFRMPP_REQUIRE_KERNEL=1 (".ci/run" sets it): a kernel test that cannot run must then fail
/// instead of skipping. Nothing else (in particular not CI=true, which every GitLab job has) changes that.
bool kernel_required();

/// True when XFRMPP_TEST_BACKEND=engine (the tools tests' variable too): this run of a kernel test goes to the
/// software engine (a state file of its own) instead of the kernel, and needs no namespace and no privilege.
bool engine_run();

/// Runs `body` as an ordinary user and returns its exit status. As root: in a child process that has dropped
/// to nobody (no groups, no capabilities) with TMPDIR and XDG_RUNTIME_DIR in a scratch directory it owns,
/// removed afterwards; otherwise in this process. The engine runs use it, so nothing in them needs root.
int run_as_ordinary_user(const std::function<int()>& body);

}  // namespace xfrmpp::test
