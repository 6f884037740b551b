// SPDX-License-Identifier: BSD-3-Clause
#include "cli.hpp"

#include <cstdint>
#include <cstdio>

#include "xfrmpp/util/number.hpp"

namespace xfrmpp::tools {

int usage_error(const std::string& prog, const std::string& msg) {
  std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog.c_str(), msg.c_str(), prog.c_str());
  return 2;
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(app.get_name(), e.what());
  }
  return std::nullopt;
}

std::optional<uint64_t> parse_size(std::string text) {
  try {
    if (text.empty() || !CLI::AsSizeValue(false)(text).empty()) return std::nullopt;
  } catch (const CLI::Error&) {  // "1.5G", an overflow: the validator throws instead of answering
    return std::nullopt;
  }
  auto v = util::parse_unsigned(text);  // the validator checked the form; this reads its byte count
  return v ? std::optional<uint64_t>(*v) : std::nullopt;
}

std::optional<size_t> parse_count(std::string_view text) {
  auto v = util::parse_unsigned(text, SIZE_MAX);
  return v ? std::optional<size_t>(*v) : std::nullopt;
}

}  // namespace xfrmpp::tools
