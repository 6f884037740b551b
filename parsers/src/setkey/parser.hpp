// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Internal: the setkey recursive-descent parser, split by grammar area across parser.cpp
// (statements, addresses), sa.cpp (SAs); the -P policy grammar is the library's <xfrmpp/policy_string.hpp>.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/setkey.hpp"
#include "xfrmpp/text/scanner.hpp"

namespace xfrmpp::parsers::setkey {

using text::Scanner;
using text::Token;
using text::is_blank;
using text::is_word_char;
using text::parse_number;

/// True for a statement keyword (used to spot a missing ';').
bool is_command(std::string_view word);

class Parser {
 public:
  Parser(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options)
      : source_(source), sc_(source.text()), sink_(sink), options_(options) {}
  void run(const StatementHandler& handler);

 private:
  // Each returns false after reporting an error; the caller then skips to the next ';'.
  bool statement(const StatementHandler& handler, bool& stop);
  bool spd_statement(std::string_view cmd, diag::Offset start, model::Statement& out);
  bool sa_statement(std::string_view cmd, diag::Offset start, model::Statement& out);
  bool default_policy_spec(model::Statement& st);
  bool hash_threshold_spec(model::Statement& st);
  bool address_options(model::Family& hint);  ///< -4, -6, -n (numeric: no name lookup) before addresses
  bool selector_address(model::Family hint, model::Prefix& out, uint16_t& port, bool& has_port);
  bool host_address(model::Family hint, bool allow_many, std::vector<model::Address>& out, Token& tok);
  bool upper_spec(model::Selector& sel, bool has_ports);
  bool sa_protocol(model::SecurityAssociation& sa, Token& tok);
  bool sa_extension(std::string_view flag, Token tok, model::SecurityAssociation& sa);
  bool sa_algorithms(model::SecurityAssociation& sa, Token& first);
  bool key_value(std::vector<uint8_t>& key, Token& tok);
  void hide_next_key();
  bool number(Token tok, uint64_t max, uint64_t& out, std::string_view what);
  bool expect_semicolon();
  bool mark_value(Token tok, model::Mark& mark);
  bool security_context(model::SecurityContext& ctx);  ///< after -ctx: doi alg "label"

  void error(diag::SourceRange r, std::string msg, std::vector<std::string> notes = {}) {
    sink_.error(r, std::move(msg), std::move(notes));
  }
  void unknown_word(Token tok, std::string_view what, const std::vector<std::string_view>& candidates) {
    text::unknown_word(sink_, tok, here(), what, candidates);
  }
  diag::SourceRange here() { sc_.skip_space(); return {sc_.pos(), sc_.pos() + 1}; }
  /// Just after the last non-blank character before `pos`: where a missing ';' belongs.
  diag::SourceRange end_of_previous(diag::Offset pos) const { return text::end_of_previous(sc_.text(), pos); }

  const diag::SourceBuffer& source_;
  Scanner sc_;
  diag::DiagnosticSink& sink_;
  const ParseOptions& options_;
  bool numeric_ = false;  // -n on the current statement
  bool ended_ = false;    // the current statement's ';' was consumed: no recovery scan needed
  std::vector<model::Address> scratch_;  // reused by selector_address so each statement does not allocate
};

}  // namespace xfrmpp::parsers::setkey
