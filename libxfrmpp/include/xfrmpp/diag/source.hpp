#pragma once
// One owned input text; tokens and ranges are offsets into it, and line/column are computed only when needed.
#include <cstdint>
#include <string>
#include <string_view>

#include "xfrmpp/util/large_buffer.hpp"

namespace xfrmpp::diag {

/// Half-open byte range [begin, end) in a SourceBuffer.
struct SourceRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct LineCol {
  uint32_t line = 0;    ///< 1-based
  uint32_t column = 0;  ///< 1-based, in bytes
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
        text_(large_ ? std::string_view(large_.data(), o.text_.size()) : std::string_view(owned_)) {}
  SourceBuffer& operator=(SourceBuffer&&) = delete;
  SourceBuffer(const SourceBuffer&) = delete;
  const std::string& name() const { return name_; }
  std::string_view text() const { return text_; }
  /// Line and column of a byte offset (linear scan: only called when reporting).
  LineCol line_col(uint32_t offset) const;
  /// The whole source line containing offset, without its newline.
  std::string_view line_text(uint32_t offset) const;

 private:
  std::string name_;
  std::string owned_;
  util::LargeBuffer large_;
  std::string_view text_;
};

}  // namespace xfrmpp::diag
