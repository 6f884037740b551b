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

void DiagnosticSink::secret(SourceRange r) {
  if (r.end <= r.begin) return;
  // Keys arrive in source order, so this is nearly always an append or a merge with the last range.
  auto first = std::partition_point(secrets_.begin(), secrets_.end(), [&](const SourceRange& s) { return s.end < r.begin; });
  auto last = first;
  for (; last != secrets_.end() && last->begin <= r.end; ++last) {
    r.begin = std::min(r.begin, last->begin);
    r.end = std::max(r.end, last->end);
  }
  if (first == last) {
    secrets_.insert(first, r);
  } else {
    *first = r;
    secrets_.erase(first + 1, last);
  }
}

namespace {

constexpr std::string_view kCut = "...";
constexpr size_t kLeadColumns = 40;  // context kept left of the caret when a long line is cut
constexpr size_t kMaxMessage = 256;
constexpr size_t kMessageTail = 48;

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// A message quoting a megabyte token keeps its start and its end, cut on UTF-8 boundaries.
std::string bounded(std::string_view m) {
  if (m.size() <= kMaxMessage) return std::string(m);
  size_t head = kMaxMessage - kMessageTail - kCut.size();
  while (head > 0 && utf8_continuation(m[head])) --head;
  size_t tail = m.size() - kMessageTail;
  while (tail < m.size() && utf8_continuation(m[tail])) ++tail;
  return fmt::format("{}{}{}", m.substr(0, head), kCut, m.substr(tail));
}

// Stars over the bytes of `shown` (source offsets [from, from + size)) that any secret covers.
void mask(std::string& shown, Offset from, const std::vector<SourceRange>& secrets) {
  Offset to = from + shown.size();
  auto it = std::partition_point(secrets.begin(), secrets.end(), [&](const SourceRange& r) { return r.end <= from; });
  for (; it != secrets.end() && it->begin < to; ++it) {
    Offset b = std::max(it->begin, from), e = std::min(it->end, to);
    std::fill(shown.begin() + static_cast<ptrdiff_t>(b - from), shown.begin() + static_cast<ptrdiff_t>(e - from), '*');
  }
}

}  // namespace

std::string format(const SourceBuffer& source, const Diagnostic& d, const std::vector<SourceRange>& secrets) {
  LineCol lc = source.line_col(d.range.begin);
  std::string out =
      fmt::format("{}:{}:{}: {}: {}\n", source.name(), lc.line, lc.column, severity_name(d.severity), bounded(d.message));
  std::string_view line = source.line_text(d.range.begin);
  Offset line_start = source.line_start(d.range.begin);
  size_t caret = static_cast<size_t>(std::min<uint64_t>(lc.column - 1, line.size()));
  // The shown part of the line: all of it, or a window around the caret.
  size_t from = 0, to = line.size();
  if (line.size() > kWholeLineLimit) {
    from = caret > kLeadColumns ? caret - kLeadColumns : 0;
    to = std::min(line.size(), from + kWindowColumns);
    if (to - from < kWindowColumns) from = to - kWindowColumns;  // near the end: widen leftwards
    while (from < caret && utf8_continuation(line[from])) ++from;
    while (to > caret && to < line.size() && utf8_continuation(line[to])) --to;
  }
  bool cut_left = from > 0, cut_right = to < line.size();
  std::string shown(line.substr(from, to - from));
  mask(shown, line_start + from, secrets);
  out += fmt::format("{}{}{}\n", cut_left ? kCut : "", shown, cut_right ? kCut : "");
  // Keep tabs in the indent so the caret lines up under tab-indented statements.
  std::string indent(cut_left ? kCut.size() : 0, ' ');
  for (size_t i = from; i < caret; ++i) indent += line[i] == '\t' ? '\t' : ' ';
  size_t width = d.range.end > d.range.begin ? d.range.end - d.range.begin : 1;
  width = std::max<size_t>(1, std::min<size_t>(width, to > caret ? to - caret : 1));
  out += indent + "^" + std::string(width - 1, '~') + "\n";
  for (const auto& n : d.notes) out += fmt::format("{}:{}:{}: note: {}\n", source.name(), lc.line, lc.column, bounded(n));
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
    // The distance is at least the difference in length: skip what cannot win without computing it.
    size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (gap >= best_d) continue;
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return std::string(best);
}

}  // namespace xfrmpp::diag
