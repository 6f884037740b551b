// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/text/scanner.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace xfrmpp::text {

void Scanner::skip_comment() {
  size_t nl = text_.find('\n', pos_);
  pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
}

Token Scanner::until_any(std::string_view stops) {
  size_t start = pos_;
  while (pos_ < text_.size() && !is_blank(text_[pos_]) && stops.find(text_[pos_]) == std::string_view::npos) ++pos_;
  return Token{text_.substr(start, pos_ - start), {static_cast<diag::Offset>(start), static_cast<diag::Offset>(pos_)}};
}

Token Scanner::quoted(bool& terminated) {
  skip_space();
  size_t open = pos_;
  terminated = false;
  if (pos_ >= text_.size() || text_[pos_] != '"') return Token{{}, {static_cast<diag::Offset>(pos_), static_cast<diag::Offset>(pos_)}};
  size_t close = text_.find('"', pos_ + 1);
  if (close == std::string_view::npos) {
    pos_ = text_.size();
    return Token{{}, {static_cast<diag::Offset>(open), static_cast<diag::Offset>(open + 1)}};
  }
  terminated = true;
  pos_ = close + 1;
  return Token{text_.substr(open + 1, close - open - 1), {static_cast<diag::Offset>(open), static_cast<diag::Offset>(pos_)}};
}

void Scanner::recover_to_semicolon() {
  // Quoted strings may hold ';' (keys), so step over them while looking for the end of the statement.
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == ';') {
      ++pos_;
      return;
    }
    if (c == '"') {
      size_t close = text_.find('"', pos_ + 1);
      pos_ = close == std::string_view::npos ? text_.size() : close + 1;
    } else if (c == '#') {
      size_t nl = text_.find('\n', pos_);
      pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
    } else {
      ++pos_;
    }
  }
}

bool parse_number(std::string_view s, uint64_t max, uint64_t& out) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

diag::SourceRange end_of_previous(std::string_view text, diag::Offset pos) {
  while (pos > 0 && (text[pos - 1] == ' ' || text[pos - 1] == '\t' || text[pos - 1] == '\n' || text[pos - 1] == '\r')) --pos;
  return {pos, pos + 1};
}

void unknown_word(diag::DiagnosticSink& sink, const Token& tok, diag::SourceRange here, std::string_view what,
                  const std::vector<std::string_view>& candidates) {
  std::vector<std::string> notes;
  if (auto s = diag::suggest(tok.text, candidates); !s.empty()) notes.push_back(fmt::format("did you mean '{}'?", s));
  if (tok.empty())
    sink.error(here, fmt::format("expected {}", what), std::move(notes));
  else
    sink.error(tok.range, fmt::format("unknown {} '{}'", what, tok.text), std::move(notes));
}

}  // namespace xfrmpp::text
