// SPDX-License-Identifier: BSD-3-Clause
#include "execute.hpp"

#include <optional>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "parsers/setkey.hpp"
#include "json_stdout.hpp"
#include "privilege.hpp"
#include "parsers/setkey_printer.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/model/visit.hpp"
#include "xfrmpp/plan/run.hpp"
#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_stream.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace xfrmpp::tools::setkey {
namespace {

std::string_view verb_of(const model::Statement& st) {
  return std::visit(model::Overloaded{
                        [](const model::AddPolicy& op) -> std::string_view { return op.update ? "spdupdate" : "spdadd"; },
                        [](const model::DeletePolicy&) -> std::string_view { return "spddelete"; },
                        [](const model::AddSa& op) -> std::string_view { return op.update ? "update" : "add"; },
                        [](const model::DeleteSa&) -> std::string_view { return "delete"; },
                        [](const model::DeleteAllSa&) -> std::string_view { return "deleteall"; },
                        [](const model::GetSa&) -> std::string_view { return "get"; },
                        [](const model::AllocSpi&) -> std::string_view { return "getspi"; },
                        [](const model::FlushSas&) -> std::string_view { return "flush"; },
                        [](const model::DumpSas&) -> std::string_view { return "dump"; },
                        [](const model::FlushPolicies&) -> std::string_view { return "spdflush"; },
                        [](const model::DumpPolicies&) -> std::string_view { return "spddump"; },
                        [](const model::SetDefaultPolicy&) -> std::string_view { return "spdsetdefault"; },
                        [](const model::GetDefaultPolicy&) -> std::string_view { return "spdgetdefault"; },
                        [](const model::SetSpdHashThresholds&) -> std::string_view { return "spdhthresh"; },
                        [](const model::GetSpdInfo&) -> std::string_view { return "spdinfo"; },
                        [](const model::GetSadInfo&) -> std::string_view { return "sadinfo"; },
                    },
                    st.op);
}

// Quotes statements after parsing (kernel rejections, reqid warnings) like parse errors, keys masked
// the same way. Parsing kept no key ranges, so a source is scanned for its keys again, once, at its
// first report.
class MaskedPrinter {
 public:
  explicit MaskedPrinter(const std::vector<diag::SourceBuffer>& sources) : sources_(sources), sinks_(sources.size()) {}
  void print(size_t source, const diag::Diagnostic& d) {
    auto& sink = sinks_[source];
    if (!sink) {
      sink.emplace();
      sink->add_secrets(sources_[source].text(), parsers::setkey::key_material(sources_[source].text()));
    }
    sink->clear();
    if (d.severity == diag::Severity::error) sink->error(d.range, d.message, d.notes);
    else sink->warning(d.range, d.message, d.notes);
    std::fputs(diag::format(sources_[source], sink->all().back(), sink->secrets()).c_str(), stderr);
  }

 private:
  const std::vector<diag::SourceBuffer>& sources_;
  std::vector<std::optional<diag::DiagnosticSink>> sinks_;
};

// A run reports at most one kernel rejection.
void report(const std::vector<diag::SourceBuffer>& sources, const Entry& e, const std::string& message) {
  MaskedPrinter(sources).print(e.source, diag::Diagnostic{diag::Severity::error, e.statement.range, message, {}});
}

std::string kernel_message(int code, const std::string& message, const std::string& extack) {
  // XFRM answers ESRCH for a missing SA; "No such process" would only confuse.
  std::string s = code == ESRCH ? std::string("no such SA") : message.empty() ? std::string(strerror(code)) : message;
  if (!extack.empty()) s += fmt::format(" (kernel: {})", extack);
  return with_privilege_hint(code, std::move(s));
}

void print_defaults(const model::DefaultPolicy& d, const ExecuteOptions& o) {
  auto name = [](const std::optional<model::PolicyAction>& a) {
    return !a ? "unset" : *a == model::PolicyAction::block ? "block" : "accept";
  };
  if (o.json)
    std::puts(render::json_text(nlohmann::json{{"schema", render::kJsonSchema}, {"in", name(d.in)}, {"fwd", name(d.fwd)}, {"out", name(d.out)}}).c_str());
  else  // the statement that sets this state again
    std::printf("spdsetdefault in %s fwd %s out %s;\n", name(d.in), name(d.fwd), name(d.out));
}

void print_spd_info(const SpdInfo& i, const ExecuteOptions& o) {
  if (o.json) {
    std::puts(render::json_text(nlohmann::json{{"schema", render::kJsonSchema},
                             {"policies", {{"in", i.in}, {"out", i.out}, {"fwd", i.fwd}}},
                             {"socket_policies", {{"in", i.in_socket}, {"out", i.out_socket}, {"fwd", i.fwd_socket}}},
                             {"hash", {{"buckets", i.hash_count}, {"max_buckets", i.hash_max}}},
                             {"hthresh4", {i.v4_lbits, i.v4_rbits}},
                             {"hthresh6", {i.v6_lbits, i.v6_rbits}}})
                  .c_str());
    return;
  }
  std::printf("SPD in %u out %u fwd %u\n", i.in, i.out, i.fwd);
  std::printf("SPD socket in %u out %u fwd %u\n", i.in_socket, i.out_socket, i.fwd_socket);
  std::printf("SPD hash buckets %u of at most %u\n", i.hash_count, i.hash_max);
  std::printf("spdhthresh hthresh4 %u %u hthresh6 %u %u;\n", i.v4_lbits, i.v4_rbits, i.v6_lbits, i.v6_rbits);
}

void print_sad_info(const SadInfo& i, const ExecuteOptions& o) {
  if (o.json) {
    std::puts(render::json_text(nlohmann::json{{"schema", render::kJsonSchema}, {"sas", i.count},
                             {"hash", {{"buckets", i.hash_count}, {"max_buckets", i.hash_max}}}})
                  .c_str());
    return;
  }
  std::printf("SAD %u SAs\nSAD hash buckets %u of at most %u\n", i.count, i.hash_count, i.hash_max);
}

}  // namespace

diag::Diagnostic replaced_reqid_warning(const model::ReplacedReqid& r, uint32_t reqid) {
  std::string got = reqid ? fmt::format("generated reqid {} instead (dumps show unique#{}; an SA for it needs -u {})", reqid, reqid, reqid)
                          : std::string("generated reqid instead (the next free one above 16383, chosen when the file is loaded)");
  return {diag::Severity::warning, r.range,
          fmt::format("unique:{} is above {}, the largest reqid a policy may choose: as with PF_KEY, the request gets a {}",
                      r.written, model::kManualReqidMax, got),
          {}};
}

std::string save_preview(const Entries& entries, bool rfc_mode) {
  plan::Preview p = plan::preview(entries);
  // Both printers take what the kernel dumps, newest first.
  std::vector<model::Policy> newest_first(p.policies.rbegin(), p.policies.rend());
  std::reverse(p.sas.begin(), p.sas.end());
  // A bare `unique` gets its reqid when loaded; any generated one (above kManualReqidMax) saves as
  // `unique`, which is what the input said.
  for (auto& pol : newest_first)
    for (auto& t : pol.templates)
      if (t.level == model::Level::unique && t.reqid == 0) t.reqid = model::kManualReqidMax + 1;
  return parsers::setkey::format_sa_save(p.sas) + parsers::setkey::format_policy_save(newest_first, rfc_mode);
}

namespace {

// Prints a dump entry by entry as it arrives, in text or --json form (not --save, which needs them all).
class PolicyPrinter {
 public:
  explicit PolicyPrinter(const ExecuteOptions& o) : po_{o.with_ports, static_cast<long>(getpid()), o.show_keys} {
    if (o.json) json_.emplace(render::spd_writer(stdout_sink()));
  }
  void add(const model::Policy& p) {
    ++count_;
    if (json_) json_->add(p);
    else std::fputs(parsers::setkey::format_policy_dump(p, po_).c_str(), stdout);
  }
  void finish() {
    if (json_) finish_to_stdout(*json_);
    else if (count_ == 0) std::puts("No SPD entries.");
  }

 private:
  parsers::setkey::PrintOptions po_;
  std::optional<render::JsonArrayWriter> json_;
  size_t count_ = 0;
};

// The kernel's own IP-in-IP states behind IPComp tunnels are not the user's SAs (PF_KEY hid them too).
bool users_sa(const model::SecurityAssociation& sa) {
  auto p = static_cast<uint8_t>(sa.proto);
  return p == 50 || p == 51 || p == 108;
}

class SaPrinter {
 public:
  explicit SaPrinter(const ExecuteOptions& o)
      : po_{o.with_ports, static_cast<long>(getpid()), o.show_keys}, show_keys_(o.show_keys), short_form_(o.short_form),
        now_(static_cast<uint64_t>(time(nullptr))) {
    if (o.json) json_.emplace(render::sad_writer(stdout_sink()));
  }
  void add(const model::SecurityAssociation& sa) {
    if (!users_sa(sa)) return;
    ++count_;
    if (json_) json_->add(sa, {show_keys_});
    else if (short_form_) std::fputs(parsers::setkey::format_sa_line(sa, now_).c_str(), stdout);
    else std::fputs(parsers::setkey::format_sa_dump(sa, po_).c_str(), stdout);
  }
  void finish() {
    if (json_) finish_to_stdout(*json_);
    else if (count_ == 0) std::puts("No SAD entries.");
  }

 private:
  parsers::setkey::PrintOptions po_;
  bool show_keys_, short_form_;
  uint64_t now_;
  std::optional<render::JsonArrayWriter> json_;
  size_t count_ = 0;
};

template <typename Printer, typename T>
void print_all(const std::vector<T>& entries, const ExecuteOptions& o) {
  Printer printer(o);
  for (const auto& e : entries) printer.add(e);
  printer.finish();
}

// Streams a dump into `printer`. A dump that failed half way leaves its JSON document open, so that no
// reader takes it for the whole SPD or SAD; an interrupted one was delivered whole and is closed.
template <typename Printer, typename T, typename Visit>
Result<void> stream_dump(const ExecuteOptions& o, Visit&& visit) {
  Printer printer(o);
  auto r = visit(DumpVisitor<T>{[&printer](T&& e) -> Result<void> {
                                  printer.add(e);
                                  return {};
                                },
                                {}});
  if (r || r.error().code == EINTR) printer.finish();
  return r;
}

// Prints what read statements answer, where they stand in the run.
class Printer : public plan::RunObserver {
 public:
  explicit Printer(const ExecuteOptions& o) : o_(o) {}
  void batch(size_t sent, size_t applied) override {
    if (o_.verbose) std::fprintf(stderr, "setkey: %zu changes sent, %zu applied\n", sent, applied);
  }
  void answer(size_t, plan::Answer&& a) override {
    std::visit(model::Overloaded{
                   [&](plan::PolicyDump& d) { print_all<PolicyPrinter>(d.policies, o_); },
                   [&](plan::SaDump& d) { print_all<SaPrinter>(d.sas, o_); },
                   [&](plan::GotSa& g) {
                     parsers::setkey::PrintOptions po{o_.with_ports, static_cast<long>(getpid()), o_.show_keys};
                     std::fputs(parsers::setkey::format_sa_dump(g.sa, po).c_str(), stdout);
                   },
                   [&](plan::AllocatedSpi& g) { std::printf("spi=%u(0x%08x)\n", g.sa.spi, g.sa.spi); },
                   [&](model::DefaultPolicy& d) { print_defaults(d, o_); },
                   [&](SpdInfo& i) { print_spd_info(i, o_); },
                   [&](SadInfo& i) { print_sad_info(i, o_); },
               },
               a);
  }

 private:
  const ExecuteOptions& o_;
};

}  // namespace

bool dump_policies(Backend& backend, const ExecuteOptions& o, bool save, bool rfc_mode) {
  Result<void> r;
  if (save) {
    auto all = backend.dump_policies();
    if (all) std::fputs(parsers::setkey::format_policy_save(*all, rfc_mode).c_str(), stdout);
    else r = all.error();
  } else {
    r = stream_dump<PolicyPrinter, model::Policy>(o, [&](const auto& v) { return backend.visit_policies(v); });
  }
  if (!r) std::fprintf(stderr, "setkey: cannot dump the SPD: %s\n", with_privilege_hint(r.error()).c_str());
  return bool(r);
}

bool dump_sas(Backend& backend, const ExecuteOptions& o, std::optional<model::Protocol> proto, bool save) {
  Result<void> r;
  if (save) {
    auto all = backend.dump_sas(proto);
    if (all) {
      std::erase_if(*all, [](const model::SecurityAssociation& sa) { return !users_sa(sa); });
      std::fputs(parsers::setkey::format_sa_save(*all).c_str(), stdout);
    } else {
      r = all.error();
    }
  } else {
    r = stream_dump<SaPrinter, model::SecurityAssociation>(o, [&](const auto& v) { return backend.visit_sas(proto, v); });
  }
  if (!r) std::fprintf(stderr, "setkey: cannot dump the SAD: %s\n", with_privilege_hint(r.error()).c_str());
  return bool(r);
}

std::string take_back(Backend& backend, const UndoLog& log, size_t batch_bytes) {
  plan::TakeBackReport r = plan::take_back(backend, log, batch_bytes);
  std::string s = r.errors.empty() ? fmt::format("the {} entries this run added were removed", r.attempted)
                                   : fmt::format("{} of the {} entries this run added could not be removed (first: {})", r.errors.size(),
                                                 r.attempted, kernel_message(r.errors.front().code, r.errors.front().message, r.errors.front().extack));
  if (r.irreversible) s += fmt::format("; {} other applied statements stay (--atomic would take them back)", r.irreversible);
  return s;
}

bool execute(Backend& backend, const std::vector<diag::SourceBuffer>& sources, Entries& entries,
             const ExecuteOptions& o, UndoLog* log) {
  if (auto r = plan::resolve_default_levels(entries, [&] { return knobs::load_default_levels(o.knob_state); }); !r) {
    std::fprintf(stderr, "setkey: cannot read the default levels: %s\n", with_privilege_hint(r.error()).c_str());
    return false;
  }
  auto generated = plan::assign_reqids(backend, entries);
  if (!generated) {
    std::fprintf(stderr, "setkey: cannot read the SPD to choose reqids: %s\n", with_privilege_hint(generated.error()).c_str());
    return false;
  }
  if (!generated->empty()) {
    MaskedPrinter printer(sources);
    for (const auto& g : *generated) printer.print(entries[g.step].source, replaced_reqid_warning(g.replaced, g.reqid));
  }
  Printer printer(o);
  plan::RunReport rep = plan::run(backend, entries, plan::RunOptions{o.batch_bytes}, log, &printer);
  if (rep.ok()) return true;
  const plan::StepError& err = *rep.error;
  const Entry& e = entries[err.step];
  if (err.dump) {
    bool spd = std::holds_alternative<model::DumpPolicies>(e.statement.op);
    std::fprintf(stderr, "setkey: cannot dump the %s: %s\n", spd ? "SPD" : "SAD", with_privilege_hint(err.code, err.message).c_str());
  } else {
    report(sources, e, fmt::format("{} failed: {}", verb_of(e.statement), kernel_message(err.code, err.message, err.extack)));
  }
  auto lc = sources[e.source].line_col(e.statement.range.begin);
  std::fprintf(stderr, "setkey: %zu of %zu statements applied; stopped at %s:%llu\n", rep.done, rep.total,
               sources[e.source].name().c_str(), static_cast<unsigned long long>(lc.line));
  return false;
}

}  // namespace xfrmpp::tools::setkey
