// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The JSON object `ipsec-engine lookup` prints for one decision.
#include <nlohmann/json.hpp>

#include "xfrmpp/engine/engine_backend.hpp"

namespace xfrmpp::tools::engine_cli {

nlohmann::json decision_json(const engine::Decision& d);

}  // namespace xfrmpp::tools::engine_cli
