// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/render/json_text.hpp"

#include <limits>
#include <type_traits>

namespace xfrmpp::render {

std::string json_text(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <typename T>
std::optional<T> json_member(const nlohmann::json& obj, std::string_view name, T fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(name);
  if (it == obj.end()) return fallback;
  const nlohmann::json& v = *it;
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) return std::nullopt;
    return v.get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return std::nullopt;
    return v.get<std::string>();
  } else if constexpr (std::is_unsigned_v<T>) {
    // A negative number is number_integer, a non-negative one number_unsigned.
    if (!v.is_number_unsigned()) return std::nullopt;
    auto u = v.get<uint64_t>();
    if (u > std::numeric_limits<T>::max()) return std::nullopt;
    return static_cast<T>(u);
  } else {
    if (v.is_number_unsigned()) {
      auto u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) return std::nullopt;
      return static_cast<T>(u);
    }
    if (!v.is_number_integer()) return std::nullopt;
    return static_cast<T>(v.get<int64_t>());
  }
}

template std::optional<bool> json_member(const nlohmann::json&, std::string_view, bool);
template std::optional<uint8_t> json_member(const nlohmann::json&, std::string_view, uint8_t);
template std::optional<uint16_t> json_member(const nlohmann::json&, std::string_view, uint16_t);
template std::optional<uint32_t> json_member(const nlohmann::json&, std::string_view, uint32_t);
template std::optional<uint64_t> json_member(const nlohmann::json&, std::string_view, uint64_t);
template std::optional<int64_t> json_member(const nlohmann::json&, std::string_view, int64_t);
template std::optional<std::string> json_member(const nlohmann::json&, std::string_view, std::string);

}  // namespace xfrmpp::render
