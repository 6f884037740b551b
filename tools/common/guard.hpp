// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The last line of defence in every tool: an exception that escapes a command is a bug. It is reported
// as one ("PROG: internal error: WHAT", exit status 70, EX_SOFTWARE) after the run's changes to the
// system have been taken back, so a crash never leaves the SPD half-changed and unrecorded.
#include <functional>
#include <string>
#include <string_view>

namespace xfrmpp::tools {

/// EX_SOFTWARE from sysexits.h: an internal error.
inline constexpr int kInternalErrorStatus = 70;

/// Where the undo of an unwound run leaves its one-line account, for run_guarded to print.
class Rollback {
 public:
  void note(std::string what) { report_ = std::move(what); }
  const std::string& report() const { return report_; }

 private:
  std::string report_;
};

/// Takes a change back when an exception unwinds the scope it guards (and only then). Declare it after
/// everything its undo uses, so those are still alive when it runs; dismiss() once the change is complete
/// (applied, recorded and reported). Each tool's manual page says what its undo covers.
class UndoOnUnwind {
 public:
  /// Takes the change back and says what it did, one line without the program name.
  using Undo = std::function<std::string()>;
  UndoOnUnwind(Rollback& rollback, Undo undo);
  UndoOnUnwind(const UndoOnUnwind&) = delete;
  UndoOnUnwind& operator=(const UndoOnUnwind&) = delete;
  ~UndoOnUnwind();
  void dismiss() { undo_ = nullptr; }

 private:
  Rollback& rollback_;
  Undo undo_;
  int exceptions_;  // in flight when armed: more at destruction means this scope is unwinding
};

/// Runs body(rollback). When an exception escapes it (any UndoOnUnwind on the way has run), prints
/// "PROG: internal error: WHAT" and the rollback's account on stderr and returns kInternalErrorStatus.
int run_guarded(std::string_view prog, const std::function<int(Rollback&)>& body);

/// Fault injection for the tests of the path above: throws std::runtime_error when the environment
/// variable XFRMPP_TEST_FAULT equals `point`. Outside those tests it is unset and this does nothing.
void fault_point(std::string_view point);

}  // namespace xfrmpp::tools
