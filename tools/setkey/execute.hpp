// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Plan and apply a validated setkey script against a Backend, reporting kernel errors at their statements.
#include <cstdio>
#include <vector>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/knobs/state.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"
#include "xfrmpp/model/statement.hpp"
#include "xfrmpp/plan/run.hpp"
#include "xfrmpp/util/large_allocator.hpp"

namespace xfrmpp::tools::setkey {

/// A statement of the run (plan::Step): its source index, and whether it is an RFC-mode `fwd` copy.
using Entry = plan::Step;
/// A run's statements; a big load holds hundreds of megabytes of them, so they live on huge pages.
using Entries = std::vector<Entry, util::LargeAllocator<Entry>>;

struct ExecuteOptions {
  bool verbose = false;
  bool json = false;
  bool show_keys = true;
  bool with_ports = false;
  size_t batch_bytes = 64 * 1024;
  bool short_form = false;  ///< -l: one line per SA
  bool aevents = false;     ///< -x: also NEWAE replay/lifetime updates
  knobs::StateOptions knob_state;  ///< where `default` levels are read (the backend's, see knob_state())
};

/// What a run has applied (plan::UndoLog), kept so that an internal error can take it back.
using UndoLog = plan::UndoLog;

/// Applies entries in order: runs of SPD/SAD changes go out in batches; flush, dump, get and
/// deleteall run where they stand. Stops at the first kernel rejection and says how far it got.
/// Returns true when every statement succeeded. `log`, when given, records what was applied.
bool execute(Backend& backend, const std::vector<diag::SourceBuffer>& sources, Entries& entries,
             const ExecuteOptions& options, UndoLog* log = nullptr);

/// Removes what `log` says the run added, newest first; returns one line saying what was taken back.
std::string take_back(Backend& backend, const UndoLog& log, size_t batch_bytes);

/// The warning for a request written unique:N above 16383: it names the generated reqid it got, or
/// (reqid 0, under -n) says one will be generated at load time.
diag::Diagnostic replaced_reqid_warning(const model::ReplacedReqid& r, uint32_t reqid);

/// `setkey -n --save`: what -D --save and -DP --save would print after loading `entries` into empty
/// databases, worked out without a kernel: adds and updates replace by key, deletes, deleteall and
/// flushes remove, dumps and gets change nothing. SAs first, then the policies (in RFC mode the automatic
/// fwd copies are left out, as -DP --save leaves them out). A bare `unique` stays `unique` (its reqid is
/// generated at load time); a `default` level prints as require, a fresh namespace's default.
std::string save_preview(const Entries& entries, bool rfc_mode);

/// Prints the SPD (-DP) or SAD (-D) in setkey, --save or --json form. Returns false on a backend error.
bool dump_policies(Backend& backend, const ExecuteOptions& options, bool save, bool rfc_mode);
bool dump_sas(Backend& backend, const ExecuteOptions& options, std::optional<model::Protocol> proto, bool save = false);

}  // namespace xfrmpp::tools::setkey
