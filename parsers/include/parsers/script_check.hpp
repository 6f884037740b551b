// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Whole-input checks that need more than one statement, run before the first kernel message.
#include <cstdint>
#include <span>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/model/statement.hpp"
#include "xfrmpp/util/large_buffer.hpp"

namespace xfrmpp::parsers {

uint64_t hash_policy_key(const model::PolicyKey& key);

/// Finds a policy added twice with no delete or flush in between: the kernel would answer EEXIST in the
/// middle of the load. Memory is one entry per live policy and each statement costs O(1) on average, however
/// many policies come and go (a delete really removes its entry).
class DuplicatePolicyCheck {
 public:
  using Hash = uint64_t (*)(const model::PolicyKey&);
  /// `hash` is hash_policy_key; tests give a worse one (a constant) to show that answers stay exact.
  explicit DuplicatePolicyCheck(Hash hash = hash_policy_key) : hash_(hash) {}
  /// Checks a statement of sources[current]; `sources` are the run's inputs so far (the first occurrence of
  /// a duplicate may be in an earlier one, and is then named by file and line).
  void check(std::span<const diag::SourceBuffer> sources, uint32_t current, const model::Statement& statement,
             diag::DiagnosticSink& sink);
  /// A run with a single input.
  void check(const diag::SourceBuffer& source, const model::Statement& statement, diag::DiagnosticSink& sink) {
    check(std::span<const diag::SourceBuffer>(&source, 1), 0, statement, sink);
  }
  size_t live() const { return live_; }
  /// Sizes the table for about `policies` live policies at once, so a big input does not rehash as it
  /// grows; only the table's address space is taken, memory comes as slots are used.
  void reserve(size_t policies);

 private:
  struct Entry {
    model::PolicyKey key;
    uint64_t first;  // the first occurrence: source index << kOffsetBits | byte offset
  };
  static constexpr unsigned kOffsetBits = 40;  // inputs up to 1 TiB, 16M sources
  // The hash sits in the slot, so a probe past another key reads no entry: an entry is read only on a
  // full 64-bit hash match, that is for a real duplicate (or a delete) and almost never otherwise.
  struct Slot {
    uint64_t hash;
    uint32_t entry;  // entry index + 1; kEmpty marks a free slot
    uint32_t unused;
  };
  static constexpr uint32_t kEmpty = 0;
  Slot* table() { return reinterpret_cast<Slot*>(table_.data()); }
  size_t find_slot(uint64_t hash, const model::PolicyKey& key);  // slot of the key, or of the empty slot ending its chain
  void place(Slot slot);
  void erase_slot(size_t slot);
  void grow(size_t slots);
  void clear();
  Entry& entry(uint32_t i) { return reinterpret_cast<Entry*>(chunks_[i / kPerChunk].data())[i % kPerChunk]; }
  uint32_t allocate(const Entry& e);

  // Entries live in huge-page chunks that never move; a deleted entry's index is reused by the next add.
  // The table is open addressing with linear probing and backward-shift deletion (no tombstones): one cache
  // miss per lookup, no allocation per policy, and chains never grow with deleted policies.
  static constexpr size_t kChunkBytes = size_t{32} << 20;
  static constexpr size_t kPerChunk = kChunkBytes / sizeof(Entry);
  std::vector<util::LargeBuffer> chunks_;
  uint32_t count_ = 0;            // entries ever allocated since the last flush
  std::vector<uint32_t> free_;    // indices of deleted entries
  size_t live_ = 0;
  util::LargeBuffer table_;
  size_t table_slots_ = 0;
  Hash hash_;
};

}  // namespace xfrmpp::parsers
