// SPDX-License-Identifier: BSD-3-Clause
#include "netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace xfrmpp::test {
namespace {

bool env_is_1(const char* name) {
  const char* v = std::getenv(name);
  return v && std::string(v) == "1";
}

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Writes one line to a /proc/self file (uid_map, gid_map, setgroups); "" or why not.
std::string write_proc(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno_text(std::string("open ") + path);
  ssize_t n = ::write(fd, text.data(), text.size());
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (n != static_cast<ssize_t>(text.size())) return errno_text(std::string("write ") + path);
  return {};
}

// `unshare -Urn`: a user namespace where the caller is root, and a network namespace it owns.
// The kernel lets that root administer XFRM in the new network namespace (netlink_net_capable checks
// CAP_NET_ADMIN against the namespace's owner), not anything of the host's.
std::string enter_user_and_netns() {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) return errno_text("unshare(CLONE_NEWUSER|CLONE_NEWNET)");
  // setgroups must be denied before an unprivileged process may write gid_map.
  if (auto e = write_proc("/proc/self/setgroups", "deny"); !e.empty()) return e;
  if (auto e = write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n"); !e.empty()) return e;
  if (auto e = write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n"); !e.empty()) return e;
  return {};
}

}  // namespace

std::string enter_fresh_netns() {
  if (env_is_1("XFRMPP_TEST_NO_NETNS")) return "XFRMPP_TEST_NO_NETNS=1";
  if (unshare(CLONE_NEWNET) == 0) return {};
  const int err = errno;
  std::string direct = errno_text("unshare(CLONE_NEWNET)");
  if (err != EPERM) return direct;
  std::string user = enter_user_and_netns();
  if (user.empty()) return {};
  return direct + "; " + user;
}

void hide_host_run() {
  if (unshare(CLONE_NEWNS) != 0) return;
  // Private first: with the host's shared propagation the tmpfs would appear on the host's /run.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return;
  mount("xfrmpp-run", "/run", "tmpfs", 0, "mode=0755");
}

bool in_initial_user_namespace() {
  std::ifstream f("/proc/self/uid_map");
  std::string inside, outside, count;
  f >> inside >> outside >> count;
  return inside == "0" && outside == "0" && count == "4294967295";
}

bool kernel_required() { return env_is_1("XFRMPP_REQUIRE_KERNEL"); }

}  // namespace xfrmpp::test
