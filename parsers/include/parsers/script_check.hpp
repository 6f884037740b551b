// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Whole-input checks that need more than one statement, run before the first kernel message.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/model/statement.hpp"
#include "xfrmpp/util/large_buffer.hpp"

namespace xfrmpp::parsers {

/// Longest encode_policy_key output.
inline constexpr size_t kMaxPolicyKeyBytes = 80;
/// The key as bytes; two keys encode the same exactly when they compare equal. An IPv4 key with no ports,
/// marks or interface ids takes 17 bytes (a PolicyKey takes 80), which is what lets the duplicate check
/// keep a million keys in a fifth of the memory. Returns the length written.
size_t encode_policy_key(const model::PolicyKey& key, std::span<uint8_t, kMaxPolicyKeyBytes> out);
/// The duplicate check's hash of an encoded key.
uint64_t hash_key_bytes(std::span<const uint8_t> encoded);

/// Finds a policy added twice with no delete or flush in between: the kernel would answer EEXIST in the
/// middle of the load. Memory is one entry per live policy and each statement costs O(1) on average, however
/// many policies come and go (a delete really removes its entry).
class DuplicatePolicyCheck {
 public:
  using Hash = uint64_t (*)(std::span<const uint8_t> encoded_key);
  /// `hash` is hash_key_bytes; tests give a worse one (a constant) to show that answers stay exact.
  explicit DuplicatePolicyCheck(Hash hash = hash_key_bytes) : hash_(hash) {}
  /// Checks a statement of sources[current]; `sources` are the run's inputs so far (the first occurrence of
  /// a duplicate may be in an earlier one, and is then named by file and line). The answer for the last
  /// few statements comes at finish(); each error lands in `sink` where it would have come in order.
  void check(std::span<const diag::SourceBuffer> sources, uint32_t current, const model::Statement& statement,
             diag::DiagnosticSink& sink);
  /// A run with a single input.
  void check(const diag::SourceBuffer& source, const model::Statement& statement, diag::DiagnosticSink& sink) {
    check(std::span<const diag::SourceBuffer>(&source, 1), 0, statement, sink);
  }
  /// Answers every statement checked so far; call it before reading a sink given to check(). `sources`
  /// must hold at least what the last check() was given.
  void finish(std::span<const diag::SourceBuffer> sources);
  void finish(const diag::SourceBuffer& source) { finish(std::span<const diag::SourceBuffer>(&source, 1)); }
  /// Live policies, as of the last finish().
  size_t live() const { return live_; }

 private:
  // An entry is the first occurrence (source index << kOffsetBits | byte offset, 8 bytes), the key's
  // length (1 byte) and its encoding, packed one after the other in huge-page chunks that never move.
  static constexpr unsigned kOffsetBits = 40;  // inputs up to 1 TiB, 16M sources
  static constexpr size_t kEntryHead = 9;
  // The hash sits in the slot, so a probe past another key reads no entry: an entry is read only on a
  // full 64-bit hash match, that is for a real duplicate (or a delete) and almost never otherwise.
  struct Slot {
    uint64_t hash;
    uint64_t entry;  // arena offset + 1; kEmpty marks a free slot
  };
  static constexpr uint64_t kEmpty = 0;
  Slot* table() { return reinterpret_cast<Slot*>(table_.data()); }
  // Slot of the key, or of the empty slot ending its chain.
  size_t find_slot(uint64_t hash, std::span<const uint8_t> key);
  void place(Slot slot);
  void erase_slot(size_t slot);
  void grow(size_t slots);
  void clear();
  uint8_t* entry(uint64_t offset) { return reinterpret_cast<uint8_t*>(chunks_[offset / kChunkBytes].data()) + offset % kChunkBytes; }
  uint64_t allocate(uint64_t first, std::span<const uint8_t> key);
  void release(uint64_t offset);

  // A statement waits in a short queue after its slot is prefetched, and is answered when the queue is
  // full: the table's cache miss (the largest cost of a million-line -n) then overlaps the parsing of
  // the next statements instead of stalling on each one.
  struct Pending {
    uint64_t hash;
    uint64_t first;  // as in an entry: this statement's source and offset
    diag::SourceRange range;
    diag::DiagnosticSink* sink;
    size_t diag_at;  // sink's diagnostic count when the statement was checked
    bool adding;
    model::Direction dir;
    uint8_t len;
    std::array<uint8_t, kMaxPolicyKeyBytes> key;
  };
  static constexpr size_t kWindow = 8;
  void answer(std::span<const diag::SourceBuffer> sources, Pending& p);
  void answer_oldest(std::span<const diag::SourceBuffer> sources);
  std::array<Pending, kWindow> pending_;
  size_t pending_head_ = 0, pending_count_ = 0;

  // The table is open addressing with linear probing and backward-shift deletion (no tombstones): one cache
  // miss per lookup, no allocation per policy, and chains never grow with deleted policies. A deleted
  // entry's bytes are reused by the next key of the same length.
  static constexpr size_t kChunkBytes = size_t{32} << 20;
  std::vector<util::LargeBuffer> chunks_;
  uint64_t used_ = 0;  // arena bytes handed out since the last flush
  std::vector<std::vector<uint64_t>> free_;  // by key length: offsets of deleted entries
  size_t live_ = 0;
  util::LargeBuffer table_;
  size_t table_slots_ = 0;
  Hash hash_;
};

}  // namespace xfrmpp::parsers
