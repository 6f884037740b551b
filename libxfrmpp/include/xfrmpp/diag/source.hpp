// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One owned input text; tokens and ranges are offsets into it, and line/column are computed only when needed.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xfrmpp/util/large_buffer.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::diag {

/// A byte offset into a SourceBuffer: 64 bits, so inputs past 4 GiB never wrap.
using Offset = uint64_t;

/// Half-open byte range [begin, end) in a SourceBuffer.
struct SourceRange {
  Offset begin = 0;
  Offset end = 0;
};

struct LineCol {
  uint64_t line = 0;    ///< 1-based
  uint64_t column = 0;  ///< 1-based, in bytes
};

/// A named input (file path, "-" shown as "<stdin>", or "<command line>") and its full text.
class SourceBuffer {
 public:
  SourceBuffer(std::string name, std::string text)
      : name_(std::move(name)), owned_(std::move(text)), text_(owned_) {}
  /// Text living in a LargeBuffer (big files): `length` bytes of it are the input.
  SourceBuffer(std::string name, util::LargeBuffer storage, size_t length)
      : name_(std::move(name)), large_(std::move(storage)), text_(large_.data(), length) {}
  SourceBuffer(SourceBuffer&& o) noexcept
      : name_(std::move(o.name_)), owned_(std::move(o.owned_)), large_(std::move(o.large_)),
        text_(large_ ? std::string_view(large_.data(), o.text_.size()) : std::string_view(owned_)),
        line_starts_(std::move(o.line_starts_)) {}
  SourceBuffer& operator=(SourceBuffer&&) = delete;
  SourceBuffer(const SourceBuffer&) = delete;
  const std::string& name() const { return name_; }
  std::string_view text() const { return text_; }
  /// Line and column of a byte offset, O(log lines). The line-start table is built on the first call
  /// (one pass), so a run that reports nothing never pays for it; that first call is not thread-safe.
  LineCol line_col(Offset offset) const;
  /// The whole source line containing offset, without its newline.
  std::string_view line_text(Offset offset) const;
  /// Offset of the first byte of the line containing offset.
  Offset line_start(Offset offset) const;

 private:
  std::string name_;
  std::string owned_;
  util::LargeBuffer large_;
  size_t line_index(Offset offset) const;  // 0-based line of offset

  std::string_view text_;
  mutable std::vector<Offset> line_starts_;  // filled by the first line_col()/line_start()
};

}  // namespace xfrmpp::diag

#pragma GCC visibility pop
