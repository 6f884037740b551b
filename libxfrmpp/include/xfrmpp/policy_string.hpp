// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The KAME policy-string grammar of ipsec_set_policy(3): direction, optional priority, action and
// requests ("out ipsec esp/transport//require", "in bypass", "out prio high + 10 discard").
// It lives in the library, as in KAME's libipsec, because per-socket policies take it; setkey's parser
// (outside the library) hands the policy part of spdadd/spddelete to parse_at, so there is one grammar.
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"
#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/statement.hpp"
#include "xfrmpp/text/scanner.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::policy_string {

/// What the surrounding text allows.
struct Grammar {
  /// entrust and bypass, which only per-socket policies have (setkey's spddelete takes them too).
  bool socket_actions = true;
  /// 'ipsec' without requests (setkey's spddelete matches on the direction and action only).
  bool requests_optional = false;
  /// True for a word that starts the next statement: found where a request belongs, it means the ';'
  /// before it is missing. Unset: no such words (a bare policy string).
  std::function<bool(std::string_view)> is_statement_start;
};

struct Outcome {
  bool ok = false;
  /// The text was only a direction followed by ';' ("out;"): only setkey's spddelete takes that.
  bool direction_only = false;
  /// On error: the statement's missing ';' was reported and the cursor is back at the next statement.
  bool statement_ended = false;
  /// unique:N above the manual reqid range; those requests have reqid 0 (a generated one).
  std::vector<model::ReplacedReqid> replaced_reqids;
};

/// Parses a policy at the scanner's cursor into `policy`'s direction, priority, action and templates
/// (the selector is left alone), up to but not including the ';' or the end of the text. Errors and
/// warnings go to `sink`; after an error the cursor is where it stopped.
Outcome parse_at(text::Scanner& scanner, diag::DiagnosticSink& sink, const Grammar& grammar, model::Policy& policy);

/// A whole per-socket policy string, as ipsec_set_policy(3) takes it (entrust and bypass allowed, a
/// trailing ';' allowed, nothing after it). Only the direction, action and requests are set.
std::optional<model::Policy> parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink);

/// As parse(), and `outcome` gets what the grammar reported, in particular the unique:N requests above
/// the manual reqid range (their reqid is 0 in the policy); ipsec_set_policy(3) writes N back.
std::optional<model::Policy> parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, Outcome& outcome);

}  // namespace xfrmpp::policy_string

#pragma GCC visibility pop
