// SPDX-License-Identifier: BSD-3-Clause
// SPD round trips through the kernel and the engine: every policy shape, get, delete by selector and by index,
// update.
#include <doctest/doctest.h>

#include <cerrno>

#include "kernel_support.hpp"
#include "wire.hpp"

using namespace xfrmpp;
using model::Direction;
using model::Level;
using model::Mode;
using model::PolicyKind;
using model::Protocol;

namespace {

model::Template tmpl(Protocol proto, Mode mode, Level level, uint32_t reqid = 0, const char* src = nullptr,
                     const char* dst = nullptr) {
  model::Template t;
  t.proto = proto;
  t.mode = mode;
  t.level = level;
  t.reqid = reqid;
  if (src) t.src = wire::addr(src);
  if (dst) t.dst = wire::addr(dst);
  // The kernel reports the family it resolved, so the expectation names it too.
  t.family = src ? t.src.family : model::Family::unspec;
  return t;
}

model::Policy base(const char* src, uint8_t slen, const char* dst, uint8_t dlen, Direction dir) {
  model::Policy p;
  p.sel.src = wire::prefix(src, slen);
  p.sel.dst = wire::prefix(dst, dlen);
  p.sel.family = p.sel.src.addr.family;
  p.dir = dir;
  p.kind = PolicyKind::none;
  return p;
}

/// Policies of every shape the model can express on this kernel.
std::vector<model::Policy> every_shape() {
  std::vector<model::Policy> out;
  {
    auto p = base("10.0.0.1", 32, "10.0.0.2", 32, Direction::out);
    p.kind = PolicyKind::ipsec;
    p.priority = 100;
    p.templates = {tmpl(Protocol::esp, Mode::transport, Level::require)};
    p.templates[0].family = model::Family::inet;
    out.push_back(p);
  }
  {
    auto p = base("10.1.0.0", 16, "10.2.0.0", 24, Direction::in);
    p.sel.proto = 6;
    p.sel.sport = 1234;
    p.sel.sport_mask = 0xffff;
    p.sel.dport = 80;
    p.sel.dport_mask = 0xffff;
    p.kind = PolicyKind::ipsec;
    p.templates = {tmpl(Protocol::esp, Mode::tunnel, Level::unique, 5, "192.0.2.1", "192.0.2.2")};
    out.push_back(p);
  }
  {
    auto p = base("0.0.0.0", 0, "10.3.0.0", 16, Direction::fwd);
    p.sel.proto = 1;  // ICMP echo request: type in sport, code in dport
    p.sel.sport = 8;
    p.sel.sport_mask = 0xffff;
    p.sel.dport = 0;
    p.sel.dport_mask = 0xffff;
    p.kind = PolicyKind::discard;
    out.push_back(p);
  }
  {
    auto p = base("2001:db8:1::", 48, "2001:db8:2::", 64, Direction::out);
    p.sel.proto = 17;
    p.sel.dport = 53;
    p.sel.dport_mask = 0xffff;
    p.priority = 5;
    out.push_back(p);  // none: allow without templates
  }
  {
    auto p = base("2001:db8::1", 128, "2001:db8::2", 128, Direction::in);
    p.sel.proto = 58;  // ICMPv6 neighbour solicitation
    p.sel.sport = 135;
    p.sel.sport_mask = 0xffff;
    p.kind = PolicyKind::ipsec;
    auto ah = tmpl(Protocol::ah, Mode::transport, Level::use);
    ah.family = model::Family::inet6;
    p.templates = {ah, tmpl(Protocol::esp, Mode::tunnel, Level::require, 0, "2001:db8:ff::1", "2001:db8:ff::2")};
    out.push_back(p);
  }
  {
    auto p = base("10.4.0.1", 32, "10.4.0.2", 32, Direction::out);
    p.kind = PolicyKind::ipsec;
    p.mark = model::Mark{0x1, 0xff};
    p.if_id = 7;
    p.priority = 2;
    p.templates = {tmpl(Protocol::esp, Mode::transport, Level::unique, 9)};
    p.templates[0].family = model::Family::inet;
    out.push_back(p);
  }
  {
    auto p = base("10.5.0.1", 32, "10.5.0.2", 32, Direction::out);
    p.sel.proto = 47;  // GRE
    p.index = 0x1001;  // chosen index: index % 8 == dir
    p.kind = PolicyKind::discard;
    p.limits.hard_add_seconds = 3600;
    p.limits.soft_add_seconds = 3000;
    out.push_back(p);
  }
  {
    auto p = base("10.6.0.0", 24, "10.7.0.0", 24, Direction::fwd);
    p.kind = PolicyKind::ipsec;  // v4 traffic in a v6 tunnel
    p.templates = {tmpl(Protocol::esp, Mode::tunnel, Level::unique, 3, "2001:db8:aa::1", "2001:db8:aa::2")};
    p.templates[0].aalgos = 0x20;
    p.templates[0].ealgos = 0x1000;
    out.push_back(p);
  }
  {
    auto p = base("2001:db8:9::", 64, "::", 0, Direction::out);
    p.kind = PolicyKind::discard;
    p.mark = model::Mark{0x20, 0xf0};
    p.priority = 4000;
    p.flags = 1;  // XFRM_POLICY_LOCALOK
    out.push_back(p);
  }
  return out;
}

}  // namespace

TEST_CASE("policies of every shape come back from a dump exactly as applied") {
  auto be = ktest::fresh_backend();
  auto shapes = every_shape();
  auto changes = ktest::changes_of(shapes);
  ApplyReport r = be->apply(changes, ApplyOptions{});
  for (const auto& e : r.errors) CHECK_MESSAGE(e.code == 0, (std::to_string(e.tag) + ": " + e.message + " / " + e.extack));
  REQUIRE(r.applied == shapes.size());

  auto dump = be->dump_policies();
  REQUIRE(dump.ok());
  CHECK(dump->size() == shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    CAPTURE(i);
    const model::Policy* got = ktest::find_by_key(*dump, shapes[i].key());
    REQUIRE(got);
    CHECK(wire::diff(*got, ktest::as_kernel_reports(shapes[i], *got)) == "");
    CHECK(got->index % 8 == static_cast<uint32_t>(shapes[i].dir));
  }
}

TEST_CASE("get_policy finds by selector and by index; delete by selector and by index") {
  auto be = ktest::fresh_backend();
  std::vector<model::Policy> ps = {ktest::host_policy(1), ktest::host_policy(2, Direction::in), ktest::host_policy(3)};
  REQUIRE(be->apply(ktest::changes_of(ps), ApplyOptions{}).applied == 3);

  model::PolicyId by_sel = ktest::policy_id(ps[1].sel, Direction::in);
  auto got = be->get_policy(by_sel);
  REQUIRE(got.ok());
  CHECK(wire::diff(*got, ktest::as_kernel_reports(ps[1], *got)) == "");
  model::PolicyId by_index;
  by_index.index = got->index;
  by_index.dir = Direction::in;
  auto again = be->get_policy(by_index);
  REQUIRE(again.ok());
  CHECK(again->sel == ps[1].sel);

  auto wrong_dir = by_sel;
  wrong_dir.dir = Direction::fwd;
  auto missing = be->get_policy(wrong_dir);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ENOENT);

  std::vector<Change> del = {Change{by_index, Change::Verb::remove, 10},
                             Change{ktest::policy_id(ps[0].sel, Direction::out), Change::Verb::remove, 11}};
  ApplyReport r = be->apply(del, ApplyOptions{});
  CHECK(r.errors.empty());
  CHECK(r.applied_tags == std::vector<size_t>{10, 11});
  auto dump = be->dump_policies();
  REQUIRE(dump.ok());
  REQUIRE(dump->size() == 1);
  CHECK(dump->front().sel == ps[2].sel);

  ApplyReport gone = be->apply(std::vector<Change>{Change{ps[0], Change::Verb::remove, 12}}, ApplyOptions{});
  REQUIRE(gone.errors.size() == 1);
  CHECK(gone.errors[0].tag == 12);
  CHECK(gone.errors[0].code == ENOENT);
}

TEST_CASE("update (UPDPOLICY) replaces the priority and inserts when absent") {
  auto be = ktest::fresh_backend();
  auto p = ktest::host_policy(5);
  p.priority = 10;
  REQUIRE(be->apply(ktest::changes_of({p}), ApplyOptions{}).applied == 1);
  p.priority = 99;
  auto q = ktest::host_policy(6);
  ApplyReport r = be->apply(ktest::changes_of({p, q}, Change::Verb::update), ApplyOptions{});
  CHECK(r.errors.empty());
  CHECK(r.applied == 2);
  auto got = be->get_policy(ktest::policy_id(p.sel, p.dir));
  REQUIRE(got.ok());
  CHECK(got->priority == 99);
  auto dump = be->dump_policies();
  REQUIRE(dump.ok());
  CHECK(dump->size() == 2);
}
