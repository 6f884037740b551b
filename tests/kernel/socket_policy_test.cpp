// SPDX-License-Identifier: BSD-3-Clause
// Per-socket policies against the host kernel, in the test's own network namespace, watched on a veth
// wire: what an ESP-requiring SPD policy does to a plain socket, what 'bypass' changes, how the policy
// shows in setkey -DP, privileges, one-direction clears, read-back and 'default' levels.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "kernel_support.hpp"
#include "netns.hpp"
#include "socket_support.hpp"
#include "xfrmpp/knobs/knobs.hpp"
#include "xfrmpp/socket/socket_policy.hpp"
#include "xfrmpp/socket_policy.h"

using namespace xfrmpp;
using sktest::Capture;
using sktest::send_udp;

namespace {

constexpr int kSeen = 1000;     // ms to wait for a packet that should arrive
constexpr int kNotSeen = 400;   // ms after which a packet that should not arrive is taken as gone

// An SPD entry requiring ESP (transport, level require) for UDP from us to the peer.
model::Policy esp_to_peer(model::Family family) {
  bool v6 = family == model::Family::inet6;
  model::Policy p;
  p.sel.family = family;
  p.sel.src = {*model::Address::parse(v6 ? sktest::kLocal6 : sktest::kLocal4), static_cast<uint8_t>(v6 ? 128 : 32)};
  p.sel.dst = {*model::Address::parse(v6 ? sktest::kPeer6 : sktest::kPeer4), static_cast<uint8_t>(v6 ? 128 : 32)};
  p.sel.proto = IPPROTO_UDP;
  p.dir = model::Direction::out;
  p.kind = model::PolicyKind::ipsec;
  model::Template t;
  t.family = family;
  t.level = model::Level::require;
  p.templates = {t};
  return p;
}

void add(Backend& be, const model::Policy& p) {
  ApplyReport r = be.apply(std::vector<Change>{Change{p, Change::Verb::add, 0}}, ApplyOptions{});
  REQUIRE_MESSAGE(r.errors.empty(), (r.errors.empty() ? std::string() : r.errors[0].message));
}

void set_ok(socket::SocketPolicyTable& t, int fd, std::string_view text) {
  auto r = t.set(fd, text);
  REQUIRE_MESSAGE(r.ok(), text << ": " << (r.ok() ? std::string() : r.error().message));
}

size_t socket_policy_count(Backend& be) {
  auto s = socket::kernel_socket_policies(be);
  REQUIRE(s.ok());
  return s->size();
}

// Does `dump` (setkey -DP output) hold a "(per-socket policy)" block whose policy line ends in `action` and,
// when given, whose next line is `request`?
bool has_socket_block(const std::string& dump, std::string_view action, std::string_view request = {}) {
  const std::string head = "(per-socket policy) \n\t";
  for (size_t at = dump.find(head); at != std::string::npos; at = dump.find(head, at + 1)) {
    size_t line = at + head.size();
    size_t end = dump.find('\n', line);
    if (end == std::string::npos) break;
    std::string_view policy_line(dump.data() + line, end - line);
    if (!policy_line.ends_with(action)) continue;
    if (request.empty()) return true;
    size_t next = end + 1, next_end = dump.find('\n', next);
    if (next_end != std::string::npos && std::string_view(dump.data() + next, next_end - next) == "\t" + std::string(request))
      return true;
  }
  return false;
}

// A private directory standing in for /run/xfrmpp.
struct StateDir {
  std::filesystem::path path;
  StateDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "xfrmpp-sock-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~StateDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("an SPD policy requiring ESP silently drops a plain socket's packet; 'out bypass' gets it through") {
  sktest::make_wire();
  auto be = ktest::fresh_backend();
  // In a user namespace the sysctl is hidden, and a new namespace's larval_drop is 1 anyway.
  if (xfrmpp::test::in_initial_user_namespace()) sktest::write_proc("/proc/sys/net/core/xfrm_larval_drop", "1");
  Capture cap;
  int plain = sktest::udp_socket(AF_INET);

  // Positive control: with an empty SPD the wire carries the datagram.
  CHECK(send_udp(plain, sktest::kPeer4, 40001) == 0);
  REQUIRE(cap.saw_udp(40001, kSeen));

  add(*be, esp_to_peer(model::Family::inet));
  // Negative control: no SA exists for the template, larval_drop=1, so sendto() succeeds but the kernel
  // discards the packet (blackhole route) and counts it.
  uint64_t no_states = sktest::xfrm_counter("XfrmOutNoStates");
  CHECK(send_udp(plain, sktest::kPeer4, 40002) == 0);
  CHECK_FALSE(cap.saw_udp(40002, kNotSeen));
  CHECK(sktest::xfrm_counter("XfrmOutNoStates") == no_states + 1);

  socket::SocketPolicyTable table;
  int bypass = sktest::udp_socket(AF_INET);
  set_ok(table, bypass, "out bypass");
  CHECK(send_udp(bypass, sktest::kPeer4, 40003) == 0);
  CHECK(cap.saw_udp(40003, kSeen));
  CHECK(sktest::xfrm_counter("XfrmOutNoStates") == no_states + 1);  // the bypass did not even look for an SA

  // The plain socket is still held to the SPD while the bypass socket exists.
  CHECK(send_udp(plain, sktest::kPeer4, 40004) == 0);
  CHECK_FALSE(cap.saw_udp(40004, kNotSeen));
  auto info = be->spd_info();
  REQUIRE(info.ok());
  CHECK(info->out_socket == 1);
  CHECK(info->out == 1);
  ::close(bypass);
  ::close(plain);
}

TEST_CASE("with xfrm_larval_drop 0 the blocked packet is held instead (no drop counted); bypass still passes") {
  if (!xfrmpp::test::in_initial_user_namespace()) {
    MESSAGE("SKIPPED: no net.core.xfrm_larval_drop in a user namespace's network namespace");
    return;
  }
  sktest::make_wire();
  auto be = ktest::fresh_backend();
  add(*be, esp_to_peer(model::Family::inet));
  sktest::write_proc("/proc/sys/net/core/xfrm_larval_drop", "0");
  Capture cap;
  int plain = sktest::udp_socket(AF_INET);
  uint64_t no_states = sktest::xfrm_counter("XfrmOutNoStates");
  CHECK(send_udp(plain, sktest::kPeer4, 40011) == 0);
  CHECK_FALSE(cap.saw_udp(40011, kNotSeen));
  CHECK(sktest::xfrm_counter("XfrmOutNoStates") == no_states);  // queued for an SA that never comes

  socket::SocketPolicyTable table;
  int bypass = sktest::udp_socket(AF_INET);
  set_ok(table, bypass, "out bypass");
  CHECK(send_udp(bypass, sktest::kPeer4, 40012) == 0);
  CHECK(cap.saw_udp(40012, kSeen));
  sktest::write_proc("/proc/sys/net/core/xfrm_larval_drop", "1");
  REQUIRE(be->flush_policies().ok());  // the held packet dies with its policy
  CHECK_FALSE(cap.saw_udp(40011, kNotSeen));
  ::close(bypass);
  ::close(plain);
}

TEST_CASE("socket policies alone: ESP required holds the send (EAGAIN), discard refuses it, entrust returns to the SPD") {
  sktest::make_wire();
  auto be = ktest::fresh_backend();
  Capture cap;
  socket::SocketPolicyTable table;
  int fd = sktest::udp_socket(AF_INET);
  CHECK(send_udp(fd, sktest::kPeer4, 40021) == 0);
  REQUIRE(cap.saw_udp(40021, kSeen));  // control: nothing in the way

  set_ok(table, fd, "out ipsec esp/transport//require");
  CHECK(send_udp(fd, sktest::kPeer4, 40022) == EAGAIN);
  CHECK_FALSE(cap.saw_udp(40022, kNotSeen));

  uint64_t blocked = sktest::xfrm_counter("XfrmOutPolBlock");
  set_ok(table, fd, "out discard");
  CHECK(send_udp(fd, sktest::kPeer4, 40023) == EPERM);
  CHECK_FALSE(cap.saw_udp(40023, kNotSeen));
  CHECK(sktest::xfrm_counter("XfrmOutPolBlock") == blocked + 1);

  set_ok(table, fd, "out entrust");
  CHECK_FALSE(table.get(fd, model::Direction::out).has_value());
  CHECK(socket_policy_count(*be) == 0);
  CHECK(send_udp(fd, sktest::kPeer4, 40024) == 0);
  CHECK(cap.saw_udp(40024, kSeen));
  ::close(fd);
}

TEST_CASE("the socket policy shows in setkey -DP as a per-socket policy while the socket holds it") {
  auto be = ktest::fresh_backend();
  add(*be, esp_to_peer(model::Family::inet));
  const std::string setkey = XFRMPP_SETKEY_BIN;
  std::string before = sktest::run(setkey + " -DP");
  CHECK(before.find("(per-socket policy)") == std::string::npos);  // control: only the SPD entry
  CHECK(before.find("10.99.0.1[any] 10.99.0.2[any] udp") != std::string::npos);

  socket::SocketPolicyTable table;
  int fd = sktest::udp_socket(AF_INET);
  set_ok(table, fd, "out bypass");
  set_ok(table, fd, "in ipsec esp/transport//require");
  std::string with = sktest::run(setkey + " -DP");
  // One block per socket policy, named with its direction as ipsec-tools does: in(socket), out(socket).
  CHECK(with.find("\n\tout(socket) ") != std::string::npos);
  CHECK(with.find("\n\tin(socket) ") != std::string::npos);
  CHECK(has_socket_block(with, " none"));
  CHECK(has_socket_block(with, " ipsec", "esp/transport//require"));
  CHECK_FALSE(has_socket_block(with, " discard"));  // the helper can tell blocks apart
  CHECK(with.find("10.99.0.1[any] 10.99.0.2[any] udp") != std::string::npos);
  CHECK(socket_policy_count(*be) == 2);

  ::close(fd);  // the policies die with the socket
  std::string after = sktest::run(setkey + " -DP");
  CHECK(after.find("(per-socket policy)") == std::string::npos);
  CHECK(socket_policy_count(*be) == 0);
}

TEST_CASE("without CAP_NET_ADMIN every socket policy is refused with EPERM, entrust and clear included") {
  ktest::fresh_backend();
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int failures = 0;
    if (!sktest::drop_net_admin()) ::_exit(100);
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    for (const char* p : {"out bypass", "in entrust", "out ipsec esp/transport//require"}) {
      errno = 0;
      bool refused = xfrmpp_set_socket_policy(fd, p) == -1 && errno == EPERM &&
                     std::string(xfrmpp_last_error()).find("CAP_NET_ADMIN") != std::string::npos;
      failures += !refused;
    }
    failures += !(xfrmpp_clear_socket_policy(fd, XFRMPP_DIR_BOTH) == -1 && errno == EPERM);
    ::_exit(failures);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK_MESSAGE(WEXITSTATUS(status) != 100, "could not drop CAP_NET_ADMIN");
  CHECK(WEXITSTATUS(status) == 0);

  // Control: the same calls with the capability succeed.
  int fd = sktest::udp_socket(AF_INET);
  CHECK(xfrmpp_set_socket_policy(fd, "out bypass") == 0);
  CHECK(xfrmpp_set_socket_policy(fd, "in entrust") == 0);
  CHECK(xfrmpp_set_socket_policy(fd, "out ipsec esp/transport//require") == 0);
  CHECK(xfrmpp_clear_socket_policy(fd, XFRMPP_DIR_BOTH) == 0);
  CHECK(std::string(xfrmpp_last_error()).empty());
  ::close(fd);
}

TEST_CASE("clearing one direction keeps the other, even one set without xfrmpp") {
  sktest::make_wire();
  auto be = ktest::fresh_backend();
  Capture cap;
  int fd = sktest::udp_socket(AF_INET);
  // An 'in' policy put there directly, which no table knows about.
  auto raw_in = socket::encode_socket_policy(*socket::parse_socket_policy("in bypass"), model::Family::inet);
  REQUIRE(raw_in.ok());
  REQUIRE(::setsockopt(fd, IPPROTO_IP, IP_XFRM_POLICY, raw_in->data(), raw_in->size()) == 0);

  socket::SocketPolicyTable table;
  set_ok(table, fd, "out bypass");
  add(*be, esp_to_peer(model::Family::inet));
  CHECK(send_udp(fd, sktest::kPeer4, 40031) == 0);
  CHECK(cap.saw_udp(40031, kSeen));
  CHECK(socket_policy_count(*be) == 2);

  REQUIRE(table.clear(fd, socket::Which::out).ok());
  auto left = socket::kernel_socket_policies(*be);
  REQUIRE(left.ok());
  REQUIRE(left->size() == 1);
  CHECK(left->front().dir == model::Direction::in);
  CHECK(left->front().kind == model::PolicyKind::none);
  CHECK_FALSE(table.get(fd, model::Direction::out).has_value());
  REQUIRE(table.get(fd, model::Direction::in).has_value());  // learnt while putting it back
  // The SPD decides the out direction again.
  CHECK(send_udp(fd, sktest::kPeer4, 40032) == 0);
  CHECK_FALSE(cap.saw_udp(40032, kNotSeen));

  // Negative control: what the kernel itself does on a clear, which is why the above needs work.
  REQUIRE(::setsockopt(fd, IPPROTO_IP, IP_XFRM_POLICY, nullptr, 0) == 0);
  CHECK(socket_policy_count(*be) == 0);
  ::close(fd);
}

TEST_CASE("read back: Linux has no getsockopt for it; the C API returns what it set, ENOENT otherwise") {
  auto be = ktest::fresh_backend();
  int fd = sktest::udp_socket(AF_INET);
  char raw[512];
  socklen_t raw_len = sizeof raw;
  CHECK(::getsockopt(fd, IPPROTO_IP, IP_XFRM_POLICY, raw, &raw_len) == -1);
  CHECK(errno == ENOPROTOOPT);

  char buf[256];
  CHECK(xfrmpp_get_socket_policy(fd, XFRMPP_DIR_OUT, buf, sizeof buf) == -1);
  CHECK(errno == ENOENT);
  REQUIRE(xfrmpp_set_socket_policy(fd, "out ipsec esp/transport//use") == 0);
  REQUIRE(xfrmpp_get_socket_policy(fd, XFRMPP_DIR_OUT, buf, sizeof buf) == 0);
  CHECK(std::string(buf) == "out ipsec esp/transport//use");
  CHECK(xfrmpp_get_socket_policy(fd, XFRMPP_DIR_IN, buf, sizeof buf) == -1);
  CHECK(errno == ENOENT);
  CHECK(xfrmpp_get_socket_policy(fd, XFRMPP_DIR_OUT, buf, 5) == -1);
  CHECK(errno == ERANGE);
  CHECK(xfrmpp_get_socket_policy(fd, XFRMPP_DIR_BOTH, buf, sizeof buf) == -1);
  CHECK(errno == EINVAL);

  // What the kernel holds agrees: one out socket policy whose ESP template is optional (use).
  auto k = socket::kernel_socket_policies(*be);
  REQUIRE(k.ok());
  REQUIRE(k->size() == 1);
  CHECK(k->front().dir == model::Direction::out);
  REQUIRE(k->front().templates.size() == 1);
  CHECK(k->front().templates[0].level == model::Level::use);

  REQUIRE(xfrmpp_clear_socket_policy(fd, XFRMPP_DIR_OUT) == 0);
  CHECK(xfrmpp_get_socket_policy(fd, XFRMPP_DIR_OUT, buf, sizeof buf) == -1);
  CHECK(errno == ENOENT);
  CHECK(socket_policy_count(*be) == 0);

  // A new socket on the same fd number is not mistaken for the old one.
  REQUIRE(xfrmpp_set_socket_policy(fd, "in bypass") == 0);
  ::close(fd);
  int again = sktest::udp_socket(AF_INET);
  REQUIRE(again == fd);
  CHECK(xfrmpp_get_socket_policy(again, XFRMPP_DIR_IN, buf, sizeof buf) == -1);
  CHECK(errno == ENOENT);
  ::close(again);
}

TEST_CASE("'default' requests on a socket take the namespace's *_deflev; unset means require") {
  auto be = ktest::fresh_backend();
  StateDir dir;
  knobs::Context ctx;
  ctx.state.dir = dir.path;
  auto level_in_kernel = [&](socket::SocketPolicyTable& t, std::string_view text) {
    int fd = sktest::udp_socket(AF_INET);
    set_ok(t, fd, text);
    auto k = socket::kernel_socket_policies(*be);
    REQUIRE(k.ok());
    REQUIRE(k->size() == 1);
    REQUIRE(k->front().templates.size() == 1);
    model::Level in_kernel = k->front().templates[0].level;
    auto remembered = t.get(fd, model::Direction::out);
    REQUIRE(remembered.has_value());
    CHECK(remembered->templates[0].level == in_kernel);
    ::close(fd);
    return in_kernel;
  };
  socket::SocketPolicyTable table(socket::TableOptions{ctx.state});
  CHECK(level_in_kernel(table, "out ipsec esp/transport//default") == model::Level::require);  // unset

  REQUIRE(knobs::write_knob(*knobs::find_knob("net.inet.ipsec.esp_trans_deflev"), "1", ctx).ok());
  CHECK(level_in_kernel(table, "out ipsec esp/transport//default") == model::Level::use);
  CHECK(level_in_kernel(table, "out ipsec esp/transport//require") == model::Level::require);  // explicit wins
  CHECK(level_in_kernel(table, "out ipsec esp/tunnel/10.99.0.1-10.99.0.2/default") == model::Level::require);  // net_deflev

  REQUIRE(knobs::write_knob(*knobs::find_knob("net.inet.ipsec.esp_trans_deflev"), "2", ctx).ok());
  CHECK(level_in_kernel(table, "out ipsec esp/transport//default") == model::Level::require);
}

TEST_CASE("IPv6 sockets: IPV6_XFRM_POLICY, and the bypass passes an ESP-requiring IPv6 SPD policy") {
  sktest::make_wire();
  auto be = ktest::fresh_backend();
  Capture cap;
  int plain = sktest::udp_socket(AF_INET6);
  REQUIRE(send_udp(plain, sktest::kPeer6, 40041) == 0);
  REQUIRE(cap.saw_udp(40041, kSeen));  // control

  add(*be, esp_to_peer(model::Family::inet6));
  CHECK(send_udp(plain, sktest::kPeer6, 40042) == 0);
  CHECK_FALSE(cap.saw_udp(40042, kNotSeen));

  socket::SocketPolicyTable table;
  int bypass = sktest::udp_socket(AF_INET6);
  set_ok(table, bypass, "out bypass");
  CHECK(send_udp(bypass, sktest::kPeer6, 40043) == 0);
  CHECK(cap.saw_udp(40043, kSeen));
  auto k = socket::kernel_socket_policies(*be);
  REQUIRE(k.ok());
  REQUIRE(k->size() == 1);
  CHECK(k->front().sel.family == model::Family::inet6);
  ::close(bypass);
  ::close(plain);
}

TEST_CASE("clear errors for what is not a socket policy target") {
  ktest::fresh_backend();
  int fd = sktest::udp_socket(AF_INET);
  CHECK(xfrmpp_set_socket_policy(fd, "fwd bypass") == -1);
  CHECK(errno == EINVAL);
  CHECK(std::string(xfrmpp_last_error()).find("no fwd direction") != std::string::npos);
  CHECK(xfrmpp_set_socket_policy(fd, "out ipsec esp/transport//requir") == -1);
  CHECK(errno == EINVAL);
  CHECK(std::string(xfrmpp_last_error()).find("policy:1:26: error: unknown level 'requir'") == 0);
  CHECK(xfrmpp_set_socket_policy(fd, nullptr) == -1);
  CHECK(errno == EINVAL);
  CHECK(xfrmpp_clear_socket_policy(fd, 0) == -1);
  CHECK(errno == EINVAL);
  ::close(fd);

  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  CHECK(xfrmpp_set_socket_policy(pipefd[0], "out bypass") == -1);
  CHECK(errno == ENOTSOCK);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
  int unix_fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK(xfrmpp_set_socket_policy(unix_fd, "out bypass") == -1);
  CHECK(errno == EAFNOSUPPORT);
  ::close(unix_fd);
}
