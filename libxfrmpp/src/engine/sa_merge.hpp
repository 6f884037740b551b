// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What packets did to an SA, carried across a re-read of the state file: another process may have
// changed the file meanwhile (added a policy, or sent on the same SA), and nothing may move back —
// no outbound sequence number may be used twice, no replay window reopened, no lifetime use forgotten.
#include <cstdint>
#include <vector>

#include "sad.hpp"

namespace xfrmpp::engine {

/// An SA's fields that packets change, as this process has them.
struct SaRuntime {
  model::SaKey key;
  uint64_t add_time = 0;  ///< with the key, which SA this is: a deleted and re-added SA starts afresh
  model::ReplayCounters counters;
  model::LifetimeCurrent current;
  model::SaStats stats;
  uint64_t last_used = 0;
  std::vector<uint64_t> replay_bits;
  bool dying = false;
  uint64_t oseq_reserved = 0;
};

/// This process's view of every SA that is not larval.
std::vector<SaRuntime> runtime_of(const Sad& sad);

/// Puts `mine` onto the SAs of `sad` (as just read from the file) that are the same SAs: each counter
/// the larger of the two (a total, not a sum); the file's outbound number ignored where it is this
/// process's own reservation; reservations kept only when `reserving`.
void merge_runtime(Sad& sad, std::vector<SaRuntime>& mine, bool reserving);

}  // namespace xfrmpp::engine
