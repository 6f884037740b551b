// SPDX-License-Identifier: BSD-3-Clause
// ipsec-sysctl: the host-wide IPsec knobs of BSD ipsec(4), QNX and Solaris ipsec(4P), used like sysctl(8),
// each read from and written to its Linux equivalent, or reported as having none.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "privilege.hpp"
#include "backend_cli.hpp"
#include "cli.hpp"
#include "guard.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/knobs/knobs.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace knobs = xfrmpp::knobs;

namespace {

struct Flags {
  bool all = false, values_only = false, names_only = false, json = false;
  std::vector<std::string> writes;  // -w NAME=VALUE
  std::vector<std::string> args;    // NAME or NAME=VALUE
  std::string state_dir = "/run/xfrmpp";
};

int usage_error(const std::string& msg) { return xfrmpp::tools::usage_error("ipsec-sysctl", msg); }

// The knob list for --help, straight from the table.
std::string knob_footer() {
  std::string s = "Knobs (name: Linux mapping):\n";
  for (const auto& k : knobs::knob_table()) s += fmt::format("  {}: {}\n", k.name, knobs::mapping_name(k.mapping));
  s += "See ipsec-sysctl(8) for what each one maps to.";
  return s;
}

class Runner {
 public:
  Runner(const Flags& f, knobs::Context& ctx) : f_(f), ctx_(ctx) {}

  void read(const knobs::Knob& k, bool with_source) {
    auto r = knobs::read_knob(k, ctx_);
    if (!r) {
      failed_ = true;
      std::fprintf(stderr, "ipsec-sysctl: %s\n", xfrmpp::tools::with_privilege_hint(r.error()).c_str());
      if (f_.json) push(k, "?", r.error().message, std::nullopt);
      else if (with_source && !f_.values_only) std::printf("%s: ?\t# cannot read: %s\n", std::string(k.name).c_str(), r.error().message.c_str());
      return;
    }
    if (f_.json) {
      push(k, r->value, r->note, std::nullopt);
      return;
    }
    if (f_.values_only) {
      std::printf("%s\n", r->value.c_str());
      return;
    }
    std::string line = fmt::format("{}: {}", k.name, r->value);
    if (with_source) {
      line += fmt::format("\t# {}", k.linux_text);
      if (!r->note.empty() && k.mapping != knobs::Mapping::none && k.mapping != knobs::Mapping::fixed) line += fmt::format(" [{}]", r->note);
    } else if (!r->note.empty()) {
      line += fmt::format("\t# {}", r->note);
    }
    std::printf("%s\n", line.c_str());
  }

  void write(const knobs::Knob& k, const std::string& value) {
    auto before = knobs::read_knob(k, ctx_);
    std::string old = before ? before->value : "?";
    auto r = knobs::write_knob(k, value, ctx_);
    if (r && before) written_.push_back({&k, before->value});
    if (!r) {
      failed_ = true;
      std::fprintf(stderr, "ipsec-sysctl: %s\n", xfrmpp::tools::with_privilege_hint(r.error()).c_str());
      if (f_.json) push(k, old, r.error().message, old);
      return;
    }
    if (f_.json)
      push(k, r->value, r->note, old);
    else if (f_.values_only)
      std::printf("%s\n", r->value.c_str());
    else
      std::printf("%s: %s -> %s\n", std::string(k.name).c_str(), old.c_str(), r->value.c_str());
  }

  // A name that is not a knob but a dotted prefix of some ("net.inet.ipsec") reads that subtree.
  bool read_name(const std::string& name) {
    if (const auto* k = knobs::find_knob(name)) {
      if (f_.names_only) std::printf("%s\n", name.c_str());
      else read(*k, false);
      return true;
    }
    bool any = false;
    for (const auto& k : knobs::knob_table()) {
      if (k.name.size() > name.size() && k.name.starts_with(name) && k.name[name.size()] == '.') {
        any = true;
        if (f_.names_only) std::printf("%s\n", std::string(k.name).c_str());
        else read(k, false);
      }
    }
    if (!any) unknown(name);
    return any;
  }

  void unknown(const std::string& name) {
    failed_ = true;
    std::vector<std::string_view> names;
    for (const auto& k : knobs::knob_table()) names.push_back(k.name);
    std::string guess = xfrmpp::diag::suggest(name, names);
    std::fprintf(stderr, "ipsec-sysctl: unknown knob '%s'%s\n", name.c_str(),
                 guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess).c_str());
  }

  void set_assignment(const std::string& assignment) {
    auto eq = assignment.find('=');
    std::string name = assignment.substr(0, eq), value = assignment.substr(eq + 1);
    const auto* k = knobs::find_knob(name);
    if (!k) return unknown(name);
    write(*k, value);
  }

  /// Sets the knobs this run wrote back to what they read as before, newest first. The undo of a run.
  std::string take_back() {
    size_t failed = 0;
    for (auto it = written_.rbegin(); it != written_.rend(); ++it) failed += !knobs::write_knob(*it->knob, it->old, ctx_);
    std::string s = failed ? fmt::format("{} of the {} knobs this run set could not be set back", failed, written_.size())
                           : fmt::format("the {} knobs this run set are back to their old values", written_.size());
    written_.clear();
    return s;
  }

  int finish() {
    if (f_.json) std::printf("%s\n", xfrmpp::render::json_text(nlohmann::json{{"schema", "xfrmpp-sysctl/1"}, {"knobs", out_}}, 2).c_str());
    return failed_ ? 1 : 0;
  }

 private:
  void push(const knobs::Knob& k, const std::string& value, const std::string& note, const std::optional<std::string>& old) {
    nlohmann::json j{{"name", k.name},       {"value", value},         {"note", note},
                     {"origin", k.origin},   {"mapping", knobs::mapping_name(k.mapping)},
                     {"linux", k.linux_text}};
    if (old) j["old"] = *old;
    out_.push_back(std::move(j));
  }

  struct Written {
    const knobs::Knob* knob;
    std::string old;
  };

  const Flags& f_;
  knobs::Context& ctx_;
  bool failed_ = false;
  std::vector<Written> written_;
  nlohmann::json out_ = nlohmann::json::array();
};

}  // namespace

int run(int argc, char** argv, xfrmpp::tools::Rollback& rollback) {
  Flags f;
  CLI::App app{"ipsec-sysctl: host-wide IPsec knobs under their BSD, QNX and Solaris names, mapped to Linux",
               "ipsec-sysctl"};
  app.set_version_flag("-V,--version", std::string("ipsec-sysctl (xfrmpp) ") + XFRMPP_VERSION);
  app.add_flag("-a,--all", f.all, "list every knob with its value and its Linux mapping");
  app.add_flag("-n", f.values_only, "print values only, without names");
  app.add_flag("-N", f.names_only, "print names only (with -a: every knob name)");
  app.add_option("-w,--write", f.writes, "set a knob: NAME=VALUE (may repeat)");
  app.add_flag("--json", f.json, "JSON output (schema xfrmpp-sysctl/1)");
  app.add_option("--state-dir", f.state_dir, "where per-namespace default levels are kept (default /run/xfrmpp; with the engine, STATE.knobs)");
  app.add_option("names", f.args, "NAME to read (or a dotted prefix such as net.inet.ipsec), NAME=VALUE to set");
  xfrmpp::tools::BackendArgs backend_args;
  xfrmpp::tools::add_backend_options(app, backend_args);
  app.footer(knob_footer());
  if (auto stop = xfrmpp::tools::parse_command_line(app, argc, argv)) return *stop;
  bool state_dir_given = app.count("--state-dir") > 0;
  auto bopts = xfrmpp::tools::backend_options(backend_args);
  if (!bopts) return usage_error(bopts.error().message);
  if (f.all && (!f.args.empty() || !f.writes.empty())) return usage_error("-a lists every knob; give no names with it");
  if (!f.all && f.args.empty() && f.writes.empty()) return usage_error("nothing to do: give -a, a NAME or NAME=VALUE");
  for (const auto& w : f.writes)
    if (w.find('=') == std::string::npos) return usage_error("-w takes NAME=VALUE, not '" + w + "'");
  if (f.names_only && (f.values_only || f.json || !f.writes.empty()))
    return usage_error("-N prints names only; it goes with -a or names to read");

  knobs::Context ctx;
  ctx.state = xfrmpp::tools::knob_state(*bopts);
  if (state_dir_given || bopts->kind == xfrmpp::BackendKind::kernel) ctx.state.dir = f.state_dir;
  std::unique_ptr<xfrmpp::Backend> backend;
  if (!f.names_only) {
    // Reading must not create an engine state file.
    bopts->read_only = f.writes.empty() && std::none_of(f.args.begin(), f.args.end(), [](const std::string& a) {
      return a.find('=') != std::string::npos;
    });
    auto b = xfrmpp::tools::open_tool_backend(*bopts);
    if (b) {
      backend = std::move(b.value());
      ctx.backend = backend.get();
    } else {
      std::fprintf(stderr, "ipsec-sysctl: %s; knobs kept in the SPD cannot be read\n", b.error().message.c_str());
    }
  }

  Runner run(f, ctx);
  if (f.all) {
    for (const auto& k : knobs::knob_table()) {
      if (f.names_only) std::printf("%s\n", std::string(k.name).c_str());
      else run.read(k, true);
    }
    return run.finish();
  }
  xfrmpp::tools::UndoOnUnwind undo(rollback, [&] { return run.take_back(); });
  for (const auto& a : f.args) {
    if (a.find('=') != std::string::npos) run.set_assignment(a);
    else run.read_name(a);
  }
  for (const auto& w : f.writes) run.set_assignment(w);
  xfrmpp::tools::fault_point("ipsec-sysctl-after-apply");
  undo.dismiss();
  return run.finish();
}

int main(int argc, char** argv) {
  return xfrmpp::tools::run_guarded("ipsec-sysctl", [&](xfrmpp::tools::Rollback& rb) { return run(argc, argv, rb); });
}
