// SPDX-License-Identifier: BSD-3-Clause
#include "decision_json.hpp"

#include "xfrmpp/model/names.hpp"

namespace xfrmpp::tools::engine_cli {

namespace {

std::string_view action_name(engine::Decision::Action a) {
  switch (a) {
    case engine::Decision::Action::allow: return "allow";
    case engine::Decision::Action::block: return "block";
    case engine::Decision::Action::ipsec: return "ipsec";
    case engine::Decision::Action::default_action: return "default";
  }
  return "default";
}

}  // namespace

nlohmann::json decision_json(const engine::Decision& d) {
  nlohmann::json j{{"action", action_name(d.action)}};
  if (!d.policy) {
    j["index"] = nullptr;
    j["priority"] = nullptr;
    j["default"] = d.default_verdict == model::PolicyAction::block ? "block" : "allow";
    j["templates"] = nlohmann::json::array();
    return j;
  }
  const model::Policy& p = *d.policy;
  j["index"] = p.index;
  j["priority"] = p.priority;
  j["kind"] = model::name_of(model::policy_kind_names(), p.kind);
  nlohmann::json t = nlohmann::json::array();
  for (const auto& tp : p.templates) {
    t.push_back({{"proto", model::name_of(model::protocol_names(), tp.proto)},
                 {"mode", model::name_of(model::mode_names(), tp.mode)},
                 {"level", model::name_of(model::level_names(), tp.level)},
                 {"reqid", tp.reqid}});
  }
  j["templates"] = std::move(t);
  return j;
}

}  // namespace xfrmpp::tools::engine_cli
