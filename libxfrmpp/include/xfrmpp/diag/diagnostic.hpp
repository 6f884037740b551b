#pragma once
// Diagnostics are values collected in a sink; tools decide how and where to print them.
#include <string>
#include <vector>

#include "xfrmpp/diag/source.hpp"

namespace xfrmpp::diag {

enum class Severity { error, warning, note };

struct Diagnostic {
  Severity severity = Severity::error;
  SourceRange range;
  std::string message;
  std::vector<std::string> notes;  ///< extra lines, e.g. "did you mean 'require'?"
};

/// Collects every diagnostic of one input so a run can report them all before stopping.
class DiagnosticSink {
 public:
  void error(SourceRange range, std::string message, std::vector<std::string> notes = {});
  void warning(SourceRange range, std::string message, std::vector<std::string> notes = {});
  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return items_; }
  void clear() { items_.clear(); errors_ = 0; }

 private:
  std::vector<Diagnostic> items_;
  size_t errors_ = 0;
};

/// "file:line:col: error: message", the source line and a caret run under the range.
std::string format(const SourceBuffer& source, const Diagnostic& d);

/// The closest candidate within a small edit distance, or empty: feeds "did you mean".
std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace xfrmpp::diag
