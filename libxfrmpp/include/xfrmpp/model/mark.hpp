// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#pragma GCC visibility push(default)

namespace xfrmpp::model {

/// skb mark match (value/mask); part of the SA and policy identity.
struct Mark {
  uint32_t value = 0;
  uint32_t mask = 0xffffffff;
  auto operator<=>(const Mark&) const = default;
};

/// LSM label (SELinux); doi and algorithm as PF_KEY numbered them.
struct SecurityContext {
  uint8_t doi = 1;
  uint8_t alg = 1;
  std::string label;
  auto operator<=>(const SecurityContext&) const = default;
};

}  // namespace xfrmpp::model

#pragma GCC visibility pop
