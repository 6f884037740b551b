#include "cli.hpp"

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

}  // namespace xfrmpp::tools
