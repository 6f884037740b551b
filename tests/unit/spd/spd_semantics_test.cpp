// SPDX-License-Identifier: BSD-3-Clause
// The kernel's rules engine::Spd reproduces (net/xfrm/xfrm_policy.c), case by case, checked on both
// lookups.
#include <doctest/doctest.h>

#include "spd_mix.hpp"

using namespace xfrmpp;

namespace {

model::Address a4(const char* s) { return *model::Address::parse(s); }

model::Policy pol(const char* src, uint8_t slen, const char* dst, uint8_t dlen, uint32_t prio) {
  model::Policy p;
  p.sel.family = model::Family::inet;
  p.sel.src = testing::masked(a4(src), slen);
  p.sel.dst = testing::masked(a4(dst), dlen);
  p.dir = model::Direction::out;
  p.priority = prio;
  p.kind = model::PolicyKind::none;
  return p;
}

engine::Flow flow(const char* src, const char* dst, uint8_t proto = 17, uint16_t sport = 1000, uint16_t dport = 53) {
  engine::Flow f;
  f.src = a4(src);
  f.dst = a4(dst);
  f.proto = proto;
  f.sport = sport;
  f.dport = dport;
  return f;
}

uint32_t winner(const engine::Spd& spd, const engine::Flow& f) {
  const model::Policy* a = spd.lookup(f);
  const model::Policy* b = spd.lookup_linear(f);
  REQUIRE(a == b);
  return a ? a->index : 0;
}

}  // namespace

TEST_CASE("lowest priority wins; an equal priority goes to the older inexact policy") {
  engine::Spd spd;
  auto p1 = *spd.insert(pol("10.0.0.0", 8, "0.0.0.0", 0, 200), false);
  auto p2 = *spd.insert(pol("10.1.0.0", 16, "0.0.0.0", 0, 100), false);
  auto p3 = *spd.insert(pol("0.0.0.0", 0, "10.2.0.0", 16, 100), false);
  CHECK(winner(spd, flow("10.1.0.1", "10.2.0.1")) == p2.index);  // p2, p3 tie: p2 is older
  CHECK(winner(spd, flow("10.3.0.1", "10.2.0.1")) == p3.index);
  CHECK(winner(spd, flow("10.3.0.1", "10.4.0.1")) == p1.index);
  CHECK(winner(spd, flow("11.3.0.1", "10.4.0.1")) == 0);
}

TEST_CASE("UPDPOLICY: a replacement keeps the index and is linked anew (newest for ties across chains)") {
  engine::Spd spd;
  auto p1 = *spd.insert(pol("10.1.0.0", 16, "0.0.0.0", 0, 100), false);
  auto p2 = *spd.insert(pol("0.0.0.0", 0, "10.2.0.0", 16, 100), false);
  auto f = flow("10.1.0.1", "10.2.0.1");
  CHECK(winner(spd, f) == p1.index);
  auto r = *spd.insert(pol("10.1.0.0", 16, "0.0.0.0", 0, 100), true);
  CHECK(r.index == p1.index);  // a replacement keeps the index
  CHECK(winner(spd, f) == p2.index);  // p1's new pos is younger than p2's
  r = *spd.insert(pol("0.0.0.0", 0, "10.2.0.0", 16, 100), true);
  CHECK(winner(spd, f) == p1.index);
  // and the dump lists the last replaced one as the newest
  CHECK(spd.dump().back().index == p2.index);
}

TEST_CASE("exact hash against inexact of equal priority: the one linked first wins (Linux >= 6.12 pos)") {
  engine::Spd spd;
  auto e = *spd.insert(pol("10.1.0.1", 32, "10.2.0.1", 32, 100), false);
  auto i1 = *spd.insert(pol("10.1.0.0", 16, "0.0.0.0", 0, 100), false);
  auto f = flow("10.1.0.1", "10.2.0.1");
  CHECK(winner(spd, f) == e.index);
  // a same-priority replacement of the exact one is linked anew: the inexact one is now older
  REQUIRE(spd.insert(pol("10.1.0.1", 32, "10.2.0.1", 32, 100), true));
  CHECK(winner(spd, f) == i1.index);
}

TEST_CASE("inside the exact chain a same-priority replacement keeps its place") {
  engine::Spd spd;
  auto a = pol("10.1.0.1", 32, "10.2.0.1", 32, 100);
  a.sel.proto = 17;
  auto pa = *spd.insert(a, false);
  auto b = pol("10.1.0.1", 32, "10.2.0.1", 32, 100);  // same addresses, any protocol: the same chain
  auto pb = *spd.insert(b, false);
  auto f = flow("10.1.0.1", "10.2.0.1");
  CHECK(winner(spd, f) == pa.index);
  REQUIRE(spd.insert(a, true));  // xfrm_policy_insert_list puts it back before b
  CHECK(winner(spd, f) == pa.index);
  a.priority = 200;
  REQUIRE(spd.insert(a, true));
  a.priority = 100;
  REQUIRE(spd.insert(a, true));  // via another priority: now after b
  CHECK(winner(spd, f) == pb.index);
}

TEST_CASE("NEWPOLICY on an existing key is EEXIST whatever the priority; marks are part of the key") {
  engine::Spd spd;
  REQUIRE(spd.insert(pol("10.1.0.0", 16, "0.0.0.0", 0, 100), false));
  auto r = spd.insert(pol("10.1.0.0", 16, "0.0.0.0", 0, 7), false);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == EEXIST);
  auto m = pol("10.1.0.0", 16, "0.0.0.0", 0, 7);
  m.mark = model::Mark{1, 0xff};
  CHECK(spd.insert(m, false));
  auto z = pol("10.1.0.0", 16, "0.0.0.0", 0, 7);
  z.mark = model::Mark{0, 0};  // the kernel's "no mark"
  CHECK(spd.insert(z, false).error().code == EEXIST);
}

TEST_CASE("index rules: generated per direction, an explicit one is tried once, a taken one is replaced") {
  engine::Spd spd;
  auto a = *spd.insert(pol("10.1.0.0", 16, "0.0.0.0", 0, 1), false);
  CHECK(a.index % 8 == 1);
  auto b = pol("10.2.0.0", 16, "0.0.0.0", 0, 1);
  b.index = 4097;
  CHECK(spd.insert(b, false)->index == 4097);
  auto c = pol("10.3.0.0", 16, "0.0.0.0", 0, 1);
  c.index = 4097;  // taken: the kernel generates another instead of failing
  auto rc = *spd.insert(c, false);
  CHECK(rc.index != 4097);
  CHECK(rc.index % 8 == 1);
  auto d = pol("10.2.0.0", 16, "0.0.0.0", 0, 1);
  d.index = 9999;  // a replacement keeps the replaced index
  CHECK(spd.insert(d, true)->index == 4097);
  model::PolicyId id;
  id.index = 4097;
  id.dir = model::Direction::in;  // index 4097 names dir out: ENOENT
  CHECK(spd.remove(id).error().code == ENOENT);
  id.dir = model::Direction::out;
  CHECK(spd.remove(id));
}

TEST_CASE("selector details: ports under masks, ICMP type/code, mark, if_id, family, sub before main") {
  engine::Spd spd;
  auto p = pol("0.0.0.0", 0, "0.0.0.0", 0, 10);
  p.sel.proto = 17;
  p.sel.dport = 0x1230;
  p.sel.dport_mask = 0xfff0;
  auto pp = *spd.insert(p, false);
  CHECK(winner(spd, flow("1.1.1.1", "2.2.2.2", 17, 9, 0x123f)) == pp.index);
  CHECK(winner(spd, flow("1.1.1.1", "2.2.2.2", 17, 9, 0x124f)) == 0);
  CHECK(winner(spd, flow("1.1.1.1", "2.2.2.2", 6, 9, 0x123f)) == 0);

  auto icmp = pol("0.0.0.0", 0, "0.0.0.0", 0, 5);
  icmp.sel.proto = 1;
  icmp.sel.sport = 8;
  icmp.sel.sport_mask = 0xffff;
  auto ic = *spd.insert(icmp, false);
  CHECK(winner(spd, flow("1.1.1.1", "2.2.2.2", 1, 8, 0)) == ic.index);
  CHECK(winner(spd, flow("1.1.1.1", "2.2.2.2", 1, 0, 0)) == 0);

  auto mk = pol("3.0.0.0", 8, "0.0.0.0", 0, 1);
  mk.mark = model::Mark{0x10, 0xf0};
  auto mm = *spd.insert(mk, false);
  auto f = flow("3.1.1.1", "2.2.2.2", 6);
  CHECK(winner(spd, f) == 0);
  f.mark = 0x1f;
  CHECK(winner(spd, f) == mm.index);

  auto xi = pol("4.0.0.0", 8, "0.0.0.0", 0, 1);
  xi.if_id = 7;
  auto xx = *spd.insert(xi, false);
  auto g = flow("4.1.1.1", "2.2.2.2", 6);
  CHECK(winner(spd, g) == 0);
  g.if_id = 7;
  CHECK(winner(spd, g) == xx.index);

  auto sub = pol("5.0.0.0", 8, "0.0.0.0", 0, 1000);
  sub.type = model::PolicyType::sub;
  auto ss = *spd.insert(sub, false);
  REQUIRE(spd.insert(pol("5.0.0.0", 8, "0.0.0.0", 0, 1), false));
  CHECK(winner(spd, flow("5.1.1.1", "2.2.2.2", 6)) == ss.index);

  engine::Flow v6;
  v6.family = model::Family::inet6;
  v6.src = *model::Address::parse("::1");
  v6.dst = *model::Address::parse("::2");
  v6.proto = 6;
  CHECK(winner(spd, v6) == 0);  // a v4 0/0 policy does not match v6
}
