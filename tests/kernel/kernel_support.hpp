// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Shared pieces of the kernel tests: a backend in the test's private netns reset to a clean state,
// policy builders, and comparison of what the kernel returns with what was sent.
#include <memory>
#include <vector>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/netlink/kernel_backend.hpp"

namespace ktest {

/// A KernelBackend whose SPD/SAD is empty and whose defaults and hash thresholds are the kernel's.
std::unique_ptr<xfrmpp::nl::KernelBackend> fresh_backend();

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

/// `sent` with what the kernel assigns filled in from `got`: the index (when not chosen) and the
/// current-lifetime counters. Everything else must come back as sent.
xfrmpp::model::Policy as_kernel_reports(xfrmpp::model::Policy sent, const xfrmpp::model::Policy& got);

}  // namespace ktest
