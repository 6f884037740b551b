// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/backend.hpp"

#include <cerrno>
#include <string>
#include <utility>

namespace xfrmpp {

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
