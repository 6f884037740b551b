// SPDX-License-Identifier: BSD-3-Clause
// Socket policies without a socket: parsing KAME strings, the exact setsockopt payload, its inverse,
// and the resolution of 'default' levels from the per-netns state.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <linux/xfrm.h>

#include <cerrno>
#include <cstring>

#include "xfrmpp/socket/socket_policy.hpp"

using namespace xfrmpp;
using model::Direction;
using model::Family;
using model::Level;
using model::PolicyKind;

namespace {

model::Policy parsed(std::string_view text) {
  auto p = socket::parse_socket_policy(text);
  REQUIRE_MESSAGE(p.ok(), (p.ok() ? std::string() : p.error().message));
  return *p;
}

xfrm_userpolicy_info info_of(const std::vector<uint8_t>& bytes) {
  xfrm_userpolicy_info info{};
  REQUIRE(bytes.size() >= sizeof info);
  std::memcpy(&info, bytes.data(), sizeof info);
  return info;
}

xfrm_user_tmpl tmpl_of(const std::vector<uint8_t>& bytes, size_t i) {
  xfrm_user_tmpl t{};
  REQUIRE(bytes.size() >= sizeof(xfrm_userpolicy_info) + (i + 1) * sizeof t);
  std::memcpy(&t, bytes.data() + sizeof(xfrm_userpolicy_info) + i * sizeof t, sizeof t);
  return t;
}

}  // namespace

TEST_CASE("KAME socket policy strings parse to direction, action and requests") {
  CHECK(parsed("out bypass").kind == PolicyKind::bypass);
  CHECK(parsed("out bypass").dir == Direction::out);
  CHECK(parsed("in entrust").kind == PolicyKind::entrust);
  CHECK(parsed("in discard").kind == PolicyKind::discard);
  CHECK(parsed("out none;").kind == PolicyKind::none);
  auto p = parsed("out ipsec esp/transport//require ah/tunnel/192.0.2.1-192.0.2.2/unique:7");
  CHECK(p.kind == PolicyKind::ipsec);
  REQUIRE(p.templates.size() == 2);
  CHECK(p.templates[0].proto == model::Protocol::esp);
  CHECK(p.templates[0].level == Level::require);
  CHECK(p.templates[1].mode == model::Mode::tunnel);
  CHECK(p.templates[1].level == Level::unique);
  CHECK(p.templates[1].reqid == 7);
  CHECK(p.templates[1].dst.to_string() == "192.0.2.2");
  CHECK(parsed("in ipsec esp/transport//default").templates[0].level == Level::default_level);
}

TEST_CASE("parse errors carry the parser's location and caret; fwd is refused for sockets") {
  auto bad = socket::parse_socket_policy("out ipsec esp/transport//requir");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == EINVAL);
  CHECK(bad.error().message.find("policy:1:26: error:") == 0);
  CHECK(bad.error().message.find("requir") != std::string::npos);
  CHECK(bad.error().message.find("^~~~~~") != std::string::npos);

  auto fwd = socket::parse_socket_policy("fwd bypass");
  REQUIRE_FALSE(fwd.ok());
  CHECK(fwd.error().code == EINVAL);
  CHECK(fwd.error().message.find("no fwd direction") != std::string::npos);

  CHECK_FALSE(socket::parse_socket_policy("").ok());
  CHECK_FALSE(socket::parse_socket_policy("out").ok());  // a direction alone is not a policy
  CHECK_FALSE(socket::parse_socket_policy("out ipsec").ok());
  CHECK_FALSE(socket::parse_socket_policy("out bypass esp/transport//use").ok());
}

TEST_CASE("format_socket_policy gives text that parses back to the same policy") {
  for (std::string_view text : {"out bypass", "in discard", "out none", "in ipsec esp/transport//use",
                                "out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require ah/transport//unique:12",
                                "in ipsec ipcomp/transport//use esp/transport//require"}) {
    model::Policy p = parsed(text);
    CHECK(socket::format_socket_policy(p) == text);
    model::Policy back = parsed(socket::format_socket_policy(p));
    CHECK(back.kind == p.kind);
    CHECK(back.dir == p.dir);
    CHECK(back.templates == p.templates);
  }
}

TEST_CASE("setsockopt payload: xfrm_userpolicy_info then raw xfrm_user_tmpl entries") {
  auto bypass = socket::encode_socket_policy(parsed("out bypass"), Family::inet);
  REQUIRE(bypass.ok());
  CHECK(bypass->size() == sizeof(xfrm_userpolicy_info));
  auto info = info_of(*bypass);
  CHECK(info.dir == XFRM_POLICY_OUT);
  CHECK(info.action == XFRM_POLICY_ALLOW);
  CHECK(info.sel.family == AF_INET);
  CHECK(info.sel.prefixlen_d == 0);
  CHECK(info.sel.prefixlen_s == 0);
  CHECK(info.index == 0);  // the kernel assigns it
  CHECK(info.lft.soft_byte_limit == XFRM_INF);
  CHECK(info.lft.hard_packet_limit == XFRM_INF);

  auto discard = socket::encode_socket_policy(parsed("in discard"), Family::inet6);
  REQUIRE(discard.ok());
  CHECK(info_of(*discard).action == XFRM_POLICY_BLOCK);
  CHECK(info_of(*discard).dir == XFRM_POLICY_IN);
  CHECK(info_of(*discard).sel.family == AF_INET6);

  auto ipsec = socket::encode_socket_policy(parsed("out ipsec esp/transport//use ah/tunnel/192.0.2.1-192.0.2.2/unique:5"),
                                            Family::inet);
  REQUIRE(ipsec.ok());
  CHECK(ipsec->size() == sizeof(xfrm_userpolicy_info) + 2 * sizeof(xfrm_user_tmpl));
  auto esp = tmpl_of(*ipsec, 0), ah = tmpl_of(*ipsec, 1);
  CHECK(esp.id.proto == IPPROTO_ESP);
  CHECK(esp.mode == XFRM_MODE_TRANSPORT);
  CHECK(esp.optional == 1);  // use
  CHECK(esp.family == 0);    // transport: the kernel takes the selector's family
  CHECK(esp.aalgos == ~0u);
  CHECK(ah.id.proto == IPPROTO_AH);
  CHECK(ah.mode == XFRM_MODE_TUNNEL);
  CHECK(ah.optional == 0);
  CHECK(ah.reqid == 5);
  CHECK(ah.family == AF_INET);
  CHECK(ah.id.daddr.a4 == htonl(0xc0000202));
  CHECK(ah.saddr.a4 == htonl(0xc0000201));
}

TEST_CASE("what cannot go into setsockopt is refused before the kernel sees it") {
  auto entrust = socket::encode_socket_policy(parsed("out entrust"), Family::inet);
  REQUIRE_FALSE(entrust.ok());
  CHECK(entrust.error().code == EINVAL);

  model::Policy fwd = parsed("out bypass");
  fwd.dir = Direction::fwd;
  CHECK(socket::encode_socket_policy(fwd, Family::inet).error().code == EINVAL);

  auto unresolved = socket::encode_socket_policy(parsed("out ipsec esp/transport//default"), Family::inet);
  REQUIRE_FALSE(unresolved.ok());
  CHECK(unresolved.error().message.find("default") != std::string::npos);

  model::Policy seven = parsed("out ipsec esp/transport//require");
  seven.templates.resize(7, seven.templates[0]);
  CHECK(socket::encode_socket_policy(seven, Family::inet).error().code == EINVAL);

  CHECK(socket::encode_socket_policy(parsed("out bypass"), Family::unspec).error().code == EAFNOSUPPORT);
}

TEST_CASE("decode_socket_policy inverts encode_socket_policy") {
  for (std::string_view text : {"out bypass", "in discard", "in ipsec esp/transport//require",
                                "in ipsec esp/tunnel/2001:db8::1-2001:db8::2/use ipcomp/transport//unique:3"}) {
    model::Policy p = parsed(text);
    Family f = text.find("2001:") != std::string_view::npos ? Family::inet6 : Family::inet;
    auto bytes = socket::encode_socket_policy(p, f);
    REQUIRE(bytes.ok());
    auto back = socket::decode_socket_policy(*bytes);
    REQUIRE(back.ok());
    CHECK(back->dir == p.dir);
    CHECK(back->kind == p.kind);
    CHECK(back->sel.family == f);
    REQUIRE(back->templates.size() == p.templates.size());
    for (size_t i = 0; i < p.templates.size(); ++i) {
      CHECK(back->templates[i].proto == p.templates[i].proto);
      CHECK(back->templates[i].mode == p.templates[i].mode);
      CHECK(back->templates[i].level == p.templates[i].level);
      CHECK(back->templates[i].reqid == p.templates[i].reqid);
      CHECK(back->templates[i].dst == p.templates[i].dst);
    }
  }
  std::vector<uint8_t> ragged(sizeof(xfrm_userpolicy_info) + 3, 0);
  CHECK(socket::decode_socket_policy(ragged).error().code == EBADMSG);
  CHECK(socket::decode_socket_policy(std::vector<uint8_t>(8, 0)).error().code == EBADMSG);
}

TEST_CASE("'default' levels resolve from the namespace state; IPComp is always use") {
  model::Policy p = parsed("out ipsec esp/transport//default ah/tunnel/10.0.0.1-10.0.0.2/default ipcomp/transport//default");
  // Nothing set: Linux (and ipsec-tools on Linux) make 'default' require.
  auto plain = socket::resolve_default_levels(p, Family::inet, knobs::DefaultLevels{});
  CHECK(plain.templates[0].level == Level::require);
  CHECK(plain.templates[1].level == Level::require);
  CHECK(plain.templates[2].level == Level::use);

  knobs::KnobState st;
  st.values["net.inet.ipsec.esp_trans_deflev"] = 1;
  st.values["net.inet.ipsec.ah_net_deflev"] = 1;
  st.values["net.inet6.ipsec6.esp_trans_deflev"] = 2;
  auto set = socket::resolve_default_levels(p, Family::inet, knobs::DefaultLevels(st));
  CHECK(set.templates[0].level == Level::use);
  CHECK(set.templates[1].level == Level::use);
  // The same policy on an IPv6 socket reads the inet6 knobs.
  auto v6 = socket::resolve_default_levels(parsed("out ipsec esp/transport//default"), Family::inet6, knobs::DefaultLevels(st));
  CHECK(v6.templates[0].level == Level::require);
  // Explicit levels are never touched.
  auto explicit_level = socket::resolve_default_levels(parsed("out ipsec esp/transport//require"), Family::inet,
                                                       knobs::DefaultLevels(st));
  CHECK(explicit_level.templates[0].level == Level::require);
}
