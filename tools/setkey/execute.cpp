// SPDX-License-Identifier: BSD-3-Clause
#include "execute.hpp"

#include <optional>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "parsers/setkey.hpp"
#include "privilege.hpp"
#include "parsers/setkey_printer.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/knobs/state.hpp"
#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace xfrmpp::tools::setkey {
namespace {

std::string_view verb_of(const model::Statement& st) {
  return std::visit(
      [](const auto& op) -> std::string_view {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, model::AddPolicy>) return op.update ? "spdupdate" : "spdadd";
        else if constexpr (std::is_same_v<T, model::DeletePolicy>) return "spddelete";
        else if constexpr (std::is_same_v<T, model::AddSa>) return op.update ? "update" : "add";
        else if constexpr (std::is_same_v<T, model::DeleteSa>) return "delete";
        else if constexpr (std::is_same_v<T, model::DeleteAllSa>) return "deleteall";
        else if constexpr (std::is_same_v<T, model::GetSa>) return "get";
        else if constexpr (std::is_same_v<T, model::AllocSpi>) return "getspi";
        else if constexpr (std::is_same_v<T, model::FlushSas>) return "flush";
        else if constexpr (std::is_same_v<T, model::DumpSas>) return "dump";
        else if constexpr (std::is_same_v<T, model::FlushPolicies>) return "spdflush";
        else if constexpr (std::is_same_v<T, model::SetDefaultPolicy>) return "spdsetdefault";
        else if constexpr (std::is_same_v<T, model::GetDefaultPolicy>) return "spdgetdefault";
        else if constexpr (std::is_same_v<T, model::SetSpdHashThresholds>) return "spdhthresh";
        else if constexpr (std::is_same_v<T, model::GetSpdInfo>) return "spdinfo";
        else if constexpr (std::is_same_v<T, model::GetSadInfo>) return "sadinfo";
        else return "spddump";
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

std::optional<Change> to_change(const model::Statement& st, size_t tag) {
  if (const auto* a = std::get_if<model::AddPolicy>(&st.op))
    return Change{a->policy, a->update ? Change::Verb::update : Change::Verb::add, tag};
  if (const auto* d = std::get_if<model::DeletePolicy>(&st.op)) return Change{d->id, Change::Verb::remove, tag};
  if (const auto* a = std::get_if<model::AddSa>(&st.op))
    return Change{*a->sa, a->update ? Change::Verb::update : Change::Verb::add, tag};
  if (const auto* d = std::get_if<model::DeleteSa>(&st.op)) return Change{d->id, Change::Verb::remove, tag};
  return std::nullopt;
}

// `unique` without a number asks for a generated reqid. XFRM netlink does not generate them (PF_KEY
// did), so pick the next free one above the manual range, after what the kernel already holds; in a
// fresh namespace that is deterministic, so a saved SPD reloads with the same numbers.
// A request written `default` takes the namespace's default level (ipsec-sysctl's *_deflev knobs; require
// when none was set), decided here, at plan time, so the parsed model keeps what the user wrote.
bool resolve_default_levels(std::vector<Entry>& entries) {
  bool needed = false;
  for (auto& e : entries)
    if (auto* a = std::get_if<model::AddPolicy>(&e.statement.op))
      for (auto& t : a->policy.templates) needed |= t.level == model::Level::default_level;
  if (!needed) return true;
  auto levels = knobs::load_default_levels();
  if (!levels) {
    std::fprintf(stderr, "setkey: cannot read the default levels: %s\n", with_privilege_hint(levels.error()).c_str());
    return false;
  }
  for (auto& e : entries)
    if (auto* a = std::get_if<model::AddPolicy>(&e.statement.op)) levels->resolve(a->policy);
  return true;
}

bool assign_reqids(Backend& backend, const std::vector<diag::SourceBuffer>& sources, std::vector<Entry>& entries) {
  bool needed = false;
  for (auto& e : entries)
    if (auto* a = std::get_if<model::AddPolicy>(&e.statement.op))
      for (auto& t : a->policy.templates) needed |= t.level == model::Level::unique && t.reqid == 0;
  if (!needed) return true;
  uint32_t next = model::kManualReqidMax + 1;
  auto spd = backend.dump_policies();
  if (!spd) {
    std::fprintf(stderr, "setkey: cannot read the SPD to choose reqids: %s\n", with_privilege_hint(spd.error()).c_str());
    return false;
  }
  for (const auto& p : *spd)
    for (const auto& t : p.templates) next = std::max(next, t.reqid + 1);
  MaskedPrinter printer(sources);
  for (auto& e : entries)
    if (auto* a = std::get_if<model::AddPolicy>(&e.statement.op)) {
      for (auto& t : a->policy.templates)
        if (t.level == model::Level::unique && t.reqid == 0) t.reqid = next++;
      for (const auto& r : a->replaced_reqids)
        printer.print(e.source, replaced_reqid_warning(r, a->policy.templates[r.request].reqid));
    }
  return true;
}

// Dumps, gets and info requests change nothing that an undo would have to take back.
bool read_only(const model::Statement& st) {
  return std::holds_alternative<model::DumpPolicies>(st.op) || std::holds_alternative<model::DumpSas>(st.op) ||
         std::holds_alternative<model::GetSa>(st.op) || std::holds_alternative<model::GetDefaultPolicy>(st.op) ||
         std::holds_alternative<model::GetSpdInfo>(st.op) || std::holds_alternative<model::GetSadInfo>(st.op);
}

// The removal that takes back an add the kernel confirmed; nullopt for other verbs.
std::optional<Change> inverse_of_add(const Change& c) {
  if (c.verb != Change::Verb::add) return std::nullopt;
  if (const auto* p = std::get_if<model::Policy>(&c.target))
    return Change{model::PolicyId{p->sel, p->dir, 0, p->mark, p->if_id, p->ctx, p->type}, Change::Verb::remove, c.tag};
  if (const auto* sa = std::get_if<model::SecurityAssociation>(&c.target))
    return Change{sa->id(), Change::Verb::remove, c.tag};
  return std::nullopt;
}

// Records what a batch applied (tags below `upto` only: the ones after a rejection were taken back).
void log_applied(UndoLog* log, const std::vector<Change>& batch, const ApplyReport& rep, size_t upto) {
  if (!log) return;
  for (size_t tag : rep.applied_tags) {
    if (tag >= upto) continue;
    if (auto inv = inverse_of_add(batch[tag - batch.front().tag])) log->removals.push_back(std::move(*inv));
    else ++log->irreversible;
  }
}

// What the user wrote: an RFC-mode `fwd` copy is part of its `in` statement. A statement counts as
// applied when every change it stands for is in the kernel.
size_t user_statements(const std::vector<Entry>& entries, size_t from, size_t to, const std::vector<bool>* applied = nullptr) {
  size_t n = 0;
  for (size_t k = from; k < to; ++k) {
    if (entries[k].fwd_copy) continue;
    bool whole = !applied || ((*applied)[k] && (k + 1 >= entries.size() || !entries[k + 1].fwd_copy || (*applied)[k + 1]));
    n += whole;
  }
  return n;
}

// The kernel keeps going through a batch after a rejected message, so statements after the failing one
// may already be in. Adds are exclusive (the kernel refuses an existing entry), so whatever they created
// is ours to remove: taking them back makes "stop at the first rejection" true. Other verbs cannot be
// undone without a snapshot; they stay applied and are counted. `first_failed` is the first failing
// statement as written (the `in` of a failed `fwd` copy), so no statement is left half in. Returns the
// statements left applied.
size_t undo_after(Backend& backend, const std::vector<Entry>& entries, const std::vector<Change>& batch, const ApplyReport& rep,
                  size_t first_failed, size_t batch_bytes) {
  std::vector<Change> undo;
  std::vector<bool> left(entries.size(), false);
  for (size_t tag : rep.applied_tags) {
    if (tag < first_failed) {
      left[tag] = true;
      continue;
    }
    auto inv = inverse_of_add(batch[tag - batch.front().tag]);
    if (!inv) {
      left[tag] = true;
      continue;
    }
    undo.push_back(std::move(*inv));
  }
  if (!undo.empty()) {
    ApplyReport r = backend.apply(undo, ApplyOptions{false, batch_bytes});
    for (const auto& e : r.errors) left[e.tag] = true;
  }
  return user_statements(entries, batch.front().tag, batch.front().tag + batch.size(), &left);
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

std::string save_preview(const std::vector<Entry>& entries, bool rfc_mode) {
  std::vector<model::Policy> spd;  // oldest first
  std::vector<model::SecurityAssociation> sad;
  auto same_sa = [](const model::SecurityAssociation& sa, const model::SaId& id) {
    return sa.dst == id.dst && sa.proto == id.proto && sa.spi == id.spi && (id.src.is_zero() || sa.src == id.src) &&
           sa.mark == id.mark && sa.if_id.value_or(0) == id.if_id.value_or(0);
  };
  for (const auto& e : entries) {
    std::visit(
        [&](const auto& op) {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, model::AddPolicy>) {
            auto key = op.policy.key();
            auto it = std::find_if(spd.begin(), spd.end(), [&](const model::Policy& p) { return p.key() == key; });
            if (it != spd.end()) *it = op.policy;
            else spd.push_back(op.policy);
          } else if constexpr (std::is_same_v<T, model::DeletePolicy>) {
            std::erase_if(spd, [&](const model::Policy& p) { return p.key() == op.id.key(); });
          } else if constexpr (std::is_same_v<T, model::FlushPolicies>) {
            spd.clear();
          } else if constexpr (std::is_same_v<T, model::AddSa>) {
            model::SaId id = op.sa->id();
            auto it = std::find_if(sad.begin(), sad.end(), [&](const model::SecurityAssociation& sa) { return same_sa(sa, id); });
            if (it != sad.end()) *it = *op.sa;
            else sad.push_back(*op.sa);
          } else if constexpr (std::is_same_v<T, model::DeleteSa>) {
            std::erase_if(sad, [&](const model::SecurityAssociation& sa) { return same_sa(sa, op.id); });
          } else if constexpr (std::is_same_v<T, model::DeleteAllSa>) {
            std::erase_if(sad, [&](const model::SecurityAssociation& sa) { return sa.src == op.src && sa.dst == op.dst && sa.proto == op.proto; });
          } else if constexpr (std::is_same_v<T, model::FlushSas>) {
            std::erase_if(sad, [&](const model::SecurityAssociation& sa) { return !op.proto || sa.proto == *op.proto; });
          }
        },
        e.statement.op);
  }
  // Both printers take what the kernel dumps, newest first.
  std::vector<model::Policy> newest_first(spd.rbegin(), spd.rend());
  std::reverse(sad.begin(), sad.end());
  // A bare `unique` gets its reqid when loaded; any generated one (above kManualReqidMax) saves as
  // `unique`, which is what the input said.
  for (auto& p : newest_first)
    for (auto& t : p.templates)
      if (t.level == model::Level::unique && t.reqid == 0) t.reqid = model::kManualReqidMax + 1;
  return parsers::setkey::format_sa_save(sad) + parsers::setkey::format_policy_save(newest_first, rfc_mode);
}

bool dump_policies(Backend& backend, const ExecuteOptions& o, bool save, bool rfc_mode) {
  auto r = backend.dump_policies();
  if (!r) {
    std::fprintf(stderr, "setkey: cannot dump the SPD: %s\n", with_privilege_hint(r.error()).c_str());
    return false;
  }
  if (o.json) {
    std::puts(render::json_text(render::spd_document(*r), 2).c_str());
  } else if (save) {
    std::fputs(parsers::setkey::format_policy_save(*r, rfc_mode).c_str(), stdout);
  } else if (r->empty()) {
    std::puts("No SPD entries.");
  } else {
    parsers::setkey::PrintOptions po{o.with_ports, static_cast<long>(getpid()), o.show_keys};
    for (const auto& p : *r) std::fputs(parsers::setkey::format_policy_dump(p, po).c_str(), stdout);
  }
  return true;
}

bool dump_sas(Backend& backend, const ExecuteOptions& o, std::optional<model::Protocol> proto, bool save) {
  auto r = backend.dump_sas(proto);
  if (!r) {
    std::fprintf(stderr, "setkey: cannot dump the SAD: %s\n", with_privilege_hint(r.error()).c_str());
    return false;
  }
  // The kernel's own IP-in-IP states behind IPComp tunnels are not the user's SAs (PF_KEY hid them too).
  std::erase_if(*r, [](const model::SecurityAssociation& sa) {
    auto p = static_cast<uint8_t>(sa.proto);
    return p != 50 && p != 51 && p != 108;
  });
  if (o.json) {
    std::puts(render::json_text(render::sad_document(*r, {o.show_keys}), 2).c_str());
  } else if (save) {
    std::fputs(parsers::setkey::format_sa_save(*r).c_str(), stdout);
  } else if (r->empty()) {
    std::puts("No SAD entries.");
  } else if (o.short_form) {
    uint64_t now = static_cast<uint64_t>(time(nullptr));
    for (const auto& sa : *r) std::fputs(parsers::setkey::format_sa_line(sa, now).c_str(), stdout);
  } else {
    parsers::setkey::PrintOptions po{o.with_ports, static_cast<long>(getpid()), o.show_keys};
    for (const auto& sa : *r) std::fputs(parsers::setkey::format_sa_dump(sa, po).c_str(), stdout);
  }
  return true;
}

std::string take_back(Backend& backend, const UndoLog& log, size_t batch_bytes) {
  std::vector<Change> undo(log.removals.rbegin(), log.removals.rend());
  ApplyReport r = backend.apply(undo, ApplyOptions{false, batch_bytes});
  // An entry a later statement of the run already deleted (or flushed) is as good as removed.
  std::erase_if(r.errors, [](const ChangeError& e) { return e.code == ENOENT || e.code == ESRCH; });
  std::string s = r.errors.empty() ? fmt::format("the {} entries this run added were removed", undo.size())
                                   : fmt::format("{} of the {} entries this run added could not be removed (first: {})", r.errors.size(),
                                                 undo.size(), kernel_message(r.errors.front().code, r.errors.front().message, r.errors.front().extack));
  if (log.irreversible) s += fmt::format("; {} other applied statements stay (--atomic would take them back)", log.irreversible);
  return s;
}

bool execute(Backend& backend, const std::vector<diag::SourceBuffer>& sources, std::vector<Entry>& entries,
             const ExecuteOptions& o, UndoLog* log) {
  if (!resolve_default_levels(entries) || !assign_reqids(backend, sources, entries)) return false;
  size_t done = 0, total = user_statements(entries, 0, entries.size());
  auto fail_summary = [&](const Entry& at) {
    auto lc = sources[at.source].line_col(at.statement.range.begin);
    std::fprintf(stderr, "setkey: %zu of %zu statements applied; stopped at %s:%llu\n", done, total,
                 sources[at.source].name().c_str(), static_cast<unsigned long long>(lc.line));
    return false;
  };
  std::vector<Change> batch;
  size_t i = 0;
  while (i < entries.size()) {
    batch.clear();
    size_t j = i;
    // Changes copy their target, so hand them over in bounded chunks: memory stays flat however
    // large the script is, and the backend still packs each chunk into full sendmsg batches.
    constexpr size_t kChunk = 4096;
    // A `fwd` copy stays in its statement's chunk, so a statement is applied or taken back whole.
    for (; j < entries.size() && (batch.size() < kChunk || entries[j].fwd_copy); ++j) {
      auto c = to_change(entries[j].statement, j);
      if (!c) break;
      batch.push_back(std::move(*c));
    }
    if (!batch.empty()) {
      ApplyReport rep = backend.apply(batch, ApplyOptions{true, o.batch_bytes});
      if (o.verbose) std::fprintf(stderr, "setkey: %zu changes sent, %zu applied\n", batch.size(), rep.applied);
      if (rep.errors.empty()) {
        done += user_statements(entries, i, j);
        log_applied(log, batch, rep, SIZE_MAX);
      } else {
        size_t first = rep.errors.front().tag;
        for (const auto& err : rep.errors) first = std::min(first, err.tag);
        const Entry& e = entries[first];
        report(sources, e, fmt::format("{} failed: {}", verb_of(e.statement),
                                       kernel_message(rep.errors.front().code, rep.errors.front().message, rep.errors.front().extack)));
        size_t written = e.fwd_copy ? first - 1 : first;
        log_applied(log, batch, rep, written);
        done += undo_after(backend, entries, batch, rep, written, o.batch_bytes);
        return fail_summary(e);
      }
      i = j;
      continue;
    }
    Entry& e = entries[i];
    Result<void> r;
    bool ok = std::visit(
        [&](auto& op) -> bool {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, model::FlushPolicies>) {
            r = backend.flush_policies();
          } else if constexpr (std::is_same_v<T, model::FlushSas>) {
            r = backend.flush_sas(op.proto);
          } else if constexpr (std::is_same_v<T, model::DumpPolicies>) {
            return dump_policies(backend, o, false, true);
          } else if constexpr (std::is_same_v<T, model::DumpSas>) {
            return dump_sas(backend, o, op.proto);
          } else if constexpr (std::is_same_v<T, model::GetSa>) {
            auto g = backend.get_sa(op.id);
            if (!g) { r = g.error(); return true; }
            parsers::setkey::PrintOptions po{o.with_ports, static_cast<long>(getpid()), o.show_keys};
            std::fputs(parsers::setkey::format_sa_dump(*g, po).c_str(), stdout);
          } else if constexpr (std::is_same_v<T, model::AllocSpi>) {
            auto g = backend.alloc_spi(*op.sa, op.min, op.max);
            if (!g) { r = g.error(); return true; }
            std::printf("spi=%u(0x%08x)\n", g->spi, g->spi);
          } else if constexpr (std::is_same_v<T, model::SetDefaultPolicy>) {
            r = backend.set_default_policy(op.defaults);
          } else if constexpr (std::is_same_v<T, model::GetDefaultPolicy>) {
            auto g = backend.get_default_policy();
            if (!g) { r = g.error(); return true; }
            print_defaults(*g, o);
          } else if constexpr (std::is_same_v<T, model::SetSpdHashThresholds>) {
            // A direction family left out keeps its current thresholds.
            auto cur = backend.spd_info();
            if (!cur) { r = cur.error(); return true; }
            r = backend.set_spd_hash_thresholds(op.v4 ? op.v4_lbits : cur->v4_lbits, op.v4 ? op.v4_rbits : cur->v4_rbits,
                                                op.v6 ? op.v6_lbits : cur->v6_lbits, op.v6 ? op.v6_rbits : cur->v6_rbits);
          } else if constexpr (std::is_same_v<T, model::GetSpdInfo>) {
            auto g = backend.spd_info();
            if (!g) { r = g.error(); return true; }
            print_spd_info(*g, o);
          } else if constexpr (std::is_same_v<T, model::GetSadInfo>) {
            auto g = backend.sad_info();
            if (!g) { r = g.error(); return true; }
            print_sad_info(*g, o);
          } else if constexpr (std::is_same_v<T, model::DeleteAllSa>) {
            // Linux needs an SPI per delete: list the matching SAs, then delete them in one batch.
            auto all = backend.dump_sas(op.proto);
            if (!all) { r = all.error(); return true; }
            std::vector<Change> dels;
            for (const auto& sa : *all)
              if (sa.src == op.src && sa.dst == op.dst)
                dels.push_back(Change{sa.id(), Change::Verb::remove, i});
            auto rep = backend.apply(dels, ApplyOptions{true, o.batch_bytes});
            if (!rep.errors.empty()) r = make_error(rep.errors.front().code, kernel_message(rep.errors.front().code, rep.errors.front().message, rep.errors.front().extack));
          }
          return true;
        },
        e.statement.op);
    if (!ok) return fail_summary(e);
    if (!r) {
      report(sources, e, fmt::format("{} failed: {}", verb_of(e.statement),
                                     kernel_message(r.error().code, r.error().message, {})));
      return fail_summary(e);
    }
    done += !e.fwd_copy;
    if (log && !read_only(e.statement)) ++log->irreversible;
    ++i;
  }
  return true;
}

}  // namespace xfrmpp::tools::setkey
