// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A fixed ring of reusable slots handed from one producer thread to one consumer thread. The producer
// fills slots ahead while the consumer works on the oldest; either side can stop the other. The slots
// are the caller's, so their buffers outlive one pipe and the next one allocates nothing.
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

namespace xfrmpp::nl {

template <typename Slot>
class BatchPipe {
 public:
  explicit BatchPipe(std::vector<Slot>& slots) : slots_(slots) {}
  BatchPipe(const BatchPipe&) = delete;
  BatchPipe& operator=(const BatchPipe&) = delete;

  /// Producer: the next empty slot to fill, or nothing once the consumer has cancelled.
  Slot* acquire() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return cancelled_ || filled_ < slots_.size(); });
    if (cancelled_) return nullptr;
    return &slots_[(head_ + filled_) % slots_.size()];
  }
  /// Producer: the slot from acquire() is ready for the consumer.
  void publish() {
    std::lock_guard lock(m_);
    ++filled_;
    cv_.notify_all();
  }
  /// Producer: nothing more will come.
  void close() {
    std::lock_guard lock(m_);
    closed_ = true;
    cv_.notify_all();
  }
  /// Consumer: the oldest filled slot, or nothing when the producer closed and every slot was taken.
  Slot* next() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return filled_ > 0 || closed_; });
    if (filled_ == 0) return nullptr;
    return &slots_[head_];
  }
  /// Consumer: done with the slot from next(); the producer may refill it.
  void release() {
    std::lock_guard lock(m_);
    head_ = (head_ + 1) % slots_.size();
    --filled_;
    cv_.notify_all();
  }
  /// Consumer: stop the producer; slots it already filled stay unread.
  void cancel() {
    std::lock_guard lock(m_);
    cancelled_ = true;
    cv_.notify_all();
  }

 private:
  std::vector<Slot>& slots_;  // not empty
  std::mutex m_;
  std::condition_variable cv_;
  size_t head_ = 0, filled_ = 0;
  bool closed_ = false, cancelled_ = false;
};

}  // namespace xfrmpp::nl
