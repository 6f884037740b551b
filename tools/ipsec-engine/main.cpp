// SPDX-License-Identifier: BSD-3-Clause
// ipsec-engine: tools for the software engine's state. `lookup` answers, for flows read from stdin, what the
// engine's SPD decides (the policy the kernel would pick, or the host default), one JSON object per line.
// `process` runs a capture through the engine's packet path and writes what comes out. `run` is a live
// dataplane over the same paths (Linux).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "backend_cli.hpp"
#include "cli.hpp"
#ifdef XFRMPP_HAVE_DATAPLANE
#include "dataplane/dataplane.hpp"
#endif
#include "decision_json.hpp"
#include "flow_line.hpp"
#include "guard.hpp"
#include "process.hpp"
#include "xfrmpp/backend_factory.hpp"
#include "xfrmpp/engine/engine_backend.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace {

struct LookupFlags {
  std::string state;
};

// "<stdin>:LINE:COL: error: MESSAGE", the line and a caret, like the parsers' diagnostics.
void print_line_error(size_t line_no, const std::string& line, const xfrmpp::tools::engine_cli::LineError& e) {
  std::string shown = line.size() > 256 ? line.substr(0, 256) + "..." : line;
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = '?';
  std::string caret(e.column > 0 && e.column - 1 <= shown.size() ? e.column - 1 : 0, ' ');
  fmt::print(stderr, "<stdin>:{}:{}: error: {}\n  {}\n  {}^\n", line_no, e.column, e.message, shown, caret);
}

int lookup(const LookupFlags& f) {
  xfrmpp::BackendOptions bo;
  bo.kind = xfrmpp::BackendKind::engine;
  if (!f.state.empty()) bo.state = f.state;
  std::filesystem::path state = xfrmpp::tools::engine_state_path(bo);
  xfrmpp::engine::EngineOptions o;
  o.state = state;
  o.read_only = true;
  auto be = xfrmpp::engine::EngineBackend::open(o);
  if (!be) {
    fmt::print(stderr, "ipsec-engine: {}: {}\n", state.string(), be.error().message);
    return 1;
  }
  (*be)->prepare_lookups();
  std::string line;
  size_t line_no = 0, errors = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    auto r = xfrmpp::tools::engine_cli::parse_flow_line(line);
    if (auto* e = std::get_if<xfrmpp::tools::engine_cli::LineError>(&r)) {
      print_line_error(line_no, line, *e);
      ++errors;
      continue;
    }
    if (auto* flow = std::get_if<xfrmpp::engine::Flow>(&r)) {
      auto d = (*be)->decide(*flow);
      std::string out = xfrmpp::render::json_text(xfrmpp::tools::engine_cli::decision_json(d));
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fputc('\n', stdout);
      // One answer per line as it comes: a harness may feed flows one at a time through a pipe.
      std::fflush(stdout);
    }
  }
  return errors ? 1 : 0;
}

int run(int argc, char** argv) {
  CLI::App app{"ipsec-engine: the software engine's SPD decisions", "ipsec-engine"};
  app.set_version_flag("-V,--version", std::string("ipsec-engine (xfrmpp) ") + XFRMPP_VERSION);
  app.require_subcommand(1);
  LookupFlags lf;
  auto* lk = app.add_subcommand("lookup", "decide flows read from stdin (DIR PROTO SRC SPORT DST DPORT per line)");
  lk->add_option("--state", lf.state, "the engine state file (default: $XFRMPP_STATE, else the per-user or /run one)");
  xfrmpp::tools::engine_cli::ProcessFlags pf;
  auto* pr = app.add_subcommand("process", "run a pcap capture through the engine's packet path, out or in");
  pr->add_option("--state", pf.state, "the engine state file (default: $XFRMPP_STATE, else the per-user or /run one)");
  bool want_out = false, want_in = false;
  auto* out = pr->add_flag("--out", want_out, "the outbound path: SPD, then the SAs its templates name");
  auto* in = pr->add_flag("--in", want_in, "the inbound path: the SAs the headers name, then the inbound policy check");
  out->excludes(in);
  pr->add_option("-r", pf.read_path, "the capture to read (RAW, IPV4, IPV6 or Ethernet)")->required();
  pr->add_option("-w", pf.write_path, "the capture to write: the packets that pass")->required();
  pr->add_flag("--json", pf.json, "print the summary as one JSON document");
#ifdef XFRMPP_HAVE_DATAPLANE
  xfrmpp::tools::dataplane::RunOptions ro;
  std::string run_state;
  auto* rn = app.add_subcommand("run", "a userspace IPsec dataplane: TUN device, raw and NAT-T sockets, routes of its own");
  rn->add_option("--state", run_state, "the engine state file (default: $XFRMPP_STATE, else the per-user or /run one)");
  rn->add_option("--tun", ro.tun, "the TUN device to create")->capture_default_str();
  rn->add_option("--table", ro.table, "the routing table for the protected destinations")->capture_default_str()->check(CLI::Range(1, 0x7fffffff));
  rn->add_option("--priority", ro.priority, "the priority of the rule that sends unmarked traffic to that table")
      ->capture_default_str()->check(CLI::Range(1, 32765));
  rn->add_option("--mark", ro.mark, "the mark of the dataplane's own sockets, which bypass that rule (0x7866)")->check(CLI::Range(1u, 0xffffffffu));
  rn->add_option("--commit-interval", ro.commit_ms, "milliseconds between writes of the state (counters, sequence numbers)")
      ->capture_default_str()->check(CLI::Range(10u, 60000u));
  rn->add_option("--seq-reserve", ro.seq_reserve, "outbound sequence numbers persisted ahead of use (0: off)")->capture_default_str();
  rn->add_option("--mtu", ro.mtu, "the TUN device's MTU")->capture_default_str()->check(CLI::Range(576u, 65000u));
  rn->add_option("--natt-port", ro.natt_port, "the UDP port of NAT-T (RFC 3948)")->capture_default_str()->check(CLI::Range(1, 65535));
#endif
  if (auto stop = xfrmpp::tools::parse_command_line(app, argc, argv)) return *stop;
  if (lk->parsed()) return lookup(lf);
#ifdef XFRMPP_HAVE_DATAPLANE
  if (rn->parsed()) {
    xfrmpp::BackendOptions bo;
    bo.kind = xfrmpp::BackendKind::engine;
    if (!run_state.empty()) bo.state = run_state;
    ro.state = xfrmpp::tools::engine_state_path(bo);
    return xfrmpp::tools::dataplane::run(ro);
  }
#endif
  if (pr->parsed()) {
    if (!want_out && !want_in) return xfrmpp::tools::usage_error("ipsec-engine", "process: --out or --in is required");
    pf.outbound = want_out;
    return xfrmpp::tools::engine_cli::process(pf);
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  return xfrmpp::tools::run_guarded("ipsec-engine", [&](xfrmpp::tools::Rollback&) { return run(argc, argv); });
}
