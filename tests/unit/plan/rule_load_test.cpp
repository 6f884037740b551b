// SPDX-License-Identifier: BSD-3-Clause
// ipsecconf's load logic against a fake backend: duplicates go once, keys already in the SPD are skipped
// (a conflict when someone else set another action), bypass policies only when missing, a rejected
// load is taken back (adds removed; a replace restores the old SPD), the stale keys of a replace.
#include <doctest/doctest.h>

#include "fake_backend.hpp"
#include "xfrmpp/plan/rule_load.hpp"

using namespace plan_test;
namespace plan = xfrmpp::plan;

namespace {

m::Policy bypass_policy() {
  m::Policy p;
  p.sel.family = m::Family::inet;
  p.sel.proto = 17;
  p.sel.sport = 500;
  p.sel.sport_mask = 0xffff;
  p.kind = m::PolicyKind::none;
  return p;
}

m::Policy discard(const char* src, const char* dst) {
  auto p = policy(src, dst);
  p.kind = m::PolicyKind::discard;
  p.templates.clear();
  return p;
}

}  // namespace

TEST_CASE("a policy asked for twice goes once; a key in the SPD is skipped; bypass goes in when missing") {
  std::vector<m::Policy> before{policy("10.0.0.1", "10.0.0.3")};  // same action as wanted[2], foreign
  auto other_reqid = policy("10.0.0.1", "10.0.0.3");
  other_reqid.templates[0].reqid = 77;  // reqids do not change what is allowed
  std::vector<m::Policy> wanted{policy("10.0.0.1", "10.0.0.2"), policy("10.0.0.1", "10.0.0.2"), other_reqid};
  std::vector<m::Policy> bypass{bypass_policy()};
  auto lp = plan::plan_rule_load({before, wanted, {}, bypass, false});
  CHECK(lp.conflicts.empty());
  CHECK(lp.skipped == std::vector<bool>{false, true, true});
  REQUIRE(lp.changes.size() == 2);
  CHECK(lp.bypass_from == 1);
  CHECK(lp.wanted_of == std::vector<size_t>{0});
  CHECK(lp.changes[0].verb == xfrmpp::Change::Verb::add);

  // With the bypass already in the SPD, it is not sent again.
  before.push_back(bypass_policy());
  auto again = plan::plan_rule_load({before, wanted, {}, bypass, false});
  CHECK(again.changes.size() == 1);
}

TEST_CASE("a foreign policy with another action is a conflict; one this tool installed is not") {
  std::vector<m::Policy> before{discard("10.0.0.1", "10.0.0.2")};
  std::vector<m::Policy> wanted{policy("10.0.0.1", "10.0.0.2")};
  auto lp = plan::plan_rule_load({before, wanted, {}, {}, false});
  REQUIRE(lp.conflicts.size() == 1);
  CHECK(lp.conflicts[0].wanted == 0);
  CHECK(lp.conflicts[0].existing.kind == m::PolicyKind::discard);

  plan::RuleLoadInput owned{before, wanted, {}, {}, false};
  owned.owned.insert(wanted[0].key());
  CHECK(plan::plan_rule_load(owned).conflicts.empty());

  // A replace updates instead, and never conflicts.
  auto rp = plan::plan_rule_load({before, wanted, {}, {}, true});
  CHECK(rp.conflicts.empty());
  REQUIRE(rp.changes.size() == 1);
  CHECK(rp.changes[0].verb == xfrmpp::Change::Verb::update);
}

TEST_CASE("a rejected add is fatal and taking the load back removes what went in") {
  FakeBackend be;
  std::vector<m::Policy> wanted{policy("10.0.0.1", "10.0.0.2"), policy("10.0.0.1", "10.0.0.3"), policy("10.0.0.1", "10.0.0.4")};
  std::vector<m::Policy> bypass{bypass_policy()};
  auto lp = plan::plan_rule_load({{}, wanted, {}, bypass, false});
  be.fail_tag[1] = EINVAL;
  auto res = plan::apply_rule_load(be, lp);
  REQUIRE(res.fatal);
  CHECK(res.fatal->tag == 1);
  CHECK(be.spd.size() == 3);  // the backend kept going
  auto err = plan::take_back_rule_load(be, lp, res.report, {}, false);
  CHECK(!err);
  CHECK(be.spd.empty());
}

TEST_CASE("EEXIST on a bypass policy someone added meanwhile is harmless; on a wanted policy it is fatal") {
  FakeBackend be;
  std::vector<m::Policy> wanted{policy("10.0.0.1", "10.0.0.2")};
  std::vector<m::Policy> bypass{bypass_policy()};
  auto lp = plan::plan_rule_load({{}, wanted, {}, bypass, false});
  be.spd.push_back(bypass_policy());  // appeared after the dump
  CHECK(!plan::apply_rule_load(be, lp).fatal);

  FakeBackend be2;
  auto lp2 = plan::plan_rule_load({{}, wanted, {}, {}, false});
  be2.spd.push_back(policy("10.0.0.1", "10.0.0.2"));
  auto res = plan::apply_rule_load(be2, lp2);
  REQUIRE(res.fatal);
  CHECK(res.fatal->code == EEXIST);
}

TEST_CASE("a replace that fails is taken back to the SPD it replaced") {
  FakeBackend be;
  auto old_a = policy("10.0.0.1", "10.0.0.2");
  auto old_b = discard("10.0.0.1", "10.0.0.5");
  be.spd = {old_a, old_b};
  auto before = *be.dump_policies();
  auto changed = policy("10.0.0.1", "10.0.0.2");
  changed.priority = 5;
  std::vector<m::Policy> wanted{changed, policy("10.0.0.1", "10.0.0.6"), policy("10.0.0.1", "10.0.0.7")};
  auto lp = plan::plan_rule_load({before, wanted, {}, {}, true});
  be.fail_tag[2] = ENOMEM;
  auto res = plan::apply_rule_load(be, lp);
  REQUIRE(res.fatal);
  CHECK(be.spd.size() == 3);
  auto err = plan::take_back_rule_load(be, lp, res.report, before, true);
  CHECK(!err);
  REQUIRE(be.spd.size() == 2);
  for (const auto& want : before) {
    auto got = be.get_policy(want.id());
    REQUIRE(got.ok());
    CHECK(got->config() == want.config());
  }
}

TEST_CASE("stale keys of a replace: old host policies and recorded keys not planned, bypass and tunnel policies kept") {
  auto host = policy("10.0.0.1", "10.0.0.2");
  auto planned_again = policy("10.0.0.1", "10.0.0.3");
  auto tunnel = policy("10.0.0.1", "10.0.0.4");
  tunnel.if_id = 7;
  std::vector<m::Policy> before{host, planned_again, tunnel, bypass_policy()};
  std::set<m::PolicyKey> planned{planned_again.key()};
  std::vector<m::PolicyKey> recorded{tunnel.key(), planned_again.key(), host.key()};
  auto is_bypass = [](const m::Policy& p) { return p.kind == m::PolicyKind::none; };
  auto stale = plan::stale_keys(before, planned, recorded, is_bypass);
  std::vector<m::PolicyKey> want{host.key(), tunnel.key()};
  std::sort(want.begin(), want.end());
  CHECK(stale == want);
}

TEST_CASE("remove_policies: a key already gone is fine, another error is returned") {
  FakeBackend be;
  be.spd = {policy("10.0.0.1", "10.0.0.2")};
  std::vector<m::PolicyKey> keys{policy("10.0.0.1", "10.0.0.2").key(), policy("10.0.0.1", "10.0.0.3").key()};
  CHECK(!plan::remove_policies(be, keys));
  CHECK(be.spd.empty());
  be.spd = {policy("10.0.0.1", "10.0.0.2")};
  be.fail_remove_tag[0] = EPERM;
  auto err = plan::remove_policies(be, keys);
  REQUIRE(err);
  CHECK(err->code == EPERM);
}

TEST_CASE("a scoped flush removes the main-type policies in scope and leaves socket and sub-type policies") {
  FakeBackend be;
  auto host = policy("10.0.0.1", "10.0.0.2");
  auto tunnel = policy("10.0.0.1", "10.0.0.3");
  tunnel.if_id = 4;
  auto sub = policy("10.0.0.1", "10.0.0.5");
  sub.type = m::PolicyType::sub;
  be.apply(std::vector<xfrmpp::Change>{{host, xfrmpp::Change::Verb::add, 0}, {tunnel, xfrmpp::Change::Verb::add, 1},
                                       {sub, xfrmpp::Change::Verb::add, 2}},
           {});
  auto sock = policy("10.0.0.1", "10.0.0.6");
  sock.index = 8 * 100 + 3 + static_cast<uint32_t>(sock.dir);  // index % 8 >= 3: a socket's
  be.spd.push_back(sock);
  auto r = plan::flush_policies_where(be, [](const m::Policy& p) { return p.if_id.value_or(0) == 0; });
  CHECK(!r.read_error);
  CHECK(!r.error);
  CHECK(r.selected == 1);
  REQUIRE(be.spd.size() == 3);
  for (const auto& p : be.spd) CHECK(p.key() != host.key());

  be.fail_remove_tag[0] = EPERM;
  auto all = plan::flush_policies_where(be, [](const m::Policy&) { return true; });
  REQUIRE(all.error);
  CHECK(all.error->code == EPERM);
}
