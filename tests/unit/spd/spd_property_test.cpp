// SPDX-License-Identifier: BSD-3-Clause
// Spd::lookup (exact hash + tries) must give the very policy lookup_linear (a scan) gives, for every flow,
// while policies are inserted, replaced (same and other priority) and removed in between.
#include <doctest/doctest.h>

#include <string>

#include "spd_mix.hpp"

using namespace xfrmpp;

namespace {

std::string describe(const model::Policy* p) {
  if (!p) return "none";
  return "index " + std::to_string(p->index) + " prio " + std::to_string(p->priority);
}

std::string describe(const engine::Flow& f) {
  return std::to_string(static_cast<int>(f.dir)) + " " + std::to_string(f.proto) + " " + f.src.to_string() + " " +
         std::to_string(f.sport) + " " + f.dst.to_string() + " " + std::to_string(f.dport) + " mark " +
         std::to_string(f.mark) + " if_id " + std::to_string(f.if_id) + " ifindex " + std::to_string(f.ifindex);
}

// Returns the number of flows checked; stops at the first disagreement (CHECK reports it).
size_t agree_once(const engine::Spd& spd, testing::Mix& mix, size_t flows, size_t& hits) {
  for (size_t i = 0; i < flows; ++i) {
    engine::Flow f = mix.flow();
    const model::Policy* fast = spd.lookup(f);
    const model::Policy* slow = spd.lookup_linear(f);
    if (fast != slow) {
      FAIL_CHECK("flow " << describe(f) << ": fast " << describe(fast) << ", linear " << describe(slow));
      return i;
    }
    hits += fast != nullptr;
  }
  return flows;
}

// The same flows through the index kept up to date and through the compiled one (Spd::prepare).
size_t agree(engine::Spd& spd, testing::Mix& mix, size_t flows, size_t& hits) {
  testing::Mix replay = mix;
  size_t live_hits = 0;
  size_t n = agree_once(spd, replay, flows, live_hits);
  if (n != flows) return n;
  spd.prepare();
  return agree_once(spd, mix, flows, hits);
}

void run(model::Family family, uint64_t seed, bool small_pools) {
  testing::MixOptions o;
  o.seed = seed;
  o.family = family;
  if (small_pools) {
    o.dst_hosts = 6;  // crowded: many policies per trie node, many ties
    o.src_hosts = 3;
  }
  testing::Mix mix(o);
  engine::Spd spd;
  std::vector<model::Policy> live;
  size_t hits = 0, checked = 0;
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 60; ++i) {
      auto& rng = mix.rng();
      unsigned op = static_cast<unsigned>(rng() % 10);
      if (op < 6 || live.empty()) {
        auto r = spd.insert(mix.policy(), false);
        if (r) live.push_back(*r);
      } else if (op < 8) {
        // UPDPOLICY on an existing key: same priority (keeps its place) or another (goes last of its own)
        model::Policy p = live[rng() % live.size()];
        if (rng() % 2) p.priority = 0x80000000u - 100u * static_cast<uint32_t>(rng() % 8);
        p.kind = rng() % 2 ? model::PolicyKind::discard : model::PolicyKind::none;
        p.templates.clear();
        p.index = 0;
        auto r = spd.insert(p, true);
        REQUIRE(r);
        for (auto& q : live)
          if (q.key() == r->key()) q = *r;
      } else {
        size_t k = rng() % live.size();
        model::PolicyId id;
        id.dir = live[k].dir;
        id.type = live[k].type;
        if (rng() % 2) {
          id.index = live[k].index;
          id.mark = live[k].mark;
          id.if_id = live[k].if_id;
        } else {
          id.sel = live[k].sel;
          id.mark = live[k].mark;
          id.if_id = live[k].if_id;
        }
        REQUIRE(spd.remove(id));
        live.erase(live.begin() + static_cast<long>(k));
      }
    }
    REQUIRE(spd.size() == live.size());
    size_t n = agree(spd, mix, 400, hits);
    checked += n;
    if (n != 400) return;
  }
  MESSAGE(checked << " flows agreed, " << hits << " matched a policy, " << spd.size() << " policies");
  CHECK(hits > checked / 10);  // the mix must exercise matches, not only misses
}

}  // namespace

TEST_CASE("fast lookup equals the linear scan: v4, interleaved inserts, updates and removes") {
  for (uint64_t seed = 1; seed <= 4; ++seed) run(model::Family::inet, seed, false);
}

TEST_CASE("fast lookup equals the linear scan: v4, crowded pools") {
  for (uint64_t seed = 11; seed <= 14; ++seed) run(model::Family::inet, seed, true);
}

TEST_CASE("fast lookup equals the linear scan: v6") {
  for (uint64_t seed = 21; seed <= 23; ++seed) run(model::Family::inet6, seed, false);
  run(model::Family::inet6, 24, true);
}

TEST_CASE("a bulk load and lookups agree at 5000 policies") {
  testing::MixOptions o;
  o.seed = 99;
  testing::Mix mix(o);
  engine::Spd spd;
  for (auto& p : mix.policies(5000)) REQUIRE(spd.insert(p, false));
  size_t hits = 0;
  CHECK(agree(spd, mix, 20000, hits) == 20000);
  CHECK(hits > 2000);
}

// Removed and replaced policies leave dead slots that the SPD drops once they outnumber the live ones,
// moving the live ones: the lookup index, gets by key and by index, and the dump order must not notice,
// whether or not a lookup had built the index before.
TEST_CASE("dropping dead slots keeps lookups, gets, indexes and the dump order") {
  for (bool looked_up_first : {false, true}) {
    CAPTURE(looked_up_first);
    testing::MixOptions o;
    o.seed = 7;
    testing::Mix mix(o);
    engine::Spd spd;
    std::vector<model::Policy> order;  // what dump() must give
    for (auto& p : mix.policies(600)) {
      auto r = spd.insert(p, false);
      REQUIRE(r);
      order.push_back(*r);
    }
    size_t hits = 0;
    if (looked_up_first) CHECK(agree(spd, mix, 500, hits) == 500);
    // Replace every third (another priority: linked anew, so it moves last), then remove most of the rest.
    std::vector<model::Policy> moved, kept;
    for (size_t i = 0; i < order.size(); ++i) {
      if (i % 3 == 0) {
        model::Policy p = order[i];
        p.priority += 7;
        p.index = 0;
        auto r = spd.insert(p, true);
        REQUIRE(r);
        CHECK(r->index == order[i].index);
        moved.push_back(*r);
      } else if (i % 3 == 1 || i % 9 == 2) {
        const model::Policy& q = order[i];
        REQUIRE(spd.remove(model::PolicyId{q.sel, q.dir, i % 2 ? q.index : 0, q.mark, q.if_id, std::nullopt, q.type}));
        CHECK_FALSE(spd.has_index(order[i].index));
      } else {
        kept.push_back(order[i]);
      }
    }
    std::vector<model::Policy> want = kept;
    want.insert(want.end(), moved.begin(), moved.end());
    CHECK(spd.size() == want.size());
    CHECK(spd.dump() == want);
    for (const auto& p : want) {
      CHECK(spd.has_index(p.index));
      auto g = spd.get(model::PolicyId{{}, p.dir, p.index, p.mark, p.if_id, std::nullopt, p.type});
      REQUIRE(g);
      CHECK(*g == p);
      auto k = spd.get(model::PolicyId::of(p.key()));
      REQUIRE(k);
      CHECK(k->index == p.index);
    }
    CHECK(agree(spd, mix, 3000, hits) == 3000);
    // And it goes on working: new policies after the move get new slots, an old key can come back.
    for (auto& p : mix.policies(50)) (void)spd.insert(p, false);
    CHECK(agree(spd, mix, 1000, hits) == 1000);
  }
}
