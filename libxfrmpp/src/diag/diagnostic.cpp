#include "xfrmpp/diag/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace xfrmpp::diag {

void DiagnosticSink::error(SourceRange range, std::string message, std::vector<std::string> notes) {
  items_.push_back({Severity::error, range, std::move(message), std::move(notes)});
  ++errors_;
}

void DiagnosticSink::warning(SourceRange range, std::string message, std::vector<std::string> notes) {
  items_.push_back({Severity::warning, range, std::move(message), std::move(notes)});
}

static std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

std::string format(const SourceBuffer& source, const Diagnostic& d, const std::vector<SourceRange>& secrets) {
  LineCol lc = source.line_col(d.range.begin);
  std::string out = fmt::format("{}:{}:{}: {}: {}\n", source.name(), lc.line, lc.column, severity_name(d.severity), d.message);
  std::string_view line = source.line_text(d.range.begin);
  Offset line_start = d.range.begin - (lc.column - 1);
  std::string shown(line);
  for (const auto& r : secrets)
    for (Offset i = std::max(r.begin, line_start); i < r.end && i - line_start < shown.size(); ++i) shown[i - line_start] = '*';
  out += fmt::format("{}\n", shown);
  // Keep tabs in the indent so the caret lines up under tab-indented statements.
  std::string indent;
  for (uint64_t i = 0; i + 1 < lc.column && i < line.size(); ++i) indent += line[i] == '\t' ? '\t' : ' ';
  size_t width = d.range.end > d.range.begin ? d.range.end - d.range.begin : 1;
  width = std::max<size_t>(1, std::min<size_t>(width, line.size() >= lc.column ? line.size() - (lc.column - 1) : 1));
  out += indent + "^" + std::string(width - 1, '~') + "\n";
  for (const auto& n : d.notes) out += fmt::format("{}:{}:{}: note: {}\n", source.name(), lc.line, lc.column, n);
  return out;
}

static size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

std::string suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
  // A third of the word's length (at least 1, at most 3) keeps hints to plausible typos.
  size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
  std::string_view best;
  size_t best_d = limit + 1;
  for (auto c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return std::string(best);
}

}  // namespace xfrmpp::diag
