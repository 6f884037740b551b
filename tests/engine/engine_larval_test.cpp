// SPDX-License-Identifier: BSD-3-Clause
// getspi's larval SAs: seen in dumps as the kernel shows them, gone after XFRM_ACQ_EXPIRES (30 s, on an
// injected clock), completed by an update with their SPI; an add with their SPI is EEXIST, as in
// xfrm_state_add.
#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <memory>

#include "engine_support.hpp"

using namespace xfrmpp;

namespace {

struct Clock {
  std::shared_ptr<std::atomic<uint64_t>> t = std::make_shared<std::atomic<uint64_t>>(1000);
  std::function<uint64_t()> fn() const {
    return [t = t] { return t->load(); };
  }
};

model::SecurityAssociation larval_request() {
  model::SecurityAssociation want;
  want.family = model::Family::inet;
  want.src = etest::addr("192.0.2.1");
  want.dst = etest::addr("192.0.2.2");
  want.proto = model::Protocol::esp;
  want.mode = model::Mode::tunnel;
  want.reqid = 42;
  want.seq = 5;
  return want;
}

}  // namespace

TEST_CASE("a larval SA lives 30 seconds, is dumped meanwhile, and its expiry is an event") {
  etest::TempDir dir;
  Clock clock;
  auto be = etest::open(dir.state(), false, clock.fn());
  auto sa = be->alloc_spi(larval_request(), 0x1000, 0x1fff);
  REQUIRE(sa.ok());
  CHECK(sa->spi >= 0x1000);
  CHECK(sa->spi <= 0x1fff);
  CHECK(sa->reqid == 42);
  CHECK(sa->limits.hard_add_seconds == 30);
  CHECK(sa->current.add_time == 1000);
  CHECK_FALSE(sa->auth);
  // Another process sees it.
  auto other = etest::open(dir.state(), true, clock.fn());
  auto dump = other->dump_sas(model::Protocol::esp);
  REQUIRE(dump->size() == 1);
  CHECK(dump->front().spi == sa->spi);
  CHECK(other->get_sa(sa->id())->reqid == 42);
  // The same sequence number asks again: the same larval SA answers.
  CHECK(be->alloc_spi(larval_request(), 0x1000, 0x1fff)->spi == sa->spi);

  std::array groups{EventGroup::expire};
  auto stream = other->subscribe(groups);
  REQUIRE(stream.ok());
  clock.t->store(1029);
  CHECK(other->dump_sas(std::nullopt)->size() == 1);
  clock.t->store(1030);
  CHECK(other->dump_sas(std::nullopt)->empty());
  CHECK(other->get_sa(sa->id()).error().code == ESRCH);
  // The next writer drops it from the file and tells subscribers.
  REQUIRE(be->set_host_knob("debug", 1).ok());
  auto ev = (*stream)->next(1000);
  REQUIRE(ev.ok());
  REQUIRE(ev->size() == 1);
  CHECK((*ev)[0].kind == Event::Kind::expire);
  CHECK((*ev)[0].hard);
  CHECK((*ev)[0].sa->spi == sa->spi);
  CHECK(etest::open(dir.state(), true, [] { return uint64_t{0}; })->dump_sas(std::nullopt)->empty());
}

TEST_CASE("an update with the larval SA's SPI completes it; an add with it is EEXIST") {
  etest::TempDir dir;
  Clock clock;
  auto be = etest::open(dir.state(), false, clock.fn());
  auto larval = be->alloc_spi(larval_request(), 0x2000, 0x2000);
  REQUIRE(larval.ok());
  REQUIRE(larval->spi == 0x2000);
  auto full = etest::esp_sa(0x2000);
  full.mode = model::Mode::tunnel;
  full.reqid = 42;
  auto add = be->apply(std::vector<Change>{Change{full, Change::Verb::add, 0}}, ApplyOptions{});
  REQUIRE(add.errors.size() == 1);
  CHECK(add.errors[0].code == EEXIST);
  auto upd = be->apply(std::vector<Change>{Change{full, Change::Verb::update, 0}}, ApplyOptions{});
  CHECK(upd.errors.empty());
  clock.t->store(5000);  // long past the larval lifetime: a complete SA does not expire
  auto dump = be->dump_sas(std::nullopt);
  REQUIRE(dump->size() == 1);
  CHECK(dump->front().auth == full.auth);
  CHECK(dump->front().limits.hard_add_seconds == 0);
}

TEST_CASE("an add naming the larval SA's sequence number replaces it") {
  etest::TempDir dir;
  Clock clock;
  auto be = etest::open(dir.state(), false, clock.fn());
  auto larval = be->alloc_spi(larval_request(), 0x3000, 0x3000);
  REQUIRE(larval.ok());
  auto full = etest::esp_sa(0x3001);
  full.seq = 5;
  REQUIRE(be->apply(std::vector<Change>{Change{full, Change::Verb::add, 0}}, ApplyOptions{}).errors.empty());
  auto dump = be->dump_sas(std::nullopt);
  REQUIRE(dump->size() == 1);
  CHECK(dump->front().spi == 0x3001);
}

TEST_CASE("update of a complete SA takes only what the kernel takes: lifetimes, same-type encap ports") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  auto sa = etest::esp_sa(0x500);
  sa.encap = model::Encapsulation{2, 4500, 4500, {}};
  REQUIRE(be->apply(std::vector<Change>{Change{sa, Change::Verb::add, 0}}, ApplyOptions{}).errors.empty());
  auto next = sa;
  next.limits.hard_add_seconds = 600;
  next.encap->sport = 4600;
  next.crypt->key.assign(16, 9);  // ignored by xfrm_state_update
  REQUIRE(be->apply(std::vector<Change>{Change{next, Change::Verb::update, 0}}, ApplyOptions{}).errors.empty());
  auto got = be->get_sa(sa.id());
  REQUIRE(got.ok());
  CHECK(got->limits.hard_add_seconds == 600);
  CHECK(got->encap->sport == 4600);
  CHECK(got->crypt == sa.crypt);
  auto other_type = next;
  other_type.encap->type = 7;
  auto r = be->apply(std::vector<Change>{Change{other_type, Change::Verb::update, 0}}, ApplyOptions{});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == EINVAL);
}
