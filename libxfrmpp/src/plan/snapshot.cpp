// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/plan/snapshot.hpp"

#include <map>
#include <tuple>

namespace xfrmpp::plan {
namespace {

using SaKey = std::tuple<model::Address, uint32_t, uint8_t, std::optional<model::Mark>, uint32_t>;

SaKey sa_key(const model::SecurityAssociation& sa) {
  return {sa.dst, sa.spi, static_cast<uint8_t>(sa.proto), sa.mark, sa.if_id.value_or(0)};
}

model::PolicyId policy_id(const model::Policy& p) {
  return model::PolicyId{p.sel, p.dir, 0, p.mark, p.if_id, p.ctx, p.type};
}

model::SaId sa_id(const model::SecurityAssociation& sa) {
  return sa.id();
}

}  // namespace

bool same_policy(const model::Policy& a, const model::Policy& b) {
  return a.sel == b.sel && a.dir == b.dir && a.kind == b.kind && a.priority == b.priority && a.templates == b.templates &&
         a.mark == b.mark && a.if_id == b.if_id && a.ctx == b.ctx && a.type == b.type && a.flags == b.flags &&
         a.limits == b.limits;
}

bool same_sa(const model::SecurityAssociation& a, const model::SecurityAssociation& b) {
  return a.family == b.family && a.src == b.src && a.dst == b.dst && a.proto == b.proto && a.spi == b.spi &&
         a.mode == b.mode && a.reqid == b.reqid && a.flags == b.flags && a.extra_flags == b.extra_flags && a.sel == b.sel &&
         a.replay.window == b.replay.window && a.replay.esn == b.replay.esn && a.auth == b.auth && a.crypt == b.crypt &&
         a.aead == b.aead && a.comp == b.comp && a.encap == b.encap && a.limits == b.limits && a.mark == b.mark &&
         a.if_id == b.if_id && a.output_mark == b.output_mark && a.tfcpad == b.tfcpad && a.ctx == b.ctx;
}

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
  std::map<SaKey, const model::SecurityAssociation*> old_sas, new_sas;
  if (before.with_sas) {
    for (const auto& sa : before.sas) old_sas.emplace(sa_key(sa), &sa);
    for (const auto& sa : now->sas) new_sas.emplace(sa_key(sa), &sa);
  }

  std::vector<Change> changes;
  // Removals first so that re-added entries never collide with what the failed run left behind.
  for (const auto& [k, p] : new_policies)
    if (!old_policies.count(k)) changes.push_back(Change{policy_id(*p), Change::Verb::remove, changes.size()});
  for (const auto& [k, sa] : new_sas)
    if (!old_sas.count(k)) changes.push_back(Change{sa_id(*sa), Change::Verb::remove, changes.size()});
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
