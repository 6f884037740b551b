// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The key shape both key pre-scans look for: runs of hex digits long enough to be key material.
#include <cstddef>
#include <string_view>

namespace xfrmpp::parsers {

/// Calls found(begin, end, prefixed) for every run of at least `min_digits` hex digits in text[b, e); the
/// range includes a "0x"/"0X" right before the run (inside [b, e)), and `prefixed` says whether there was one.
template <typename Found>
void hex_runs(std::string_view text, size_t b, size_t e, size_t min_digits, Found&& found) {
  // Most words (addresses, keywords) are shorter than a key: they cannot hold a run, so skip the walk.
  if (e - b < min_digits) return;
  auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  for (size_t k = b; k < e;) {
    if (!is_hex(text[k])) {
      ++k;
      continue;
    }
    size_t r = k;
    while (r < e && is_hex(text[r])) ++r;
    bool prefixed = k >= b + 2 && text[k - 2] == '0' && (text[k - 1] == 'x' || text[k - 1] == 'X');
    if (r - k >= min_digits) found(prefixed ? k - 2 : k, r, prefixed);
    k = r;
  }
}

}  // namespace xfrmpp::parsers
