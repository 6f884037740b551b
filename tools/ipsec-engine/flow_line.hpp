// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One line of `ipsec-engine lookup` input: DIR PROTO SRC SPORT DST DPORT.
#include <string>
#include <string_view>
#include <variant>

#include "xfrmpp/engine/spd.hpp"

namespace xfrmpp::tools::engine_cli {

struct LineError {
  size_t column = 1;  ///< 1-based byte column of the offending word
  std::string message;
};

/// The flow of one line (an empty or '#' line is std::monostate: skipped, no output).
std::variant<std::monostate, engine::Flow, LineError> parse_flow_line(std::string_view line);

}  // namespace xfrmpp::tools::engine_cli
