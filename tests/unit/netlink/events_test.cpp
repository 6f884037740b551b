// SPDX-License-Identifier: BSD-3-Clause
// Event decoding from kernel-shaped notifications built by hand.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <cerrno>

#include "wire.hpp"
#include "xfrmpp/netlink/attrs.hpp"
#include "xfrmpp/netlink/events.hpp"
#include "xfrmpp/netlink/policy.hpp"
#include "xfrmpp/netlink/sa.hpp"

using namespace xfrmpp;
using namespace xfrmpp::nl;
using Kind = Event::Kind;

namespace {

// A notification as the kernel multicasts it: portid 0, flags 0.
struct Note {
  std::vector<uint8_t> buf = wire::buffer();
  MessageWriter w;
  explicit Note(uint16_t type) : w(buf, type, Request{0, 0}) {}
  Event decode() {
    auto n = w.finish();
    REQUIRE(n.ok());
    auto ev = decode_event(std::span<const uint8_t>(buf).first(*n));
    REQUIRE(ev.ok());
    return ev.value();
  }
};

xfrm_usersa_info sa_info() {
  xfrm_usersa_info info{};
  info.family = AF_INET;
  info.id.daddr.a4 = htonl(0xc0000202);
  info.saddr.a4 = htonl(0xc0000201);
  info.id.spi = htonl(0x1234);
  info.id.proto = IPPROTO_ESP;
  info.reqid = 4;
  info.mode = XFRM_MODE_TUNNEL;
  return info;
}

xfrm_userpolicy_info policy_info(uint32_t priority) {
  xfrm_userpolicy_info p{};
  p.sel.family = AF_INET;
  p.sel.daddr.a4 = htonl(0x0a000002);
  p.sel.prefixlen_d = 32;
  p.priority = priority;
  p.dir = XFRM_POLICY_OUT;
  p.index = 0x11;
  p.action = XFRM_POLICY_ALLOW;
  return p;
}

xfrm_user_tmpl esp_tunnel_tmpl() {
  model::Template t;
  t.proto = model::Protocol::esp;
  t.mode = model::Mode::tunnel;
  t.family = model::Family::inet;
  t.src = wire::addr("192.0.2.1");
  t.dst = wire::addr("192.0.2.2");
  t.reqid = 7;
  t.level = model::Level::unique;
  return encode_template(t);
}

}  // namespace

TEST_CASE("NEW/UPD/DEL POLICY notifications; DELPOLICY takes the policy from XFRMA_POLICY") {
  auto buf = wire::buffer();
  auto n = encode_policy(buf, XFRM_MSG_NEWPOLICY, wire::full_policy(), Request{0, 0});
  REQUIRE(n.ok());
  auto ev = decode_event(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(ev.ok());
  CHECK(ev->kind == Kind::new_policy);
  CHECK(ev->raw_type == XFRM_MSG_NEWPOLICY);
  REQUIRE(ev->policy);
  CHECK(wire::diff(*ev->policy, wire::full_policy()) == "");

  auto u = encode_policy(buf, XFRM_MSG_UPDPOLICY, wire::full_policy(), Request{0, 0});
  REQUIRE(u.ok());
  CHECK(decode_event(std::span<const uint8_t>(buf).first(*u))->kind == Kind::update_policy);

  Note del(XFRM_MSG_DELPOLICY);
  xfrm_userpolicy_id id{};
  id.index = 0x11;
  id.dir = XFRM_POLICY_OUT;
  del.w.put_fixed(id);
  del.w.put_attr(XFRMA_POLICY, policy_info(9));
  auto tmpl = esp_tunnel_tmpl();
  del.w.put_attr(XFRMA_TMPL, tmpl);
  del.w.put_attr(XFRMA_MARK, xfrm_mark{3, 0xff});
  Event d = del.decode();
  CHECK(d.kind == Kind::delete_policy);
  REQUIRE(d.policy);
  CHECK(d.policy->priority == 9);
  CHECK(d.policy->sel.dst == wire::prefix("10.0.0.2", 32));
  CHECK(d.policy->kind == model::PolicyKind::ipsec);
  REQUIRE(d.policy->templates.size() == 1);
  CHECK(d.policy->templates[0].reqid == 7);
  CHECK(d.policy->mark == model::Mark{3, 0xff});

  Note bare(XFRM_MSG_DELPOLICY);
  bare.w.put_fixed(id);
  Event b = bare.decode();
  REQUIRE(b.policy);
  CHECK(b.policy->index == 0x11);
  CHECK(b.policy->dir == model::Direction::out);
}

TEST_CASE("NEWSA and DELSA notifications; DELSA takes the SA from XFRMA_SA") {
  auto buf = wire::buffer();
  auto n = encode_sa(buf, XFRM_MSG_NEWSA, wire::full_sa(), Request{0, 0});
  REQUIRE(n.ok());
  auto ev = decode_event(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(ev.ok());
  CHECK(ev->kind == Kind::new_sa);
  REQUIRE(ev->sa);
  CHECK(wire::diff(*ev->sa, wire::full_sa()) == "");

  Note del(XFRM_MSG_DELSA);
  xfrm_usersa_id id{};
  id.daddr.a4 = htonl(0xc0000202);
  id.spi = htonl(0x1234);
  id.family = AF_INET;
  id.proto = IPPROTO_ESP;
  del.w.put_fixed(id);
  del.w.put_attr(XFRMA_SA, sa_info());
  xfrm_algo_auth auth{};
  std::strcpy(auth.alg_name, "hmac(sha1)");
  auth.alg_key_len = 160;
  auth.alg_trunc_len = 96;
  std::vector<uint8_t> key(20, 9);
  del.w.put_attr2(XFRMA_ALG_AUTH_TRUNC, &auth, sizeof auth, key.data(), key.size());
  Event d = del.decode();
  CHECK(d.kind == Kind::delete_sa);
  REQUIRE(d.sa);
  CHECK(d.sa->spi == 0x1234);
  CHECK(d.sa->reqid == 4);
  CHECK(d.sa->mode == model::Mode::tunnel);
  CHECK(d.sa->src == wire::addr("192.0.2.1"));
  REQUIRE(d.sa->auth);
  CHECK(d.sa->auth->icv_bits == 96);

  Note bare(XFRM_MSG_DELSA);
  bare.w.put_fixed(id);
  Event b = bare.decode();
  REQUIRE(b.sa);
  CHECK(b.sa->dst == wire::addr("192.0.2.2"));
  CHECK(b.sa->spi == 0x1234);
}

TEST_CASE("FLUSHSA and FLUSHPOLICY notifications") {
  Note esp(XFRM_MSG_FLUSHSA);
  esp.w.put_fixed(xfrm_usersa_flush{IPPROTO_ESP});
  Event e = esp.decode();
  CHECK(e.kind == Kind::flush_sa);
  REQUIRE(e.sa);
  CHECK(e.sa->proto == model::Protocol::esp);

  Note any(XFRM_MSG_FLUSHSA);
  any.w.put_fixed(xfrm_usersa_flush{0});
  CHECK_FALSE(any.decode().sa);

  Note pol(XFRM_MSG_FLUSHPOLICY);
  CHECK(pol.decode().kind == Kind::flush_policy);
}

TEST_CASE("ACQUIRE yields the policy with its templates and the larval SA") {
  Note acq(XFRM_MSG_ACQUIRE);
  xfrm_user_acquire a{};
  a.id.daddr.a4 = htonl(0xc0000202);
  a.id.proto = IPPROTO_ESP;
  a.saddr.a4 = htonl(0xc0000201);
  a.sel = policy_info(0).sel;
  a.policy = policy_info(5);
  a.seq = 1234;
  acq.w.put_fixed(a);
  acq.w.put_attr(XFRMA_TMPL, esp_tunnel_tmpl());
  acq.w.put_u32(XFRMA_IF_ID, 6);
  Event e = acq.decode();
  CHECK(e.kind == Kind::acquire);
  REQUIRE(e.policy);
  CHECK(e.policy->priority == 5);
  CHECK(e.policy->if_id == 6u);
  REQUIRE(e.policy->templates.size() == 1);
  REQUIRE(e.sa);
  CHECK(e.sa->seq == 1234);
  CHECK(e.sa->dst == wire::addr("192.0.2.2"));
  CHECK(e.sa->src == wire::addr("192.0.2.1"));
  CHECK(e.sa->reqid == 7);
  CHECK(e.sa->mode == model::Mode::tunnel);
  CHECK(e.sa->if_id == 6u);
}

TEST_CASE("EXPIRE and POLEXPIRE carry hard/soft") {
  Note exp(XFRM_MSG_EXPIRE);
  xfrm_user_expire x{};
  x.state = sa_info();
  x.hard = 1;
  exp.w.put_fixed(x);
  Event e = exp.decode();
  CHECK(e.kind == Kind::expire);
  CHECK(e.hard);
  REQUIRE(e.sa);
  CHECK(e.sa->spi == 0x1234);

  Note pexp(XFRM_MSG_POLEXPIRE);
  xfrm_user_polexpire px{};
  px.pol = policy_info(33);
  px.hard = 0;
  pexp.w.put_fixed(px);
  Event p = pexp.decode();
  CHECK(p.kind == Kind::policy_expire);
  CHECK_FALSE(p.hard);
  REQUIRE(p.policy);
  CHECK(p.policy->priority == 33);
}

TEST_CASE("NEWAE, MAPPING, REPORT and GETDEFAULT notifications") {
  Note ae(XFRM_MSG_NEWAE);
  xfrm_aevent_id id{};
  id.sa_id.daddr.a4 = htonl(0xc0000202);
  id.sa_id.spi = htonl(0x99);
  id.sa_id.family = AF_INET;
  id.sa_id.proto = IPPROTO_ESP;
  id.reqid = 2;
  ae.w.put_fixed(id);
  ae.w.put_attr(XFRMA_REPLAY_VAL, xfrm_replay_state{10, 11, 0});
  ae.w.put_attr(XFRMA_LTIME_VAL, xfrm_lifetime_cur{500, 5, 0, 0});
  Event a = ae.decode();
  CHECK(a.kind == Kind::new_ae);
  REQUIRE(a.sa);
  CHECK(a.sa->spi == 0x99);
  CHECK(a.sa->reqid == 2);
  CHECK(a.sa->replay_counters.oseq == 10);
  CHECK(a.sa->replay_counters.seq == 11);
  CHECK(a.sa->current.bytes == 500);

  Note map(XFRM_MSG_MAPPING);
  xfrm_user_mapping m{};
  m.id = id.sa_id;
  m.reqid = 3;
  m.old_saddr.a4 = htonl(0x01010101);
  m.new_saddr.a4 = htonl(0x02020202);
  m.old_sport = htons(4500);
  m.new_sport = htons(4501);
  map.w.put_fixed(m);
  Event mp = map.decode();
  CHECK(mp.kind == Kind::mapping);
  REQUIRE(mp.sa);
  CHECK(mp.sa->src == wire::addr("2.2.2.2"));
  REQUIRE(mp.sa->encap);
  CHECK(mp.sa->encap->sport == 4501);

  Note rep(XFRM_MSG_REPORT);
  xfrm_user_report r{};
  r.proto = IPPROTO_DSTOPTS;
  r.sel = policy_info(0).sel;
  rep.w.put_fixed(r);
  xfrm_address_t co{};
  co.a4 = htonl(0x03030303);
  rep.w.put_attr(XFRMA_COADDR, co);
  Event rp = rep.decode();
  CHECK(rp.kind == Kind::report);
  REQUIRE(rp.sa);
  CHECK(static_cast<int>(rp.sa->proto) == IPPROTO_DSTOPTS);
  CHECK(rp.sa->coaddr == wire::addr("3.3.3.3"));

  Note def(XFRM_MSG_GETDEFAULT);
  xfrm_userpolicy_default dp{};
  dp.in = XFRM_USERPOLICY_BLOCK;
  dp.fwd = XFRM_USERPOLICY_ACCEPT;
  dp.out = XFRM_USERPOLICY_ACCEPT;
  def.w.put_fixed(dp);
  Event df = def.decode();
  CHECK(df.kind == Kind::default_policy);
  REQUIRE(df.defaults);
  CHECK(df.defaults->in == model::PolicyAction::block);
  CHECK(df.defaults->out == model::PolicyAction::allow);
}

TEST_CASE("unknown types are Kind::other; truncated messages are errors") {
  Note mig(XFRM_MSG_MIGRATE);
  mig.w.put_fixed(xfrm_userpolicy_id{});
  Event m = mig.decode();
  CHECK(m.kind == Kind::other);
  CHECK(m.raw_type == XFRM_MSG_MIGRATE);

  auto buf = wire::buffer();
  MessageWriter w(buf, XFRM_MSG_ACQUIRE, Request{});
  w.put_fixed(uint32_t{0});  // far shorter than xfrm_user_acquire
  auto n = w.finish();
  REQUIRE(n.ok());
  CHECK(decode_event(std::span<const uint8_t>(buf).first(*n)).error().code == EBADMSG);
}
