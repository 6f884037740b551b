// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/diag/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace xfrmpp::diag {

void DiagnosticSink::error(SourceRange range, std::string message, std::vector<std::string> notes) {
  scan_pending();
  for (auto& n : notes) n = scrub(std::move(n), range);
  items_.push_back({Severity::error, range, scrub(std::move(message), range), std::move(notes)});
  ++errors_;
}

void DiagnosticSink::insert_error(size_t before, SourceRange range, std::string message, std::vector<std::string> notes) {
  scan_pending();
  for (auto& n : notes) n = scrub(std::move(n), range);
  before = std::min(before, items_.size());
  items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(before), {Severity::error, range, scrub(std::move(message), range), std::move(notes)});
  ++errors_;
}

void DiagnosticSink::warning(SourceRange range, std::string message, std::vector<std::string> notes) {
  scan_pending();
  for (auto& n : notes) n = scrub(std::move(n), range);
  items_.push_back({Severity::warning, range, scrub(std::move(message), range), std::move(notes)});
}

void DiagnosticSink::secret(SourceRange range) {
  if (range.end <= range.begin) return;
  scan_pending();
  // Parsers register most keys the pre-scan found already: walking the sorted, merged prefix once keeps
  // out every range that lies inside one of those.
  while (cursor_ + 1 < bulk_end_ && secrets_[cursor_ + 1].begin <= range.begin) ++cursor_;
  if (cursor_ < bulk_end_ && secrets_[cursor_].begin <= range.begin && range.end <= secrets_[cursor_].end) return;
  // Anything that overlaps or precedes the last range needs the sort-and-merge that format() relies on.
  if (!secrets_.empty() && range.begin < secrets_.back().end) sorted_ = false;
  secrets_.push_back(range);
  if (indexed_) index_secret(range);
}

void DiagnosticSink::add_secrets(std::string_view text, const std::vector<SourceRange>& ranges) {
  scan_pending();
  text_ = text;
  secrets_.insert(secrets_.end(), ranges.begin(), ranges.end());
  sorted_ = false;  // pre-scan ranges may nest (a quoted key and the hex run inside it)
  secrets();        // sorts and merges: the whole vector is the disjoint prefix scrub() searches
  bulk_end_ = secrets_.size();
  if (indexed_)
    for (const auto& r : ranges) index_secret(r);
  for (auto& d : items_) {  // diagnostics recorded before the text was known are scrubbed now
    d.message = scrub(std::move(d.message), d.range);
    for (auto& n : d.notes) n = scrub(std::move(n), d.range);
  }
}

void DiagnosticSink::add_secrets_lazily(std::string_view text, SecretScan scan) {
  // Diagnostics already recorded must be scrubbed now; from here on every one forces the scan before it
  // is recorded, so a deferred scan only ever has the secret ranges themselves to set up.
  if (!items_.empty() || indexed_ || pending_) {
    scan_pending();
    add_secrets(text, scan(text));
    return;
  }
  pending_ = scan;
  pending_text_ = text;
}

void DiagnosticSink::scan_pending() const {
  if (!pending_) return;
  auto ranges = pending_(pending_text_);
  pending_ = nullptr;
  // add_secrets without its scrub of items_ (empty here) and its indexing (texts_ is built at the first
  // diagnostic, which has not been recorded yet).
  text_ = pending_text_;
  secrets_.insert(secrets_.end(), ranges.begin(), ranges.end());
  sorted_ = false;
  secrets();
}

const std::vector<SourceRange>& DiagnosticSink::secrets() const {
  scan_pending();
  if (!sorted_) {
    auto key = [](const SourceRange& r) { return std::pair(r.begin, r.end); };
    std::sort(secrets_.begin(), secrets_.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
    // Merged as well as sorted: format() and scrub() binary-search ranges that must not overlap.
    size_t kept = 0;
    for (const auto& r : secrets_) {
      if (kept > 0 && r.begin <= secrets_[kept - 1].end)
        secrets_[kept - 1].end = std::max(secrets_[kept - 1].end, r.end);
      else
        secrets_[kept++] = r;
    }
    secrets_.resize(kept);
    sorted_ = true;
    bulk_end_ = secrets_.size();
    cursor_ = 0;
  }
  return secrets_;
}

void DiagnosticSink::index_secret(SourceRange r) {
  // Short texts are left to the range masking: matching a 4-digit "key" would also hide ports and counts.
  // Key-shaped texts are cut by scrub_message anyway; leaving them out keeps the set small (a million
  // hex keys and one error must not cost a million insertions).
  constexpr size_t kMinText = 8;
  if (r.end > text_.size() || r.begin >= r.end) return;
  std::string_view t = text_.substr(r.begin, r.end - r.begin);
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
  if (t.size() < kMinText || key_shaped(t)) return;
  texts_.insert(t);
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && t.size() - 2 >= kMinText) texts_.insert(t.substr(2));
}

namespace {

// Replaces each [begin, end) of `cuts` (sorted, non-overlapping) by "<key>".
std::string cut(const std::string& s, const std::vector<std::pair<size_t, size_t>>& cuts) {
  if (cuts.empty()) return s;
  std::string out;
  size_t at = 0;
  for (auto [b, e] : cuts) {
    out.append(s, at, b - at);
    out += "<key>";
    at = e;
  }
  out.append(s, at, std::string::npos);
  return out;
}

// Sorted, with overlapping or touching intervals joined, as cut() wants them.
std::vector<std::pair<size_t, size_t>> merged(std::vector<std::pair<size_t, size_t>> v) {
  std::sort(v.begin(), v.end());
  std::vector<std::pair<size_t, size_t>> out;
  for (auto c : v)
    if (!out.empty() && c.first <= out.back().second) out.back().second = std::max(out.back().second, c.second);
    else out.push_back(c);
  return out;
}

}  // namespace

std::string DiagnosticSink::scrub(std::string s, SourceRange where) {
  if (!indexed_ && !text_.empty()) {
    // Built at the first diagnostic, so a run that reports nothing never pays for it.
    indexed_ = true;
    for (const auto& r : secrets_) index_secret(r);
  }
  // The secret part of the diagnostic's own range never shows in its message, even as a fragment
  // (a quoted key half read as a mark: "invalid mark '\"secret'"). Every occurrence of every piece is found
  // in the message as it was, then cut once: replacing piece by piece let a short key that is the prefix
  // of a longer one eat that prefix and leave the longer key's tail in clear.
  auto bulk_begin = secrets_.begin(), bulk_end = secrets_.begin() + static_cast<std::ptrdiff_t>(bulk_end_);
  auto it = std::lower_bound(bulk_begin, bulk_end, where.end, [](const SourceRange& r, Offset o) { return r.begin < o; });
  std::vector<std::pair<size_t, size_t>> hits;
  while (it != bulk_begin) {
    const SourceRange& r = *--it;
    if (r.end <= where.begin) break;  // pre-scan ranges do not overlap, so nothing earlier reaches `where`
    Offset b = std::max(r.begin, where.begin), e = std::min(r.end, where.end);
    if (e > text_.size() || b >= e) continue;
    std::string_view piece = text_.substr(b, e - b);
    while (!piece.empty() && piece.front() == '"') piece.remove_prefix(1);
    while (!piece.empty() && piece.back() == '"') piece.remove_suffix(1);
    if (piece.size() < 4) continue;
    for (size_t p = s.find(piece); p != std::string::npos; p = s.find(piece, p + 1)) hits.emplace_back(p, p + piece.size());
  }
  s = cut(s, merged(std::move(hits)));
  return scrub_message(std::move(s), texts_);
}

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Parts of a message that may be a quoted token: between consecutive equal quotes, inside (...), and each
// blank-separated word without its punctuation. A part equal to a secret's text is cut.
std::string cut_secret_texts(const std::string& s, const std::unordered_set<std::string_view>& texts) {
  std::vector<std::pair<size_t, size_t>> cuts;
  auto check = [&](size_t b, size_t e) {
    if (e > b && texts.count(std::string_view(s).substr(b, e - b))) cuts.emplace_back(b, e);
  };
  for (char open : {'\'', '"', '('}) {
    char close = open == '(' ? ')' : open;
    for (size_t p = s.find(open); p != std::string::npos; p = s.find(open, p + 1))
      if (size_t q = s.find(close, p + 1); q != std::string::npos) check(p + 1, q);
  }
  constexpr std::string_view kPunct = "'\"().,;:!?";
  for (size_t i = 0; i < s.size();) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    size_t b = i, e = j;
    while (b < e && kPunct.find(s[b]) != std::string_view::npos) ++b;
    while (e > b && kPunct.find(s[e - 1]) != std::string_view::npos) --e;
    check(b, e);
    i = j;
  }
  return cut(s, merged(std::move(cuts)));  // a word inside a quoted part that was cut goes with it
}

// Key-shaped runs, whatever their context: 16+ hex digits after 0x, or holding a letter (not a long decimal).
std::vector<std::pair<size_t, size_t>> key_shaped_runs(std::string_view message) {
  constexpr size_t kMinDigits = 16;
  std::vector<std::pair<size_t, size_t>> cuts;
  for (size_t i = 0; i < message.size();) {
    if (!is_hex(message[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    bool letter = false;
    for (; j < message.size() && is_hex(message[j]); ++j) letter |= message[j] > '9';
    bool prefixed = i >= 2 && message[i - 2] == '0' && (message[i - 1] == 'x' || message[i - 1] == 'X');
    if (j - i >= kMinDigits && (prefixed || letter)) {
      size_t b = prefixed ? i - 2 : i;
      if (!cuts.empty() && b < cuts.back().second) cuts.back().second = j;  // "...f0x..." joins the previous run
      else cuts.emplace_back(b, j);
    }
    i = j;
  }
  return cuts;
}

}  // namespace

bool key_shaped(std::string_view text) { return !key_shaped_runs(text).empty(); }

std::string scrub_message(std::string message, const std::unordered_set<std::string_view>& secret_texts) {
  if (!secret_texts.empty()) message = cut_secret_texts(message, secret_texts);
  return cut(message, key_shaped_runs(message));
}

namespace {

constexpr std::string_view kCut = "...";
constexpr size_t kLeadColumns = 40;  // context kept left of the caret when a long line is cut
constexpr size_t kMaxMessage = 1024;  // real messages stay under it; a quoted megabyte token does not
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
