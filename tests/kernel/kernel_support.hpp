// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Shared pieces of the kernel tests: a backend reset to a clean state, policy builders, and comparison of
// what the backend returns with what was sent. The tests are written over Backend& and run twice (tests/kernel/
// CMakeLists.txt): against the kernel in the test's private netns, and with XFRMPP_TEST_BACKEND=engine
// against the software engine, on a state file of the run's own, as an ordinary user.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "xfrmpp/backend.hpp"

namespace ktest {

/// True in the engine run.
bool on_engine();

/// The decorator of a test case that exercises the kernel itself (netlink socket buffers, ACK sizing...):
/// `TEST_CASE("..." * ktest::kernel_only())`, skipped in the engine run. Such cases sit in
/// `#ifdef XFRMPP_TEST_KERNEL`, which a build without the kernel backend leaves undefined.
inline doctest::skip kernel_only() { return doctest::skip(on_engine()); }

/// The backend under test (the kernel in this netns, or the engine on this run's state file) with an empty
/// SPD/SAD, every default policy allow, and the kernel's default hash thresholds. Every backend a test opens
/// shares that one SPD/SAD, as every socket in one network namespace does.
std::unique_ptr<xfrmpp::Backend> fresh_backend();

/// Distinct host-to-host v4 policy number `i` (10.x.y.z -> 20.x.y.z), with one ESP transport template.
xfrmpp::model::Policy host_policy(uint32_t i, xfrmpp::model::Direction dir = xfrmpp::model::Direction::out);

/// One change per policy, tagged with its position.
std::vector<xfrmpp::Change> changes_of(const std::vector<xfrmpp::model::Policy>& policies,
                                       xfrmpp::Change::Verb verb = xfrmpp::Change::Verb::add);

/// A by-selector policy id.
xfrmpp::model::PolicyId policy_id(const xfrmpp::model::Selector& sel, xfrmpp::model::Direction dir);

/// The dumped policy with the same key, or null.
const xfrmpp::model::Policy* find_by_key(const std::vector<xfrmpp::model::Policy>& dump,
                                         const xfrmpp::model::PolicyKey& key);

/// `sent` with what the backend assigns filled in from `got`: the index (when not chosen) and the
/// current-lifetime counters. Everything else must come back as sent.
xfrmpp::model::Policy as_kernel_reports(xfrmpp::model::Policy sent, const xfrmpp::model::Policy& got);

}  // namespace ktest
