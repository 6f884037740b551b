// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// /proc/net/xfrm_stat (the per-namespace XFRM error counters) and a one-line explanation of each.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xfrmpp/diag/result.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::knobs {

struct Counter {
  std::string name;
  uint64_t value = 0;
};

/// "Name<whitespace>value" lines, in file order. EBADMSG names the first malformed line.
Result<std::vector<Counter>> parse_xfrm_stat(std::string_view text);
/// Reads and parses the file (the calling thread's network namespace for the default path).
Result<std::vector<Counter>> read_xfrm_stat(const std::filesystem::path& path = "/proc/net/xfrm_stat");

/// What a counter counts and what usually makes it grow.
struct CounterInfo {
  std::string_view name;
  std::string_view meaning;
};

/// Every counter Linux (up to 6.18) has, in the kernel's order.
std::span<const CounterInfo> counter_explanations();
/// The explanation of `name`, or "" for a counter this table does not know (a newer kernel).
std::string_view explain_counter(std::string_view name);

}  // namespace xfrmpp::knobs

#pragma GCC visibility pop
