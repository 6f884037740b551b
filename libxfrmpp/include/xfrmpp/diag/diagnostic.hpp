// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Diagnostics are values collected in a sink; tools decide how and where to print them.
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "xfrmpp/diag/source.hpp"

#pragma GCC visibility push(default)

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
  /// An error as if reported when the sink held `before` diagnostics: a check that answers a few
  /// statements late still lists its errors in input order.
  void insert_error(size_t before, SourceRange range, std::string message, std::vector<std::string> notes = {});
  /// Marks a range (a key) that must never be echoed: format() masks it in the quoted source line.
  void secret(SourceRange range);
  /// Every secret range of `text` (a parser's key pre-scan: ranges that do not overlap), and from now on
  /// error() and warning() also scrub their message and notes: the secret bytes of the diagnostic's own
  /// range, the text of every secret (scrub_message) and key-shaped runs become "<key>". `text` is the
  /// source the ranges index and must outlive the sink.
  void add_secrets(std::string_view text, const std::vector<SourceRange>& ranges);
  using SecretScan = std::vector<SourceRange> (*)(std::string_view text);
  /// add_secrets(text, scan(text)), run only when first needed (a diagnostic, secret(), secrets()): an
  /// input that parses cleanly and is never asked about its keys skips the pre-scan. Same lifetime rule.
  void add_secrets_lazily(std::string_view text, SecretScan scan);
  /// The secret ranges, sorted by begin and merged (disjoint), as format() expects (sorted on demand, so the first call after additions is not thread-safe).
  const std::vector<SourceRange>& secrets() const;
  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return items_; }
  void clear() { items_.clear(); errors_ = 0; }

 private:
  std::string scrub(std::string s, SourceRange where);
  void index_secret(SourceRange r);
  void scan_pending() const;  // runs the lazy scan, if one waits; never leaves items_ unscrubbed (see add_secrets_lazily)

  std::vector<Diagnostic> items_;
  mutable std::vector<SourceRange> secrets_;
  mutable bool sorted_ = true;
  mutable size_t bulk_end_ = 0;                 // secrets_[0, bulk_end_) is sorted: scrub() searches it
  mutable size_t cursor_ = 0;                   // secret()'s walk over that prefix (parsers add in order)
  mutable std::string_view text_;               // set by add_secrets: the source the secret ranges index
  mutable SecretScan pending_ = nullptr;        // add_secrets_lazily's scan, until it runs
  std::string_view pending_text_;
  bool indexed_ = false;                        // texts_ built (lazily, at the first diagnostic)
  std::unordered_set<std::string_view> texts_;  // each secret's text, quotes and 0x stripped
  size_t errors_ = 0;
};

/// True when `text` holds a key-shaped run (16 or more hex digits that follow "0x" or hold a letter).
bool key_shaped(std::string_view text);

/// `message` with key-shaped text replaced by "<key>": every run of 16 or more hex digits that follows
/// "0x" or holds a letter, and every quoted part or word that is exactly one of `secret_texts`. Used on
/// every diagnostic message, so a message that quotes a token never shows a key.
std::string scrub_message(std::string message, const std::unordered_set<std::string_view>& secret_texts = {});

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

#pragma GCC visibility pop
