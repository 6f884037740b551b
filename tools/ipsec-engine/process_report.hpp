// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What `ipsec-engine process` prints at the end: a table for people, or one JSON document (--json).
#include <nlohmann/json.hpp>

#include <string>

#include "process.hpp"

namespace xfrmpp::tools::engine_cli {

nlohmann::json summary_json(const ProcessSummary& s);
/// summary_json as pretty text, newline-terminated.
std::string summary_json_text(const ProcessSummary& s);
std::string summary_table(const ProcessSummary& s);

}  // namespace xfrmpp::tools::engine_cli
