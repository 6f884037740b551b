// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/diag/source.hpp"

#include <algorithm>
#include <cstring>

namespace xfrmpp::diag {

size_t SourceBuffer::line_index(Offset offset) const {
  if (line_starts_.empty()) {
    line_starts_.push_back(0);
    const char* base = text_.data();
    const char* end = base + text_.size();
    for (const char* p = base; p < end;) {
      const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
      if (!nl) break;
      p = static_cast<const char*>(nl) + 1;
      line_starts_.push_back(static_cast<Offset>(p - base));
    }
  }
  offset = std::min<Offset>(offset, text_.size());
  return static_cast<size_t>(std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - line_starts_.begin()) - 1;
}

Offset SourceBuffer::line_start(Offset offset) const {
  size_t i = line_index(offset);
  return line_starts_[i];
}

LineCol SourceBuffer::line_col(Offset offset) const {
  offset = std::min<Offset>(offset, text_.size());
  size_t i = line_index(offset);
  return {i + 1, offset - line_starts_[i] + 1};
}

std::string_view SourceBuffer::line_text(Offset offset) const {
  // Both ends from the table: a search for the newline would cost O(line) per diagnostic on a long line.
  size_t i = line_index(offset);
  Offset begin = line_starts_[i];
  Offset end = i + 1 < line_starts_.size() ? line_starts_[i + 1] - 1 : text_.size();
  return text_.substr(begin, end - begin);
}

}  // namespace xfrmpp::diag
