// SPDX-License-Identifier: BSD-3-Clause
#include "netns.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "xfrmpp/util/unique_fd.hpp"

namespace xfrmpp::test {
namespace {

bool env_is_1(const char* name) {
  const char* v = std::getenv(name);
  return v && std::string(v) == "1";
}

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Writes one line to a /proc/self file (uid_map, gid_map, setgroups); "" or why not.
std::string write_proc(const char* path, const std::string& text) {
  xfrmpp::util::UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_text(std::string("open ") + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return errno_text(std::string("write ") + path);
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

bool engine_run() {
  const char* v = std::getenv("XFRMPP_TEST_BACKEND");
  return v && std::string(v) == "engine";
}

int run_as_ordinary_user(const std::function<int()>& body) {
  if (::geteuid() != 0) return body();
  uid_t uid = 65534;
  gid_t gid = 65534;
  if (const passwd* pw = ::getpwnam("nobody")) {
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  std::string scratch = (std::filesystem::temp_directory_path() / "engine_run.XXXXXX").string();
  if (!::mkdtemp(scratch.data()) || ::chown(scratch.c_str(), uid, gid) != 0) {
    std::perror(("scratch directory " + scratch).c_str());
    return 1;
  }
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  if (child == 0) {
    ::setenv("TMPDIR", scratch.c_str(), 1);
    ::setenv("XDG_RUNTIME_DIR", scratch.c_str(), 1);
    // Groups first: once the uid is dropped, setgroups and setresgid are refused.
    if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0) {
      std::perror("dropping to nobody");
      ::_exit(1);
    }
    std::exit(body());  // static destructors run here, in the test process
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  std::fprintf(stderr, "FAILED: the unprivileged test process died of signal %d\n", WTERMSIG(status));
  return 1;
}

}  // namespace xfrmpp::test
