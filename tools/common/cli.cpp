#include "cli.hpp"

#include <charconv>
#include <cstdio>

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
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<size_t> parse_count(std::string_view text) {
  size_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace xfrmpp::tools
