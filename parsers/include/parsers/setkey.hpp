// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// setkey(8) front end: the KAME/ipsec-tools language parsed into xfrmpp::model statements.
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"
#include "xfrmpp/model/address.hpp"
#include "xfrmpp/model/statement.hpp"

namespace xfrmpp::parsers::setkey {

/// Resolves a host name for `-4`/`-6` address options; an empty result is "not found".
using Resolver = std::function<std::vector<model::Address>(std::string_view host, model::Family hint)>;

struct ParseOptions {
  Resolver resolver;  ///< unset: only numeric addresses are accepted
};

/// Receives each statement as soon as it is parsed and checked.
using StatementHandler = std::function<void(model::Statement&&)>;

/// Parses a whole script, streaming statements to `handler` in source order. Every problem goes to `sink`
/// and parsing resumes after the next ';', so one run reports every error. Per-statement checks (Linux
/// limits, missing tunnel endpoints, key sizes...) happen here; statements with errors are not handed on.
void parse_each(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options,
                const StatementHandler& handler);

/// The key material of a whole script, whether or not it parses: every run of 16 or more hex digits (with
/// its 0x) anywhere, comments and quoted strings included, and every quoted string of a statement that may
/// carry keys (command add, update or unknown, or any add/update/-E/-A/-C word in it). Sorted by begin,
/// may overlap: parse_each hands it to the sink's add_secrets, which merges.
std::vector<diag::SourceRange> key_material(std::string_view text);

/// parse_each collected into a Script.
model::Script parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options = {});

/// ipsec-tools' Linux "RFC mode": an `in` policy statement also needs a `fwd` copy, whose first template
/// has level unique turned into require with reqid 0. Returns that copy, or nothing for other statements.
std::optional<model::Statement> rfc_fwd_copy(const model::Statement& statement);

/// True when `fwd` is exactly the RFC-mode copy of `in` (used so --save does not double them).
bool is_rfc_fwd_copy(const model::Policy& fwd, const model::Policy& in);

/// Parses a KAME policy string as ipsec_set_policy(3) and per-socket policies take it, e.g.
/// "out ipsec esp/transport//require", "in bypass", "out entrust"; a trailing ';' is allowed.
/// Only the direction, action and requests are set (the selector stays empty). Errors go to `sink`.
/// The same as the library's xfrmpp::policy_string::parse, which holds the grammar.
std::optional<model::Policy> parse_policy_string(const diag::SourceBuffer& source, diag::DiagnosticSink& sink);

/// Every setkey command keyword, for completions, help and the man-page check.
std::vector<std::string_view> command_names();

}  // namespace xfrmpp::parsers::setkey
