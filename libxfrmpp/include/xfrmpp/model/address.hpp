// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// IP addresses and prefixes, v4 and v6, independent of sockets and netlink.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#pragma GCC visibility push(default)

namespace xfrmpp::model {

/// Address family with the Linux AF_* values, so encoders copy it unchanged.
enum class Family : uint8_t { unspec = 0, inet = 2, inet6 = 10 };

struct Address {
  Family family = Family::unspec;
  std::array<uint8_t, 16> bytes{};  ///< network order; v4 uses the first 4 bytes

  /// Numeric v4 or v6 text (no scope id, no hostnames). Empty on failure.
  static std::optional<Address> parse(std::string_view text);
  static Address v4(uint32_t host_order);
  std::string to_string() const;  ///< inet_ntop form; "" for unspec
  bool is_unspec() const { return family == Family::unspec; }
  bool is_zero() const;
  uint8_t max_prefix() const { return family == Family::inet6 ? 128 : family == Family::inet ? 32 : 0; }
  auto operator<=>(const Address&) const = default;
};

struct Prefix {
  Address addr;
  uint8_t len = 0;
  auto operator<=>(const Prefix&) const = default;
};

/// The prefix with every address bit past its length cleared (and the length capped at the family's).
Prefix masked(Prefix p);
/// True when the first `p.len` bits of `a` are the prefix's (families are the caller's to compare).
bool contains(const Prefix& p, const Address& a);

/// The name of a family as users write it: "inet", "inet6" or "unspec".
std::string_view family_name(Family f);

}  // namespace xfrmpp::model

#pragma GCC visibility pop
