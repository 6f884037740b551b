// SPDX-License-Identifier: BSD-3-Clause
#include "guard.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>

namespace xfrmpp::tools {
namespace {

std::string what_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

UndoOnUnwind::UndoOnUnwind(Rollback& rollback, Undo undo)
    : rollback_(rollback), undo_(std::move(undo)), exceptions_(std::uncaught_exceptions()) {}

UndoOnUnwind::~UndoOnUnwind() {
  if (!undo_ || std::uncaught_exceptions() <= exceptions_) return;
  // A destructor must not throw while unwinding, so a failing undo is reported, not propagated.
  try {
    rollback_.note(undo_());
  } catch (...) {
    rollback_.note("taking the changes back failed too: " + what_of(std::current_exception()));
  }
}

int run_guarded(std::string_view prog, const std::function<int(Rollback&)>& body) {
  Rollback rollback;
  std::string what;
  try {
    return body(rollback);
  } catch (...) {
    what = what_of(std::current_exception());
  }
  std::fflush(stdout);
  std::fprintf(stderr, "%.*s: internal error: %s\n", static_cast<int>(prog.size()), prog.data(), what.c_str());
  if (!rollback.report().empty())
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(prog.size()), prog.data(), rollback.report().c_str());
  return kInternalErrorStatus;
}

void fault_point(std::string_view point) {
  const char* v = std::getenv("XFRMPP_TEST_FAULT");
  if (v && point == v) throw std::runtime_error("injected fault at " + std::string(point) + " (XFRMPP_TEST_FAULT)");
}

}  // namespace xfrmpp::tools
