// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A std allocator for containers that grow to tens of megabytes (a big load's statements): blocks of a
// megabyte or more come from huge-page-backed mmap, so filling them costs a few dozen page faults
// instead of one per 4 KiB; smaller ones come from operator new as usual.
#include <cstddef>
#include <cstdint>
#include <new>

#pragma GCC visibility push(default)

namespace xfrmpp::util {

/// Raw huge-page-backed memory of at least `bytes` (zero-filled), or nullptr; free with large_free.
void* large_alloc(size_t bytes);
void large_free(void* p, size_t bytes);

template <typename T>
struct LargeAllocator {
  using value_type = T;
  static constexpr size_t kLargeBytes = size_t{1} << 20;
  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) {}
  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    size_t bytes = n * sizeof(T);
    if (bytes < kLargeBytes) return static_cast<T*>(::operator new(bytes, std::align_val_t(alignof(T))));
    void* p = large_alloc(bytes);
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) noexcept {
    size_t bytes = n * sizeof(T);
    if (bytes < kLargeBytes) ::operator delete(p, std::align_val_t(alignof(T)));
    else large_free(p, bytes);
  }
  template <typename U>
  bool operator==(const LargeAllocator<U>&) const { return true; }
};

}  // namespace xfrmpp::util

#pragma GCC visibility pop
