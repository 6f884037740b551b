// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Internal: the ipsecconf parser. Lexing follows ipsecconf.c (parse_pattern_or_prop, parse_action,
// parse_one) so the same inputs are accepted and rejected at the same lines; the semantic pass follows
// form_ipsec_conf() and stops at a rule's first error, as Solaris does.
#include <string>
#include <string_view>
#include <vector>

#include "parsers/ipsecconf.hpp"
#include "xfrmpp/text/scanner.hpp"

namespace xfrmpp::parsers::ipsecconf {

using Tok = text::Token;  // one word with its source range, as the KAME scanner's tokens

/// A lexed entry before any meaning is given to its words.
struct RawRule {
  std::vector<Tok> pattern;
  struct Alt {
    Tok action;
    std::vector<Tok> props;
    diag::SourceRange range;  ///< action .. closing brace
  };
  std::vector<Alt> alts;
  diag::SourceRange range;
};

class Parser {
 public:
  Parser(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options);
  std::vector<Rule> run();

 private:
  enum class Lex { ok, eof, error };
  Lex lex_rule(RawRule& raw);
  Lex section(std::vector<Tok>& out, bool is_pattern);
  Lex action_word(Tok& out);
  void skip_blank();             // spaces, newlines and '#' comments
  void skip_line();              // error recovery: drop the rest of the physical line
  bool form(const RawRule& raw, Rule& rule);
  bool pattern(const RawRule& raw, Rule& rule, struct PatternState& st);
  bool alternative(const RawRule::Alt& alt, size_t index, Rule& rule, struct PatternState& st);
  bool algorithm(const Tok& tok, PropertyKey key, std::optional<AlgorithmChoice>& out, bool& none);
  bool endpoint(const Tok& tok, Endpoint& out, std::string& why);
  bool linux_checks(Rule& rule, const struct PatternState& st);
  void approximation_warnings(const Rule& rule);

  uint64_t line(diag::Offset offset) const;
  void error(diag::SourceRange r, std::string msg, std::vector<std::string> notes = {}) { sink_.error(r, std::move(msg), std::move(notes)); }
  void warning(diag::SourceRange r, std::string msg, std::vector<std::string> notes = {}) { sink_.warning(r, std::move(msg), std::move(notes)); }
  // form_ipsec_conf()'s error_message(): "Bad|Duplicate|Requires <what> on line: N", with our detail after it.
  void bad(std::string_view what, const Tok& tok, std::string_view detail = {}, std::vector<std::string> notes = {});
  void duplicate(std::string_view what, const Tok& tok);
  void requires_(std::string_view what, const Tok& tok, std::string_view detail = {});

  const diag::SourceBuffer& source_;
  std::string_view text_;
  size_t pos_ = 0;
  diag::Offset last_open_ = 0;  // the '{' the last section() opened
  diag::DiagnosticSink& sink_;
  const ParseOptions& options_;
};

/// Every algorithm Solaris names for a policy property (encr_algs: ciphers and AEADs; the others: MACs).
std::vector<const model::AlgorithmInfo*> solaris_algorithms(PropertyKey key);
/// The key bits Solaris counts for an algorithm (salt excluded).
uint16_t solaris_min_bits(const model::AlgorithmInfo& a);
uint16_t solaris_max_bits(const model::AlgorithmInfo& a);
/// alg_rangecheck(): does the requested range leave any key length of the algorithm?
bool range_admits(const model::AlgorithmInfo& a, const KeyRange& r);
/// The algorithms a choice stands for (one, or every admitted one for `any`).
std::vector<const model::AlgorithmInfo*> admitted(const AlgorithmChoice& c, PropertyKey key);

}  // namespace xfrmpp::parsers::ipsecconf
