// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <compare>
#include <cstdint>

#pragma GCC visibility push(default)

namespace xfrmpp::model {

/// XFRM's "no limit" value.
inline constexpr uint64_t kInfinite = ~uint64_t{0};

/// Soft and hard limits (bytes, packets, seconds since add, seconds since first use).
struct LifetimeLimits {
  uint64_t soft_bytes = kInfinite, hard_bytes = kInfinite;
  uint64_t soft_packets = kInfinite, hard_packets = kInfinite;
  uint64_t soft_add_seconds = 0, hard_add_seconds = 0;
  uint64_t soft_use_seconds = 0, hard_use_seconds = 0;
  auto operator<=>(const LifetimeLimits&) const = default;
};

/// Counters the kernel reports; never sent.
struct LifetimeCurrent {
  uint64_t bytes = 0, packets = 0;
  uint64_t add_time = 0, use_time = 0;  ///< UNIX seconds; 0 = never
  auto operator<=>(const LifetimeCurrent&) const = default;
};

}  // namespace xfrmpp::model

#pragma GCC visibility pop
