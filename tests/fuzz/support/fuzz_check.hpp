// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What every libFuzzer target shares: properties that stop the run when they fail, the key-leak check
// over formatted diagnostics, and JSON rendering as the tools do it.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"

namespace xfrmpp::fuzz {

/// Prints which property failed and why, then traps so libFuzzer records the input as a crash.
[[noreturn]] void fail(std::string_view property, std::string_view detail);

inline void require(bool ok, std::string_view property, std::string_view detail) {
  if (!ok) fail(property, detail);
}

/// False when XFRMPP_FUZZ_SKIP (comma-separated: json, keyleak, roundtrip) names the property. Only for
/// looking past a known finding by hand; CI never sets it.
bool enabled(std::string_view property);

/// Every diagnostic of `sink` exactly as the tools print it (diag::format with the sink's secrets).
std::string formatted_diagnostics(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink);

/// The JSON text a tool would print; an exception (invalid UTF-8: type_error.316) is a finding.
std::string json_text(const nlohmann::json& j);

/// Which parts of the input are statements that carry keys (setkey: between ';' with -E or -A; ipseckey:
/// a command with an algorithm or key extension). A long hex run in one of them is key material.
std::vector<diag::SourceRange> setkey_key_statements(std::string_view text);
std::vector<diag::SourceRange> ipseckey_key_statements(std::string_view text);

/// Fails "keyleak" when key text shows in `diagnostics`:
///  - a key of the model (`keys`, at least 8 bytes) as hex or, when printable, as its own text, unless that
///    text also occurs in the source outside every range the parser marked secret (then it is not only a key);
///  - a run of 32 or more hex digits inside `key_statements`, unless the same run also occurs outside them.
void check_no_key_text(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink,
                       std::span<const std::vector<uint8_t>> keys, std::span<const diag::SourceRange> key_statements,
                       std::string_view diagnostics);

/// True when `text` (compared without case) occurs in the source only inside ranges the parser marked secret.
bool only_secret_text(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink, std::string_view text);

/// True when the JSON of a model has an enum value without a name ("dir": "" ...): a decoder let through a
/// number no kernel sends. Such a model need not survive encode -> decode unchanged, only stabilise.
bool has_unnamed_enum(const nlohmann::json& j);

/// Lowercase hex of `bytes`, no prefix.
std::string hex(std::span<const uint8_t> bytes);

}  // namespace xfrmpp::fuzz
