// SPDX-License-Identifier: BSD-3-Clause
#include "split.hpp"

#include <algorithm>

namespace xfrmpp::parsers::ipseckey {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::vector<RawCommand> split(std::string_view text) {
  std::vector<RawCommand> out;
  RawCommand cur;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    size_t end = eol;
    if (end > pos && text[end - 1] == '\r') --end;
    bool cont = end > pos && text[end - 1] == '\\';
    if (cont) --end;
    size_t i = pos;
    while (i < end) {
      while (i < end && is_blank(text[i])) ++i;
      if (i >= end) break;
      if (text[i] == '#') break;
      size_t start = i;
      if (text[i] == '"') {
        size_t close = text.substr(0, end).find('"', i + 1);  // within the line: an odd quote costs one line
        if (close == std::string_view::npos) close = end;
        cur.toks.push_back({text.substr(i + 1, close - i - 1), {static_cast<diag::Offset>(start), static_cast<diag::Offset>(std::min(close + 1, end))}});
        i = std::min(close + 1, end);
        continue;
      }
      while (i < end && !is_blank(text[i])) ++i;
      cur.toks.push_back({text.substr(start, i - start), {static_cast<diag::Offset>(start), static_cast<diag::Offset>(i)}});
    }
    if (!cont) {
      if (!cur.toks.empty()) {
        cur.range = {cur.toks.front().range.begin, cur.toks.back().range.end};
        out.push_back(std::move(cur));
      }
      cur = RawCommand{};
    }
    if (eol >= text.size()) break;
    pos = eol + 1;
  }
  if (!cur.toks.empty()) {
    cur.range = {cur.toks.front().range.begin, cur.toks.back().range.end};
    out.push_back(std::move(cur));
  }
  return out;
}

}  // namespace xfrmpp::parsers::ipseckey
