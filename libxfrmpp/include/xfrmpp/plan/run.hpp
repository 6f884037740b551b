// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Plans and applies a parsed script (model::Statement in source order) against a Backend: `default`
// levels and generated reqids are decided first, runs of SPD/SAD changes go out in batches, the run
// stops at the first rejection and takes back what the backend applied past it. Nothing here prints:
// every outcome comes back in a report, and read statements hand their answers to an observer in
// statement order, so a tool prints them where they stand.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/knobs/state.hpp"
#include "xfrmpp/model/statement.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::plan {

/// One statement of a run. `source` is the caller's (which input it came from) and is never looked at.
struct Step {
  uint32_t source = 0;
  model::Statement statement;
  bool fwd_copy = false;  ///< the RFC-mode `fwd` copy of the step before it: applied and undone with it, not counted
};

/// The removal that undoes one confirmed add: a Change with the verb `remove` implied and only the id
/// alternatives (a fifth of a Change's size: a 100k-policy run keeps 100k of them).
struct Removal {
  std::variant<model::PolicyId, model::SaId> target;
  size_t tag = 0;
  Change change() const;
};

/// What a run has applied, kept so that a later failure can take it back: every add the backend
/// confirmed (adds are exclusive, so what they made is the run's own). plan::run names them by step
/// index, 4 bytes each, because its steps outlive the log; record() keeps the removal itself.
struct UndoLog {
  std::vector<Removal> removals;      ///< from record()
  std::span<const Step> steps;        ///< the run `added_steps` indexes (set by plan::run)
  std::vector<uint32_t> added_steps;  ///< confirmed adds of that run, oldest first
  size_t irreversible = 0;  ///< other applied statements (update, delete, flush, ...): only a snapshot undoes those

  /// Records the adds of `batch` that `report` confirms, except those tagged `upto` or later.
  void record(std::span<const Change> batch, const ApplyReport& report, size_t upto = SIZE_MAX);
  /// The same for changes whose tags are indexes into `run` (plan::run's).
  void record_steps(std::span<const Step> run, const ApplyReport& report, size_t upto = SIZE_MAX);
  /// Adds that take_back would remove.
  size_t size() const { return removals.size() + added_steps.size(); }
};

/// The removal that takes back a confirmed add; nullopt for other verbs.
std::optional<Change> inverse_of_add(const Change& c);

struct TakeBackReport {
  size_t attempted = 0;             ///< removals sent
  std::vector<ChangeError> errors;  ///< those that failed for another reason than "already gone"
  size_t irreversible = 0;          ///< the log's other applied statements, which stay
};

/// Removes what `log` says was added, newest first. An entry already gone (ENOENT, ESRCH: a later
/// statement deleted or flushed it) counts as removed.
TakeBackReport take_back(Backend& backend, const UndoLog& log, size_t batch_bytes = 64 * 1024);

/// A request written unique:N above kManualReqidMax, with the reqid it got.
struct GeneratedReqid {
  size_t step = 0;
  model::ReplacedReqid replaced;
  uint32_t reqid = 0;
};

/// Gives every `unique` request without a reqid the next free one above the manual range, after the
/// largest the backend's SPD holds (deterministic in a fresh namespace, so a saved SPD reloads with
/// the same numbers). Reads the SPD only when some request needs one. The answer lists the unique:N
/// requests that were replaced, for the caller to warn about.
Result<std::vector<GeneratedReqid>> assign_reqids(Backend& backend, std::span<Step> steps);

/// Where the `default` levels come from (knobs::load_default_levels by default; a test passes its own).
using LevelSource = std::function<Result<knobs::DefaultLevels>()>;

/// Replaces every request level written `default` by the namespace's default (loaded once, only
/// when some request needs it), so the parsed model keeps what the user wrote until plan time.
Result<void> resolve_default_levels(std::span<Step> steps, const LevelSource& levels = {});

/// The change a statement stands for when it is an SPD/SAD add, update or delete; nullopt otherwise.
std::optional<Change> to_change(const model::Statement& st, size_t tag);

/// Dumps, gets and info requests change nothing an undo would have to take back.
bool read_only(const model::Operation& op);

/// The deletes a `deleteall` stands for: Linux needs an SPI per delete, so it becomes one delete per
/// SA of `sad` with its source, destination and protocol.
std::vector<Change> deleteall_changes(std::span<const model::SecurityAssociation> sad, const model::DeleteAllSa& op, size_t tag);

/// The answers of read statements, handed to the observer where they stand.
struct PolicyDump { std::vector<model::Policy> policies; };
struct SaDump { std::vector<model::SecurityAssociation> sas; };
struct GotSa { model::SecurityAssociation sa; };
struct AllocatedSpi { model::SecurityAssociation sa; };
using Answer = std::variant<PolicyDump, SaDump, GotSa, AllocatedSpi, model::DefaultPolicy, SpdInfo, SadInfo>;

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  /// A batch of `sent` changes went out and `applied` were confirmed.
  virtual void batch(size_t sent, size_t applied) { (void)sent, (void)applied; }
  /// A read statement's answer.
  virtual void answer(size_t step, Answer&& a) { (void)step, (void)a; }
};

struct RunOptions {
  size_t batch_bytes = 64 * 1024;
  /// Statements go to Backend::apply_each in runs of at most this many (a `fwd` copy stays with its
  /// statement); each run is one line of setkey -v. Changes are made as they are encoded, so memory stays flat.
  size_t chunk = 4096;
};

enum class Outcome : uint8_t {
  not_run,     ///< after the failing statement, never sent (or a read that did not come to it)
  applied,     ///< in the backend (or, for a read, answered)
  failed,      ///< the statement the backend rejected
  taken_back,  ///< applied past the rejection and removed again
};

/// The rejection that stopped a run.
struct StepError {
  size_t step = 0;  ///< index of the failing step
  int code = 0;
  std::string message;  ///< backend text; may be empty (the caller then uses strerror)
  std::string extack;   ///< kernel explanation, when there is one
  /// A dump statement that could not read the SPD/SAD (no "failed" statement: the dump itself failed).
  bool dump = false;
};

struct RunReport {
  size_t done = 0;   ///< statements (as written: fwd copies not counted) wholly applied
  size_t total = 0;  ///< statements as written
  std::vector<Outcome> outcomes;  ///< per step
  std::optional<StepError> error;
  size_t taken_back = 0;  ///< changes past the rejection that were removed again
  bool ok() const { return !error; }
};

/// Applies `steps` in order: runs of SPD/SAD changes in batches, flush, dump, get, getspi, deleteall and
/// the default-policy and info requests where they stand. Stops at the first rejection; what the backend
/// applied past it (it keeps going through a batch) is taken back when it was an add, so "stop at the
/// first rejection" holds. `log`, when given, records what stays applied. Call resolve_default_levels and
/// assign_reqids first.
RunReport run(Backend& backend, std::span<const Step> steps, const RunOptions& options = {}, UndoLog* log = nullptr,
              RunObserver* observer = nullptr);

/// What the SPD and SAD would hold after `steps` were applied to empty databases, worked out without a
/// backend: adds and updates replace by key, deletes, deleteall and flushes remove, reads change nothing.
/// Oldest first; a bare `unique` keeps reqid 0.
struct Preview {
  std::vector<model::Policy> policies;
  std::vector<model::SecurityAssociation> sas;
};
Preview preview(std::span<const Step> steps);

}  // namespace xfrmpp::plan

#pragma GCC visibility pop
