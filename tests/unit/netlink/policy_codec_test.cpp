// SPDX-License-Identifier: BSD-3-Clause
// Policy codec: exact UAPI bytes of the key fields, round trips, and the Level/PolicyKind mapping rules.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <cerrno>
#include <cstddef>

#include "wire.hpp"
#include "xfrmpp/netlink/policy.hpp"

using namespace xfrmpp;
using namespace xfrmpp::nl;
using model::Level;
using model::PolicyKind;

namespace {

constexpr size_t kInfo = NLMSG_HDRLEN;  // xfrm_userpolicy_info starts right after the header
constexpr size_t kSel = kInfo + offsetof(xfrm_userpolicy_info, sel);

model::Policy host_policy() {
  model::Policy p;
  p.sel.family = model::Family::inet;
  p.sel.src = wire::prefix("10.0.0.1", 32);
  p.sel.dst = wire::prefix("10.0.0.2", 32);
  p.sel.proto = 6;
  p.sel.sport = 1234;
  p.sel.sport_mask = 0xffff;
  p.sel.dport = 80;
  p.sel.dport_mask = 0xffff;
  p.dir = model::Direction::out;
  p.priority = 7;
  model::Template t;
  t.proto = model::Protocol::esp;
  t.mode = model::Mode::tunnel;
  t.src = wire::addr("192.0.2.1");
  t.dst = wire::addr("192.0.2.2");
  t.level = Level::unique;
  t.reqid = 5;
  p.templates = {t};
  p.mark = model::Mark{0x10, 0xff};
  p.if_id = 42;
  return p;
}

model::Policy round_trip(const model::Policy& p, uint16_t type = XFRM_MSG_NEWPOLICY) {
  auto buf = wire::buffer();
  auto n = encode_policy(buf, type, p, Request{1});
  REQUIRE(n.ok());
  auto back = decode_policy(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(back.ok());
  return back.value();
}

}  // namespace

TEST_CASE("NEWPOLICY bytes follow the xfrm_userpolicy_info layout") {
  auto buf = wire::buffer();
  auto n = encode_policy(buf, XFRM_MSG_NEWPOLICY, host_policy(), Request{31});
  REQUIRE(n.ok());
  std::span<const uint8_t> msg(buf.data(), *n);
  CHECK(wire::load<uint32_t>(msg, 0) == *n);
  CHECK(wire::load<uint16_t>(msg, 4) == XFRM_MSG_NEWPOLICY);
  CHECK(wire::load<uint16_t>(msg, 6) == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK(wire::load<uint32_t>(msg, 8) == 31);

  const uint8_t daddr[4] = {10, 0, 0, 2}, saddr[4] = {10, 0, 0, 1};
  CHECK(std::memcmp(msg.data() + kSel + offsetof(xfrm_selector, daddr), daddr, 4) == 0);
  CHECK(std::memcmp(msg.data() + kSel + offsetof(xfrm_selector, saddr), saddr, 4) == 0);
  // Ports and masks are big-endian on the wire.
  CHECK(msg[kSel + offsetof(xfrm_selector, dport)] == 0x00);
  CHECK(msg[kSel + offsetof(xfrm_selector, dport) + 1] == 80);
  CHECK(msg[kSel + offsetof(xfrm_selector, sport)] == 0x04);
  CHECK(msg[kSel + offsetof(xfrm_selector, sport) + 1] == 0xd2);
  CHECK(wire::load<uint16_t>(msg, kSel + offsetof(xfrm_selector, dport_mask)) == 0xffff);
  CHECK(wire::load<uint16_t>(msg, kSel + offsetof(xfrm_selector, family)) == AF_INET);
  CHECK(msg[kSel + offsetof(xfrm_selector, prefixlen_d)] == 32);
  CHECK(msg[kSel + offsetof(xfrm_selector, prefixlen_s)] == 32);
  CHECK(msg[kSel + offsetof(xfrm_selector, proto)] == 6);
  CHECK(wire::load<uint32_t>(msg, kInfo + offsetof(xfrm_userpolicy_info, priority)) == 7);
  CHECK(msg[kInfo + offsetof(xfrm_userpolicy_info, dir)] == XFRM_POLICY_OUT);
  CHECK(msg[kInfo + offsetof(xfrm_userpolicy_info, action)] == XFRM_POLICY_ALLOW);
  CHECK(wire::load<uint64_t>(msg, kInfo + offsetof(xfrm_userpolicy_info, lft) +
                                      offsetof(xfrm_lifetime_cfg, hard_byte_limit)) == XFRM_INF);

  auto tmpl = wire::find_attr(msg, sizeof(xfrm_userpolicy_info), XFRMA_TMPL);
  REQUIRE(tmpl);
  CHECK(tmpl->offset == NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(xfrm_userpolicy_info)) + 4);
  CHECK(tmpl->len == sizeof(xfrm_user_tmpl));
  size_t t = tmpl->offset;
  const uint8_t tdst[4] = {192, 0, 2, 2}, tsrc[4] = {192, 0, 2, 1};
  CHECK(std::memcmp(msg.data() + t + offsetof(xfrm_user_tmpl, id) + offsetof(xfrm_id, daddr), tdst, 4) == 0);
  CHECK(std::memcmp(msg.data() + t + offsetof(xfrm_user_tmpl, saddr), tsrc, 4) == 0);
  CHECK(msg[t + offsetof(xfrm_user_tmpl, id) + offsetof(xfrm_id, proto)] == IPPROTO_ESP);
  CHECK(wire::load<uint32_t>(msg, t + offsetof(xfrm_user_tmpl, reqid)) == 5);
  CHECK(msg[t + offsetof(xfrm_user_tmpl, mode)] == XFRM_MODE_TUNNEL);
  CHECK(msg[t + offsetof(xfrm_user_tmpl, optional)] == 0);
  CHECK(wire::load<uint16_t>(msg, t + offsetof(xfrm_user_tmpl, family)) == 0);  // inherit the selector's
  CHECK(wire::load<uint32_t>(msg, t + offsetof(xfrm_user_tmpl, ealgos)) == 0xffffffff);

  auto mark = wire::find_attr(msg, sizeof(xfrm_userpolicy_info), XFRMA_MARK);
  REQUIRE(mark);
  CHECK(mark->len == sizeof(xfrm_mark));
  CHECK(wire::load<uint32_t>(msg, mark->offset + offsetof(xfrm_mark, v)) == 0x10);
  CHECK(wire::load<uint32_t>(msg, mark->offset + offsetof(xfrm_mark, m)) == 0xff);
  auto if_id = wire::find_attr(msg, sizeof(xfrm_userpolicy_info), XFRMA_IF_ID);
  REQUIRE(if_id);
  CHECK(if_id->len == 4);
  CHECK(wire::load<uint32_t>(msg, if_id->offset) == 42);
  // MAIN is the default: no POLICY_TYPE, and nothing else either.
  CHECK_FALSE(wire::find_attr(msg, sizeof(xfrm_userpolicy_info), XFRMA_POLICY_TYPE));
  CHECK(wire::count_attrs(msg, sizeof(xfrm_userpolicy_info)) == 3);
}

TEST_CASE("policy round trip keeps every field") {
  auto p = wire::full_policy();
  CHECK(wire::diff(round_trip(p), p) == "");
  CHECK(wire::diff(round_trip(p, XFRM_MSG_UPDPOLICY), p) == "");

  auto v6 = host_policy();
  v6.sel.family = model::Family::inet6;
  v6.sel.src = wire::prefix("2001:db8::1", 128);
  v6.sel.dst = wire::prefix("2001:db8::", 32);
  v6.sel.proto = 58;  // ICMPv6: type 135 in sport, code 0 in dport
  v6.sel.sport = 135;
  v6.sel.dport = 0;
  v6.templates[0].family = model::Family::inet6;
  v6.templates[0].src = wire::addr("2001:db8:ff::1");
  v6.templates[0].dst = wire::addr("2001:db8:ff::2");
  CHECK(wire::diff(round_trip(v6), v6) == "");
}

TEST_CASE("ICMP type and code travel in sport and dport") {
  model::Policy p;
  p.sel.family = model::Family::inet;
  p.sel.src = wire::prefix("0.0.0.0", 0);
  p.sel.dst = wire::prefix("0.0.0.0", 0);
  p.sel.proto = 1;
  p.sel.sport = 8;  // echo request
  p.sel.sport_mask = 0xffff;
  p.sel.dport = 0;
  p.sel.dport_mask = 0xffff;
  p.kind = PolicyKind::none;
  auto buf = wire::buffer();
  auto n = encode_policy(buf, XFRM_MSG_NEWPOLICY, p);
  REQUIRE(n.ok());
  CHECK(wire::load<uint16_t>(buf, kSel + offsetof(xfrm_selector, sport)) == htons(8));
  CHECK(wire::load<uint16_t>(buf, kSel + offsetof(xfrm_selector, dport_mask)) == 0xffff);
  CHECK(wire::diff(round_trip(p), p) == "");
}

TEST_CASE("Level maps onto optional and reqid, and decodes back by the documented rule") {
  auto with_level = [](Level level, uint32_t reqid) {
    auto p = host_policy();
    p.templates[0].level = level;
    p.templates[0].reqid = reqid;
    return p;
  };
  auto optional_byte = [](const model::Policy& p) {
    auto buf = wire::buffer();
    auto n = encode_policy(buf, XFRM_MSG_NEWPOLICY, p);
    REQUIRE(n.ok());
    auto t = wire::find_attr(std::span<const uint8_t>(buf).first(*n), sizeof(xfrm_userpolicy_info), XFRMA_TMPL);
    REQUIRE(t);
    return buf[t->offset + offsetof(xfrm_user_tmpl, optional)];
  };
  CHECK(optional_byte(with_level(Level::use, 0)) == 1);
  CHECK(optional_byte(with_level(Level::require, 0)) == 0);
  CHECK(optional_byte(with_level(Level::default_level, 0)) == 0);
  CHECK(optional_byte(with_level(Level::unique, 9)) == 0);

  CHECK(round_trip(with_level(Level::use, 9)).templates[0].level == Level::use);
  CHECK(round_trip(with_level(Level::unique, 9)).templates[0].level == Level::unique);
  CHECK(round_trip(with_level(Level::unique, 9)).templates[0].reqid == 9);
  CHECK(round_trip(with_level(Level::require, 0)).templates[0].level == Level::require);
  CHECK(round_trip(with_level(Level::default_level, 0)).templates[0].level == Level::require);
}

TEST_CASE("PolicyKind maps onto the action and the presence of templates") {
  auto action_of = [](const model::Policy& p) {
    auto buf = wire::buffer();
    auto n = encode_policy(buf, XFRM_MSG_NEWPOLICY, p);
    REQUIRE(n.ok());
    return buf[kInfo + offsetof(xfrm_userpolicy_info, action)];
  };
  auto discard = host_policy();
  discard.kind = PolicyKind::discard;
  discard.templates.clear();
  auto none = discard;
  none.kind = PolicyKind::none;
  CHECK(action_of(discard) == XFRM_POLICY_BLOCK);
  CHECK(action_of(none) == XFRM_POLICY_ALLOW);
  CHECK(action_of(host_policy()) == XFRM_POLICY_ALLOW);
  CHECK(round_trip(discard).kind == PolicyKind::discard);
  CHECK(round_trip(none).kind == PolicyKind::none);
  CHECK(round_trip(host_policy()).kind == PolicyKind::ipsec);
}

TEST_CASE("encode_policy refuses shapes XFRM cannot express") {
  auto buf = wire::buffer();
  auto p = host_policy();
  p.kind = PolicyKind::none;  // none with a template
  CHECK(encode_policy(buf, XFRM_MSG_NEWPOLICY, p).error().code == EINVAL);
  p = host_policy();
  p.kind = PolicyKind::bypass;
  p.templates.clear();
  CHECK(encode_policy(buf, XFRM_MSG_NEWPOLICY, p).error().code == EINVAL);
  p = host_policy();
  p.templates.assign(7, p.templates[0]);
  CHECK(encode_policy(buf, XFRM_MSG_NEWPOLICY, p).error().code == EINVAL);
  p.templates.resize(6);
  CHECK(encode_policy(buf, XFRM_MSG_NEWPOLICY, p).ok());
  CHECK(encode_policy(buf, XFRM_MSG_NEWSA, host_policy()).error().code == EINVAL);
  auto small = wire::buffer(64);
  CHECK(encode_policy(small, XFRM_MSG_NEWPOLICY, host_policy()).error().code == EMSGSIZE);
}

TEST_CASE("DELPOLICY/GETPOLICY carry xfrm_userpolicy_id and the key attributes") {
  model::PolicyId id;
  id.sel = host_policy().sel;
  id.dir = model::Direction::in;
  id.mark = model::Mark{1, 0xffffffff};
  id.if_id = 3;
  id.type = model::PolicyType::sub;
  auto buf = wire::buffer();
  auto n = encode_policy_id(buf, XFRM_MSG_DELPOLICY, id, Request{4});
  REQUIRE(n.ok());
  std::span<const uint8_t> msg(buf.data(), *n);
  CHECK(wire::load<uint16_t>(msg, 4) == XFRM_MSG_DELPOLICY);
  CHECK(msg[NLMSG_HDRLEN + offsetof(xfrm_userpolicy_id, dir)] == XFRM_POLICY_IN);
  CHECK(wire::load<uint32_t>(msg, NLMSG_HDRLEN + offsetof(xfrm_userpolicy_id, index)) == 0);
  auto type = wire::find_attr(msg, sizeof(xfrm_userpolicy_id), XFRMA_POLICY_TYPE);
  REQUIRE(type);
  CHECK(msg[type->offset + offsetof(xfrm_userpolicy_type, type)] == XFRM_POLICY_TYPE_SUB);
  auto back = decode_policy_id(msg);
  REQUIRE(back.ok());
  CHECK(back->sel == id.sel);
  CHECK(back->dir == id.dir);
  CHECK(back->mark == id.mark);
  CHECK(back->if_id == id.if_id);
  CHECK(back->type == id.type);

  model::PolicyId by_index;
  by_index.index = 0x209;
  by_index.dir = model::Direction::out;
  auto m = encode_policy_id(buf, XFRM_MSG_GETPOLICY, by_index, Request{5, NLM_F_REQUEST});
  REQUIRE(m.ok());
  CHECK(wire::load<uint32_t>(buf, NLMSG_HDRLEN + offsetof(xfrm_userpolicy_id, index)) == 0x209);
  CHECK(wire::load<uint16_t>(buf, 6) == NLM_F_REQUEST);
  CHECK(decode_policy_id(std::span<const uint8_t>(buf).first(*m))->index == 0x209);
  CHECK(encode_policy_id(buf, XFRM_MSG_NEWPOLICY, id).error().code == EINVAL);
}

TEST_CASE("the policy dump request has no body; FLUSHPOLICY has none either for MAIN") {
  auto buf = wire::buffer();
  auto n = encode_policy_dump(buf, 12);
  REQUIRE(n.ok());
  CHECK(*n == NLMSG_HDRLEN);
  CHECK(wire::load<uint16_t>(buf, 4) == XFRM_MSG_GETPOLICY);
  CHECK(wire::load<uint16_t>(buf, 6) == (NLM_F_REQUEST | NLM_F_DUMP));
  CHECK(wire::load<uint32_t>(buf, 8) == 12);

  auto f = encode_policy_flush(buf, model::PolicyType::main, Request{2});
  REQUIRE(f.ok());
  CHECK(*f == NLMSG_HDRLEN);
  CHECK(decode_policy_flush(std::span<const uint8_t>(buf).first(*f)).value() == model::PolicyType::main);
  auto s = encode_policy_flush(buf, model::PolicyType::sub, Request{3});
  REQUIRE(s.ok());
  CHECK(*s == NLMSG_HDRLEN + NLA_ALIGN(4 + sizeof(xfrm_userpolicy_type)));
  CHECK(decode_policy_flush(std::span<const uint8_t>(buf).first(*s)).value() == model::PolicyType::sub);
}

TEST_CASE("decode_policy rejects other types and malformed templates") {
  auto buf = wire::buffer();
  std::vector<uint8_t> tmpl_bytes(sizeof(xfrm_user_tmpl) + 8, 0);  // one and a bit templates
  MessageWriter w(buf, XFRM_MSG_NEWPOLICY, Request{});
  w.put_fixed(xfrm_userpolicy_info{});
  w.put_attr(XFRMA_TMPL, tmpl_bytes.data(), tmpl_bytes.size());
  auto n = w.finish();
  REQUIRE(n.ok());
  CHECK(decode_policy(std::span<const uint8_t>(buf).first(*n)).error().code == EBADMSG);

  std::vector<uint8_t> seven(7 * sizeof(xfrm_user_tmpl), 0);  // more than XFRM_MAX_DEPTH
  MessageWriter w7(buf, XFRM_MSG_NEWPOLICY, Request{});
  w7.put_fixed(xfrm_userpolicy_info{});
  w7.put_attr(XFRMA_TMPL, seven.data(), seven.size());
  auto n7 = w7.finish();
  REQUIRE(n7.ok());
  CHECK(decode_policy(std::span<const uint8_t>(buf).first(*n7)).error().code == EBADMSG);

  auto m = encode_policy(buf, XFRM_MSG_NEWPOLICY, host_policy());
  REQUIRE(m.ok());
  uint16_t type = XFRM_MSG_NEWSA;
  std::memcpy(buf.data() + 4, &type, 2);
  CHECK_FALSE(decode_policy(std::span<const uint8_t>(buf).first(*m)).ok());
}
