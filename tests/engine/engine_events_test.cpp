// SPDX-License-Identifier: BSD-3-Clause
// Events cross processes through the journal: a second backend (here and in a child process) sees what the
// first one changes, filtered by group, and a gap (rotated-away records) comes as an overrun.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include "engine_support.hpp"

using namespace xfrmpp;

namespace {

std::vector<Event> collect(EventStream& s, size_t want, int timeout_ms = 2000) {
  std::vector<Event> all;
  for (int round = 0; round < 50 && all.size() < want; ++round) {
    auto got = s.next(timeout_ms / 50);
    REQUIRE(got.ok());
    for (auto& e : *got) all.push_back(std::move(e));
  }
  return all;
}

}  // namespace

TEST_CASE("a subscriber sees another backend's changes, from the moment it subscribed") {
  etest::TempDir dir;
  auto writer = etest::open(dir.state());
  REQUIRE(writer->apply(etest::adds({etest::host_policy(1)}), ApplyOptions{}).errors.empty());  // before: not seen
  auto reader = etest::open(dir.state(), true);
  std::array groups{EventGroup::policy, EventGroup::sa};
  auto stream = reader->subscribe(groups);
  REQUIRE(stream.ok());

  auto p = etest::host_policy(2);
  auto sa = etest::esp_sa(0x77);
  REQUIRE(writer->apply(std::vector<Change>{Change{p, Change::Verb::add, 0}, Change{sa, Change::Verb::add, 1}},
                        ApplyOptions{}).errors.empty());
  auto up = p;
  up.priority = 9;
  REQUIRE(writer->apply(std::vector<Change>{Change{up, Change::Verb::update, 0}, Change{sa, Change::Verb::remove, 1}},
                        ApplyOptions{}).errors.empty());
  REQUIRE(writer->flush_policies().ok());
  REQUIRE(writer->set_default_policy(model::DefaultPolicy{model::PolicyAction::block, {}, {}}).ok());

  auto ev = collect(**stream, 6);
  REQUIRE(ev.size() == 6);
  CHECK(ev[0].kind == Event::Kind::new_policy);
  REQUIRE(ev[0].policy);
  CHECK(ev[0].policy->sel == p.sel);
  CHECK(ev[1].kind == Event::Kind::new_sa);
  REQUIRE(ev[1].sa);
  CHECK(ev[1].sa->spi == 0x77);
  CHECK(ev[1].sa->auth == sa.auth);
  CHECK(ev[2].kind == Event::Kind::update_policy);
  CHECK(ev[2].policy->priority == 9);
  CHECK(ev[3].kind == Event::Kind::delete_sa);
  CHECK(ev[4].kind == Event::Kind::flush_policy);
  CHECK(ev[5].kind == Event::Kind::default_policy);
  REQUIRE(ev[5].defaults);
  CHECK(ev[5].defaults->in == model::PolicyAction::block);
  auto quiet = (*stream)->next(30);
  REQUIRE(quiet.ok());
  CHECK(quiet->empty());
}

TEST_CASE("groups filter: a policy subscriber does not get SA events") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  std::array groups{EventGroup::policy};
  auto stream = be->subscribe(groups);
  REQUIRE(stream.ok());
  REQUIRE(be->apply(std::vector<Change>{Change{etest::esp_sa(1), Change::Verb::add, 0},
                                        Change{etest::host_policy(1), Change::Verb::add, 1}},
                    ApplyOptions{}).errors.empty());
  auto ev = collect(**stream, 1);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == Event::Kind::new_policy);
}

TEST_CASE("another process's changes arrive") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  std::array groups{EventGroup::sa};
  auto stream = be->subscribe(groups);
  REQUIRE(stream.ok());
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    engine::EngineOptions o;
    o.state = dir.state();
    auto w = engine::EngineBackend::open(o);
    bool ok = w.ok() && (*w)->apply(std::vector<Change>{Change{etest::esp_sa(0x99), Change::Verb::add, 0}},
                                    ApplyOptions{}).errors.empty();
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WEXITSTATUS(status) == 0);
  auto ev = collect(**stream, 1);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == Event::Kind::new_sa);
  CHECK(ev[0].sa->spi == 0x99);
}

TEST_CASE("the journal stays bounded; a reader finishes a rotated file, and a skipped one is an overrun") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  REQUIRE(be->set_host_knob("debug", 1).ok());
  REQUIRE(be->set_default_policy(model::DefaultPolicy{}).ok());  // the journal exists now
  std::array groups{EventGroup::sa};
  auto stream = be->subscribe(groups);
  REQUIRE(stream.ok());
  auto journal = dir.state();
  journal += ".journal";
  REQUIRE(be->apply(std::vector<Change>{Change{etest::esp_sa(7), Change::Verb::add, 0}}, ApplyOptions{}).errors.empty());
  // ~300 bytes per SA event: 20000 of them pass the 4 MiB bound, so this append starts a new file and the
  // record above is left in the old one, which the reader still has open.
  std::vector<Change> many;
  for (uint32_t i = 0; i < 20000; ++i) many.push_back(Change{etest::esp_sa(0x10000 + i), Change::Verb::add, i});
  auto size_before = std::filesystem::file_size(journal);
  REQUIRE(be->apply(many, ApplyOptions{}).errors.empty());
  auto size_after = std::filesystem::file_size(journal);
  CHECK(size_after > size_before);
  CHECK(size_after < size_before + (8u << 20));
  auto ev = collect(**stream, 20001, 10000);
  CHECK(ev.size() == 20001);
  size_t overruns = 0;
  for (const auto& e : ev) overruns += e.kind == Event::Kind::overrun;
  CHECK(overruns == 0);
  REQUIRE(ev.front().sa);
  CHECK(ev.front().sa->spi == 7);
  CHECK(ev.back().sa->spi == 0x10000 + 19999);

  // A reader that sleeps through two rotations misses the middle file: it is told.
  auto late = be->subscribe(groups);
  REQUIRE(late.ok());
  REQUIRE(be->apply(std::vector<Change>{Change{etest::esp_sa(8), Change::Verb::add, 0}}, ApplyOptions{}).errors.empty());
  CHECK(std::filesystem::file_size(journal) < (1u << 20));  // bounded: the big file was replaced
  REQUIRE(be->flush_sas(std::nullopt).ok());
  for (uint32_t i = 0; i < 20000; ++i) many[i] = Change{etest::esp_sa(0x10000 + i), Change::Verb::add, i};
  REQUIRE(be->apply(many, ApplyOptions{}).errors.empty());  // rotation 1
  REQUIRE(be->flush_sas(std::nullopt).ok());
  REQUIRE(be->apply(many, ApplyOptions{}).errors.empty());  // rotation 2
  std::vector<Event> got;
  for (int i = 0; i < 100; ++i) {
    auto r = (*late)->next(10);
    REQUIRE(r.ok());
    for (auto& e : *r) got.push_back(std::move(e));
  }
  overruns = 0;
  for (const auto& e : got) overruns += e.kind == Event::Kind::overrun;
  CHECK(overruns >= 1);
}
