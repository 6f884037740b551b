#pragma once
// Command-line glue shared by the tools: one usage-error format and exit status, one CLI11 entry.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace xfrmpp::tools {

/// Prints "PROG: MSG" and where to find help on stderr; returns 2, the exit status of every usage error.
int usage_error(const std::string& prog, const std::string& msg);

/// Parses argv. Returns the exit status when the program must stop here: 0 after --help or --version,
/// 2 after a usage error (printed by usage_error, named after app.get_name()).
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace xfrmpp::tools
