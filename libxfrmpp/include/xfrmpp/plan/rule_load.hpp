// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Loading a rule file's policies into an SPD that may already hold some (ipsecconf -a, -a -f, -r, -d,
// -f): a policy asked for twice goes in once, a key already in the SPD is a duplicate when this tool
// installed it or it does the same to traffic and a conflict otherwise, the IKE bypass policies go in
// when missing, and a failed or abandoned load is taken back. Nothing here prints or knows the rule
// language: the caller passes the policies its rules expand to.
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "xfrmpp/backend.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::plan {

/// Whether two policies with one key do the same to traffic: same action, and for ipsec the same
/// transforms, levels and algorithm masks (and tunnel endpoints). Reqids and priority do not change
/// what is allowed.
bool same_traffic_action(const model::Policy& a, const model::Policy& b);

/// Deletes policies by key; ones already gone are fine. The first other error, if any.
std::optional<ChangeError> remove_policies(Backend& backend, std::span<const model::PolicyKey> keys);

/// A partial flush (ipsecconf -f, -f -i tunnel): every main-type policy of the SPD `in_scope` selects;
/// socket policies belong to their sockets and are never touched.
struct ScopedFlushReport {
  std::optional<Error> read_error;  ///< the SPD could not be read: nothing was removed
  std::optional<ChangeError> error;  ///< the first removal that failed (one already gone is fine)
  size_t selected = 0;
};
ScopedFlushReport flush_policies_where(Backend& backend, const std::function<bool(const model::Policy&)>& in_scope);

struct RuleLoadInput {
  std::span<const model::Policy> before;  ///< the SPD as dumped before the load
  std::span<const model::Policy> wanted;  ///< every policy the rules expand to, in file order
  std::set<model::PolicyKey> owned;       ///< keys the caller's record says it installed
  std::span<const model::Policy> bypass;  ///< added when their key is in neither the SPD nor `wanted`
  bool replace = false;                   ///< replace the SPD: updates instead of adds, no conflicts
};

/// A wanted policy whose key the SPD holds with another action, set by someone else.
struct RuleConflict {
  size_t wanted = 0;
  model::Policy existing;
};

struct RuleLoadPlan {
  std::vector<Change> changes;    ///< tags index `changes`
  std::vector<size_t> wanted_of;  ///< for changes before bypass_from: the index into `wanted`
  size_t bypass_from = 0;         ///< changes from here on are bypass policies
  std::vector<bool> skipped;      ///< per wanted policy: a duplicate, not sent
  std::vector<RuleConflict> conflicts;  ///< non-empty: nothing may be sent
  std::set<model::PolicyKey> planned_keys;
};

RuleLoadPlan plan_rule_load(const RuleLoadInput& in);

struct RuleLoadResult {
  ApplyReport report;
  /// The first error that matters: an EEXIST on a wanted key is a policy another tool added meanwhile
  /// (an error), on a bypass policy it is harmless.
  std::optional<ChangeError> fatal;
};

/// Sends the plan's changes (all of them: the backend keeps going past an error, take_back_rule_load
/// then removes what went in).
RuleLoadResult apply_rule_load(Backend& backend, const RuleLoadPlan& plan);

/// Takes back an applied load: an add removes the policies it added (EEXIST ones were never its own),
/// a replace restores the SPD to `before` (the SAD is left alone). The first error, if any.
std::optional<ChangeError> take_back_rule_load(Backend& backend, const RuleLoadPlan& plan, const ApplyReport& applied,
                                               std::span<const model::Policy> before, bool replace);

/// After a replace has put the new rules in: what to remove of the old SPD, sorted and unique. Those are
/// `before`'s host policies (main type, no if_id, not a socket's) that are neither planned nor bypass
/// policies, and the keys the record held that are not planned.
std::vector<model::PolicyKey> stale_keys(std::span<const model::Policy> before, const std::set<model::PolicyKey>& planned,
                                         std::span<const model::PolicyKey> recorded,
                                         const std::function<bool(const model::Policy&)>& is_bypass);

}  // namespace xfrmpp::plan

#pragma GCC visibility pop
