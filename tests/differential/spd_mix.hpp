// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The seeded policy and flow mix shared by the SPD property test, the kernel differential test and the
// lookup bench: overlapping prefixes of every length around small host pools (so flows hit long prefixes
// too), exact /32-/32 and /128-/128 selectors (the kernel's exact hash), ports, protocols, ICMP type/code,
// many equal priorities, marks, a few if_ids, and discard/none/ipsec with a distinct unique:N reqid each.
#include <cstdint>
#include <random>
#include <vector>

#include "xfrmpp/engine/spd.hpp"
#include "xfrmpp/model/policy.hpp"

namespace xfrmpp::testing {

struct MixOptions {
  uint64_t seed = 1;
  model::Family family = model::Family::inet;
  /// Only `out` policies and flows (what the kernel test can observe); otherwise in/out/fwd.
  bool out_only = false;
  /// Port masks other than none/full (setkey cannot write them; the property test uses them).
  bool port_masks = true;
  /// Selector ifindex (no socket sets one in the kernel test).
  bool ifindex = true;
  /// Priorities: `specific` = lower values for longer prefixes, in steps with small offsets (many
  /// distinct winners); `flat` = eight values for all, a few spread ones (ties everywhere).
  enum class Priorities : uint8_t { specific, flat } priorities = Priorities::specific;
  size_t dst_hosts = 64;
  size_t src_hosts = 16;
  uint32_t first_reqid = 1;
};

class Mix {
 public:
  explicit Mix(const MixOptions& options);

  /// The n-th random policy: distinct keys are the caller's business (Spd::insert says EEXIST).
  model::Policy policy();
  /// `count` policies with distinct keys.
  std::vector<model::Policy> policies(size_t count);
  engine::Flow flow();

  /// Hosts the flows use as sources (the kernel test puts them on an interface).
  const std::vector<model::Address>& src_hosts() const { return src_; }
  const std::vector<model::Address>& dst_hosts() const { return dst_; }
  /// Marks the policies use (flows carry them, or random ones).
  const std::vector<uint32_t>& marks() const { return marks_; }
  std::mt19937_64& rng() { return rng_; }

 private:
  uint32_t pick(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  model::Address host_near(const std::vector<model::Address>& pool);
  uint16_t port();

  MixOptions opt_;
  std::mt19937_64 rng_;
  std::vector<model::Address> src_, dst_;
  std::vector<uint32_t> marks_;
  uint32_t reqid_;
};

/// A prefix with its host bits cleared (the form setkey and the kernel keep).
model::Prefix masked(model::Address a, uint8_t len);

}  // namespace xfrmpp::testing
