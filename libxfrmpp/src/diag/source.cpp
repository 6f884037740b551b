#include "xfrmpp/diag/source.hpp"

#include <algorithm>

namespace xfrmpp::diag {

LineCol SourceBuffer::line_col(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  LineCol lc{1, 1};
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text_[i] == '\n') {
      ++lc.line;
      line_start = i + 1;
    }
  }
  lc.column = static_cast<uint32_t>(offset - line_start + 1);
  return lc;
}

std::string_view SourceBuffer::line_text(uint32_t offset) const {
  std::string_view t = text_;
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(t.size()));
  size_t begin = 0;
  if (offset > 0) {
    size_t nl = t.rfind('\n', offset - 1);
    begin = nl == std::string_view::npos ? 0 : nl + 1;
  }
  size_t end = t.find('\n', offset);
  if (end == std::string_view::npos) end = t.size();
  return t.substr(begin, end - begin);
}

}  // namespace xfrmpp::diag
