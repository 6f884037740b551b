#pragma once
// Whole-input checks that need more than one statement, run before the first kernel message.
#include <cstdint>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/model/statement.hpp"
#include "xfrmpp/util/large_buffer.hpp"

namespace xfrmpp::parsers {

/// Finds a policy added twice with no delete or flush in between: the kernel would answer EEXIST in the
/// middle of the load. Memory is one PolicyKey per live policy, so million-line inputs stay small.
class DuplicatePolicyCheck {
 public:
  void check(const diag::SourceBuffer& source, const model::Statement& statement, diag::DiagnosticSink& sink);

 private:
  struct Entry {
    uint64_t hash;
    model::PolicyKey key;
    diag::SourceRange first;
    bool live;  // false once deleted; the slot stays so probe chains are not broken
  };
  void insert(uint32_t entry);
  void grow();
  Entry& entry(uint32_t i) { return reinterpret_cast<Entry*>(chunks_[i / kPerChunk].data())[i % kPerChunk]; }
  void push(const Entry& e);

  // Entries live in huge-page chunks that never move; the table is open addressing with linear
  // probing (slot = entry index + 1, 0 = empty): one cache miss per lookup, no allocation per policy.
  static constexpr size_t kChunkBytes = size_t{32} << 20;
  static constexpr size_t kPerChunk = kChunkBytes / sizeof(Entry);
  std::vector<util::LargeBuffer> chunks_;
  uint32_t count_ = 0;
  util::LargeBuffer table_;
  size_t table_slots_ = 0;
};

uint64_t hash_policy_key(const model::PolicyKey& key);

}  // namespace xfrmpp::parsers
