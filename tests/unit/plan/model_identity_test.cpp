// SPDX-License-Identifier: BSD-3-Clause
// One identity and one configuration equality per model type: what the kernel stamps (counters, times,
// the policy index) never makes two configurations differ, and every configured field does.
#include <doctest/doctest.h>

#include "fake_backend.hpp"
#include "xfrmpp/plan/snapshot.hpp"

using namespace plan_test;

TEST_CASE("SA: kernel-stamped state is outside the configuration equality, every configured field inside") {
  auto a = sa("10.0.0.1", "10.0.0.2", 0x100);
  auto b = a;
  b.current.bytes = 99;
  b.stats.replay = 3;
  b.last_used = 12345;
  b.replay_counters.oseq = 42;
  b.seq = 8;
  CHECK(a.config() == b.config());
  CHECK(xfrmpp::plan::same_sa(a, b));
  CHECK_FALSE(a == b);  // the full equality sees them

  auto differs = [&](auto change) {
    auto c = a;
    change(c);
    return !(a.config() == c.config()) && !xfrmpp::plan::same_sa(a, c);
  };
  CHECK(differs([](m::SecurityAssociation& s) { s.dir = m::SaDirection::in; }));
  CHECK(differs([](m::SecurityAssociation& s) { s.nat_keepalive_interval = 20; }));
  CHECK(differs([](m::SecurityAssociation& s) { s.mapping_threshold = 3; }));
  CHECK(differs([](m::SecurityAssociation& s) { s.coaddr = v4("10.1.1.1"); }));
  CHECK(differs([](m::SecurityAssociation& s) { s.replay.window = 64; }));
  CHECK(differs([](m::SecurityAssociation& s) { s.reqid = 4; }));
}

TEST_CASE("SA identity: the key leaves the source out, an id with a source names only that SA") {
  auto a = sa("10.0.0.1", "10.0.0.2", 0x100);
  auto b = sa("10.0.0.9", "10.0.0.2", 0x100);
  CHECK(a.key() == b.key());
  CHECK(a.id().names(a));
  CHECK_FALSE(a.id().names(b));
  auto any_src = a.id();
  any_src.src = m::Address{};
  CHECK(any_src.names(b));
  auto c = a;
  c.if_id = 0;  // an if_id of 0 is no if_id
  CHECK(c.key() == a.key());
  c.if_id = 3;
  CHECK_FALSE(c.key() == a.key());
}

TEST_CASE("policy: the index and current lifetime are outside the configuration equality") {
  auto a = policy("10.0.0.1", "10.0.0.2");
  auto b = a;
  b.index = 0x1234;
  b.current.packets = 5;
  CHECK(a.config() == b.config());
  CHECK(xfrmpp::plan::same_policy(a, b));
  CHECK_FALSE(a == b);
  b.priority = 9;
  CHECK_FALSE(a.config() == b.config());
  // id() names it by key (index 0); PolicyId::of(key) is the same identity.
  CHECK(b.id().index == 0);
  CHECK(b.id().key() == a.key());
  CHECK(m::PolicyId::of(a.key()).key() == a.key());
}
