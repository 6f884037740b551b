// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/plan/rule_load.hpp"

#include <algorithm>
#include <cerrno>
#include <map>

#include "xfrmpp/plan/snapshot.hpp"

namespace xfrmpp::plan {

bool same_traffic_action(const model::Policy& a, const model::Policy& b) {
  if (a.kind != b.kind) return false;
  if (a.kind != model::PolicyKind::ipsec) return true;
  if (a.templates.size() != b.templates.size()) return false;
  for (size_t i = 0; i < a.templates.size(); ++i) {
    const auto &x = a.templates[i], &y = b.templates[i];
    if (x.proto != y.proto || x.mode != y.mode || x.level != y.level || x.aalgos != y.aalgos || x.ealgos != y.ealgos ||
        x.calgos != y.calgos)
      return false;
    if (x.mode == model::Mode::tunnel && (x.src != y.src || x.dst != y.dst)) return false;
  }
  return true;
}

std::optional<ChangeError> remove_policies(Backend& backend, std::span<const model::PolicyKey> keys) {
  if (keys.empty()) return std::nullopt;
  std::vector<Change> changes;
  for (size_t i = 0; i < keys.size(); ++i) changes.push_back(Change{model::PolicyId::of(keys[i]), Change::Verb::remove, i});
  ApplyReport rep = backend.apply(changes, ApplyOptions{false});
  for (const auto& e : rep.errors)
    if (e.code != ENOENT) return e;
  return std::nullopt;
}

ScopedFlushReport flush_policies_where(Backend& backend, const std::function<bool(const model::Policy&)>& in_scope) {
  ScopedFlushReport r;
  auto dump = backend.dump_policies();
  if (!dump) {
    r.read_error = dump.error();
    return r;
  }
  std::vector<model::PolicyKey> keys;
  for (const auto& p : *dump)
    if (!p.is_socket_policy() && p.type == model::PolicyType::main && in_scope(p)) keys.push_back(p.key());
  r.selected = keys.size();
  r.error = remove_policies(backend, keys);
  return r;
}

RuleLoadPlan plan_rule_load(const RuleLoadInput& in) {
  RuleLoadPlan plan;
  // What the SPD holds per key (the kernel's EEXIST key, which also counts the security context).
  std::map<model::PolicyKey, const model::Policy*> in_spd;
  for (const auto& p : in.before)
    if (!p.is_socket_policy() && !p.ctx) in_spd.emplace(p.key(), &p);
  plan.skipped.assign(in.wanted.size(), false);
  for (size_t i = 0; i < in.wanted.size(); ++i) {
    const model::Policy& want = in.wanted[i];
    if (!plan.planned_keys.insert(want.key()).second) {
      plan.skipped[i] = true;
      continue;
    }
    if (auto f = in_spd.find(want.key()); !in.replace && f != in_spd.end()) {
      if (!in.owned.count(want.key()) && !same_traffic_action(*f->second, want)) plan.conflicts.push_back({i, *f->second});
      plan.skipped[i] = true;
      continue;
    }
    plan.changes.push_back(Change{want, in.replace ? Change::Verb::update : Change::Verb::add, plan.changes.size()});
    plan.wanted_of.push_back(i);
  }
  std::set<model::PolicyKey> existing;
  for (const auto& p : in.before) existing.insert(p.key());
  plan.bypass_from = plan.changes.size();
  for (const auto& p : in.bypass)
    if (!existing.count(p.key()) && !plan.planned_keys.count(p.key()))
      plan.changes.push_back(Change{p, Change::Verb::add, plan.changes.size()});
  return plan;
}

RuleLoadResult apply_rule_load(Backend& backend, const RuleLoadPlan& plan) {
  RuleLoadResult r;
  r.report = backend.apply(plan.changes, ApplyOptions{false});
  for (const auto& e : r.report.errors)
    if (e.code != EEXIST || e.tag < plan.bypass_from) {
      r.fatal = e;
      break;
    }
  return r;
}

std::optional<ChangeError> take_back_rule_load(Backend& backend, const RuleLoadPlan& plan, const ApplyReport& applied,
                                               std::span<const model::Policy> before, bool replace) {
  if (replace) {
    Snapshot snap;
    snap.with_sas = false;
    for (const auto& p : before)
      if (!p.is_socket_policy()) snap.policies.push_back(p);
    auto r = restore_snapshot(backend, snap);
    if (!r.errors.empty()) return r.errors.front();
    return std::nullopt;
  }
  std::vector<model::PolicyKey> undo;
  for (size_t tag : applied.applied_tags)
    if (const auto* p = std::get_if<model::Policy>(&plan.changes[tag].target)) undo.push_back(p->key());
  return remove_policies(backend, undo);
}

std::vector<model::PolicyKey> stale_keys(std::span<const model::Policy> before, const std::set<model::PolicyKey>& planned,
                                         std::span<const model::PolicyKey> recorded,
                                         const std::function<bool(const model::Policy&)>& is_bypass) {
  std::vector<model::PolicyKey> old;
  for (const auto& p : before)
    if (!p.is_socket_policy() && p.type == model::PolicyType::main && p.if_id.value_or(0) == 0 && !planned.count(p.key()) &&
        !is_bypass(p))
      old.push_back(p.key());
  for (const auto& k : recorded)
    if (!planned.count(k)) old.push_back(k);
  std::sort(old.begin(), old.end());
  old.erase(std::unique(old.begin(), old.end()), old.end());
  return old;
}

}  // namespace xfrmpp::plan
