// SPDX-License-Identifier: BSD-3-Clause
// The event stream sees what another backend instance does to the SPD (kernel and engine); a netlink
// subscriber's overrun (the kernel only).
#include <doctest/doctest.h>

#include <chrono>

#include "kernel_support.hpp"
#ifdef XFRMPP_TEST_KERNEL
#include "xfrmpp/netlink/event_stream.hpp"
#endif

using namespace xfrmpp;
using Kind = Event::Kind;

namespace {

// Collects events until `want` of them match `pred` or two seconds pass.
template <typename Pred>
std::vector<Event> collect(EventStream& s, size_t want, Pred pred) {
  std::vector<Event> got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
    auto evs = s.next(200);
    REQUIRE(evs.ok());
    for (auto& e : *evs)
      if (pred(e)) got.push_back(std::move(e));
  }
  return got;
}

}  // namespace

TEST_CASE("a policy-group subscriber sees NEW, DEL, FLUSH and default-policy notifications") {
  auto writer = ktest::fresh_backend();
  auto reader = ktest::fresh_backend();
  const EventGroup groups[] = {EventGroup::policy};
  auto stream = reader->subscribe(groups);
  REQUIRE(stream.ok());

  auto p = ktest::host_policy(77);
  p.priority = 123;
  auto q = ktest::host_policy(78);
  REQUIRE(writer->apply(ktest::changes_of({p, q}), ApplyOptions{}).applied == 2);
  REQUIRE(writer->apply(ktest::changes_of({p}, Change::Verb::remove), ApplyOptions{}).applied == 1);
  // q keeps the SPD non-empty: flushing an empty SPD succeeds without any notification.
  REQUIRE(writer->flush_policies().ok());
  REQUIRE(writer->set_default_policy({std::nullopt, std::nullopt, model::PolicyAction::allow}).ok());

  auto evs = collect(**stream, 5, [](const Event& e) { return e.kind != Kind::other; });
  REQUIRE(evs.size() == 5);
  CHECK(evs[0].kind == Kind::new_policy);
  REQUIRE(evs[0].policy);
  CHECK(evs[0].policy->sel == p.sel);
  CHECK(evs[0].policy->priority == 123);
  CHECK(evs[0].policy->templates.size() == 1);
  CHECK(evs[1].kind == Kind::new_policy);
  REQUIRE(evs[1].policy);
  CHECK(evs[1].policy->sel == q.sel);
  CHECK(evs[2].kind == Kind::delete_policy);
  REQUIRE(evs[2].policy);
  CHECK(evs[2].policy->sel == p.sel);
  CHECK(evs[2].policy->priority == 123);  // from XFRMA_POLICY, not just the id
  CHECK(evs[2].policy->templates.size() == 1);
  CHECK(evs[3].kind == Kind::flush_policy);
  CHECK(evs[4].kind == Kind::default_policy);
  REQUIRE(evs[4].defaults);
  CHECK(evs[4].defaults->out == model::PolicyAction::allow);

  auto quiet = (*stream)->next(0);
  REQUIRE(quiet.ok());
  CHECK(quiet->empty());
}

#ifdef XFRMPP_TEST_KERNEL
// Kernel only: a netlink socket's receive buffer (the engine journal's overrun: tests/engine/engine_bulk_test.cpp).
TEST_CASE("a subscriber whose buffer overflows gets a Kind::overrun event" * ktest::kernel_only()) {
  auto writer = ktest::fresh_backend();
  const EventGroup groups[] = {EventGroup::policy};
  auto stream = nl::KernelEventStream::open(groups, nl::SocketOptions{4096, 4096});
  REQUIRE(stream.ok());
  std::vector<model::Policy> ps;
  for (uint32_t i = 0; i < 500; ++i) ps.push_back(ktest::host_policy(1000 + i));
  REQUIRE(writer->apply(ktest::changes_of(ps), ApplyOptions{}).applied == 500);
  auto evs = collect(**stream, 1, [](const Event& e) { return e.kind == Kind::overrun; });
  CHECK(evs.size() == 1);
  REQUIRE(writer->flush_policies().ok());
}
#endif
