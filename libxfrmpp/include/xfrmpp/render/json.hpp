// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Model -> JSON with a versioned schema (docs: man/setkey.8, section JSON). Field names are API:
// add fields freely, but renaming or removing one needs a new schema version.
// nlohmann::json crosses the library boundary. The library is built -fvisibility=hidden, and a function
// whose signature has a hidden type is hidden itself, so the json types are declared visible here. The
// library's own sources therefore include <nlohmann/json.hpp> only through these headers.
#pragma GCC visibility push(default)
#include <nlohmann/json.hpp>
#pragma GCC visibility pop
#include <span>

#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/sa.hpp"
#include "xfrmpp/model/statement.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::render {

/// The schema identifier every top-level JSON document carries as "schema".
inline constexpr const char* kJsonSchema = "xfrmpp/1";

struct JsonOptions {
  bool show_keys = true;
};

nlohmann::json to_json(const model::Selector& s);
nlohmann::json to_json(const model::Template& t);
nlohmann::json to_json(const model::Policy& p);
nlohmann::json to_json(const model::SecurityAssociation& sa, const JsonOptions& options = {});
/// {"schema":..., "policies":[...]} for an SPD dump.
nlohmann::json spd_document(std::span<const model::Policy> policies);
/// {"schema":..., "sas":[...]} for a SAD dump.
nlohmann::json sad_document(std::span<const model::SecurityAssociation> sas, const JsonOptions& options = {});
/// A statement as {"op": "add-policy", "line": N, ...}; `line` is supplied by the caller.
nlohmann::json to_json(const model::Statement& st, uint64_t line, const JsonOptions& options = {});

}  // namespace xfrmpp::render

#pragma GCC visibility pop
