// SPDX-License-Identifier: BSD-3-Clause
// Host-wide knobs against the host kernel in the test's own namespace: def_policy through SETDEFAULT with
// traffic on a veth wire, the clear-ICMP knob with real echo requests, and every knob of the table
// written and read back, each checked against the kernel or the file it maps to.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kernel_support.hpp"
#include "netns.hpp"
#include "socket_support.hpp"
#include "xfrmpp/knobs/knobs.hpp"

using namespace xfrmpp;
using knobs::Mapping;
using sktest::Capture;
using sktest::send_udp;

namespace {

struct StateDir {
  std::filesystem::path path;
  StateDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "xfrmpp-knobk-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~StateDir() { std::filesystem::remove_all(path); }
};

std::string reading(const knobs::Knob& k, knobs::Context& ctx) {
  auto r = knobs::read_knob(k, ctx);
  REQUIRE_MESSAGE(r.ok(), k.name << ": " << (r.ok() ? std::string() : r.error().message));
  return r->value;
}

void write_ok(const knobs::Knob& k, const std::string& v, knobs::Context& ctx) {
  auto r = knobs::write_knob(k, v, ctx);
  REQUIRE_MESSAGE(r.ok(), k.name << "=" << v << ": " << (r.ok() ? std::string() : r.error().message));
  CHECK_MESSAGE(r->value == v, k.name << " reads " << r->value << " right after writing " << v);
}

std::string file_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  std::string t = s.str();
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t;
}

bool all(const model::DefaultPolicy& d, model::PolicyAction a) { return d.in == a && d.fwd == a && d.out == a; }

// Sends an ICMP echo request to 127.0.0.1 and waits for the echo reply.
bool ping_loopback(uint16_t id, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  REQUIRE(fd >= 0);
  icmphdr req{};
  req.type = ICMP_ECHO;
  req.un.echo.id = htons(id);
  req.un.echo.sequence = htons(1);
  // RFC 1071 checksum of the 8-byte header (no payload).
  uint32_t sum = 0;
  const auto* w = reinterpret_cast<const uint16_t*>(&req);
  for (size_t i = 0; i < sizeof req / 2; ++i) sum += w[i];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  req.checksum = static_cast<uint16_t>(~sum);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::sendto(fd, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == sizeof req);
  bool replied = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!replied) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    uint8_t pkt[256];
    ssize_t n = ::recv(fd, pkt, sizeof pkt, 0);
    if (n < 28) continue;
    size_t ihl = (pkt[0] & 0x0f) * 4u;
    const auto* icmp = reinterpret_cast<const icmphdr*>(pkt + ihl);
    replied = icmp->type == ICMP_ECHOREPLY && ntohs(icmp->un.echo.id) == id;
  }
  ::close(fd);
  return replied;
}

}  // namespace

TEST_CASE("def_policy 0 drops traffic no policy matches, an explicit allow policy still passes, 1 restores it") {
  sktest::make_wire();
  auto be = ktest::fresh_backend();
  knobs::Context ctx;
  ctx.backend = be.get();
  const auto& v4 = *knobs::find_knob("net.inet.ipsec.def_policy");
  const auto& v6 = *knobs::find_knob("net.inet6.ipsec6.def_policy");
  Capture cap;
  int fd = sktest::udp_socket(AF_INET);
  int fd6 = sktest::udp_socket(AF_INET6);
  CHECK(reading(v4, ctx) == "1");
  CHECK(send_udp(fd, sktest::kPeer4, 41001) == 0);
  REQUIRE(cap.saw_udp(41001, 1000));  // control

  write_ok(v4, "0", ctx);
  auto d = be->get_default_policy();
  REQUIRE(d.ok());
  CHECK(all(*d, model::PolicyAction::block));
  CHECK(reading(v6, ctx) == "0");  // one Linux setting for both families
  CHECK(send_udp(fd, sktest::kPeer4, 41002) == EPERM);
  CHECK_FALSE(cap.saw_udp(41002, 400));
  CHECK(send_udp(fd6, sktest::kPeer6, 41003) == EPERM);
  CHECK_FALSE(cap.saw_udp(41003, 400));

  // Only traffic without a matching policy is dropped: an allow entry for the peer still passes.
  model::Policy allow;
  allow.sel.family = model::Family::inet;
  allow.sel.dst = {*model::Address::parse(sktest::kPeer4), 32};
  allow.sel.src = {*model::Address::parse(sktest::kLocal4), 32};
  allow.dir = model::Direction::out;
  allow.kind = model::PolicyKind::none;
  REQUIRE(be->apply(std::vector<Change>{Change{allow, Change::Verb::add, 0}}, ApplyOptions{}).errors.empty());
  CHECK(send_udp(fd, sktest::kPeer4, 41004) == 0);
  CHECK(cap.saw_udp(41004, 1000));
  REQUIRE(be->flush_policies().ok());

  write_ok(v6, "1", ctx);
  d = be->get_default_policy();
  REQUIRE(d.ok());
  CHECK(all(*d, model::PolicyAction::allow));
  CHECK(send_udp(fd, sktest::kPeer4, 41005) == 0);
  CHECK(cap.saw_udp(41005, 1000));
  CHECK(send_udp(fd6, sktest::kPeer6, 41006) == 0);
  CHECK(cap.saw_udp(41006, 1000));
  ::close(fd);
  ::close(fd6);
}

TEST_CASE("icmp_accept_clear_messages lets cleartext ICMP in past an 'in' policy that requires ESP") {
  auto be = ktest::fresh_backend();
  sktest::run("ip link set lo up");
  // lo skips inbound policy checks by default (disable_policy=1); the test needs them.
  sktest::write_proc("/proc/sys/net/ipv4/conf/lo/disable_policy", "0");
  knobs::Context ctx;
  ctx.backend = be.get();
  const auto& icmp = *knobs::find_knob("icmp_accept_clear_messages");
  CHECK(ping_loopback(0x4201, 1000));  // control: no policy yet

  model::Policy esp_in;
  esp_in.sel.family = model::Family::inet;
  esp_in.sel.src = {*model::Address::parse("127.0.0.0"), 8};
  esp_in.sel.dst = {*model::Address::parse("127.0.0.0"), 8};
  esp_in.dir = model::Direction::in;
  esp_in.kind = model::PolicyKind::ipsec;
  model::Template t;
  t.family = model::Family::inet;
  t.level = model::Level::require;
  esp_in.templates = {t};
  REQUIRE(be->apply(std::vector<Change>{Change{esp_in, Change::Verb::add, 0}}, ApplyOptions{}).errors.empty());

  CHECK(reading(icmp, ctx) == "0");
  uint64_t mismatch = sktest::xfrm_counter("XfrmInTmplMismatch");
  CHECK_FALSE(ping_loopback(0x4202, 500));  // negative control: the clear echo request is dropped
  CHECK(sktest::xfrm_counter("XfrmInTmplMismatch") > mismatch);

  // The ESP entry has priority 0 (ip xfrm's default) and is older: it wins the tie, and the knob says so.
  auto shadowed = knobs::write_knob(icmp, "1", ctx);
  REQUIRE(shadowed.ok());
  CHECK(shadowed->value == "1");
  CHECK(shadowed->note.find("win") != std::string::npos);
  CHECK_FALSE(ping_loopback(0x4203, 500));
  write_ok(icmp, "0", ctx);

  // With setkey's default priority on the ESP entry the bypass takes precedence.
  REQUIRE(be->flush_policies().ok());
  esp_in.priority = 0x80000000u;
  REQUIRE(be->apply(std::vector<Change>{Change{esp_in, Change::Verb::add, 0}}, ApplyOptions{}).errors.empty());
  CHECK_FALSE(ping_loopback(0x4204, 500));  // negative control again
  auto clean = knobs::write_knob(icmp, "1", ctx);
  REQUIRE(clean.ok());
  CHECK(clean->note.empty());
  CHECK(ping_loopback(0x4205, 1000));
  write_ok(icmp, "0", ctx);
  CHECK_FALSE(ping_loopback(0x4206, 500));
  sktest::write_proc("/proc/sys/net/ipv4/conf/lo/disable_policy", "1");
  REQUIRE(be->flush_policies().ok());
}

TEST_CASE("every knob round-trips: written, read back, and checked where Linux keeps it") {
  auto be = ktest::fresh_backend();
  StateDir dir;
  knobs::Context ctx;
  ctx.backend = be.get();
  ctx.state.dir = dir.path;
  size_t checked = 0;
  for (const auto& k : knobs::knob_table()) {
    CAPTURE(k.name);
    switch (k.mapping) {
      case Mapping::default_policy: {
        CHECK(reading(k, ctx) == "1");
        write_ok(k, "0", ctx);
        auto d = be->get_default_policy();
        REQUIRE(d.ok());
        CHECK(all(*d, model::PolicyAction::block));
        write_ok(k, "1", ctx);
        d = be->get_default_policy();
        REQUIRE(d.ok());
        CHECK(all(*d, model::PolicyAction::allow));
        break;
      }
      case Mapping::default_level: {
        CHECK(reading(k, ctx) == "2");
        write_ok(k, "1", ctx);
        auto ns = knobs::current_netns();
        REQUIRE(ns.ok());
        CHECK(file_text(knobs::state_file(*ns, ctx.state)).find("\"" + std::string(k.name) + "\": 1") != std::string::npos);
        auto lv = knobs::load_default_levels(ctx.state);
        REQUIRE(lv.ok());
        CHECK(lv->level_for(k.family, k.proto, k.tunnel ? model::Mode::tunnel : model::Mode::transport) ==
              model::Level::use);
        write_ok(k, "2", ctx);
        break;
      }
      case Mapping::proc_sysctl: {
        if (!xfrmpp::test::in_initial_user_namespace()) {
          MESSAGE("SKIPPED " << k.name << ": no net.core.xfrm_* sysctls in a user namespace's network namespace");
          break;
        }
        std::filesystem::path file = ctx.proc_sys / k.path;
        std::string original = reading(k, ctx);
        CHECK(original == file_text(file));
        std::string changed = k.name.ends_with("larval_drop") ? (original == "1" ? "0" : "1")
                                                              : std::to_string(std::stoll(original) + 7);
        write_ok(k, changed, ctx);
        CHECK(file_text(file) == changed);
        write_ok(k, original, ctx);
        CHECK(file_text(file) == original);
        break;
      }
      case Mapping::bypass_policies: {
        CHECK(reading(k, ctx) == "0");
        write_ok(k, "1", ctx);
        auto spd = be->dump_policies();
        REQUIRE(spd.ok());
        for (const auto& rule : k.rules) {
          size_t n = 0;
          for (const auto& p : *spd) n += knobs::is_bypass_for(p, rule) && p.priority == knobs::kBypassPriority;
          CHECK(n == 1);
        }
        write_ok(k, "0", ctx);
        spd = be->dump_policies();
        REQUIRE(spd.ok());
        CHECK(spd->empty());
        break;
      }
      case Mapping::fixed: {
        CHECK(reading(k, ctx) == k.fixed_value);
        write_ok(k, std::string(k.fixed_value), ctx);
        auto other = knobs::write_knob(k, k.fixed_value == "1" ? "0" : "1", ctx);
        REQUIRE_FALSE(other.ok());
        CHECK(other.error().code == EOPNOTSUPP);
        break;
      }
      case Mapping::none: {
        CHECK(reading(k, ctx) == "-");
        auto w = knobs::write_knob(k, "1", ctx);
        REQUIRE_FALSE(w.ok());
        CHECK(w.error().code == EOPNOTSUPP);
        CHECK(w.error().message.find("no Linux equivalent") != std::string::npos);
        break;
      }
    }
    ++checked;
  }
  CHECK(checked == knobs::knob_table().size());
}
