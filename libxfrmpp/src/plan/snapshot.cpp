// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/plan/snapshot.hpp"

#include <map>

namespace xfrmpp::plan {
bool same_policy(const model::Policy& a, const model::Policy& b) { return a.config() == b.config(); }

bool same_sa(const model::SecurityAssociation& a, const model::SecurityAssociation& b) { return a.config() == b.config(); }

Result<Snapshot> take_snapshot(Backend& backend) {
  Snapshot s;
  auto p = backend.dump_policies();
  if (!p) return p.error();
  auto sa = backend.dump_sas(std::nullopt);
  if (!sa) return sa.error();
  // Per-socket policies belong to their sockets; a restore must neither remove nor re-create them.
  for (auto& pol : *p)
    if (!pol.is_socket_policy()) s.policies.push_back(std::move(pol));
  s.sas = std::move(*sa);
  return s;
}

RestoreReport restore_snapshot(Backend& backend, const Snapshot& before) {
  RestoreReport report;
  auto now = take_snapshot(backend);
  if (!now) {
    report.errors.push_back(ChangeError{0, now.error().code, now.error().message, {}});
    return report;
  }
  std::map<model::PolicyKey, const model::Policy*> old_policies, new_policies;
  for (const auto& p : before.policies) old_policies.emplace(p.key(), &p);
  for (const auto& p : now->policies) new_policies.emplace(p.key(), &p);
  std::map<model::SaKey, const model::SecurityAssociation*> old_sas, new_sas;
  if (before.with_sas) {
    for (const auto& sa : before.sas) old_sas.emplace(sa.key(), &sa);
    for (const auto& sa : now->sas) new_sas.emplace(sa.key(), &sa);
  }

  std::vector<Change> changes;
  // Removals first so that re-added entries never collide with what the failed run left behind.
  for (const auto& [k, p] : new_policies)
    if (!old_policies.count(k)) changes.push_back(Change{p->id(), Change::Verb::remove, changes.size()});
  for (const auto& [k, sa] : new_sas)
    if (!old_sas.count(k)) changes.push_back(Change{sa->id(), Change::Verb::remove, changes.size()});
  size_t removals = changes.size();
  for (const auto& [k, p] : old_policies) {
    auto it = new_policies.find(k);
    if (it == new_policies.end()) {
      changes.push_back(Change{*p, Change::Verb::add, changes.size()});
    } else if (!same_policy(*p, *it->second)) {
      changes.push_back(Change{*p, Change::Verb::update, changes.size()});
    }
  }
  for (const auto& [k, sa] : old_sas) {
    auto it = new_sas.find(k);
    if (it == new_sas.end()) {
      changes.push_back(Change{*sa, Change::Verb::add, changes.size()});
    } else if (!same_sa(*sa, *it->second)) {
      changes.push_back(Change{*sa, Change::Verb::update, changes.size()});
    }
  }
  if (changes.empty()) return report;
  ApplyReport r = backend.apply(changes, ApplyOptions{false, 64 * 1024});
  for (size_t tag : r.applied_tags) {
    if (tag < removals) ++report.removed;
    else if (changes[tag].verb == Change::Verb::add) ++report.added;
    else ++report.updated;
  }
  report.errors = std::move(r.errors);
  return report;
}

}  // namespace xfrmpp::plan
