// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Internal: ipseckey's lexical layer, shared by the parser and the key pre-scan so both see the same
// commands and words.
#include <string_view>
#include <vector>

#include "xfrmpp/diag/source.hpp"
#include "xfrmpp/text/scanner.hpp"

namespace xfrmpp::parsers::ipseckey {

/// One word of a command, as the scanner's tokens; a quoted word's text excludes the quotes, its range
/// includes them.
using Tok = text::Token;

struct RawCommand {
  std::vector<Tok> toks;
  diag::SourceRange range;
};

/// Logical commands: '\' at the very end of a line continues it; a line whose first word starts with '#'
/// is a comment, and so is the rest of a line from a word starting with '#'; "..." groups a word.
std::vector<RawCommand> split(std::string_view text);

}  // namespace xfrmpp::parsers::ipseckey
