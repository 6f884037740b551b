// SPDX-License-Identifier: BSD-3-Clause
// ipsecconf: Solaris/illumos IPsec policy rules on Linux XFRM. parse -> validate all -> plan -> apply.
// Option handling follows ipsecconf.c's getopt loop ("nlfLFa:qd:r:i:c:"), including its combinations
// (-a file -f is a replace) and its usage errors.
#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "backend_cli.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "state.hpp"
#include "xfrmpp/util/number.hpp"

namespace ipc = xfrmpp::tools::ipsecconf;

namespace {

enum class Cmd { none, add, del, view, flush, list, sub, replace };

// On stdout for --help (exit 0), on stderr before a usage error.
void usage(std::FILE* out = stderr) {
  std::fputs("Usage:\tipsecconf\n"
             "\tipsecconf -a ([-]|<filename>) [-q]\n"
             "\tipsecconf -a ([-]|<filename>) -f [-q]\n"
             "\tipsecconf -c <filename>\n"
             "\tipsecconf -r ([-]|<filename>) [-q]\n"
             "\tipsecconf -d [-i tunnel-interface] <index>\n"
             "\tipsecconf -d <tunnel-interface,index>\n"
             "\tipsecconf -l [-n] [-i tunnel-interface] [--json]\n"
             "\tipsecconf -f [-i tunnel-interface]\n"
             "\tipsecconf -L [-n] [--json]\n"
             "\tipsecconf -F\n"
             "Linux options: --hosts FILE (names from a hosts(5) file), --tunnels FILE (tunnel table),\n"
             "\t--state-dir DIR (rule record; default /run/xfrmpp/ipsecconf, with the engine STATE.ipsecconf),\n"
             "\t--backend kernel|engine (default $XFRMPP_BACKEND, else kernel), --state FILE (engine state file),\n"
             "\t--json, --help, --version,\n"
             "\t--max-errors N (errors shown; default 50, 0 = all), --max-input BYTES (largest input; K, M, G; default 1G)\n",
             out);
}

int fatal(const char* msg, bool show_usage = true) {
  if (show_usage) usage();
  std::fprintf(stderr, "ipsecconf: %s\n", msg);
  return 1;
}

// parse_index(): "N" or "tunnel,N".
bool parse_index(const std::string& arg, uint32_t& index, std::optional<std::string>& tunnel) {
  std::string num = arg;
  if (auto comma = arg.find(','); comma != std::string::npos) {
    tunnel = arg.substr(0, comma);
    num = arg.substr(comma + 1);
  }
  auto v = xfrmpp::util::parse_unsigned(num, UINT32_MAX, xfrmpp::util::NumberBase::c_prefix);
  if (!v || *v == 0) return false;
  index = static_cast<uint32_t>(*v);
  return true;
}

}  // namespace

int run(int argc, char** argv, xfrmpp::tools::Rollback& rollback) {
  ipc::Env env;
  std::optional<std::string> state_dir;
  xfrmpp::tools::BackendArgs backend_args;
  Cmd cmd = Cmd::none;
  bool just_check = false, all_heads = false;
  std::optional<std::string> interface, index_tunnel;
  std::string filename;
  uint32_t index = 0;
  bool bad_index = false;
  std::string hosts_file, tunnels_file;

  enum { kJson = 1000, kHosts, kTunnels, kStateDir, kHelp, kVersion, kMaxErrors, kMaxInput, kBackend, kState };
  static const option longopts[] = {{"json", no_argument, nullptr, kJson},           {"hosts", required_argument, nullptr, kHosts},
                                    {"tunnels", required_argument, nullptr, kTunnels}, {"state-dir", required_argument, nullptr, kStateDir},
                                    {"help", no_argument, nullptr, kHelp},           {"version", no_argument, nullptr, kVersion},
                                    {"max-errors", required_argument, nullptr, kMaxErrors},
                                    {"max-input", required_argument, nullptr, kMaxInput},
                                    {"backend", required_argument, nullptr, kBackend},
                                    {"state", required_argument, nullptr, kState},
                                    {nullptr, 0, nullptr, 0}};
  if (argc == 1) cmd = Cmd::view;
  // getopt names the program by argv[0] in its messages ("./build/bin/ipsecconf: invalid option");
  // every other message says "ipsecconf: ".
  argv[0] = const_cast<char*>("ipsecconf");
  int c;
  while ((c = getopt_long(argc, argv, "nlfLFa:qd:r:i:c:", longopts, nullptr)) != -1) {
    switch (c) {
      case 'F':
        if (interface || all_heads) return fatal("interface name not required.");
        all_heads = true;
        [[fallthrough]];
      case 'f':
        if (cmd == Cmd::add) {
          cmd = Cmd::replace;
          break;
        }
        if (cmd != Cmd::none) return fatal("Multiple commands specified");
        cmd = Cmd::flush;
        break;
      case 'L':
        if (interface || all_heads) return fatal("interface name not required.");
        all_heads = true;
        [[fallthrough]];
      case 'l':
        if (cmd != Cmd::none) return fatal("Multiple commands specified");
        cmd = Cmd::list;
        break;
      case 'c':
        just_check = true;
        env.quiet = true;
        [[fallthrough]];
      case 'a':
        if (cmd == Cmd::flush && !all_heads) {
          cmd = Cmd::replace;
          filename = optarg;
          break;
        }
        if (cmd != Cmd::none || interface) return fatal("Multiple commands or interface not required.");
        cmd = Cmd::add;
        filename = optarg;
        break;
      case 'd':
        if (cmd != Cmd::none) return fatal("Multiple commands specified");
        cmd = Cmd::del;
        if (!parse_index(optarg, index, index_tunnel)) bad_index = true;
        if (index_tunnel) {
          if (interface) return fatal("Interface name already selected", false);
          interface = index_tunnel;
        }
        break;
      case 'n': env.numeric = true; break;
      case 'q': env.quiet = true; break;
      case 'r':
        if (cmd != Cmd::none || interface) return fatal("Multiple commands or interface not required.");
        cmd = Cmd::sub;
        filename = optarg;
        break;
      case 'i':
        if (interface) return fatal("Interface name already selected", false);
        if (!*optarg) return fatal("Invalid interface name.");
        interface = optarg;
        break;
      case kJson: env.json = true; break;
      case kHosts: hosts_file = optarg; break;
      case kTunnels: tunnels_file = optarg; break;
      case kStateDir: state_dir = optarg; break;
      case kBackend: backend_args.backend = optarg; break;
      case kState: backend_args.state = optarg; break;
      case kMaxErrors:
        if (auto v = xfrmpp::tools::parse_count(optarg)) env.max_errors = *v;
        else return fatal("--max-errors takes a count (0 shows all errors)", false);
        break;
      case kMaxInput:
        if (auto v = xfrmpp::tools::parse_size(optarg); v && *v > 0) env.max_input = *v;
        else return fatal("--max-input takes a size of at least 1 byte (e.g. 4096, 64K, 2G)", false);
        break;
      case kHelp:
        usage(stdout);
        return 0;
      case kVersion:
        std::printf("ipsecconf (xfrmpp) %s\n", XFRMPP_VERSION);
        return 0;
      default: return fatal("Bad usage.");
    }
  }
  if (optind < argc) return fatal("Bad usage.");
  auto bopts = xfrmpp::tools::backend_options(backend_args);
  if (!bopts) return fatal(bopts.error().message.c_str());
  env.backend = *bopts;
  // The rule record describes one SPD: the engine's is not the kernel's, so its record sits beside the
  // engine's state file and $XFRMPP_IPSECCONF_STATE_DIR (the kernel's) does not apply to it.
  if (state_dir) env.state_dir = *state_dir;
  else if (env.backend.kind == xfrmpp::BackendKind::engine) env.state_dir = ipc::engine_state_dir(xfrmpp::tools::engine_state_path(env.backend)).string();
  else env.state_dir = ipc::default_state_dir().string();
  if (cmd == Cmd::none) {
    // Only Linux options (e.g. --json alone): Solaris treats "no command" as bad usage.
    if (env.json || !hosts_file.empty() || !tunnels_file.empty()) cmd = Cmd::view;
    else return fatal("Bad usage.");
  }
  if (env.numeric && cmd != Cmd::list) return fatal("-n goes with -l or -L");
  if (env.json && cmd != Cmd::list && !(cmd == Cmd::add && just_check)) return fatal("--json goes with -l, -L or -c");
  if (!hosts_file.empty()) {
    auto h = xfrmpp::tools::solaris::HostTable::load(hosts_file);
    if (!h) return fatal(h.error().message.c_str(), false);
    env.hosts = std::move(*h);
  }
  if (!tunnels_file.empty()) {
    auto t = xfrmpp::tools::solaris::TunnelTable::load(tunnels_file);
    if (!t) return fatal(t.error().message.c_str(), false);
    env.tunnels = std::move(*t);
  }
  switch (cmd) {
    case Cmd::add: return ipc::add(env, filename, false, just_check, rollback);
    case Cmd::replace: return ipc::add(env, filename, true, just_check, rollback);
    case Cmd::sub: return ipc::remove(env, filename);
    case Cmd::del:
      if (bad_index) return fatal("Invalid index", false);
      return ipc::remove_index(env, index, interface);
    case Cmd::flush: return ipc::flush(env, interface, all_heads);
    case Cmd::list: return ipc::list(env, interface, all_heads);
    case Cmd::view:
      if (interface) return fatal("Cannot view for one interface only.", false);
      return ipc::view(env);
    case Cmd::none: break;
  }
  return fatal("Bad usage.");
}

int main(int argc, char** argv) {
  return xfrmpp::tools::run_guarded("ipsecconf", [&](xfrmpp::tools::Rollback& rb) { return run(argc, argv, rb); });
}
