// SPDX-License-Identifier: BSD-3-Clause
#include "parser.hpp"
#include "xfrmpp/policy_string.hpp"

namespace xfrmpp::parsers::setkey {

void parse_each(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options,
                const StatementHandler& handler) {
  Parser(source, sink, options).run(handler);
}

model::Script parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options) {
  model::Script script;
  parse_each(source, sink, options, [&](model::Statement&& s) { script.statements.push_back(std::move(s)); });
  return script;
}

std::optional<model::Policy> parse_policy_string(const diag::SourceBuffer& source, diag::DiagnosticSink& sink) {
  return policy_string::parse(source, sink);
}

namespace {

model::Policy fwd_from(const model::Policy& in) {
  model::Policy fwd = in;
  fwd.dir = model::Direction::fwd;
  fwd.index = 0;
  // ipsec-tools adjusts only the first request (its own "XXX" note); we keep that behaviour.
  if (!fwd.templates.empty() && fwd.templates.front().level == model::Level::unique) {
    fwd.templates.front().level = model::Level::require;
    fwd.templates.front().reqid = 0;
  }
  return fwd;
}

}  // namespace

std::optional<model::Statement> rfc_fwd_copy(const model::Statement& st) {
  if (const auto* a = std::get_if<model::AddPolicy>(&st.op); a && a->policy.dir == model::Direction::in)
    return model::Statement{model::AddPolicy{fwd_from(a->policy), a->update, {}}, st.range};
  if (const auto* d = std::get_if<model::DeletePolicy>(&st.op); d && d->id.dir == model::Direction::in && d->id.index == 0) {
    model::PolicyId id = d->id;
    id.dir = model::Direction::fwd;
    return model::Statement{model::DeletePolicy{id}, st.range};
  }
  return std::nullopt;
}

bool is_rfc_fwd_copy(const model::Policy& fwd, const model::Policy& in) {
  if (fwd.dir != model::Direction::fwd || in.dir != model::Direction::in) return false;
  model::Policy expect = fwd_from(in);
  // Kernel-assigned reqids on the 'in' side do not carry over to the copy, so compare the rest.
  return expect.sel == fwd.sel && expect.kind == fwd.kind && expect.priority == fwd.priority &&
         expect.templates == fwd.templates && expect.mark == fwd.mark && expect.if_id == fwd.if_id && expect.ctx == fwd.ctx;
}

}  // namespace xfrmpp::parsers::setkey
