// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/util/large_buffer.hpp"
#include "xfrmpp/util/large_allocator.hpp"

#include <sys/mman.h>

namespace xfrmpp::util {

namespace {

constexpr size_t kHuge = size_t{2} << 20;
size_t rounded(size_t bytes) { return (bytes + kHuge - 1) / kHuge * kHuge; }

}  // namespace

void* large_alloc(size_t bytes) {
  if (bytes == 0) return nullptr;
  size_t size = rounded(bytes);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  // Advice only: without THP the memory is simply made of small pages.
  (void)madvise(p, size, MADV_HUGEPAGE);
  return p;
}

void large_free(void* p, size_t bytes) {
  if (p) munmap(p, rounded(bytes));
}

LargeBuffer LargeBuffer::allocate(size_t bytes) {
  LargeBuffer b;
  b.data_ = static_cast<char*>(large_alloc(bytes));
  if (b.data_) b.size_ = rounded(bytes);
  return b;
}

LargeBuffer& LargeBuffer::operator=(LargeBuffer&& o) noexcept {
  if (this != &o) {
    if (data_) munmap(data_, size_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

LargeBuffer::~LargeBuffer() {
  if (data_) munmap(data_, size_);
}

}  // namespace xfrmpp::util
