// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "parsers/ipsecconf.hpp"

using namespace xfrmpp;
namespace ic = xfrmpp::parsers::ipsecconf;

namespace {

std::vector<model::Address> fake_hosts(std::string_view name) {
  auto a = [](const char* s) { return *model::Address::parse(s); };
  if (name == "spiderweb") return {a("192.0.2.1"), a("2001:db8::1")};
  if (name == "arachnid") return {a("192.0.2.2"), a("2001:db8::2")};
  if (name == "twohomed") return {a("192.0.2.21"), a("192.0.2.22")};
  return {};
}

std::optional<ic::TunnelInfo> fake_tunnels(std::string_view name, std::string& why) {
  if (name != "ip.tun0") {
    why = "no such tunnel";
    return std::nullopt;
  }
  ic::TunnelInfo t;
  t.kind = "xfrm";
  t.if_id = 7;
  t.local = *model::Address::parse("192.0.2.1");
  t.remote = *model::Address::parse("192.0.2.2");
  return t;
}

struct Parsed {
  diag::SourceBuffer source;
  diag::DiagnosticSink sink;
  std::vector<ic::Rule> rules;
};

Parsed parse(std::string text) {
  Parsed p{diag::SourceBuffer("t.conf", std::move(text)), {}, {}};
  ic::ParseOptions o;
  o.resolve_host = fake_hosts;
  o.resolve_tunnel = fake_tunnels;
  p.rules = ic::parse(p.source, p.sink, o);
  return p;
}

std::string first_error(const Parsed& p) {
  for (const auto& d : p.sink.all())
    if (d.severity == diag::Severity::error) return diag::format(p.source, d);
  return {};
}

// Every policy of a file, planned with consecutive bases as ipsecconf -a does.
std::vector<model::Policy> plan(const std::vector<ic::Rule>& rules) {
  std::vector<model::Policy> out;
  uint32_t base = ic::kInitialBase;
  for (const auto& r : rules)
    for (const auto& x : ic::expand(r))
      for (auto& p : ic::policies(x, base--)) out.push_back(std::move(p));
  return out;
}

bool same(const std::vector<model::Policy>& a, const std::vector<model::Policy>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].key() != b[i].key() || a[i].kind != b[i].kind || a[i].priority != b[i].priority || a[i].templates != b[i].templates ||
        a[i].if_id != b[i].if_id)
      return false;
  return true;
}

// The canonical listing of a file, one line per expanded rule, as ipsecconf -l prints it.
std::string listing(const std::vector<ic::Rule>& rules) {
  std::string s;
  for (const auto& r : rules)
    for (const auto& x : ic::expand(r)) s += ic::format_rule(x) + "\n";
  return s;
}

}  // namespace

TEST_CASE("laddr/raddr with dir out gives one outbound policy per address pair") {
  auto p = parse("{ laddr spiderweb raddr arachnid ulp tcp dir out } ipsec { encr_algs aes encr_auth_algs sha256 }\n");
  REQUIRE(p.rules.size() == 1);
  CHECK_FALSE(p.sink.has_errors());
  auto pol = plan(p.rules);
  REQUIRE(pol.size() == 2);  // the v4 pair and the v6 pair; no v4/v6 mixes
  CHECK(pol[0].sel.family == model::Family::inet);
  CHECK(pol[0].sel.src.addr.to_string() == "192.0.2.1");
  CHECK(pol[0].sel.dst.addr.to_string() == "192.0.2.2");
  CHECK(pol[0].sel.proto == 6);
  CHECK(pol[0].dir == model::Direction::out);
  REQUIRE(pol[0].templates.size() == 1);
  CHECK(pol[0].templates[0].proto == model::Protocol::esp);
  CHECK(pol[0].templates[0].ealgos == (1u << 12));  // aes-cbc, SADB id 12
  CHECK(pol[0].templates[0].aalgos == (1u << 5));   // hmac-sha256, SADB id 5
  CHECK(pol[1].sel.family == model::Family::inet6);
}

TEST_CASE("ipsec without dir is in and out, with addresses swapped for in") {
  auto p = parse("{laddr 10.0.0.1 raddr 10.0.0.2 lport 22} ipsec {auth_algs md5}\n");
  auto pol = plan(p.rules);
  REQUIRE(pol.size() == 2);
  CHECK(pol[0].dir == model::Direction::out);
  CHECK(pol[0].sel.src.addr.to_string() == "10.0.0.1");
  CHECK(pol[0].sel.sport == 22);
  CHECK(pol[1].dir == model::Direction::in);
  CHECK(pol[1].sel.src.addr.to_string() == "10.0.0.2");
  CHECK(pol[1].sel.dst.addr.to_string() == "10.0.0.1");
  CHECK(pol[1].sel.dport == 22);
  CHECK(pol[1].sel.sport_mask == 0);
}

TEST_CASE("the old saddr/daddr form is swapped into local/remote for inbound rules") {
  auto p = parse("{saddr 10.0.0.9 daddr 10.0.0.1 sport 80} permit {encr_algs aes encr_auth_algs sha1}\n");
  REQUIRE(p.rules.size() == 1);
  const auto& r = p.rules[0];
  CHECK(r.dirs == ic::kDirIn);
  CHECK(r.remote->addrs[0].to_string() == "10.0.0.9");  // saddr is the packet source: remote inbound
  CHECK(r.local->addrs[0].to_string() == "10.0.0.1");
  CHECK(r.rport == 80);
  auto pol = plan(p.rules);
  REQUIRE(pol.size() == 1);
  CHECK(pol[0].sel.src.addr.to_string() == "10.0.0.9");
  CHECK(pol[0].sel.sport == 80);
}

TEST_CASE("priorities: bypass before AH+ESP before ESP before AH before drop, then file order") {
  auto p = parse(
      "{raddr 10.0.0.1} drop {}\n"
      "{raddr 10.0.0.2} ipsec {auth_algs sha1}\n"
      "{raddr 10.0.0.3} ipsec {encr_algs aes encr_auth_algs sha1}\n"
      "{raddr 10.0.0.4} ipsec {auth_algs sha1 encr_algs aes}\n"
      "{raddr 10.0.0.5 dir both} bypass {}\n"
      "{raddr 10.0.0.6} ipsec {encr_algs aes encr_auth_algs sha1}\n");
  auto pol = plan(p.rules);
  std::vector<std::string> order;
  std::stable_sort(pol.begin(), pol.end(), [](const auto& a, const auto& b) { return a.priority < b.priority; });
  for (const auto& x : pol)
    if (x.dir == model::Direction::out) order.push_back(x.sel.dst.addr.to_string());
  CHECK(order == std::vector<std::string>{"10.0.0.5", "10.0.0.4", "10.0.0.3", "10.0.0.6", "10.0.0.2", "10.0.0.1"});
  for (const auto& x : pol) CHECK(x.priority >= 1);  // 0 is the IKE bypass
}

TEST_CASE("priority arithmetic matches ipsecconf.c's boosts") {
  auto p = parse("{raddr 10.0.0.1} ipsec {auth_algs sha1 encr_algs aes}\n");
  REQUIRE(p.rules.size() == 1);
  CHECK(ic::solaris_priority(p.rules[0], 0x000fffff) == 0x006fffff);
  CHECK(ic::xfrm_priority(0x006fffff) == 0x00900001);
  CHECK(ic::xfrm_priority(ic::solaris_priority(p.rules[0], 0x000ffffe)) == 0x00900002);
}

TEST_CASE("rules without addresses cover IPv4 and IPv6") {
  auto p = parse("{lport 53 dir in} bypass {}\n");
  auto pol = plan(p.rules);
  REQUIRE(pol.size() == 2);
  CHECK(pol[0].sel.family == model::Family::inet);
  CHECK(pol[1].sel.family == model::Family::inet6);
  CHECK(pol[0].kind == model::PolicyKind::none);
}

TEST_CASE("ICMP type ranges become aligned blocks") {
  auto p = parse("{ulp ipv6-icmp raddr fec0::/16 type 133-137 code 0 dir out} pass {}\n");
  auto pol = plan(p.rules);
  REQUIRE(pol.size() == 3);  // 133, 134-135, 136-137
  CHECK(pol[0].sel.sport == 133);
  CHECK(pol[0].sel.sport_mask == 0xffff);
  CHECK(pol[1].sel.sport == 134);
  CHECK(pol[1].sel.sport_mask == 0xfffe);
  CHECK(pol[2].sel.sport == 136);
  CHECK(pol[2].sel.sport_mask == 0xfffe);
  CHECK(pol[0].sel.dport == 0);
  CHECK(pol[0].sel.dport_mask == 0xffff);
  auto all = parse("{ulp icmp type 0-255 dir in} drop {}\n");
  auto pall = plan(all.rules);
  REQUIRE(pall.size() == 2);
  CHECK(pall[0].sel.sport_mask == 0xff00);
}

TEST_CASE("or: same protocols merge their masks; or pass makes templates optional") {
  auto p = parse("{raddr 10.0.0.1} ipsec {encr_algs aes encr_auth_algs sha1} or ipsec {encr_algs blowfish encr_auth_algs sha1}\n"
                 "{raddr 10.0.0.2} ipsec {encr_algs aes encr_auth_algs sha1} or pass {}\n");
  auto pol = plan(p.rules);
  REQUIRE(pol.size() == 4);
  CHECK(pol[0].templates[0].ealgos == ((1u << 12) | (1u << 7)));
  CHECK(pol[0].templates[0].aalgos == (1u << 3));
  CHECK(pol[0].templates[0].level == model::Level::require);
  CHECK(pol[2].templates[0].level == model::Level::use);
}

TEST_CASE("AH and ESP together: ESP inside, AH outside") {
  auto p = parse("{raddr 10.0.0.1} ipsec {auth_algs sha512 encr_algs aes(256)}\n");
  auto pol = plan(p.rules);
  REQUIRE(pol[0].templates.size() == 2);
  CHECK(pol[0].templates[0].proto == model::Protocol::esp);
  CHECK(pol[0].templates[0].aalgos == ~0u);  // encr_algs alone: ESP with or without authentication
  CHECK(pol[0].templates[1].proto == model::Protocol::ah);
  CHECK(pol[0].templates[1].aalgos == (1u << 7));
}

TEST_CASE("tunnel rules: if_id, tunnel-mode templates between the outer endpoints, fwd for inbound") {
  auto p = parse("{tunnel ip.tun0 negotiate tunnel laddr 10.1.0.0/24 raddr 10.2.0.0/24} ipsec {encr_algs aes encr_auth_algs sha1}\n");
  REQUIRE(p.rules.size() == 1);
  auto pol = plan(p.rules);
  REQUIRE(pol.size() == 3);
  CHECK(pol[2].dir == model::Direction::fwd);
  for (const auto& x : pol) {
    CHECK(x.if_id == std::optional<uint32_t>(7));
    CHECK(x.templates[0].mode == model::Mode::tunnel);
  }
  CHECK(pol[0].templates[0].src.to_string() == "192.0.2.1");
  CHECK(pol[0].templates[0].dst.to_string() == "192.0.2.2");
  CHECK(pol[1].templates[0].src.to_string() == "192.0.2.2");
}

TEST_CASE("errors carry the Solaris message and line, at the offending word") {
  CHECK(first_error(parse("\n{ raddr that_system } ipsec {encr_algs aes}\n")) ==
        "t.conf:2:9: error: Bad Destination Address on line: 2 (Could not resolve address that_system.)\n"
        "{ raddr that_system } ipsec {encr_algs aes}\n"
        "        ^~~~~~~~~~~\n");
  CHECK(first_error(parse("{raddr 10.0.0.1} ipsec\n  {encr_algs aes}\n  or ipsec {encr_algs 3des}\n"))
            .starts_with("t.conf:3:3: error: line 3 : pattern must start with \"{\" character\n"));
  CHECK(first_error(parse("{laddr 10.0.0.1 laddr 10.0.0.2} pass {}\n"))
            .starts_with("t.conf:1:17: error: Duplicate Source Address on line: 1\n"));
  CHECK(first_error(parse("{raddr 10.0.0.1} ipsec {encr_algs aes-gcm encr_auth_algs sha1}\n"))
            .starts_with("t.conf:1:58: error: ERROR: Rule on line 1: Combined mode and esp authentication not supported together."));
}

TEST_CASE("a bad rule is skipped and parsing goes on") {
  auto p = parse("{raddr 10.0.0.1} ipsec {encr_algs aes}\n{raddr 10.0.0.2} ipsec {encr_algs nope}\n{raddr 10.0.0.3} pass {}\n");
  CHECK(p.sink.error_count() == 1);
  CHECK(p.rules.size() == 2);
}

TEST_CASE("the canonical listing parses back to the same policies") {
  const char* files[] = {
      "{ laddr spiderweb raddr arachnid ulp tcp } ipsec { encr_algs AES encr_auth_algs sha1 }\n",
      "{lport 53} bypass {}\n{rport 53} bypass {}\n{raddr spiderweb } ipsec {encr_algs any sa unique}\n",
      "{raddr fec0:abcd::0/32 ulp ipv6-icmp type 133-137  dir both }\n    pass { }\n",
      "{raddr spiderweb} ipsec {encr_algs aes(192..256)} or ipsec {encr_algs blowfish}\n",
      "{saddr 10.0.0.0 smask 255.255.0.0 sport 22 dir out} ipsec {encr_algs 3des encr_auth_algs sha1}\n",
      "{dport 23} apply {encr_algs des encr_auth_algs md5 sa shared}\n{sport 23} permit {encr_algs des encr_auth_algs md5}\n",
      "{tunnel ip.tun0 negotiate tunnel raddr 10.9.0.0/16 laddr 0.0.0.0/0} ipsec {encr_algs aes encr_auth_algs sha1}\n",
      "{tunnel ip.tun0 negotiate transport} ipsec {encr_algs aes encr_auth_algs md5}\n",
      "{laddr twohomed raddr 192.0.2.9 ulp udp lport 5000 dir in} ipsec {auth_algs sha384} or pass {}\n",
      "{ulp icmp type unreach code 0-3 dir out} drop {}\n",
  };
  for (const char* f : files) {
    CAPTURE(f);
    auto a = parse(f);
    REQUIRE_FALSE(a.sink.has_errors());
    std::string text = listing(a.rules);
    auto b = parse(text);
    CAPTURE(text);
    REQUIRE_FALSE(b.sink.has_errors());
    CHECK(listing(b.rules) == text);
    // Re-parsed, each expanded rule is a rule of its own, so compare per expanded rule.
    std::vector<model::Policy> pa;
    uint32_t base = ic::kInitialBase;
    for (const auto& r : a.rules)
      for (const auto& x : ic::expand(r))
        for (auto& p : ic::policies(x, base--)) pa.push_back(std::move(p));
    CHECK(same(plan(b.rules), pa));
  }
}

TEST_CASE("IKE bypass policies are recognised") {
  auto b = ic::ike_bypass_policies();
  CHECK(b.size() == 8);
  for (const auto& p : b) CHECK(ic::is_ike_bypass(p));
  auto p = parse("{lport 500 ulp udp dir out} bypass {}\n");
  for (const auto& x : plan(p.rules)) CHECK_FALSE(ic::is_ike_bypass(x));
}
