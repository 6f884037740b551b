// SPDX-License-Identifier: BSD-3-Clause
// The key pre-scan of ipseckey input: keys recognised by what they look like, on the same commands and
// words the parser sees (split), before and independently of parsing, so a missing or misspelled keyword
// ("encr_alg aes 0011...", "encrkye 0011...") or an unknown command cannot get a key echoed.
#include "parsers/ipseckey.hpp"
#include "../common/hex_runs.hpp"
#include "split.hpp"

namespace xfrmpp::parsers::ipseckey {
namespace {

// add and update carry keys; so may an unknown or misspelled command, or any command naming a key.
bool carries_keys(const RawCommand& c) {
  auto cmd = model::lookup(command_names(), c.toks.front().text);
  if (!cmd || *cmd == Cmd::add || *cmd == Cmd::update) return true;
  for (const auto& t : c.toks)
    if (t.text == "authkey" || t.text == "encrkey") return true;
  return false;
}

}  // namespace

std::vector<diag::SourceRange> key_material(std::string_view text) {
  constexpr size_t kMinDigits = 16;
  std::vector<diag::SourceRange> out;
  auto hex_runs = [&](size_t b, size_t e) {
    parsers::hex_runs(text, b, e, kMinDigits, [&](size_t rb, size_t re, bool) { out.push_back({rb, re}); });
  };
  for (const auto& c : split(text)) {
    // Runs of 16+ hex digits are masked in every command (no other ipseckey token is that long a hex
    // run); the words after authkey/encrkey and quoted words only in commands that may carry keys.
    bool keys = carries_keys(c);
    // A comment on the command's lines may hold the rest of a half commented-out key: mask its hex runs.
    size_t at = 0;
    if (c.range.begin > 0)
      if (size_t nl = text.rfind('\n', c.range.begin - 1); nl != std::string_view::npos) at = nl + 1;
    while (at < text.size() && at <= c.range.end) {
      size_t nl = text.find('\n', at);
      size_t end = nl == std::string_view::npos ? text.size() : nl;
      // Searched within the line only: an unbounded find would scan to the file's next '#' for every line.
      if (size_t hash = text.substr(at, end - at).find('#'); hash != std::string_view::npos) hex_runs(at + hash + 1, end);
      at = end + 1;
    }
    for (size_t k = 0; k < c.toks.size(); ++k) {
      const Tok& t = c.toks[k];
      bool after_key_word = k > 0 && (c.toks[k - 1].text == "authkey" || c.toks[k - 1].text == "encrkey");
      bool quoted = t.range.end > t.range.begin && text[t.range.begin] == '"';
      if (keys && (after_key_word || quoted)) {
        out.push_back(t.range);
        continue;
      }
      // Runs of hex digits inside the word, with their 0x: "0011.../128", "0x0011...".
      hex_runs(t.range.begin, t.range.end);
    }
  }
  return out;
}

}  // namespace xfrmpp::parsers::ipseckey
