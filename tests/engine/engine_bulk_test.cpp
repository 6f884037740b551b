// SPDX-License-Identifier: BSD-3-Clause
// Bulk runs (Backend::begin_bulk/end_bulk): the engine writes its state once at the end, other processes
// see nothing before that and everything after, a backend destroyed inside a run still stores what it
// applied, and a burst larger than the engine keeps reaches subscribers as an overrun and the newest event.
#include <doctest/doctest.h>

#include <array>
#include <sys/stat.h>

#include "engine_support.hpp"

using namespace xfrmpp;

namespace {

std::vector<model::Policy> hosts(uint32_t from, uint32_t n) {
  std::vector<model::Policy> v;
  for (uint32_t i = from; i < from + n; ++i) v.push_back(etest::host_policy(i));
  return v;
}

size_t stored(const std::filesystem::path& state) {
  auto r = etest::open(state, true)->dump_policies();
  REQUIRE(r.ok());
  return r->size();
}

}  // namespace

TEST_CASE("a bulk run is stored once, at end_bulk") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  REQUIRE(be->begin_bulk().ok());
  for (uint32_t chunk = 0; chunk < 3; ++chunk)
    REQUIRE(be->apply(etest::adds(hosts(chunk * 10, 10)), ApplyOptions{}).errors.empty());
  CHECK(!std::filesystem::exists(dir.state()));  // nothing written yet: other processes see the old state
  CHECK(be->dump_policies()->size() == 30);       // the run itself sees its changes
  REQUIRE(be->end_bulk().ok());
  CHECK(stored(dir.state()) == 30);
  // After the run every change is written as it happens again.
  REQUIRE(be->apply(etest::adds(hosts(100, 1)), ApplyOptions{}).errors.empty());
  CHECK(stored(dir.state()) == 31);
}

TEST_CASE("a backend destroyed inside a bulk run still stores what it applied") {
  etest::TempDir dir;
  {
    auto be = etest::open(dir.state());
    REQUIRE(be->begin_bulk().ok());
    REQUIRE(be->apply(etest::adds(hosts(0, 5)), ApplyOptions{}).errors.empty());
  }
  CHECK(stored(dir.state()) == 5);
}

TEST_CASE("a burst larger than the engine keeps comes as an overrun, then the newest event") {
  etest::TempDir dir;
  auto writer = etest::open(dir.state());
  REQUIRE(writer->apply(etest::adds(hosts(0, 1)), ApplyOptions{}).errors.empty());  // the journal exists
  auto reader = etest::open(dir.state(), true);
  std::array groups{EventGroup::policy};
  auto stream = reader->subscribe(groups);
  REQUIRE(stream.ok());
  const uint32_t n = 9000;  // above the 8192 events a bulk run keeps
  REQUIRE(writer->begin_bulk().ok());
  REQUIRE(writer->apply(etest::adds(hosts(1, n)), ApplyOptions{}).errors.empty());
  REQUIRE(writer->end_bulk().ok());
  std::vector<Event> all;
  for (int round = 0; round < 100 && (all.empty() || all.back().kind != Event::Kind::new_policy ||
                                      all.back().policy->sel.src != etest::host_policy(n).sel.src);
       ++round) {
    auto got = (*stream)->next(50);
    REQUIRE(got.ok());
    for (auto& e : *got) all.push_back(std::move(e));
  }
  REQUIRE(all.size() == 8192 + 2);
  CHECK(all[0].policy->sel.src == etest::host_policy(1).sel.src);
  CHECK(all[8192].kind == Event::Kind::overrun);
  CHECK(all[8193].policy->sel.src == etest::host_policy(n).sel.src);
}
