// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Character scanner of the KAME text forms (setkey's language, and the policy strings of
// <xfrmpp/policy_string.hpp> that the library parses itself): words, punctuation, quoted strings and
// comments, all as views into the one SourceBuffer so locations cost nothing until an error is printed.
// Public because the setkey parser (outside the library) scans with it and hands the policy part of
// spdadd to the library's grammar at the same cursor.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::text {

namespace scanner_detail {
// One table lookup per character: the scanner is the hot loop when validating million-line inputs.
inline constexpr uint8_t kWord = 1, kBlank = 2;
inline constexpr auto kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kWord;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kWord;
  for (int c = '0'; c <= '9'; ++c) t[c] = kWord;
  for (char c : std::string_view(":%._,+-")) t[static_cast<uint8_t>(c)] = kWord;
  for (char c : std::string_view(" \t\n\r\f\v")) t[static_cast<uint8_t>(c)] = kBlank;
  return t;
}();
}  // namespace scanner_detail

/// setkey's word characters (its STRING set) and blanks: shared by the scanner and the key pre-scan, so
/// both split the text the same way.
inline bool is_word_char(char c) { return scanner_detail::kClass[static_cast<uint8_t>(c)] & scanner_detail::kWord; }
inline bool is_blank(char c) { return scanner_detail::kClass[static_cast<uint8_t>(c)] & scanner_detail::kBlank; }

struct Token {
  std::string_view text;
  diag::SourceRange range;
  bool empty() const { return text.empty(); }
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  /// Skips blanks, newlines and '#' comments. Inline, like word() and accept(): they run for every
  /// token of a million-line input and a call into the shared library cost more than their work.
  void skip_space() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (is_blank(c)) ++pos_;
      else if (c == '#') skip_comment();
      else break;
    }
  }
  bool at_end() { skip_space(); return pos_ >= text_.size(); }
  /// Next significant character without consuming it ('\0' at the end).
  char peek() { skip_space(); return pos_ < text_.size() ? text_[pos_] : '\0'; }
  /// Character right at the cursor, spaces included.
  char peek_raw() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  /// Consumes one punctuation character if it is next.
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  /// A run of word characters: letters, digits and ':' '%' '.' '_' ',' '+' '-' (setkey's STRING set).
  Token word() {
    skip_space();
    size_t start = pos_;
    while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
    return Token{text_.substr(start, pos_ - start), {static_cast<diag::Offset>(start), static_cast<diag::Offset>(pos_)}};
  }
  /// A run of characters not in `stops` and not blank; used for sub-grammars such as tunnel endpoints.
  Token until_any(std::string_view stops);
  /// A double-quoted string; the token excludes the quotes. Empty range.begin==end when unterminated.
  Token quoted(bool& terminated);
  /// Skips to just after the next ';' (error recovery).
  void recover_to_semicolon();
  diag::Offset pos() const { return pos_; }
  void set_pos(diag::Offset p) { pos_ = static_cast<size_t>(p); }
  std::string_view text() const { return text_; }

 private:
  void skip_comment();  // from '#' to just after the end of its line

  std::string_view text_;
  size_t pos_ = 0;
};

/// Parses a decimal or 0x-hex unsigned number that must fit in max; false on any junk.
bool parse_number(std::string_view s, uint64_t max, uint64_t& out);

/// Just after the last blank-free character before `pos` in `text`: where a missing ';' belongs.
diag::SourceRange end_of_previous(std::string_view text, diag::Offset pos);

/// Reports "unknown WHAT 'word'" (or "expected WHAT" at `here` for an empty token), with a
/// "did you mean" note when a candidate is close.
void unknown_word(diag::DiagnosticSink& sink, const Token& tok, diag::SourceRange here, std::string_view what,
                  const std::vector<std::string_view>& candidates);

}  // namespace xfrmpp::text

#pragma GCC visibility pop
