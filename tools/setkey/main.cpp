// SPDX-License-Identifier: BSD-3-Clause
// setkey: ipsec-tools' setkey(8) language on Linux NETLINK_XFRM. parse -> validate all -> plan -> apply.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>

#include "backend_cli.hpp"
#include "cli.hpp"
#include "execute.hpp"
#include "guard.hpp"
#include "monitor.hpp"
#include "input.hpp"
#include "json_errors.hpp"
#include "json_stdout.hpp"
#include "privilege.hpp"
#include "parsers/script_check.hpp"
#include "parsers/setkey.hpp"
#include "xfrmpp/plan/snapshot.hpp"
#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_stream.hpp"

namespace sk = xfrmpp::parsers::setkey;
using xfrmpp::tools::setkey::Entry;

namespace {

struct Flags {
  std::vector<std::string> files;
  bool stdin_commands = false, dump = false, policy = false, flush = false, all = false, loop = false;
  bool ports = false, noop = false, verbose = false, rfc = false, kernel = false, monitor = false;
  bool json = false, save = false, nokeys = false, atomic = false, aevents = false;
  size_t max_events = 0;
  size_t max_errors = xfrmpp::tools::kDefaultMaxErrors;
  uint64_t max_input = xfrmpp::tools::kDefaultMaxInput;
};

int usage_error(const std::string& msg) { return xfrmpp::tools::usage_error("setkey", msg); }

// Parses and checks every input before anything is sent. With -n and no --json nothing is retained,
// so syntax-checking a million statements stays small.
// With --json, the errors shown also go into `json`.
bool parse_all(const Flags& f, std::vector<xfrmpp::diag::SourceBuffer>& sources, xfrmpp::tools::setkey::Entries& entries,
               size_t& statements, xfrmpp::tools::JsonErrors& json) {
  bool ok = true;
  bool retain = !f.noop || f.json || f.save;
  bool rfc_mode = !f.kernel;
  xfrmpp::parsers::DuplicatePolicyCheck dups;
  sk::ParseOptions po;
  po.resolver = xfrmpp::tools::resolve_host;
  xfrmpp::tools::DiagnosticPrinter printer(f.max_errors);
  if (f.json) printer.collect(&json);
  for (const auto& path : f.files) {
    auto src = xfrmpp::tools::load_source(path, f.max_input);
    if (!src) {
      // A too-big input's message is already a diagnostic line ("FILE: error: ...").
      if (src.error().code == EFBIG) std::fprintf(stderr, "%s\n", src.error().message.c_str());
      else std::fprintf(stderr, "setkey: %s\n", src.error().message.c_str());
      json.add(path, src.error().message);
      ok = false;
      continue;
    }
    sources.push_back(std::move(*src));
    uint32_t sid = static_cast<uint32_t>(sources.size() - 1);
    const auto& source = sources.back();
    // Each statement ends with ';', so their count bounds the entries (twice that with RFC-mode copies).
    // Reserving it up front spares the vector's regrowth, which copied every statement parsed so far and
    // doubled the time a big load spends before its first message; untouched capacity costs no memory.
    if (retain) {
      auto text = source.text();
      entries.reserve(entries.size() + (rfc_mode ? 2 : 1) * static_cast<size_t>(std::count(text.begin(), text.end(), ';')));
    }
    xfrmpp::diag::DiagnosticSink sink;
    auto take = [&](xfrmpp::model::Statement&& st, bool fwd_copy) {
      statements += !fwd_copy;  // what the user wrote
      // A load names the generated reqid once it is chosen; -n can only say one will be.
      if (const auto* a = std::get_if<xfrmpp::model::AddPolicy>(&st.op); a && f.noop)
        for (const auto& r : a->replaced_reqids) {
          auto w = xfrmpp::tools::setkey::replaced_reqid_warning(r, 0);
          sink.warning(w.range, std::move(w.message));
        }
      dups.check(sources, sid, st, sink);
      if (retain) entries.push_back(Entry{sid, std::move(st), fwd_copy});
    };
    sk::parse_each(source, sink, po, [&](xfrmpp::model::Statement&& st) {
      std::optional<xfrmpp::model::Statement> copy;
      if (rfc_mode) copy = sk::rfc_fwd_copy(st);
      take(std::move(st), false);
      if (copy) take(std::move(*copy), true);
    });
    dups.finish(sources);
    printer.print(source, sink);
    ok &= !sink.has_errors();
    if (!f.noop && !sink.secrets().empty()) xfrmpp::tools::warn_if_keys_exposed(path);  // keys about to be used
  }
  printer.finish("setkey");
  return ok;
}

}  // namespace

// The whole run. An exception escaping the apply step takes back what it did (with --atomic the snapshot
// is restored, otherwise the entries this run added are removed) on its way to run_guarded in main().
int run(int argc, char** argv, xfrmpp::tools::Rollback& rollback) {
  Flags f;
  CLI::App app{"setkey: manage the IPsec SPD and SAD with the KAME/ipsec-tools setkey language, on Linux XFRM", "setkey"};
  app.set_version_flag("-V,--version", std::string("setkey (xfrmpp) ") + XFRMPP_VERSION);
  app.add_option("-f,--file", f.files, "read statements from FILE ('-' = standard input); may repeat");
  app.add_option("files", f.files, "script files, as 'setkey file ...'");
  app.add_flag("-c", f.stdin_commands, "read statements from standard input");
  app.add_flag("-D", f.dump, "dump the SAD (with -P: the SPD)");
  app.add_flag("-P", f.policy, "with -D or -F: act on the SPD");
  app.add_flag("-F", f.flush, "flush the SAD (with -P: the SPD)");
  app.add_flag("-a", f.all, "with -D: accepted for compatibility (XFRM dumps never hold dead SAs)");
  app.add_flag("-l", f.loop, "with -D: one line per SA, repeated every second (--count rounds, default forever)");
  app.add_flag("-p", f.ports, "with -DP: show ports of tunnel endpoints");
  app.add_flag("-n", f.noop, "parse and validate only; send nothing");
  app.add_flag("-v", f.verbose, "verbose: report batches sent to the kernel");
  app.add_flag("-r", f.rfc, "RFC mode (default): every 'in' policy is also installed as 'fwd'");
  app.add_flag("-k", f.kernel, "kernel mode: install policies exactly as written");
  app.add_flag("-x", f.monitor, "monitor SA and policy events");
  app.add_flag("--json", f.json, "JSON output (schema xfrmpp/1) for dumps and for -n");
  app.add_flag("--save", f.save, "with -D or -DP: print add/spdadd statements that recreate the SAD or SPD; with -n: what they would print after loading the input");
  app.add_flag("--nokeys", f.nokeys, "with -D and -x: hide key material");
  app.add_option("--count", f.max_events, "with -x: exit after this many events; with -Dl: after this many rounds");
  app.add_flag("--aevents", f.aevents, "with -x: also show replay and lifetime updates (new-ae)");
  std::string max_errors;
  app.add_option("--max-errors", max_errors, xfrmpp::tools::kMaxErrorsHelp)->type_name("N");
  std::string max_input;
  app.add_option("--max-input", max_input, xfrmpp::tools::kMaxInputHelp)->type_name("BYTES");
  app.add_flag("--atomic", f.atomic, "if the kernel rejects a statement, put the SPD and SAD back as they were before the run");
  xfrmpp::tools::BackendArgs backend_args;
  xfrmpp::tools::add_backend_options(app, backend_args);
  if (auto stop = xfrmpp::tools::parse_command_line(app, argc, argv)) return *stop;

  if (!max_errors.empty()) {
    auto v = xfrmpp::tools::parse_count(max_errors);
    if (!v) return usage_error("--max-errors: '" + max_errors + "' is not a count (0 shows all errors)");
    f.max_errors = *v;
  }
  if (!max_input.empty()) {
    auto v = xfrmpp::tools::parse_size(max_input);
    if (!v || *v == 0) return usage_error("--max-input: '" + max_input + "' is not a size of at least 1 byte (e.g. 4096, 64K, 2G)");
    f.max_input = *v;
  }
  auto bopts = xfrmpp::tools::backend_options(backend_args);
  if (!bopts) return usage_error(bopts.error().message);
  if (f.rfc && f.kernel) return usage_error("-r and -k exclude each other");
  if (f.save && !f.dump && !f.noop) return usage_error("--save goes with -D, -DP or -n");
  if (f.save && f.noop && f.json) return usage_error("-n --save and --json exclude each other");
  if (f.stdin_commands) f.files.push_back("-");
  bool load = !f.files.empty();
  int modes = int(load) + int(f.dump) + int(f.flush) + int(f.monitor);
  if (modes == 0) return usage_error("nothing to do: give -f FILE, -c, -D, -F or -x");
  if (modes > 1) return usage_error("choose one of: loading statements, -D, -F or -x");
  xfrmpp::tools::setkey::ExecuteOptions eo;
  eo.verbose = f.verbose;
  eo.json = f.json;
  eo.show_keys = !f.nokeys;
  eo.with_ports = f.ports;
  eo.short_form = f.loop;
  eo.aevents = f.aevents;
  eo.knob_state = xfrmpp::tools::knob_state(*bopts);

  std::vector<xfrmpp::diag::SourceBuffer> sources;
  xfrmpp::tools::setkey::Entries entries;
  if (load) {
    size_t statements = 0;
    xfrmpp::tools::JsonErrors json_errors;
    bool ok = parse_all(f, sources, entries, statements, json_errors);
    if (!ok) {
      if (f.json) json_errors.print_if_any();
      std::fprintf(stderr, "setkey: errors found; nothing was sent to the kernel\n");
      return 1;
    }
    if (f.noop) {
      if (f.save) {
        std::fputs(xfrmpp::tools::setkey::save_preview(entries, !f.kernel).c_str(), stdout);
      } else if (f.json) {
        auto doc = xfrmpp::render::statements_writer(xfrmpp::tools::stdout_sink());
        for (const auto& e : entries) {
          auto lc = sources[e.source].line_col(e.statement.range.begin);
          auto j = xfrmpp::render::to_json(e.statement, lc.line, {!f.nokeys});
          j["file"] = sources[e.source].name();
          doc.add(j);
        }
        xfrmpp::tools::finish_to_stdout(doc);
      } else if (f.verbose) {
        std::fprintf(stderr, "setkey: %zu statements parsed and validated\n", statements);
      }
      return 0;
    }
  }
  // A dump or a monitor must not create an engine state file that is not there.
  bopts->read_only = f.dump || f.monitor;
  auto backend = xfrmpp::tools::open_tool_backend(*bopts);
  if (!backend) {
    std::fprintf(stderr, "setkey: %s\n", backend.error().message.c_str());
    return 1;
  }
  auto& be = **backend;
  if (load) {
    std::optional<xfrmpp::plan::Snapshot> before;
    if (f.atomic) {
      auto snap = xfrmpp::plan::take_snapshot(be);
      if (!snap) {
        std::fprintf(stderr, "setkey: --atomic: cannot read the SPD/SAD first: %s\n", xfrmpp::tools::with_privilege_hint(snap.error()).c_str());
        return 1;
      }
      before = std::move(*snap);
    }
    xfrmpp::tools::setkey::UndoLog log;
    xfrmpp::tools::UndoOnUnwind undo(rollback, [&] {
      if (!before) return xfrmpp::tools::setkey::take_back(be, log, eo.batch_bytes);
      auto r = xfrmpp::plan::restore_snapshot(be, *before);
      return r.errors.empty() ? std::string("--atomic: rolled back; the kernel is as before")
                              : fmt::format("--atomic: rollback incomplete: {} corrections failed", r.errors.size());
    });
    bool applied = xfrmpp::tools::setkey::execute(be, sources, entries, eo, &log);
    xfrmpp::tools::fault_point("setkey-after-apply");
    undo.dismiss();  // from here on the outcome is reported as it is
    if (applied) return 0;
    if (before) {
      auto r = xfrmpp::plan::restore_snapshot(be, *before);
      if (r.errors.empty()) {
        std::fprintf(stderr, "setkey: --atomic: rolled back (%zu removed, %zu re-added, %zu restored); the kernel is as before\n",
                     r.removed, r.added, r.updated);
      } else {
        std::fprintf(stderr, "setkey: --atomic: rollback incomplete: %zu corrections failed, first: %s%s%s\n", r.errors.size(),
                     r.errors[0].message.c_str(), r.errors[0].extack.empty() ? "" : " (kernel: ",
                     r.errors[0].extack.empty() ? "" : (r.errors[0].extack + ")").c_str());
      }
    }
    return 1;
  }
  if (f.monitor) return xfrmpp::tools::setkey::monitor(be, eo, f.max_events);
  if (f.dump && f.loop && !f.policy) {
    for (size_t round = 0; f.max_events == 0 || round < f.max_events; ++round) {
      if (round) sleep(1);
      if (!xfrmpp::tools::setkey::dump_sas(be, eo, std::nullopt)) return 1;
      std::fflush(stdout);
    }
    return 0;
  }
  if (f.dump) {
    bool ok = f.policy ? xfrmpp::tools::setkey::dump_policies(be, eo, f.save, !f.kernel)
                       : xfrmpp::tools::setkey::dump_sas(be, eo, std::nullopt, f.save);
    return ok ? 0 : 1;
  }
  auto r = f.policy ? be.flush_policies() : be.flush_sas(std::nullopt);
  if (!r) {
    std::fprintf(stderr, "setkey: flush failed: %s\n", xfrmpp::tools::with_privilege_hint(r.error()).c_str());
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  return xfrmpp::tools::run_guarded("setkey", [&](xfrmpp::tools::Rollback& rb) { return run(argc, argv, rb); });
}
