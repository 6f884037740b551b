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
  /// Marks a range (a key) that must never be echoed: format() masks it in the quoted source line.
  /// Ranges are kept sorted and merged, so format() finds the ones on a line by binary search.
  void secret(SourceRange range);
  /// Sorted by begin, disjoint and non-empty: the form format() expects.
  const std::vector<SourceRange>& secrets() const { return secrets_; }
  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return items_; }
  void clear() { items_.clear(); errors_ = 0; }

 private:
  std::vector<Diagnostic> items_;
  std::vector<SourceRange> secrets_;
  size_t errors_ = 0;
};

/// "file:line:col: error: message", the source line and a caret run under the range. Bytes inside
/// `secrets` (sorted and disjoint, as DiagnosticSink::secrets() keeps them) are shown as '*' so keys
/// never reach a terminal or a log. Output is bounded: a line longer than kWholeLineLimit is shown as a
/// kWindowColumns-byte window around the caret with "..." where it was cut; an overlong message keeps its ends.
std::string format(const SourceBuffer& source, const Diagnostic& d, const std::vector<SourceRange>& secrets = {});

/// Longest source line format() echoes whole, and the window (in bytes) it shows of a longer one.
inline constexpr size_t kWholeLineLimit = 256;
inline constexpr size_t kWindowColumns = 120;

/// The closest candidate within a small edit distance, or empty: feeds "did you mean". Words too long to
/// be within that distance of any candidate are not compared, so a megabyte-long word costs nothing.
std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace xfrmpp::diag
