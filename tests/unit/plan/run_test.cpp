// SPDX-License-Identifier: BSD-3-Clause
// The plan layer against a fake backend: batches, stop at the first rejection with the rest of the batch
// taken back, fwd copies applied and undone with their statement, the undo log, generated reqids,
// `default` levels, deleteall, read answers in order, and the --atomic snapshot restore.
#include <doctest/doctest.h>

#include <memory>

#include "fake_backend.hpp"
#include "xfrmpp/plan/run.hpp"
#include "xfrmpp/plan/snapshot.hpp"

using namespace plan_test;
namespace plan = xfrmpp::plan;
using Outcome = plan::Outcome;

namespace {

plan::Step add_policy(m::Policy p, bool update = false, bool fwd_copy = false) {
  return plan::Step{0, m::Statement{m::AddPolicy{std::move(p), update, {}}, {}}, fwd_copy};
}
plan::Step add_sa(m::SecurityAssociation s, bool update = false) {
  return plan::Step{0, m::Statement{m::AddSa{std::make_shared<const m::SecurityAssociation>(std::move(s)), update}, {}}, false};
}
plan::Step op(m::Operation o) { return plan::Step{0, m::Statement{std::move(o), {}}, false}; }

}  // namespace

TEST_CASE("a clean run applies every statement in one batch") {
  FakeBackend be;
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.1", "10.0.0.2")), add_sa(sa("10.0.0.1", "10.0.0.2", 0x100))};
  auto rep = plan::run(be, steps);
  CHECK(rep.ok());
  CHECK(rep.done == 2);
  CHECK(rep.total == 2);
  CHECK(rep.outcomes == std::vector<Outcome>{Outcome::applied, Outcome::applied});
  CHECK(be.apply_calls == 1);
  CHECK(be.spd.size() == 1);
  CHECK(be.sad.size() == 1);
}

TEST_CASE("a rejection stops the run and the adds the backend applied past it are taken back") {
  FakeBackend be;
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.1", "10.0.0.2")), add_policy(policy("10.0.0.1", "10.0.0.3")),
                                add_policy(policy("10.0.0.1", "10.0.0.4")), add_sa(sa("10.0.0.1", "10.0.0.2", 0x100)),
                                op(m::FlushSas{})};
  be.fail_tag[1] = EINVAL;
  auto rep = plan::run(be, steps);
  REQUIRE(rep.error);
  CHECK(rep.error->step == 1);
  CHECK(rep.error->code == EINVAL);
  CHECK(rep.error->extack == "injected");
  CHECK(rep.done == 1);
  CHECK(rep.total == 5);
  CHECK(rep.taken_back == 2);
  CHECK(rep.outcomes ==
        std::vector<Outcome>{Outcome::applied, Outcome::failed, Outcome::taken_back, Outcome::taken_back, Outcome::not_run});
  REQUIRE(be.spd.size() == 1);
  CHECK(be.spd[0].key() == policy("10.0.0.1", "10.0.0.2").key());
  CHECK(be.sad.empty());
}

TEST_CASE("an update past the rejection cannot be undone without a snapshot and stays, counted") {
  FakeBackend be;
  be.sad.push_back(sa("10.0.0.1", "10.0.0.2", 0x100));
  auto changed = sa("10.0.0.1", "10.0.0.2", 0x100);
  changed.reqid = 7;
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.1", "10.0.0.3")), add_sa(changed, true)};
  be.fail_tag[0] = ENOBUFS;
  auto rep = plan::run(be, steps);
  REQUIRE(rep.error);
  CHECK(rep.error->step == 0);
  CHECK(rep.done == 1);  // the update is in
  CHECK(rep.outcomes == std::vector<Outcome>{Outcome::failed, Outcome::applied});
  CHECK(be.sad.at(0).reqid == 7);
}

TEST_CASE("a failed fwd copy takes its `in` statement back with it") {
  FakeBackend be;
  auto in = policy("10.0.0.1", "10.0.0.2", m::Direction::in);
  auto fwd = policy("10.0.0.1", "10.0.0.2", m::Direction::fwd);
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.9", "10.0.0.2")), add_policy(in), add_policy(fwd, false, true)};
  be.fail_tag[2] = EINVAL;
  auto rep = plan::run(be, steps);
  REQUIRE(rep.error);
  CHECK(rep.error->step == 2);
  CHECK(rep.total == 2);
  CHECK(rep.done == 1);
  CHECK(rep.outcomes == std::vector<Outcome>{Outcome::applied, Outcome::taken_back, Outcome::failed});
  CHECK(be.spd.size() == 1);
}

TEST_CASE("the undo log takes back what a successful run added, newest first, and counts the rest") {
  FakeBackend be;
  be.sad.push_back(sa("10.0.0.7", "10.0.0.8", 0x300));
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.1", "10.0.0.2")), add_sa(sa("10.0.0.1", "10.0.0.2", 0x100)),
                                op(m::DeleteSa{sa("10.0.0.7", "10.0.0.8", 0x300).id()}), op(m::FlushPolicies{}),
                                add_policy(policy("10.0.0.1", "10.0.0.5")), op(m::DumpPolicies{})};
  plan::UndoLog log;
  auto rep = plan::run(be, steps, {}, &log);
  REQUIRE(rep.ok());
  CHECK(log.size() == 3);
  CHECK(log.irreversible == 2);  // the delete and the flush; the dump changes nothing
  be.applied.clear();
  auto tb = plan::take_back(be, log);
  CHECK(tb.attempted == 3);
  CHECK(tb.errors.empty());  // the flushed policy is already gone: as good as removed
  CHECK(tb.irreversible == 2);
  CHECK(be.spd.empty());
  CHECK(be.sad.empty());
  // Newest first: the policy added after the flush goes before the SA.
  REQUIRE(be.applied.size() == 2);
  CHECK(be.applied[0].second == 4);
  CHECK(be.applied[1].second == 1);
}

TEST_CASE("take_back reports removals that fail for another reason than 'already gone'") {
  FakeBackend be;
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.1", "10.0.0.2")), add_policy(policy("10.0.0.1", "10.0.0.3"))};
  plan::UndoLog log;
  REQUIRE(plan::run(be, steps, {}, &log).ok());
  be.fail_remove_tag[1] = EPERM;
  auto tb = plan::take_back(be, log);
  REQUIRE(tb.errors.size() == 1);
  CHECK(tb.errors[0].code == EPERM);
  CHECK(be.spd.size() == 1);
}

TEST_CASE("bare unique requests get reqids above the manual range, after the largest in the SPD") {
  FakeBackend be;
  auto held = policy("10.0.0.1", "10.0.0.9");
  held.templates[0].reqid = 20000;
  be.spd.push_back(held);
  auto a = policy("10.0.0.1", "10.0.0.2");
  a.templates[0].level = m::Level::unique;
  auto b = policy("10.0.0.1", "10.0.0.3");
  b.templates[0].level = m::Level::unique;
  auto manual = policy("10.0.0.1", "10.0.0.4");
  manual.templates[0].level = m::Level::unique;
  manual.templates[0].reqid = 5;
  std::vector<plan::Step> steps{add_policy(a), add_policy(manual), add_policy(b)};
  std::get<m::AddPolicy>(steps[2].statement.op).replaced_reqids.push_back(m::ReplacedReqid{0, 99999, {}});
  auto gen = plan::assign_reqids(be, steps);
  REQUIRE(gen.ok());
  CHECK(std::get<m::AddPolicy>(steps[0].statement.op).policy.templates[0].reqid == 20001);
  CHECK(std::get<m::AddPolicy>(steps[1].statement.op).policy.templates[0].reqid == 5);
  CHECK(std::get<m::AddPolicy>(steps[2].statement.op).policy.templates[0].reqid == 20002);
  REQUIRE(gen->size() == 1);
  CHECK((*gen)[0].step == 2);
  CHECK((*gen)[0].replaced.written == 99999);
  CHECK((*gen)[0].reqid == 20002);
}

TEST_CASE("no unique request: assign_reqids does not read the SPD") {
  FakeBackend be;
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.1", "10.0.0.2"))};
  REQUIRE(plan::assign_reqids(be, steps).ok());
  CHECK(be.policy_dumps == 0);
}

TEST_CASE("`default` levels take the namespace's default, loaded once and only when needed") {
  auto p = policy("10.0.0.1", "10.0.0.2");
  p.templates[0].level = m::Level::default_level;
  m::Template ah;
  ah.proto = m::Protocol::ah;
  ah.level = m::Level::default_level;
  p.templates.push_back(ah);
  std::vector<plan::Step> steps{add_policy(p)};
  size_t loads = 0;
  xfrmpp::knobs::KnobState st;
  st.values["net.inet.ipsec.esp_trans_deflev"] = 1;  // use
  auto source = [&]() -> xfrmpp::Result<xfrmpp::knobs::DefaultLevels> {
    ++loads;
    return xfrmpp::knobs::DefaultLevels(st);
  };
  REQUIRE(plan::resolve_default_levels(steps, source).ok());
  CHECK(loads == 1);
  const auto& t = std::get<m::AddPolicy>(steps[0].statement.op).policy.templates;
  CHECK(t[0].level == m::Level::use);
  CHECK(t[1].level == m::Level::require);  // no AH knob set: Linux's own require

  std::vector<plan::Step> none{add_policy(policy("10.0.0.1", "10.0.0.2"))};
  REQUIRE(plan::resolve_default_levels(none, source).ok());
  CHECK(loads == 1);

  auto failing = []() -> xfrmpp::Result<xfrmpp::knobs::DefaultLevels> { return xfrmpp::make_error(EACCES, "no"); };
  std::vector<plan::Step> again{add_policy(p)};
  auto r = plan::resolve_default_levels(again, failing);
  REQUIRE(!r.ok());
  CHECK(r.error().code == EACCES);
}

TEST_CASE("deleteall deletes every SA between the two addresses of its protocol, and only those") {
  FakeBackend be;
  be.sad = {sa("10.0.0.1", "10.0.0.2", 0x100), sa("10.0.0.1", "10.0.0.2", 0x101), sa("10.0.0.2", "10.0.0.1", 0x102)};
  auto ah = sa("10.0.0.1", "10.0.0.2", 0x103);
  ah.proto = m::Protocol::ah;
  be.sad.push_back(ah);
  m::DeleteAllSa all{v4("10.0.0.1"), v4("10.0.0.2"), m::Protocol::esp};
  auto dels = plan::deleteall_changes(be.sad, all, 7);  // the whole SAD, as a dump without a protocol gives it
  REQUIRE(dels.size() == 2);
  CHECK(dels[0].tag == 7);
  CHECK(std::get<m::SaId>(dels[1].target).spi == 0x101);
  std::vector<plan::Step> steps{op(all)};
  auto rep = plan::run(be, steps);
  REQUIRE(rep.ok());
  REQUIRE(be.sad.size() == 2);
  CHECK(be.sad[0].spi == 0x102);
  CHECK(be.sad[1].spi == 0x103);
}

TEST_CASE("read statements answer in statement order; a failing get stops the run") {
  struct Recorder : plan::RunObserver {
    std::vector<std::pair<size_t, size_t>> answers;  // step, variant index
    void answer(size_t step, plan::Answer&& a) override { answers.emplace_back(step, a.index()); }
  } rec;
  FakeBackend be;
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.1", "10.0.0.2")), op(m::DumpPolicies{}), op(m::GetSpdInfo{}),
                                op(m::GetSa{sa("10.0.0.1", "10.0.0.2", 0x100).id()}), op(m::DumpSas{})};
  auto rep = plan::run(be, steps, {}, nullptr, &rec);
  REQUIRE(rep.error);
  CHECK(rep.error->step == 3);
  CHECK(rep.error->code == ESRCH);
  CHECK(!rep.error->dump);
  CHECK(rep.done == 3);
  CHECK(rec.answers == std::vector<std::pair<size_t, size_t>>{{1, 0}, {2, 5}});
}

TEST_CASE("preview: adds replace by key, deletes and flushes remove") {
  std::vector<plan::Step> steps{add_policy(policy("10.0.0.1", "10.0.0.2")), add_policy(policy("10.0.0.1", "10.0.0.3")),
                                op(m::DeletePolicy{policy("10.0.0.1", "10.0.0.2").id()}), add_sa(sa("10.0.0.1", "10.0.0.2", 1)),
                                add_sa(sa("10.0.0.1", "10.0.0.2", 2)), op(m::FlushSas{m::Protocol::ah})};
  auto changed = sa("10.0.0.1", "10.0.0.2", 1);
  changed.reqid = 9;
  steps.push_back(add_sa(changed, true));
  auto p = plan::preview(steps);
  REQUIRE(p.policies.size() == 1);
  CHECK(p.policies[0].key() == policy("10.0.0.1", "10.0.0.3").key());
  REQUIRE(p.sas.size() == 2);
  CHECK(p.sas[0].reqid == 9);
}

TEST_CASE("--atomic: restoring the snapshot undoes adds, deletes and updates, every configured field included") {
  FakeBackend be;
  auto kept = sa("10.0.0.1", "10.0.0.2", 0x100);
  kept.dir = m::SaDirection::out;
  kept.nat_keepalive_interval = 20;
  kept.mapping_threshold = 5;
  kept.coaddr = v4("10.9.9.9");
  be.sad.push_back(kept);
  be.sad.push_back(sa("10.0.0.1", "10.0.0.2", 0x101));
  be.spd.push_back(policy("10.0.0.1", "10.0.0.2"));
  auto before = plan::take_snapshot(be);
  REQUIRE(before.ok());

  // Each update changes one field only the full configuration equality sees.
  auto changed = kept;
  changed.dir = m::SaDirection::in;
  changed.nat_keepalive_interval = 30;
  changed.mapping_threshold = 6;
  changed.coaddr = v4("10.8.8.8");
  std::vector<plan::Step> steps{add_sa(changed, true), op(m::DeleteSa{sa("10.0.0.1", "10.0.0.2", 0x101).id()}),
                                add_policy(policy("10.0.0.1", "10.0.0.7")), add_policy(policy("10.0.0.1", "10.0.0.8"))};
  be.fail_tag[3] = EINVAL;
  auto rep = plan::run(be, steps);
  REQUIRE(rep.error);
  CHECK(rep.error->step == 3);

  auto restored = plan::restore_snapshot(be, *before);
  CHECK(restored.errors.empty());
  CHECK(restored.removed == 1);  // the policy added before the rejection
  CHECK(restored.added == 1);    // the deleted SA
  CHECK(restored.updated == 1);  // the changed SA
  auto now = plan::take_snapshot(be);
  REQUIRE(now.ok());
  REQUIRE(now->sas.size() == before->sas.size());
  REQUIRE(now->policies.size() == before->policies.size());
  for (const auto& want : before->sas) {
    auto it = std::find_if(now->sas.begin(), now->sas.end(), [&](const m::SecurityAssociation& s) { return s.key() == want.key(); });
    REQUIRE(it != now->sas.end());
    CHECK(it->config() == want.config());
  }
  const auto& back = *std::find_if(be.sad.begin(), be.sad.end(), [](const m::SecurityAssociation& s) { return s.spi == 0x100; });
  CHECK(back.dir == m::SaDirection::out);
  CHECK(back.nat_keepalive_interval == 20u);
  CHECK(back.mapping_threshold == 5u);
  CHECK(back.coaddr == v4("10.9.9.9"));
}
