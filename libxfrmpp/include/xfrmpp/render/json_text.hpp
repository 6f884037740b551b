// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The one way xfrmpp writes JSON as text and reads members of JSON it did not write (records, state
// files). Strings in the model are bytes (labels, tunnel and file names) and need not be UTF-8: every
// byte sequence that is not valid UTF-8 is written as U+FFFD (nlohmann's error_handler_t::replace), so
// a document is always valid JSON and writing one never throws. Documented in setkey(8), section JSON.
// nlohmann::json crosses the library boundary. The library is built -fvisibility=hidden, and a function
// whose signature has a hidden type is hidden itself, so the json types are declared visible here. The
// library's own sources therefore include <nlohmann/json.hpp> only through these headers.
#pragma GCC visibility push(default)
#include <nlohmann/json.hpp>
#pragma GCC visibility pop

#include <optional>
#include <string>
#include <string_view>

#pragma GCC visibility push(default)

namespace xfrmpp::render {

/// `j` as text: compact when indent < 0, else pretty with that indent. Invalid UTF-8 becomes U+FFFD.
std::string json_text(const nlohmann::json& j, int indent = -1);

/// Member `name` of object `obj` read as T, checked: `fallback` when the member is absent (or obj is
/// not an object), nullopt when it holds another type or a number T cannot hold. Never throws.
// The explicit attribute: GCC leaves explicit instantiations of a function template hidden under
// -fvisibility=hidden even when the template is declared inside "#pragma GCC visibility push(default)".
template <typename T>
__attribute__((visibility("default"))) std::optional<T> json_member(const nlohmann::json& obj, std::string_view name, T fallback);

extern template std::optional<bool> json_member(const nlohmann::json&, std::string_view, bool);
extern template std::optional<uint8_t> json_member(const nlohmann::json&, std::string_view, uint8_t);
extern template std::optional<uint16_t> json_member(const nlohmann::json&, std::string_view, uint16_t);
extern template std::optional<uint32_t> json_member(const nlohmann::json&, std::string_view, uint32_t);
extern template std::optional<uint64_t> json_member(const nlohmann::json&, std::string_view, uint64_t);
extern template std::optional<int64_t> json_member(const nlohmann::json&, std::string_view, int64_t);
extern template std::optional<std::string> json_member(const nlohmann::json&, std::string_view, std::string);

}  // namespace xfrmpp::render

#pragma GCC visibility pop
