// SPDX-License-Identifier: BSD-3-Clause
// The key pre-scan of setkey scripts. Keys are recognised by what they look like, in every statement
// that may carry one, with the scanner's lexical rules (';' ends a statement, '#' starts a comment, a
// quoted string may hold both) but no grammar: a statement that fails to parse at its first word still
// has its keys found, and so does one that runs into the next because of a missing ';'.
#include <algorithm>
#include <array>
#include <cstdint>

#include "../common/hex_runs.hpp"
#include "parser.hpp"
#include "xfrmpp/text/scanner.hpp"

namespace xfrmpp::parsers::setkey {
namespace {

using text::is_blank;
using text::is_word_char;

// A statement carries keys unless it is a known command that takes none: add and update do, and so does
// an unknown or misspelled command ("ad ... -E ..."), or any statement holding an add/update/-E/-A/-C word.
bool carries_keys(std::string_view command, bool key_word) {
  return key_word || command == "add" || command == "update" || !is_command(command);
}

constexpr size_t kMinDigits = 16;

// Whether the statement walk below can find anything: a key is a quoted string or a long hex run, so
// text with neither (a big policy-only file) is settled by this one light pass.
bool may_hold_keys(std::string_view text) {
  size_t run = 0;
  for (char c : text) {
    if (c == '"') return true;
    bool hex = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    run = hex ? run + 1 : 0;
    if (run >= kMinDigits) return true;
  }
  return false;
}

}  // namespace

std::vector<diag::SourceRange> key_material(std::string_view text) {
  if (!may_hold_keys(text)) return {};
  std::vector<diag::SourceRange> out;
  size_t kept = 0;  // out[kept, end) are the current statement's candidates
  std::string_view command;
  bool key_word = false, have_command = false;
  auto end_statement = [&] {
    if (out.size() > kept && !carries_keys(command, key_word)) out.resize(kept);
    kept = out.size();
    command = {};
    key_word = have_command = false;
  };
  // Hex runs of [b, e), each with its 0x: in a word, a quoted string or a comment (a half commented-out
  // key is still a key). Nothing in setkey's language but a key has 16 hex digits in a row (addresses,
  // SPIs, marks and reqids are shorter), so these are masked in every statement, also where a stray quote
  // or ';' makes this scan and the parser disagree on where statements end.
  std::vector<diag::SourceRange> always;
  auto hex_runs = [&](size_t b, size_t e) {
    parsers::hex_runs(text, b, e, kMinDigits, [&](size_t rb, size_t re, bool) { always.push_back({rb, re}); });
  };
  size_t i = 0, n = text.size();
  while (i < n) {
    char c = text[i];
    if (c == ';') {
      end_statement();
      ++i;
    } else if (c == '#') {
      size_t nl = text.find('\n', i);
      size_t end = nl == std::string_view::npos ? n : nl;
      hex_runs(i + 1, end);
      i = end;
    } else if (c == '"') {
      size_t close = text.find('"', i + 1);
      size_t end = close == std::string_view::npos ? n : close + 1;  // unterminated: the parser reads to the end too
      hex_runs(i + 1, end);
      out.push_back({i, end});
      if (!have_command) have_command = true;  // a statement starting with a quote is no known command
      i = end;
    } else if (is_word_char(c)) {
      size_t j = i;
      while (j < n && is_word_char(text[j])) ++j;
      std::string_view w = text.substr(i, j - i);
      if (!have_command) {
        command = w;
        have_command = true;
      }
      key_word |= w == "-E" || w == "-A" || w == "-C" || w == "add" || w == "update";
      hex_runs(i, j);
      i = j;
    } else {
      if (!is_blank(c)) have_command = true;  // a statement starting "{", "\\"...: no known command
      ++i;
    }
  }
  end_statement();
  out.insert(out.end(), always.begin(), always.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  return out;  // may overlap: the sink merges them
}

}  // namespace xfrmpp::parsers::setkey
