// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Big, page-backed memory for inputs and tables that reach hundreds of megabytes: anonymous mmap with
// transparent huge pages requested, so a million-statement file costs a few hundred page faults and
// TLB entries instead of tens of thousands.
#include <cstddef>
#include <utility>

#pragma GCC visibility push(default)

namespace xfrmpp::util {

class LargeBuffer {
 public:
  LargeBuffer() = default;
  /// Zero-filled memory of at least `bytes`; empty (data() == nullptr) when mmap fails.
  static LargeBuffer allocate(size_t bytes);
  LargeBuffer(LargeBuffer&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  LargeBuffer& operator=(LargeBuffer&& o) noexcept;
  LargeBuffer(const LargeBuffer&) = delete;
  LargeBuffer& operator=(const LargeBuffer&) = delete;
  ~LargeBuffer();

  char* data() const { return data_; }
  size_t size() const { return size_; }
  explicit operator bool() const { return data_ != nullptr; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace xfrmpp::util

#pragma GCC visibility pop
