// The key pre-scan of ipseckey input: keys recognised by what they look like, on the same commands and
// words the parser sees (split), before and independently of parsing, so a missing or misspelled keyword
// ("encr_alg aes 0011...", "encrkye 0011...") or an unknown command cannot get a key echoed.
#include "parsers/ipseckey.hpp"
#include "split.hpp"

namespace xfrmpp::parsers::ipseckey {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

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
  // Hex runs of text[b, e) with their 0x.
  auto hex_runs = [&](size_t b, size_t e) {
    for (size_t i = b; i < e;) {
      if (!is_hex(text[i])) {
        ++i;
        continue;
      }
      size_t r = i;
      while (r < e && is_hex(text[r])) ++r;
      bool prefixed = i >= b + 2 && text[i - 2] == '0' && (text[i - 1] == 'x' || text[i - 1] == 'X');
      if (r - i >= kMinDigits) out.push_back({prefixed ? i - 2 : i, r});
      i = r;
    }
  };
  for (const auto& c : split(text)) {
    if (!carries_keys(c)) continue;
    // A comment on the command's lines may hold the rest of a half commented-out key: mask its hex runs.
    size_t at = 0;
    if (c.range.begin > 0)
      if (size_t nl = text.rfind('\n', c.range.begin - 1); nl != std::string_view::npos) at = nl + 1;
    while (at < text.size() && at <= c.range.end) {
      size_t nl = text.find('\n', at);
      size_t end = nl == std::string_view::npos ? text.size() : nl;
      if (size_t hash = text.find('#', at); hash < end) hex_runs(hash + 1, end);
      at = end + 1;
    }
    for (size_t k = 0; k < c.toks.size(); ++k) {
      const Tok& t = c.toks[k];
      bool after_key_word = k > 0 && (c.toks[k - 1].text == "authkey" || c.toks[k - 1].text == "encrkey");
      bool quoted = t.range.end > t.range.begin && text[t.range.begin] == '"';
      if (after_key_word || quoted) {
        out.push_back(t.range);
        continue;
      }
      // Runs of hex digits inside the word, with their 0x: "0011.../128", "0x0011...".
      std::string_view w = t.text;
      for (size_t i = 0; i < w.size();) {
        if (!is_hex(w[i])) {
          ++i;
          continue;
        }
        size_t e = i;
        while (e < w.size() && is_hex(w[e])) ++e;
        bool prefixed = i >= 2 && w[i - 2] == '0' && (w[i - 1] == 'x' || w[i - 1] == 'X');
        if (e - i >= kMinDigits) out.push_back({t.range.begin + (prefixed ? i - 2 : i), t.range.begin + e});
        i = e;
      }
    }
  }
  return out;
}

}  // namespace xfrmpp::parsers::ipseckey
