// SPDX-License-Identifier: BSD-3-Clause
// The engine's SPD against the real kernel's. A seeded mix of a few thousand overlapping outbound policies
// (prefixes of every length, ports, protocols, ICMP type/code, marks, equal and different priorities,
// discard/none/ipsec with a distinct unique:N reqid each) is written as a setkey file and loaded with
// `setkey -k -f` into this test's private network namespace, and into the engine (engine_side.cpp). Then
// thousands of random flows are sent from sockets in the namespace, and what the kernel picked is read off:
// an ACQUIRE names the chosen policy's reqid; a discard policy fails the send with EPERM; neither means a
// none policy or no policy (indistinguishable from outside, so the engine's allow and default both count as
// "pass"). Every flow must agree with the engine.
//
// Only outbound flows can be observed this way (an inbound decision happens on a received packet and is
// visible only as a counter), so every policy and flow is `dir out`. What a socket cannot set is left out
// of the flows: the if_id (only an xfrm interface sets it: if_id policies are generated and must simply
// never match) and the selector ifindex; the mark is set per socket with SO_MARK. The distinct reqids
// make every ipsec answer name exactly one policy. After each ACQUIRE the SAD is flushed, so that the
// larval SA it left does not swallow the next ACQUIRE of the same template and addresses.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "engine_side.hpp"
#include "parsers/setkey_printer.hpp"
#include "spd_mix.hpp"
#include "xfrmpp/netlink/kernel_backend.hpp"
#include "xfrmpp/util/unique_fd.hpp"

using namespace xfrmpp;
using testing::Answer;

namespace {

void run(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  REQUIRE_MESSAGE(st == 0, cmd << " exited with status " << st);
}

socklen_t sockaddr_of(const model::Address& a, uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (a.family == model::Family::inet) {
    auto* s = reinterpret_cast<sockaddr_in*>(&ss);
    s->sin_family = AF_INET;
    s->sin_port = htons(port);
    std::memcpy(&s->sin_addr, a.bytes.data(), 4);
    return sizeof *s;
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
  s->sin6_family = AF_INET6;
  s->sin6_port = htons(port);
  std::memcpy(&s->sin6_addr, a.bytes.data(), 16);
  return sizeof *s;
}

// Sends one packet of the flow; returns the errno of the send (or connect), 0 when it went out.
int send_flow(const engine::Flow& f) {
  int af = f.family == model::Family::inet ? AF_INET : AF_INET6;
  int type = SOCK_RAW, proto = f.proto;
  if (f.proto == 17) type = SOCK_DGRAM;
  if (f.proto == 6) type = SOCK_STREAM | SOCK_NONBLOCK;
  xfrmpp::util::UniqueFd s(::socket(af, type | SOCK_CLOEXEC, f.proto == 6 || f.proto == 17 ? 0 : proto));
  REQUIRE_MESSAGE(s.get() >= 0, "socket: " << std::strerror(errno));
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (f.mark) REQUIRE(::setsockopt(s.get(), SOL_SOCKET, SO_MARK, &f.mark, sizeof f.mark) == 0);
  sockaddr_storage src, dst;
  bool ported = f.proto == 6 || f.proto == 17;
  socklen_t sl = sockaddr_of(f.src, ported ? f.sport : 0, src);
  socklen_t dl = sockaddr_of(f.dst, ported ? f.dport : 0, dst);
  REQUIRE_MESSAGE(::bind(s.get(), reinterpret_cast<sockaddr*>(&src), sl) == 0,
                  "bind " << f.src.to_string() << " " << f.sport << ": " << std::strerror(errno));
  if (f.proto == 6) {
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&dst), dl) == 0) return 0;
    return errno == EINPROGRESS ? 0 : errno;
  }
  uint8_t payload[16] = {};
  if (model::proto_has_type_code(f.proto)) {  // ICMP/ICMPv6: the kernel reads type and code from here
    payload[0] = static_cast<uint8_t>(f.sport);
    payload[1] = static_cast<uint8_t>(f.dport);
  }
  if (::sendto(s.get(), payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&dst), dl) >= 0) return 0;
  return errno;
}

std::string describe(const engine::Flow& f) {
  return testing::flow_line(f);
}

struct Setup {
  std::filesystem::path dir;
  testing::Mix mix;
  std::vector<model::Policy> policies;
};

void check_family(model::Family family, uint64_t seed, size_t n_policies, size_t n_flows,
                  testing::MixOptions::Priorities prio = testing::MixOptions::Priorities::specific) {
  testing::MixOptions o;
  o.priorities = prio;
  o.seed = seed;
  o.family = family;
  o.out_only = true;
  o.port_masks = false;  // setkey writes a port or [any], no masks
  o.ifindex = false;
  testing::Mix mix(o);
  auto policies = mix.policies(n_policies);
  const bool v6 = family == model::Family::inet6;

  auto dir = std::filesystem::path(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") /
             fmt::format("xfrmpp-diff-{}-{}-{}", ::getpid(), v6 ? 6 : 4, seed);
  std::filesystem::create_directories(dir);
  auto file = dir / "policies.conf";
  {
    std::ofstream out(file);
    out << "spdflush;\nflush;\n";
    for (const auto& p : policies) out << parsers::setkey::format_spdadd(p) << '\n';
  }

  // The sources live on lo; every destination goes out of a veth with a permanent neighbour, so sends
  // succeed unless a policy says otherwise.
  if (::if_nametoindex("xd0") == 0)  // /sys still shows the host's interfaces
    run("ip link set lo up && ip link add xd0 type veth peer name xd1 && ip link set xd0 up && ip link set xd1 up && "
        "ip addr add 10.254.0.1/24 dev xd0 && ip neigh add 10.254.0.2 lladdr 02:00:00:00:fe:02 dev xd0 nud permanent && "
        "ip -6 addr add fdfe::1/64 dev xd0 nodad && "
        "ip -6 neigh add fdfe::2 lladdr 02:00:00:00:fe:02 dev xd0 nud permanent && "
        "ip route add 10.0.0.0/8 via 10.254.0.2 dev xd0 && ip -6 route add fd00::/8 via fdfe::2 dev xd0");
  for (const auto& a : mix.src_hosts())
    run(fmt::format("ip {} addr add {}/{} dev lo {} 2>/dev/null || true", v6 ? "-6" : "", a.to_string(), v6 ? 128 : 32,
                    v6 ? "nodad" : ""));

  run(fmt::format("'{}' -k -f '{}'", XFRMPP_SETKEY_BIN, file.string()));

  auto kb = nl::KernelBackend::open();
  REQUIRE(kb);
  auto kernel_policies = (*kb)->dump_policies();
  REQUIRE(kernel_policies);
  REQUIRE(kernel_policies->size() == policies.size());
  std::array<EventGroup, 1> groups{EventGroup::acquire};
  auto events = (*kb)->subscribe(groups);
  REQUIRE(events);

  std::vector<engine::Flow> flows;
  for (size_t i = 0; i < n_flows; ++i) flows.push_back(mix.flow());
  std::string how;
  auto engine = testing::engine_answers(file, flows, {XFRMPP_SETKEY_BIN, XFRMPP_IPSEC_ENGINE_BIN}, dir, how);
  REQUIRE(engine.size() == flows.size());
  MESSAGE("engine side: " << how);

  size_t agreed = 0, ipsec = 0, block = 0;
  std::set<uint32_t> winners;  // distinct reqids the kernel named
  for (size_t i = 0; i < flows.size(); ++i) {
    const auto& f = flows[i];
    int err = send_flow(f);
    Answer k;
    std::set<uint32_t> acquired;
    // The ACQUIRE is queued on our socket during the send itself; the wait only covers a slow delivery.
    for (int round = 0; round < 2; ++round) {
      auto evs = (*events)->next(round == 0 ? 0 : 3);
      REQUIRE(evs);
      for (const auto& e : *evs) {
        REQUIRE_MESSAGE(e.kind != Event::Kind::overrun, "event overrun");
        if (e.kind != Event::Kind::acquire) continue;
        if (e.policy && !e.policy->templates.empty()) acquired.insert(e.policy->templates.front().reqid);
        else if (e.sa) acquired.insert(e.sa->reqid);
      }
      if (!acquired.empty()) break;
    }
    if (err == EPERM) {
      k.kind = Answer::Kind::block;
    } else if (err != 0) {
      FAIL("flow " << describe(f) << ": send failed: " << std::strerror(err));
    }
    if (!acquired.empty()) {
      REQUIRE_MESSAGE(acquired.size() == 1, "flow " << describe(f) << ": several ACQUIREs");
      REQUIRE_MESSAGE(err == 0, "flow " << describe(f) << ": ACQUIRE and " << std::strerror(err));
      k.kind = Answer::Kind::ipsec;
      k.reqid = *acquired.begin();
      REQUIRE((*kb)->flush_sas(std::nullopt));  // drop the larval SA
    }
    if (!(k == engine[i])) {
      std::string kernel_policy;
      for (const auto& p : *kernel_policies)
        if (k.kind == Answer::Kind::ipsec && !p.templates.empty() && p.templates.front().reqid == k.reqid)
          kernel_policy = fmt::format(" (index {} priority {}: {})", p.index, p.priority, parsers::setkey::format_spdadd(p));
      FAIL("flow " << i << " `" << describe(f) << "`: kernel " << testing::to_string(k) << kernel_policy << ", engine "
                   << testing::to_string(engine[i]) << "; " << agreed << " flows agreed before it");
    }
    ++agreed;
    ipsec += k.kind == Answer::Kind::ipsec;
    if (k.kind == Answer::Kind::ipsec) winners.insert(k.reqid);
    block += k.kind == Answer::Kind::block;
  }
  MESSAGE(fmt::format("{}: {} of {} flows agree with the kernel ({} ACQUIRE naming {} distinct policies, {} EPERM, {} pass) "
                      "over {} policies",
                      v6 ? "IPv6" : "IPv4", agreed, flows.size(), ipsec, winners.size(), block, agreed - ipsec - block,
                      policies.size()));
  CHECK(winners.size() > flows.size() / (prio == testing::MixOptions::Priorities::flat ? 600 : 20));
  CHECK(ipsec > flows.size() / 10);  // the mix must reach the interesting answers, not only "pass"
  CHECK(block > flows.size() / 50);
  std::filesystem::remove_all(dir);
  run("'" + std::string(XFRMPP_SETKEY_BIN) + "' -FP");
}

}  // namespace

TEST_CASE("IPv4: the engine picks the policy the kernel picks") {
  check_family(model::Family::inet, 7, 3000, 4000);
}

TEST_CASE("IPv6: the engine picks the policy the kernel picks") {
  check_family(model::Family::inet6, 8, 2000, 3000);
}

// Ties everywhere: eight priority values shared by short and long prefixes alike (this mix is what showed
// that Linux 6.12+ breaks ties between the exact hash and the inexact lists by link order).
TEST_CASE("IPv4, flat priorities") {
  check_family(model::Family::inet, 17, 3000, 3000, testing::MixOptions::Priorities::flat);
}

TEST_CASE("IPv6, flat priorities") {
  check_family(model::Family::inet6, 18, 2000, 3000, testing::MixOptions::Priorities::flat);
}
