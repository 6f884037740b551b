// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/backend.hpp"

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

namespace xfrmpp {

ApplyReport Backend::apply_each(size_t count, const std::function<Change(size_t)>& make, const ApplyOptions& options) {
  // Chunks bound the memory of changes that copy their targets.
  constexpr size_t kChunk = 4096;
  ApplyReport report;
  std::vector<Change> chunk;
  for (size_t first = 0; first < count; first += kChunk) {
    chunk.clear();
    for (size_t i = first; i < std::min(count, first + kChunk); ++i) chunk.push_back(make(i));
    ApplyReport r = apply(chunk, options);
    report.applied += r.applied;
    report.applied_tags.insert(report.applied_tags.end(), r.applied_tags.begin(), r.applied_tags.end());
    for (auto& e : r.errors) report.errors.push_back(std::move(e));
    if (!report.errors.empty() && options.stop_at_first_error) {
      report.stopped_early = r.stopped_early || first + kChunk < count;
      break;
    }
  }
  return report;
}

Result<uint32_t> Backend::get_host_knob(std::string_view name) {
  return make_error(EOPNOTSUPP, std::string(name) + ": this backend keeps no such knob (only the engine does)");
}

Result<void> Backend::set_host_knob(std::string_view name, uint32_t) {
  return make_error(EOPNOTSUPP, std::string(name) + ": this backend keeps no such knob (only the engine does)");
}

namespace {

template <typename T>
Result<void> walk(Result<std::vector<T>>&& all, const DumpVisitor<T>& visitor) {
  if (!all) return all.error();
  for (auto& e : *all)
    if (auto r = visitor.entry(std::move(e)); !r) return r;
  return {};
}

template <typename T, typename Visit>
Result<std::vector<T>> collect(Visit&& visit) {
  std::vector<T> out;
  auto r = visit(DumpVisitor<T>{[&out](T&& e) -> Result<void> {
                                  out.push_back(std::move(e));
                                  return {};
                                },
                                [&out] { out.clear(); }});
  if (!r) return r.error();
  return out;
}

}  // namespace

Result<void> Backend::visit_policies(const DumpVisitor<model::Policy>& visitor) { return walk(dump_policies(), visitor); }

Result<void> Backend::visit_sas(std::optional<model::Protocol> proto, const DumpVisitor<model::SecurityAssociation>& visitor) {
  return walk(dump_sas(proto), visitor);
}

Result<std::vector<model::Policy>> Backend::collect_policies() {
  return collect<model::Policy>([this](const DumpVisitor<model::Policy>& v) { return visit_policies(v); });
}

Result<std::vector<model::SecurityAssociation>> Backend::collect_sas(std::optional<model::Protocol> proto) {
  return collect<model::SecurityAssociation>(
      [this, proto](const DumpVisitor<model::SecurityAssociation>& v) { return visit_sas(proto, v); });
}

}  // namespace xfrmpp
