#pragma once
// Whole-input checks that need more than one statement, run before the first kernel message.
#include <cstdint>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/model/statement.hpp"

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
  // Open addressing, linear probing: slot value = entry index + 1, 0 = empty. One cache miss per
  // lookup instead of a node allocation per policy.
  std::vector<uint32_t> table_;
  std::vector<Entry> entries_;
};

uint64_t hash_policy_key(const model::PolicyKey& key);

}  // namespace xfrmpp::parsers
