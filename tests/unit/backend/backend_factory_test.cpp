// SPDX-License-Identifier: BSD-3-Clause
// default_engine_state() and parse_backend_kind(): the rules of issue 10 item 3 ($XFRMPP_STATE, else
// /run/xfrmpp/engine.state as root and $XDG_RUNTIME_DIR/xfrmpp/engine.state otherwise).
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>

#include "xfrmpp/backend_factory.hpp"

using namespace xfrmpp;

namespace {

// Sets (or, with nullopt, unsets) one environment variable for the scope, then puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// default_engine_state() computed by a child running as `uid` (root only); nullopt when that cannot be done.
std::optional<std::string> default_state_as(uid_t uid) {
  int fds[2];
  if (::pipe(fds) != 0) return std::nullopt;
  pid_t pid = ::fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    ::close(fds[0]);
    if (::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0) ::_exit(3);
    std::string p = default_engine_state().string();
    ssize_t n = ::write(fds[1], p.data(), p.size());
    ::_exit(n == static_cast<ssize_t>(p.size()) ? 0 : 4);
  }
  ::close(fds[1]);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

constexpr uid_t kNobody = 65534;

}  // namespace

TEST_CASE("parse_backend_kind knows kernel and engine, exactly") {
  CHECK(parse_backend_kind("kernel") == BackendKind::kernel);
  CHECK(parse_backend_kind("engine") == BackendKind::engine);
  CHECK_FALSE(parse_backend_kind("Engine"));
  CHECK_FALSE(parse_backend_kind("eng"));
  CHECK_FALSE(parse_backend_kind(""));
  CHECK_FALSE(parse_backend_kind("kernel "));
}

TEST_CASE("$XFRMPP_STATE names the engine state for everyone") {
  ScopedEnv s("XFRMPP_STATE", "/tmp/somewhere/my.state");
  ScopedEnv x("XDG_RUNTIME_DIR", "/run/user/4242");
  CHECK(default_engine_state() == "/tmp/somewhere/my.state");
  if (::geteuid() == 0) {
    auto user = default_state_as(kNobody);
    REQUIRE(user);
    CHECK(*user == "/tmp/somewhere/my.state");
  }
}

TEST_CASE("an empty $XFRMPP_STATE is as good as none") {
  ScopedEnv s("XFRMPP_STATE", "");
  ScopedEnv x("XDG_RUNTIME_DIR", "/run/user/4242");
  CHECK(default_engine_state() == (::geteuid() == 0 ? "/run/xfrmpp/engine.state" : "/run/user/4242/xfrmpp/engine.state"));
}

TEST_CASE("root: /run/xfrmpp/engine.state, whatever $XDG_RUNTIME_DIR says") {
  if (::geteuid() != 0) {
    MESSAGE("not root: the root rule is not checked here");
    return;
  }
  ScopedEnv s("XFRMPP_STATE", std::nullopt);
  ScopedEnv x("XDG_RUNTIME_DIR", "/run/user/0");
  CHECK(default_engine_state() == "/run/xfrmpp/engine.state");
}

TEST_CASE("a user: $XDG_RUNTIME_DIR/xfrmpp/engine.state") {
  ScopedEnv s("XFRMPP_STATE", std::nullopt);
  ScopedEnv x("XDG_RUNTIME_DIR", "/run/user/4242");
  if (::geteuid() == 0) {
    auto user = default_state_as(kNobody);
    REQUIRE(user);
    CHECK(*user == "/run/user/4242/xfrmpp/engine.state");
  } else {
    CHECK(default_engine_state() == "/run/user/4242/xfrmpp/engine.state");
  }
}

TEST_CASE("the kernel backend is there exactly when it was built") {
  // A build without it (-DXFRMPP_KERNEL=OFF) refuses the kernel with ENOTSUP and names --backend=engine.
  if (kernel_backend_built()) return;
  auto b = open_backend(BackendOptions{BackendKind::kernel, std::nullopt, false});
  REQUIRE_FALSE(b);
  CHECK(b.error().code == ENOTSUP);
  CHECK(b.error().message.find("--backend=engine") != std::string::npos);
}
