#pragma once
// Whole-input checks that need more than one statement, run before the first kernel message.
#include <cstdint>
#include <unordered_map>
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
    model::PolicyKey key;
    diag::SourceRange first;
  };
  std::unordered_multimap<uint64_t, uint32_t> index_;  // key hash -> entries_ slot
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_;
};

uint64_t hash_policy_key(const model::PolicyKey& key);

}  // namespace xfrmpp::parsers
