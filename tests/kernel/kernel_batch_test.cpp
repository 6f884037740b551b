// SPDX-License-Identifier: BSD-3-Clause
// Batched apply against the kernel and the engine: 10,000 policies, error-to-tag mapping, stop_at_first_error;
// ACK sizing (the kernel only).
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <numeric>

#include "kernel_support.hpp"
#include "wire.hpp"
#ifdef XFRMPP_TEST_KERNEL
#include "xfrmpp/netlink/kernel_backend.hpp"
#endif

using namespace xfrmpp;

namespace {

std::vector<model::Policy> host_policies(uint32_t n, uint32_t first = 0) {
  std::vector<model::Policy> out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    auto p = ktest::host_policy(first + i);
    p.priority = i % 7;  // content varies, so a dump mix-up would show
    out.push_back(p);
  }
  return out;
}

std::vector<size_t> iota(size_t n) {
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), size_t{0});
  return v;
}

}  // namespace

TEST_CASE("10,000 policies: applied in order, dumped back intact, flushed") {
  auto be = ktest::fresh_backend();
  auto ps = host_policies(10000);
  ApplyReport r = be->apply(ktest::changes_of(ps), ApplyOptions{});
  CHECK(r.errors.empty());
  CHECK_FALSE(r.stopped_early);
  CHECK(r.applied == 10000);
  CHECK(r.applied_tags == iota(10000));

  auto dump = be->dump_policies();
  REQUIRE(dump.ok());
  REQUIRE(dump->size() == 10000);
  std::map<uint32_t, const model::Policy*> by_src;  // the source address tells the policies apart
  for (const auto& p : *dump) {
    uint32_t key = 0;
    std::memcpy(&key, p.sel.src.addr.bytes.data(), 4);
    by_src[key] = &p;
  }
  REQUIRE(by_src.size() == 10000);
  size_t mismatches = 0;
  for (const auto& p : ps) {
    uint32_t key = 0;
    std::memcpy(&key, p.sel.src.addr.bytes.data(), 4);
    auto it = by_src.find(key);
    if (it == by_src.end() || wire::diff(*it->second, ktest::as_kernel_reports(p, *it->second)) != "") ++mismatches;
  }
  CHECK(mismatches == 0);

  auto info = be->spd_info();
  REQUIRE(info.ok());
  CHECK(info->out == 10000);
  REQUIRE(be->flush_policies().ok());
  auto empty = be->dump_policies();
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("a duplicate in the middle of a batch fails with EEXIST on exactly its tag; the rest apply") {
  auto be = ktest::fresh_backend();
  auto ps = host_policies(100);
  ps[50] = ps[10];  // same key as change 10
  for (size_t batch : {size_t{64 * 1024}, size_t{4096}}) {  // one batch, then many small ones
    CAPTURE(batch);
    REQUIRE(be->flush_policies().ok());
    ApplyReport r = be->apply(ktest::changes_of(ps), ApplyOptions{false, batch});
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].tag == 50);
    CHECK(r.errors[0].code == EEXIST);
    CHECK(r.errors[0].message == std::strerror(EEXIST));
    CHECK(r.applied == 99);
    auto expected = iota(100);
    expected.erase(expected.begin() + 50);
    CHECK(r.applied_tags == expected);
    CHECK_FALSE(r.stopped_early);
    auto dump = be->dump_policies();
    REQUIRE(dump.ok());
    CHECK(dump->size() == 99);
  }
}

TEST_CASE("stop_at_first_error: the failing batch completes, no further batch is sent") {
  auto be = ktest::fresh_backend();
  auto ps = host_policies(200);
  ps[40] = ps[3];
  ApplyReport r = be->apply(ktest::changes_of(ps), ApplyOptions{true, 4096});
  CHECK(r.stopped_early);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].tag == 40);
  CHECK(r.errors[0].code == EEXIST);
  // Everything before the error applied; after it only the rest of its own batch (the kernel keeps going;
  // the engine, which has no batches, stops right there).
  REQUIRE_FALSE(r.applied_tags.empty());
  size_t last = r.applied_tags.back();
  CHECK(last < 199);
  auto expected = iota(std::max(last + 1, size_t{40}));
  if (last > 40) expected.erase(expected.begin() + 40);  // 0..last except 40
  CHECK(r.applied_tags == expected);
  if (ktest::on_engine()) CHECK(r.applied_tags == iota(40));
  CHECK(r.applied == r.applied_tags.size());
  auto dump = be->dump_policies();
  REQUIRE(dump.ok());
  CHECK(dump->size() == r.applied);
}

TEST_CASE("an unencodable change fails locally on its tag") {
  auto be = ktest::fresh_backend();
  auto ps = host_policies(20);
  ps[7].templates.assign(7, ps[7].templates[0]);  // over XFRM_MAX_DEPTH: never sent
  ApplyReport keep_going = be->apply(ktest::changes_of(ps), ApplyOptions{false});
  REQUIRE(keep_going.errors.size() == 1);
  CHECK(keep_going.errors[0].tag == 7);
  CHECK(keep_going.errors[0].code == EINVAL);
  CHECK(keep_going.applied == 19);

  REQUIRE(be->flush_policies().ok());
  ApplyReport stop = be->apply(ktest::changes_of(ps), ApplyOptions{true});
  CHECK(stop.stopped_early);
  CHECK(stop.applied_tags == iota(7));
  REQUIRE(stop.errors.size() == 1);
  CHECK(stop.errors[0].tag == 7);
}

// Big applies span many batches; apply_each makes each change on demand (the engine's in chunks). Both
// must give the report a plain apply gives, however the batches fall.
ApplyReport apply_by(Backend& be, bool each, const std::vector<Change>& changes, const ApplyOptions& o) {
  if (!each) return be.apply(changes, o);
  return be.apply_each(changes.size(), [&changes](size_t i) { return changes[i]; }, o);
}

TEST_CASE("a big apply, plain or made on demand: the duplicate fails on exactly its tag, the rest apply") {
  auto be = ktest::fresh_backend();
  auto ps = host_policies(5000, 100000);
  ps[3001] = ps[17];
  auto changes = ktest::changes_of(ps);
  for (bool each : {false, true}) {
    for (size_t batch : {size_t{64 * 1024}, size_t{4096}}) {
      CAPTURE(each);
      CAPTURE(batch);
      REQUIRE(be->flush_policies().ok());
      ApplyReport r = apply_by(*be, each, changes, ApplyOptions{false, batch});
      REQUIRE(r.errors.size() == 1);
      CHECK(r.errors[0].tag == 3001);
      CHECK(r.errors[0].code == EEXIST);
      auto expected = iota(5000);
      expected.erase(expected.begin() + 3001);
      CHECK(r.applied_tags == expected);
      CHECK(r.applied == 4999);
      CHECK_FALSE(r.stopped_early);
      auto info = be->spd_info();
      REQUIRE(info.ok());
      CHECK(info->out == 4999);
    }
  }
}

TEST_CASE("a big apply that stops at its first error sends no batch after the failing one") {
  auto be = ktest::fresh_backend();
  auto ps = host_policies(5000, 200000);
  ps[2500] = ps[5];
  auto changes = ktest::changes_of(ps);
  for (bool each : {false, true}) {
    CAPTURE(each);
    REQUIRE(be->flush_policies().ok());
    // 4 KiB batches hold about 16 policies: the failing batch completes, nothing after it is sent.
    ApplyReport r = apply_by(*be, each, changes, ApplyOptions{true, 4096});
    CHECK(r.stopped_early);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].tag == 2500);
    REQUIRE_FALSE(r.applied_tags.empty());
    size_t last = r.applied_tags.back();
    CHECK(last < 2500 + 32);
    auto expected = iota(std::max(last + 1, size_t{2500}));
    if (last > 2500) expected.erase(expected.begin() + 2500);
    CHECK(r.applied_tags == expected);
    if (ktest::on_engine()) CHECK(r.applied_tags == iota(2500));
    auto info = be->spd_info();
    REQUIRE(info.ok());
    CHECK(info->out == r.applied);
  }
}

TEST_CASE("a big apply with an unencodable change: it fails locally; with stop nothing after it is sent") {
  auto be = ktest::fresh_backend();
  auto ps = host_policies(3000, 300000);
  ps[1234].templates.assign(7, ps[1234].templates[0]);  // over XFRM_MAX_DEPTH
  auto changes = ktest::changes_of(ps);
  for (bool each : {false, true}) {
    CAPTURE(each);
    REQUIRE(be->flush_policies().ok());
    ApplyReport go_on = apply_by(*be, each, changes, ApplyOptions{false});
    REQUIRE(go_on.errors.size() == 1);
    CHECK(go_on.errors[0].tag == 1234);
    CHECK(go_on.errors[0].code == EINVAL);
    CHECK(go_on.applied == 2999);
    REQUIRE(be->flush_policies().ok());
    ApplyReport stop = apply_by(*be, each, changes, ApplyOptions{true});
    CHECK(stop.stopped_early);
    CHECK(stop.applied_tags == iota(1234));
    REQUIRE(stop.errors.size() == 1);
    CHECK(stop.errors[0].tag == 1234);
    auto info = be->spd_info();
    REQUIRE(info.ok());
    CHECK(info->out == 1234);
  }
}

#ifdef XFRMPP_TEST_KERNEL
// Kernel only: netlink receive buffers.
TEST_CASE("batches are sized so that every ACK fits a small receive buffer" * ktest::kernel_only()) {
  auto be = nl::KernelBackend::open(nl::SocketOptions{16 * 1024, 1 << 20});
  REQUIRE(be.ok());
  REQUIRE((*be)->flush_policies().ok());
  CHECK((*be)->max_batch_messages() < 64);
  auto ps = host_policies(2000, 50000);
  ps[1500] = ps[20];
  ApplyReport r = (*be)->apply(ktest::changes_of(ps), ApplyOptions{false});
  REQUIRE(r.errors.size() == 1);  // no ENOBUFS anywhere, just the duplicate
  CHECK(r.errors[0].tag == 1500);
  CHECK(r.applied == 1999);
  REQUIRE((*be)->flush_policies().ok());
}
#endif

TEST_CASE("visit_policies streams the dump, in dump_policies' order; an error from the visitor stops it, drained") {
  auto be = ktest::fresh_backend();
  auto ps = host_policies(3000);  // several dump parts
  REQUIRE(be->apply(ktest::changes_of(ps), ApplyOptions{}).errors.empty());
  auto dump = be->dump_policies();
  REQUIRE(dump.ok());

  std::vector<model::Policy> seen;
  auto r = be->visit_policies(DumpVisitor<model::Policy>{[&seen](model::Policy&& p) -> Result<void> {
                                                            seen.push_back(std::move(p));
                                                            return {};
                                                          },
                                                          {}});
  REQUIRE(r.ok());
  CHECK(seen == *dump);

  size_t calls = 0;
  auto stopped = be->visit_policies(DumpVisitor<model::Policy>{[&calls](model::Policy&&) -> Result<void> {
                                                                  if (++calls == 10) return make_error(ECANCELED, "enough");
                                                                  return {};
                                                                },
                                                                {}});
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.error().code == ECANCELED);
  CHECK(calls == 10);
  // The stopped dump was read to its end: the socket takes the next one.
  auto again = be->dump_policies();
  REQUIRE(again.ok());
  CHECK(*again == *dump);
}
