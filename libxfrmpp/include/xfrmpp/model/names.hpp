// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Keyword tables: the single source of names for parsers, printers, help text, completions and man checks.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "xfrmpp/model/ipsec.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::model {

template <typename T>
struct Keyword {
  std::string_view name;
  T value;
};

/// esp, ah, ipcomp.
std::span<const Keyword<Protocol>> protocol_names();
/// transport, tunnel, beet, ro, in_trigger (setkey accepts transport/tunnel/any; "any" is parser-level).
std::span<const Keyword<Mode>> mode_names();
std::span<const Keyword<Direction>> direction_names();
std::span<const Keyword<Level>> level_names();
std::span<const Keyword<PolicyKind>> policy_kind_names();
/// Upper-layer protocols known without /etc/protocols (first name of a value is canonical).
std::span<const Keyword<uint8_t>> upper_protocol_names();

template <typename T>
std::optional<T> lookup(std::span<const Keyword<T>> table, std::string_view name) {
  // A byte loop, not string_view's ==: keywords are a few bytes, and a call to memcmp for each same-length
  // candidate was a tenth of the parse time of a million-statement input.
  for (const auto& k : table) {
    if (k.name.size() != name.size()) continue;
    size_t i = 0;
    while (i < name.size() && k.name[i] == name[i]) ++i;
    if (i == name.size()) return k.value;
  }
  return std::nullopt;
}

template <typename T>
std::string_view name_of(std::span<const Keyword<T>> table, T value) {
  for (const auto& k : table)
    if (k.value == value) return k.name;
  return {};
}

}  // namespace xfrmpp::model

#pragma GCC visibility pop
