// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/plan/run.hpp"

#include <algorithm>
#include <cerrno>

#include "xfrmpp/model/visit.hpp"

namespace xfrmpp::plan {
namespace {

using model::Overloaded;

// An exclusive add (what to_change makes a Verb::add): what it created is the run's own to take back.
bool exclusive_add(const model::Operation& op) {
  const auto* ap = std::get_if<model::AddPolicy>(&op);
  const auto* as = std::get_if<model::AddSa>(&op);
  return (ap && !ap->update) || (as && !as->update);
}

// The removal undoing step `s` when it is an exclusive add.
std::optional<Change> removal_of_step(const Step& s, size_t tag) {
  if (!exclusive_add(s.statement.op)) return std::nullopt;
  if (const auto* a = std::get_if<model::AddPolicy>(&s.statement.op)) return Change{a->policy.id(), Change::Verb::remove, tag};
  return Change{std::get<model::AddSa>(s.statement.op).sa->id(), Change::Verb::remove, tag};
}

// What the user wrote: an RFC-mode `fwd` copy is part of its `in` statement. With `applied`, a
// statement counts when every change it stands for is in the backend.
size_t user_statements(std::span<const Step> steps, size_t from, size_t to, const std::vector<bool>* applied = nullptr) {
  size_t n = 0;
  for (size_t k = from; k < to; ++k) {
    if (steps[k].fwd_copy) continue;
    bool whole = !applied || ((*applied)[k] && (k + 1 >= steps.size() || !steps[k + 1].fwd_copy || (*applied)[k + 1]));
    n += whole;
  }
  return n;
}

StepError step_error(size_t step, const ChangeError& e) { return StepError{step, e.code, e.message, e.extack, false}; }
StepError step_error(size_t step, const Error& e, bool dump = false) { return StepError{step, e.code, e.message, {}, dump}; }

// The backend keeps going through a batch after a rejected change, so statements after the failing one
// may be in. Adds are exclusive, so whatever they created is the run's to remove: taking them back makes
// "stop at the first rejection" true. Other verbs cannot be undone without a snapshot; they stay applied.
// `first_failed` is the first failing statement as written (the `in` of a failed `fwd` copy), so no
// statement is left half in.
void undo_after(Backend& backend, std::span<const Step> steps, size_t first, size_t end, const ApplyReport& rep,
                size_t first_failed, const RunOptions& o, RunReport& report) {
  std::vector<Change> undo;
  std::vector<bool> left(steps.size(), false);
  for (size_t tag : rep.applied_tags) {
    if (tag < first_failed) {
      left[tag] = true;
      continue;
    }
    auto inv = removal_of_step(steps[tag], tag);
    if (!inv) {
      left[tag] = true;
      continue;
    }
    undo.push_back(std::move(*inv));
  }
  if (!undo.empty()) {
    ApplyReport r = backend.apply(undo, ApplyOptions{false, o.batch_bytes});
    for (const auto& e : r.errors) left[e.tag] = true;
    for (size_t tag : r.applied_tags) report.outcomes[tag] = Outcome::taken_back;
    report.taken_back += r.applied;
  }
  for (size_t tag = first; tag < end; ++tag)
    if (left[tag]) report.outcomes[tag] = Outcome::applied;
  report.done += user_statements(steps, first, end, &left);
}

// The one list of which operations become a Change, and how: `on.change(target, verb)` for those and
// `on.none()` for the rest. batched() and to_change() both read it, so they cannot disagree; the visitor
// is exhaustive, so a new operation does not compile until it is sorted here.
template <typename On>
auto as_change(const model::Operation& op, On&& on) {
  using R = decltype(on.none());
  using V = Change::Verb;
  return std::visit(Overloaded{
                        [&](const model::AddPolicy& a) -> R { return on.change(a.policy, a.update ? V::update : V::add); },
                        [&](const model::DeletePolicy& d) -> R { return on.change(d.id, V::remove); },
                        [&](const model::AddSa& a) -> R { return on.change(*a.sa, a.update ? V::update : V::add); },
                        [&](const model::DeleteSa& d) -> R { return on.change(d.id, V::remove); },
                        [&](const model::FlushPolicies&) -> R { return on.none(); },
                        [&](const model::DumpPolicies&) -> R { return on.none(); },
                        [&](const model::DeleteAllSa&) -> R { return on.none(); },
                        [&](const model::GetSa&) -> R { return on.none(); },
                        [&](const model::FlushSas&) -> R { return on.none(); },
                        [&](const model::DumpSas&) -> R { return on.none(); },
                        [&](const model::AllocSpi&) -> R { return on.none(); },
                        [&](const model::SetDefaultPolicy&) -> R { return on.none(); },
                        [&](const model::GetDefaultPolicy&) -> R { return on.none(); },
                        [&](const model::SetSpdHashThresholds&) -> R { return on.none(); },
                        [&](const model::GetSpdInfo&) -> R { return on.none(); },
                        [&](const model::GetSadInfo&) -> R { return on.none(); },
                    },
                    op);
}

// as_change's two readers: whether there is a Change (copying nothing), and the Change itself.
struct IsChange {
  bool change(const auto&, Change::Verb) const { return true; }
  bool none() const { return false; }
};
struct MakeChange {
  size_t tag;
  std::optional<Change> change(const auto& target, Change::Verb verb) const { return Change{target, verb, tag}; }
  std::optional<Change> none() const { return std::nullopt; }
};

// True for the statements that become a Change, which go to the backend in batches.
bool batched(const model::Operation& op) { return as_change(op, IsChange{}); }

// Runs one statement that is not a batched change. Returns its error, if any.
std::optional<StepError> run_single(Backend& backend, const Step& step, size_t i, const RunOptions& o, RunObserver* observer) {
  auto tell = [&](Answer&& a) {
    if (observer) observer->answer(i, std::move(a));
  };
  auto check = [&](const Result<void>& r) -> std::optional<StepError> {
    if (!r) return step_error(i, r.error());
    return std::nullopt;
  };
  auto change = [](const auto&) -> std::optional<StepError> { return std::nullopt; };  // batched, never here
  return std::visit(
      Overloaded{
          [&](const model::AddPolicy& op) { return change(op); },
          [&](const model::DeletePolicy& op) { return change(op); },
          [&](const model::AddSa& op) { return change(op); },
          [&](const model::DeleteSa& op) { return change(op); },
          [&](const model::FlushPolicies&) { return check(backend.flush_policies()); },
          [&](const model::FlushSas& op) { return check(backend.flush_sas(op.proto)); },
          [&](const model::DumpPolicies&) -> std::optional<StepError> {
            auto r = backend.dump_policies();
            if (!r) return step_error(i, r.error(), true);
            tell(PolicyDump{std::move(*r)});
            return std::nullopt;
          },
          [&](const model::DumpSas& op) -> std::optional<StepError> {
            auto r = backend.dump_sas(op.proto);
            if (!r) return step_error(i, r.error(), true);
            tell(SaDump{std::move(*r)});
            return std::nullopt;
          },
          [&](const model::GetSa& op) -> std::optional<StepError> {
            auto r = backend.get_sa(op.id);
            if (!r) return step_error(i, r.error());
            tell(GotSa{std::move(*r)});
            return std::nullopt;
          },
          [&](const model::AllocSpi& op) -> std::optional<StepError> {
            auto r = backend.alloc_spi(*op.sa, op.min, op.max);
            if (!r) return step_error(i, r.error());
            tell(AllocatedSpi{std::move(*r)});
            return std::nullopt;
          },
          [&](const model::SetDefaultPolicy& op) { return check(backend.set_default_policy(op.defaults)); },
          [&](const model::GetDefaultPolicy&) -> std::optional<StepError> {
            auto r = backend.get_default_policy();
            if (!r) return step_error(i, r.error());
            tell(*r);
            return std::nullopt;
          },
          [&](const model::SetSpdHashThresholds& op) -> std::optional<StepError> {
            // A family left out keeps its current thresholds.
            auto cur = backend.spd_info();
            if (!cur) return step_error(i, cur.error());
            return check(backend.set_spd_hash_thresholds(op.v4 ? op.v4_lbits : cur->v4_lbits, op.v4 ? op.v4_rbits : cur->v4_rbits,
                                                         op.v6 ? op.v6_lbits : cur->v6_lbits, op.v6 ? op.v6_rbits : cur->v6_rbits));
          },
          [&](const model::GetSpdInfo&) -> std::optional<StepError> {
            auto r = backend.spd_info();
            if (!r) return step_error(i, r.error());
            tell(*r);
            return std::nullopt;
          },
          [&](const model::GetSadInfo&) -> std::optional<StepError> {
            auto r = backend.sad_info();
            if (!r) return step_error(i, r.error());
            tell(*r);
            return std::nullopt;
          },
          [&](const model::DeleteAllSa& op) -> std::optional<StepError> {
            auto all = backend.dump_sas(op.proto);
            if (!all) return step_error(i, all.error());
            auto dels = deleteall_changes(*all, op, i);
            auto rep = backend.apply(dels, ApplyOptions{true, o.batch_bytes});
            if (!rep.errors.empty()) return step_error(i, rep.errors.front());
            return std::nullopt;
          },
      },
      step.statement.op);
}

}  // namespace

namespace {

std::optional<Removal> removal_of(const Change& c) {
  if (c.verb != Change::Verb::add) return std::nullopt;
  if (const auto* p = std::get_if<model::Policy>(&c.target)) return Removal{p->id(), c.tag};
  if (const auto* sa = std::get_if<model::SecurityAssociation>(&c.target)) return Removal{sa->id(), c.tag};
  return std::nullopt;
}

}  // namespace

std::optional<Change> inverse_of_add(const Change& c) {
  auto r = removal_of(c);
  if (!r) return std::nullopt;
  return r->change();
}

Change Removal::change() const {
  return std::visit([&](const auto& id) { return Change{id, Change::Verb::remove, tag}; }, target);
}

void UndoLog::record(std::span<const Change> batch, const ApplyReport& report, size_t upto) {
  for (size_t tag : report.applied_tags) {
    if (tag >= upto) continue;
    if (auto r = removal_of(batch[tag - batch.front().tag])) removals.push_back(std::move(*r));
    else ++irreversible;
  }
}

void UndoLog::record_steps(std::span<const Step> run, const ApplyReport& report, size_t upto) {
  steps = run;
  for (size_t tag : report.applied_tags) {
    if (tag >= upto) continue;
    if (exclusive_add(run[tag].statement.op)) added_steps.push_back(static_cast<uint32_t>(tag));
    else ++irreversible;
  }
}

TakeBackReport take_back(Backend& backend, const UndoLog& log, size_t batch_bytes) {
  TakeBackReport report;
  std::vector<Change> undo;
  undo.reserve(log.size());
  for (auto it = log.added_steps.rbegin(); it != log.added_steps.rend(); ++it)
    if (auto c = removal_of_step(log.steps[*it], *it)) undo.push_back(std::move(*c));
  for (auto it = log.removals.rbegin(); it != log.removals.rend(); ++it) undo.push_back(it->change());
  report.attempted = undo.size();
  report.irreversible = log.irreversible;
  if (undo.empty()) return report;
  ApplyReport r = backend.apply(undo, ApplyOptions{false, batch_bytes});
  std::erase_if(r.errors, [](const ChangeError& e) { return e.code == ENOENT || e.code == ESRCH; });
  report.errors = std::move(r.errors);
  return report;
}

Result<std::vector<GeneratedReqid>> assign_reqids(Backend& backend, std::span<Step> steps) {
  std::vector<GeneratedReqid> out;
  bool needed = false;
  for (auto& s : steps)
    if (auto* a = std::get_if<model::AddPolicy>(&s.statement.op))
      for (auto& t : a->policy.templates) needed |= t.level == model::Level::unique && t.reqid == 0;
  if (!needed) return out;
  auto spd = backend.dump_policies();
  if (!spd) return spd.error();
  uint32_t next = model::kManualReqidMax + 1;
  for (const auto& p : *spd)
    for (const auto& t : p.templates) next = std::max(next, t.reqid + 1);
  for (size_t i = 0; i < steps.size(); ++i)
    if (auto* a = std::get_if<model::AddPolicy>(&steps[i].statement.op)) {
      for (auto& t : a->policy.templates)
        if (t.level == model::Level::unique && t.reqid == 0) t.reqid = next++;
      for (const auto& r : a->replaced_reqids) out.push_back(GeneratedReqid{i, r, a->policy.templates[r.request].reqid});
    }
  return out;
}

Result<void> resolve_default_levels(std::span<Step> steps, const LevelSource& source) {
  bool needed = false;
  for (auto& s : steps)
    if (auto* a = std::get_if<model::AddPolicy>(&s.statement.op))
      for (auto& t : a->policy.templates) needed |= t.level == model::Level::default_level;
  if (!needed) return {};
  auto levels = source ? source() : knobs::load_default_levels();
  if (!levels) return levels.error();
  for (auto& s : steps)
    if (auto* a = std::get_if<model::AddPolicy>(&s.statement.op)) levels->resolve(a->policy);
  return {};
}

std::optional<Change> to_change(const model::Statement& st, size_t tag) { return as_change(st.op, MakeChange{tag}); }

bool read_only(const model::Operation& op) {
  return std::visit(Overloaded{
                        [](const model::DumpPolicies&) { return true; },
                        [](const model::DumpSas&) { return true; },
                        [](const model::GetSa&) { return true; },
                        [](const model::GetDefaultPolicy&) { return true; },
                        [](const model::GetSpdInfo&) { return true; },
                        [](const model::GetSadInfo&) { return true; },
                        [](const model::AddPolicy&) { return false; },
                        [](const model::DeletePolicy&) { return false; },
                        [](const model::FlushPolicies&) { return false; },
                        [](const model::AddSa&) { return false; },
                        [](const model::DeleteSa&) { return false; },
                        [](const model::DeleteAllSa&) { return false; },
                        [](const model::FlushSas&) { return false; },
                        [](const model::AllocSpi&) { return false; },  // leaves a larval SA behind
                        [](const model::SetDefaultPolicy&) { return false; },
                        [](const model::SetSpdHashThresholds&) { return false; },
                    },
                    op);
}

std::vector<Change> deleteall_changes(std::span<const model::SecurityAssociation> sad, const model::DeleteAllSa& op, size_t tag) {
  std::vector<Change> dels;
  for (const auto& sa : sad)
    if (sa.src == op.src && sa.dst == op.dst && sa.proto == op.proto) dels.push_back(Change{sa.id(), Change::Verb::remove, tag});
  return dels;
}

namespace {

RunReport run_steps(Backend& backend, std::span<const Step> steps, const RunOptions& o, UndoLog* log, RunObserver* observer) {
  RunReport report;
  report.total = user_statements(steps, 0, steps.size());
  report.outcomes.assign(steps.size(), Outcome::not_run);
  size_t i = 0;
  while (i < steps.size()) {
    size_t j = i;
    while (j < steps.size() && (j - i < o.chunk || steps[j].fwd_copy) && batched(steps[j].statement.op)) ++j;
    if (j > i) {
      // Changes are made as the backend encodes them, so a chunk costs neither a copy of its policies up
      // front nor the memory to hold one.
      ApplyReport rep = backend.apply_each(
          j - i, [&steps, i](size_t k) { return *to_change(steps[i + k].statement, i + k); }, ApplyOptions{true, o.batch_bytes});
      if (observer) observer->batch(j - i, rep.applied);
      if (rep.errors.empty()) {
        report.done += user_statements(steps, i, j);
        for (size_t k = i; k < j; ++k) report.outcomes[k] = Outcome::applied;
        if (log) log->record_steps(steps, rep);
      } else {
        const ChangeError* first = &rep.errors.front();
        for (const auto& err : rep.errors)
          if (err.tag < first->tag) first = &err;
        size_t at = first->tag;
        // Reported with the first error the backend gave, at the first statement that failed.
        report.error = step_error(at, rep.errors.front());
        size_t written = steps[at].fwd_copy ? at - 1 : at;
        if (log) log->record_steps(steps, rep, written);
        undo_after(backend, steps, i, j, rep, written, o, report);
        report.outcomes[at] = Outcome::failed;
        return report;
      }
      i = j;
      continue;
    }
    const Step& s = steps[i];
    if (auto err = run_single(backend, s, i, o, observer)) {
      report.error = std::move(*err);
      report.outcomes[i] = Outcome::failed;
      return report;
    }
    report.outcomes[i] = Outcome::applied;
    report.done += !s.fwd_copy;
    if (log && !read_only(s.statement.op)) ++log->irreversible;
    ++i;
  }
  return report;
}

}  // namespace

RunReport run(Backend& backend, std::span<const Step> steps, const RunOptions& o, UndoLog* log, RunObserver* observer) {
  // One bulk scope for the whole run: the engine then writes its state once, not once per chunk.
  if (auto b = backend.begin_bulk(); !b) {
    RunReport report;
    report.total = user_statements(steps, 0, steps.size());
    report.outcomes.assign(steps.size(), Outcome::not_run);
    if (!steps.empty()) report.error = StepError{0, b.error().code, b.error().message, {}, false};
    return report;
  }
  RunReport report = run_steps(backend, steps, o, log, observer);
  if (auto e = backend.end_bulk(); !e) {
    // Nothing of the run reached the state: say so at its first statement.
    report.done = 0;
    report.outcomes.assign(steps.size(), Outcome::not_run);
    report.error = StepError{0, e.error().code, "nothing was stored: " + e.error().message, {}, false};
  }
  return report;
}

Preview preview(std::span<const Step> steps) {
  Preview out;
  auto& spd = out.policies;
  auto& sad = out.sas;
  auto nothing = [](const auto&) {};
  for (const auto& s : steps) {
    std::visit(Overloaded{
                   [&](const model::AddPolicy& op) {
                     auto key = op.policy.key();
                     auto it = std::find_if(spd.begin(), spd.end(), [&](const model::Policy& p) { return p.key() == key; });
                     if (it != spd.end()) *it = op.policy;
                     else spd.push_back(op.policy);
                   },
                   [&](const model::DeletePolicy& op) {
                     std::erase_if(spd, [&](const model::Policy& p) { return p.key() == op.id.key(); });
                   },
                   [&](const model::FlushPolicies&) { spd.clear(); },
                   [&](const model::AddSa& op) {
                     // The same SA when its id names it (a source given must match too).
                     model::SaId id = op.sa->id();
                     auto it = std::find_if(sad.begin(), sad.end(), [&](const model::SecurityAssociation& sa) { return id.names(sa); });
                     if (it != sad.end()) *it = *op.sa;
                     else sad.push_back(*op.sa);
                   },
                   [&](const model::DeleteSa& op) {
                     std::erase_if(sad, [&](const model::SecurityAssociation& sa) { return op.id.names(sa); });
                   },
                   [&](const model::DeleteAllSa& op) {
                     std::erase_if(sad, [&](const model::SecurityAssociation& sa) {
                       return sa.src == op.src && sa.dst == op.dst && sa.proto == op.proto;
                     });
                   },
                   [&](const model::FlushSas& op) {
                     std::erase_if(sad, [&](const model::SecurityAssociation& sa) { return !op.proto || sa.proto == *op.proto; });
                   },
                   [&](const model::DumpPolicies& x) { nothing(x); },
                   [&](const model::GetSa& x) { nothing(x); },
                   [&](const model::DumpSas& x) { nothing(x); },
                   [&](const model::AllocSpi& x) { nothing(x); },  // a larval SA: no saved statement recreates it
                   [&](const model::SetDefaultPolicy& x) { nothing(x); },
                   [&](const model::GetDefaultPolicy& x) { nothing(x); },
                   [&](const model::SetSpdHashThresholds& x) { nothing(x); },
                   [&](const model::GetSpdInfo& x) { nothing(x); },
                   [&](const model::GetSadInfo& x) { nothing(x); },
               },
               s.statement.op);
  }
  return out;
}

}  // namespace xfrmpp::plan
