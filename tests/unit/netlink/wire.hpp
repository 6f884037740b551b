// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Test helpers: an independent reader for raw netlink bytes, model comparisons that name the first
// difference (the model types have no operator==), and sample models with every field set.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/sa.hpp"

namespace wire {

/// A buffer netlink can use (4-byte aligned, as std::vector's allocation is).
inline std::vector<uint8_t> buffer(size_t n = 8192) { return std::vector<uint8_t>(n); }

template <typename T>
T load(std::span<const uint8_t> bytes, size_t offset) {
  T v{};
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

/// One top-level attribute found by a deliberately naive walk: offset of its payload and its length.
struct RawAttr {
  size_t offset = 0;
  size_t len = 0;
};

/// Every attribute of type `type` after `fixed` payload bytes of the message in `msg`.
std::vector<RawAttr> find_attrs(std::span<const uint8_t> msg, size_t fixed, uint16_t type);
std::optional<RawAttr> find_attr(std::span<const uint8_t> msg, size_t fixed, uint16_t type);
/// Number of attributes after `fixed` payload bytes.
size_t count_attrs(std::span<const uint8_t> msg, size_t fixed);

std::string diff(const xfrmpp::model::Policy& a, const xfrmpp::model::Policy& b);
std::string diff(const xfrmpp::model::SecurityAssociation& a, const xfrmpp::model::SecurityAssociation& b);

xfrmpp::model::Address addr(const char* text);
xfrmpp::model::Prefix prefix(const char* text, uint8_t len);

/// A v4 policy with every field set to a non-default value (decoded levels only: use/unique/require).
xfrmpp::model::Policy full_policy();
/// An ESP SA with every field the kernel round-trips set to a non-default value.
xfrmpp::model::SecurityAssociation full_sa();

}  // namespace wire
