// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Command-line glue shared by the tools: one usage-error format and exit status, one CLI11 entry.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xfrmpp::tools {

/// Prints "PROG: MSG" and where to find help on stderr; returns 2, the exit status of every usage error.
int usage_error(const std::string& prog, const std::string& msg);

/// Parses argv. Returns the exit status when the program must stop here: 0 after --help or --version,
/// 2 after a usage error (printed by usage_error, named after app.get_name()).
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

/// A --max-input value: bytes, or with a K, M or G suffix (powers of 1024, CLI11's AsSizeValue).
std::optional<uint64_t> parse_size(std::string text);
/// A --max-errors value: a plain decimal count.
std::optional<size_t> parse_count(std::string_view text);

/// What --help says about the limit options; setkey's CLI11 help uses the same words.
inline constexpr const char* kMaxErrorsHelp = "stop showing errors after N (default 50; 0 = show all)";
inline constexpr const char* kMaxInputHelp = "refuse inputs larger than BYTES (suffix K, M or G; default 1G)";

}  // namespace xfrmpp::tools
