// SPDX-License-Identifier: BSD-3-Clause
// ipsecconf: lexing of `{pattern} action {properties} [or action {properties}]*` entries and the
// semantic pass over their words. Messages are the ones illumos ipsecconf.c prints, with its line
// numbers; the diagnostic machinery adds file:line:col and a caret on the offending word.
#include "parser.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace xfrmpp::parsers::ipsecconf {

namespace {

constexpr size_t kMaxArgs = 20;        // MAXARGS: words between one pair of braces
constexpr size_t kMaxTunnelName = 31;  // LIFNAMSIZ - 1

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// parse_int(): strtol(str, 0) over the whole word; -1 when it is not a number.
long parse_int(std::string_view s) {
  if (s.empty()) return -1;
  int base = 10;
  std::string_view digits = s;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;
    digits.remove_prefix(1);
  }
  long v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec != std::errc() || p != digits.data() + digits.size()) return -1;
  return v;
}

// Decimal digits only (prefix lengths, key bits).
std::optional<uint32_t> decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

template <typename T>
std::vector<std::string_view> names_of(std::span<const model::Keyword<T>> table) {
  std::vector<std::string_view> v;
  for (const auto& k : table) v.push_back(k.name);
  return v;
}

std::vector<std::string> did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  if (auto s = diag::suggest(word, candidates); !s.empty()) return {fmt::format("did you mean '{}'?", s)};
  return {};
}

// parse_type_code(): a number 0-255, N-M, or a keyword of the table.
std::optional<IcmpRange> type_code(std::string_view s, std::span<const model::Keyword<uint8_t>> table) {
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
    auto dash = s.find('-');
    long a = parse_int(s.substr(0, dash));
    if (a < 0 || a > 255) return std::nullopt;
    long b = a;
    if (dash != std::string_view::npos) {
      b = parse_int(s.substr(dash + 1));
      if (b < 0 || b > 255) return std::nullopt;
    }
    // ipsecconf.c: an end below the start collapses to the start.
    return IcmpRange{static_cast<uint8_t>(a), static_cast<uint8_t>(std::max(a, b))};
  }
  if (auto v = model::lookup(table, s)) return IcmpRange{*v, *v};
  return std::nullopt;
}

std::optional<uint16_t> port_value(std::string_view s) {
  std::string name(s);
  servent ent{}, *res = nullptr;
  char buf[1024];
  if (getservbyname_r(name.c_str(), nullptr, &ent, buf, sizeof buf, &res) == 0 && res)
    return static_cast<uint16_t>(ntohs(static_cast<uint16_t>(res->s_port)));
  long v = parse_int(s);
  if (v < 0 || v >= 65536) return std::nullopt;
  return static_cast<uint16_t>(v);
}

std::optional<uint8_t> protocol_value(std::string_view s) {
  if (auto v = model::lookup(model::upper_protocol_names(), s)) return *v;
  std::string name(s);
  protoent ent{}, *res = nullptr;
  char buf[1024];
  if (getprotobyname_r(name.c_str(), &ent, buf, sizeof buf, &res) == 0 && res) return static_cast<uint8_t>(res->p_proto);
  long v = parse_int(s);
  if (v < 0 || v > 255) return std::nullopt;
  return static_cast<uint8_t>(v);
}

// parse_mask(): 0xffff0000 or a dotted quad, never zero. Returns the prefix length and whether the
// mask was contiguous (Solaris leaves non-contiguous masks undefined; we count the leading ones).
std::optional<std::pair<uint8_t, bool>> mask_value(std::string_view s) {
  uint32_t mask = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s.find('.') == std::string_view::npos) {
    auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), mask, 16);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  } else {
    auto a = model::Address::parse(s);
    if (!a || a->family != model::Family::inet) return std::nullopt;
    mask = (uint32_t{a->bytes[0]} << 24) | (uint32_t{a->bytes[1]} << 16) | (uint32_t{a->bytes[2]} << 8) | a->bytes[3];
  }
  if (mask == 0) return std::nullopt;
  uint8_t len = 0;
  while (len < 32 && (mask & (0x80000000u >> len))) ++len;
  bool contiguous = len == 32 || (mask << len) == 0;
  return std::make_pair(len, contiguous);
}

}  // namespace

// Shared by the parser and the planner: which algorithms a property may name, and their key sizes as
// Solaris counts them (without the salt XFRM appends to AEAD keys).
std::vector<const model::AlgorithmInfo*> solaris_algorithms(PropertyKey key) {
  std::vector<const model::AlgorithmInfo*> v;
  for (const auto& a : model::algorithms()) {
    if (a.solaris_names.empty() || a.kernel_name.empty()) continue;
    bool enc = a.kind == model::AlgKind::crypt || a.kind == model::AlgKind::aead;
    if (key == PropertyKey::encr_algs ? enc : a.kind == model::AlgKind::auth) v.push_back(&a);
  }
  return v;
}

// The same key lengths setkey and ipseckey accept (an HMAC: whole bytes up to its block size).
uint16_t solaris_min_bits(const model::AlgorithmInfo& a) { return static_cast<uint16_t>(model::accepted_min_key_bits(a) - a.salt_bits); }
uint16_t solaris_max_bits(const model::AlgorithmInfo& a) { return static_cast<uint16_t>(model::accepted_max_key_bits(a) - a.salt_bits); }

bool range_admits(const model::AlgorithmInfo& a, const KeyRange& r) {
  if (!r.given) return true;
  uint32_t lo = std::max<uint32_t>(r.min, solaris_min_bits(a));
  uint32_t hi = std::min<uint32_t>(r.max == 0 ? UINT16_MAX : r.max, solaris_max_bits(a));
  return lo <= hi;
}

std::vector<const model::AlgorithmInfo*> admitted(const AlgorithmChoice& c, PropertyKey key) {
  if (c.info) return {c.info};
  std::vector<const model::AlgorithmInfo*> v;
  for (const auto* a : solaris_algorithms(key))
    if (range_admits(*a, c.bits)) v.push_back(a);
  return v;
}

Parser::Parser(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options)
    : source_(source), text_(source.text()), sink_(sink), options_(options) {}

uint64_t Parser::line(diag::Offset offset) const { return source_.line_col(offset).line; }

void Parser::bad(std::string_view what, const Tok& tok, std::string_view detail, std::vector<std::string> notes) {
  std::string msg = fmt::format("Bad {} on line: {}", what, line(tok.range.begin));
  if (!detail.empty()) msg += fmt::format(" ({})", detail);
  error(tok.range, std::move(msg), std::move(notes));
}

void Parser::duplicate(std::string_view what, const Tok& tok) {
  error(tok.range, fmt::format("Duplicate {} on line: {}", what, line(tok.range.begin)));
}

void Parser::requires_(std::string_view what, const Tok& tok, std::string_view detail) {
  std::string msg = fmt::format("Requires {} on line: {}", what, line(tok.range.begin));
  if (!detail.empty()) msg += fmt::format(" ({})", detail);
  error(tok.range, std::move(msg));
}

void Parser::skip_blank() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (is_space(c)) {
      ++pos_;
    } else if (c == '#') {  // ipsecconf.c cuts every line at '#', inside braces too
      size_t nl = text_.find('\n', pos_);
      pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
    } else {
      break;
    }
  }
}

void Parser::skip_line() {
  size_t nl = text_.find('\n', pos_);
  pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
}

Parser::Lex Parser::section(std::vector<Tok>& out, bool is_pattern) {
  skip_blank();
  if (pos_ >= text_.size()) return Lex::eof;
  if (text_[pos_] != '{') {
    size_t end = pos_;
    while (end < text_.size() && !is_space(text_[end]) && text_[end] != '{') ++end;
    Tok t{text_.substr(pos_, end - pos_), {static_cast<diag::Offset>(pos_), static_cast<diag::Offset>(end)}};
    uint64_t ln = line(t.range.begin);
    std::vector<std::string> notes{fmt::format("Error before or at line {}", ln)};
    if (t.text == "or")
      notes.push_back("an 'or' must follow the closing '}' on the same line; a continuation line may not begin with 'or' (ipsecconf(8) Example 12)");
    else if (t.text == "\\")
      notes.push_back("entries may span lines without a backslash: split only inside braces or just before a '{'");
    // ipsecconf.c says "pattern" for properties too.
    (void)is_pattern;
    error(t.range, fmt::format("line {} : pattern must start with \"{{\" character", ln), std::move(notes));
    skip_line();
    return Lex::error;
  }
  diag::Offset open = static_cast<diag::Offset>(pos_);
  last_open_ = open;
  ++pos_;
  for (;;) {
    skip_blank();
    if (pos_ >= text_.size()) {
      error({open, open + 1}, "(parsing one command) Pattern or Properties incomplete.",
            {fmt::format("Error before or at line {}", line(static_cast<diag::Offset>(text_.empty() ? 0 : text_.size() - 1)))});
      return Lex::error;
    }
    if (text_[pos_] == '}') {
      ++pos_;
      return Lex::ok;
    }
    size_t start = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_]) && text_[pos_] != '}' && text_[pos_] != '#') ++pos_;
    Tok t{text_.substr(start, pos_ - start), {static_cast<diag::Offset>(start), static_cast<diag::Offset>(pos_)}};
    if (out.size() >= kMaxArgs) {
      error(t.range, fmt::format("Number of Arguments exceeded {}", kMaxArgs),
            {fmt::format("Error before or at line {}", line(t.range.begin))});
      skip_line();
      return Lex::error;
    }
    out.push_back(t);
  }
}

Parser::Lex Parser::action_word(Tok& out) {
  skip_blank();
  if (pos_ >= text_.size()) return Lex::eof;
  size_t start = pos_;
  while (pos_ < text_.size() && !is_space(text_[pos_]) && text_[pos_] != '{' && text_[pos_] != '#') ++pos_;
  out = Tok{text_.substr(start, pos_ - start), {static_cast<diag::Offset>(start), static_cast<diag::Offset>(pos_)}};
  if (out.text.empty()) {
    error({static_cast<diag::Offset>(start), static_cast<diag::Offset>(start + 1)}, "(parsing one command) Missing action token.",
          {fmt::format("Error before or at line {}", line(static_cast<diag::Offset>(start)))});
    skip_line();
    return Lex::error;
  }
  return Lex::ok;
}

Parser::Lex Parser::lex_rule(RawRule& raw) {
  Lex r = section(raw.pattern, true);
  if (r != Lex::ok) return r;
  raw.range.begin = last_open_;
  for (;;) {
    RawRule::Alt alt;
    r = action_word(alt.action);
    if (r == Lex::eof) {
      diag::Offset at = static_cast<diag::Offset>(pos_ > 0 ? pos_ - 1 : 0);
      error({at, at + 1}, "(parsing one command) Missing action token.", {fmt::format("Error before or at line {}", line(at))});
      return Lex::error;
    }
    if (r == Lex::error) return r;
    if (alt.action.text == "or") continue;  // parse_one(): "hit an or, go again"
    if (!model::lookup(action_names(), alt.action.text)) {
      auto candidates = names_of(action_names());
      error(alt.action.range,
            fmt::format("(parsing one command) Invalid action on line {}: {}", line(alt.action.range.begin), alt.action.text),
            did_you_mean(alt.action.text, candidates));
      skip_line();
      return Lex::error;
    }
    r = section(alt.props, false);
    if (r == Lex::eof) {
      error(alt.action.range, "(parsing one command) Missing properties.",
            {fmt::format("Error before or at line {}", line(alt.action.range.begin))});
      return Lex::error;
    }
    if (r == Lex::error) return r;
    alt.range = {alt.action.range.begin, static_cast<diag::Offset>(pos_)};
    raw.alts.push_back(std::move(alt));
    raw.range.end = static_cast<diag::Offset>(pos_);
    // What follows the closing brace on the same line: nothing, a comment, or "or".
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r')) ++pos_;
    if (pos_ >= text_.size() || text_[pos_] == '\n') return Lex::ok;
    if (text_[pos_] == '#') {
      skip_line();
      return Lex::ok;
    }
    if (text_.compare(pos_, 2, "or") == 0 && (pos_ + 2 >= text_.size() || is_space(text_[pos_ + 2]) || text_[pos_ + 2] == '{')) {
      pos_ += 2;
      continue;
    }
    size_t end = pos_;
    while (end < text_.size() && !is_space(text_[end])) ++end;
    diag::SourceRange bad_range{static_cast<diag::Offset>(pos_), static_cast<diag::Offset>(end)};
    uint64_t ln = line(bad_range.begin);
    if (text_[pos_] == '\\')
      error(bad_range, "Invalid line continuation character.",
            {fmt::format("Error before or at line {}", ln), "entries may span lines without a backslash"});
    else
      error(bad_range, fmt::format("Error before or at line {}", ln),
            {"only 'or' or a comment may follow a rule's closing brace on its line"});
    skip_line();
    return Lex::error;
  }
}

std::vector<Rule> Parser::run() {
  std::vector<Rule> rules;
  for (;;) {
    RawRule raw;
    size_t errors = sink_.error_count();
    Lex r = lex_rule(raw);
    if (r == Lex::eof) break;
    if (r == Lex::error) {
      if (pos_ >= text_.size()) break;
      continue;
    }
    Rule rule;
    rule.range = raw.range;
    if (form(raw, rule) && sink_.error_count() == errors) rules.push_back(std::move(rule));
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------

struct PatternState {
  bool old_style = false, new_style = false, dir = false;
  std::optional<Endpoint> src, dst;  // saddr/laddr and daddr/raddr slots, before the inbound swap
  Tok src_kw, dst_kw;
  uint16_t sport = 0, dport = 0;
  Tok sport_kw, dport_kw;
  std::optional<uint8_t> smask, dmask;
  bool has_smask = false, has_dmask = false;
  Tok smask_kw, dmask_kw;
  bool has_tunnel = false, has_negotiate = false;
  Tok tunnel_val, negotiate_kw;
  Tok type_kw, ulp_kw;
  uint8_t dirs = 0;
  bool swap = false;
  bool is_no_alg = false;
};

namespace {
enum class EndpointStatus { ok, bad, fatal };
}

bool Parser::endpoint(const Tok& tok, Endpoint& out, std::string& why) {
  std::string_view text = tok.text;
  std::optional<uint8_t> prefix;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    auto plen = decimal(text.substr(slash + 1));
    if (!plen || *plen > 255) {
      why = fmt::format("Unparseable prefix: '{}'.", text.substr(slash + 1));
      return false;
    }
    prefix = static_cast<uint8_t>(*plen);
    text = text.substr(0, slash);
  }
  out.text = std::string(text);
  out.range = tok.range;
  if (auto a = model::Address::parse(text)) {
    out.addrs = {*a};
  } else if (options_.resolve_host && !text.empty()) {
    out.addrs = options_.resolve_host(text);
  }
  if (out.addrs.empty()) {
    why = fmt::format("Could not resolve address {}.", text);
    return false;
  }
  if (prefix) {
    // set_mask_info(): a prefix needs a single address, at most 32 or 128 bits.
    if (out.addrs.size() > 1) {
      why = "Can't set /NN prefix on multi-host name.";
      return false;
    }
    if (*prefix > out.addrs.front().max_prefix()) {
      why = "/NN prefix is too big!";
      return false;
    }
    out.prefix = prefix;
  }
  return true;
}

bool Parser::algorithm(const Tok& tok, PropertyKey key, std::optional<AlgorithmChoice>& out, bool& none) {
  std::string_view what = key == PropertyKey::auth_algs ? "Authentication Algorithm"
                          : key == PropertyKey::encr_algs ? "Encryption Algorithm"
                                                          : "ESP Authentication Algorithm";
  std::string_view name = tok.text;
  KeyRange bits;
  if (auto open = name.find('('); open != std::string_view::npos) {
    if (name.back() != ')' || name.find(')') != name.size() - 1) {
      bad(what, tok, "a key length goes in parentheses at the end, e.g. aes(128..256)");
      return false;
    }
    std::string_view spec = name.substr(open + 1, name.size() - open - 2);
    name = name.substr(0, open);
    auto dots = spec.find("..");
    std::optional<uint32_t> lo, hi;
    bool ok = true;
    if (dots == std::string_view::npos) {
      lo = hi = decimal(spec);
      ok = lo.has_value();
    } else {
      std::string_view a = spec.substr(0, dots), b = spec.substr(dots + 2);
      if (!a.empty()) ok &= (lo = decimal(a)).has_value();
      if (!b.empty()) ok &= (hi = decimal(b)).has_value();
      ok &= !(a.empty() && b.empty());
    }
    if (!ok || (lo && *lo > UINT16_MAX) || (hi && *hi > UINT16_MAX) || (lo && hi && *lo > *hi)) {
      bad(what, tok, fmt::format("'{}' is not a key length: use (N), (N..), (..N) or (N..M)", spec));
      return false;
    }
    bits = KeyRange{static_cast<uint16_t>(lo.value_or(0)), static_cast<uint16_t>(hi.value_or(0)), true};
  }
  std::string lname = lower(name);
  if (lname == "none") {  // valid_algorithm() short-circuits "none": the property is ignored
    none = true;
    return true;
  }
  auto universe = solaris_algorithms(key);
  AlgorithmChoice c;
  c.bits = bits;
  c.range = tok.range;
  if (lname == "any") {
    c.info = nullptr;
  } else {
    std::array<model::AlgKind, 2> enc{model::AlgKind::crypt, model::AlgKind::aead};
    std::array<model::AlgKind, 1> auth{model::AlgKind::auth};
    std::span<const model::AlgKind> kinds = key == PropertyKey::encr_algs ? std::span<const model::AlgKind>(enc)
                                                                          : std::span<const model::AlgKind>(auth);
    c.info = model::find_solaris_algorithm(lname, kinds);
    if (!c.info && !lname.empty() && std::all_of(lname.begin(), lname.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
      long n = parse_int(lname);
      for (const auto* a : universe)
        if (n > 0 && n <= 255 && a->sadb_id == n) {
          c.info = a;
          break;
        }
      if (!c.info) {
        bad(what, tok, fmt::format("algorithm number {} is not one Linux knows for {}", lname,
                                    key == PropertyKey::encr_algs ? "ESP encryption" : "authentication"));
        return false;
      }
    }
    if (!c.info) {
      std::vector<std::string_view> candidates{"any"};
      for (const auto* a : universe) {
        std::string_view list = a->solaris_names;
        while (!list.empty()) {
          size_t sp = list.find(' ');
          candidates.push_back(list.substr(0, sp));
          if (sp == std::string_view::npos) break;
          list.remove_prefix(sp + 1);
        }
      }
      bad(what, tok, fmt::format("unknown algorithm '{}'", name), did_you_mean(lname, candidates));
      return false;
    }
  }
  if (c.info && !range_admits(*c.info, bits)) {
    bad(what, tok, fmt::format("{} takes {} to {} bit keys", c.info->setkey_name, solaris_min_bits(*c.info),
                               solaris_max_bits(*c.info)));
    return false;
  }
  if (!c.info && admitted(c, key).empty()) {
    bad(what, tok, "no algorithm takes keys of that length");
    return false;
  }
  out = c;
  return true;
}

bool Parser::pattern(const RawRule& raw, Rule& rule, PatternState& st) {
  const auto& pat = raw.pattern;
  for (size_t i = 0; i < pat.size(); ++i) {
    const Tok& kw = pat[i];
    auto key = model::lookup(pattern_names(), kw.text);
    if (!key) {
      std::vector<std::string> notes = did_you_mean(kw.text, names_of(pattern_names()));
      if (kw.text == "dest")
        notes = {"ipsecconf(8) lists 'dest', but ipsecconf has never accepted it: use daddr, dst or dstaddr (or raddr)"};
      error(kw.range, fmt::format("Invalid pattern on line {}: {}", line(kw.range.begin), kw.text), std::move(notes));
      return false;
    }
    const Tok* val = i + 1 < pat.size() ? &pat[i + 1] : nullptr;
    auto value = [&](std::string_view what) -> const Tok* {
      if (!val) bad(what, kw, fmt::format("'{}' needs a value", kw.text));
      else ++i;
      return val;
    };
    switch (*key) {
      case PatternKey::dir: {
        const Tok* v = value("Direction");
        if (!v) return false;
        if (v->text == "in") {
          st.dirs = kDirIn;
        } else if (v->text == "out") {
          st.dirs = kDirOut;
        } else if (v->text == "both") {
          if (st.old_style) {
            bad("Direction", *v, "'dir both' belongs to the laddr/raddr form");
            return false;
          }
          st.new_style = true;
          st.dirs = kDirBoth;
        } else {
          bad("Direction", *v, "dir is in, out or both", did_you_mean(v->text, {"in", "out", "both"}));
          return false;
        }
        st.dir = true;
        break;
      }
      case PatternKey::laddr:
      case PatternKey::raddr:
      case PatternKey::saddr:
      case PatternKey::daddr: {
        bool is_new = *key == PatternKey::laddr || *key == PatternKey::raddr;
        bool is_src = *key == PatternKey::laddr || *key == PatternKey::saddr;
        std::string_view what = is_src ? "Source Address" : "Destination Address";
        if (is_new ? st.old_style : st.new_style) {
          bad(what, kw, is_new ? "laddr/raddr cannot be mixed with saddr/daddr/sport/dport/smask/dmask"
                               : "saddr/daddr cannot be mixed with laddr/raddr/lport/rport or dir both");
          return false;
        }
        (is_new ? st.new_style : st.old_style) = true;
        auto& slot = is_src ? st.src : st.dst;
        if (slot) {
          duplicate(what, kw);
          return false;
        }
        const Tok* v = value(what);
        if (!v) return false;
        Endpoint ep;
        std::string why;
        if (!endpoint(*v, ep, why)) {
          if (why.starts_with("Could not") || why.starts_with("Unparseable"))
            bad(what, *v, why);
          else
            error(v->range, why);
          return false;
        }
        slot = std::move(ep);
        (is_src ? st.src_kw : st.dst_kw) = kw;
        break;
      }
      case PatternKey::sport:
      case PatternKey::dport:
      case PatternKey::lport:
      case PatternKey::rport: {
        bool is_new = *key == PatternKey::lport || *key == PatternKey::rport;
        bool is_src = *key == PatternKey::sport || *key == PatternKey::lport;
        std::string_view what = is_src ? "Source Port" : "Destination Port";
        if (is_new ? st.old_style : st.new_style) {
          bad(what, kw, is_new ? "lport/rport cannot be mixed with saddr/daddr/sport/dport" : "sport/dport cannot be mixed with laddr/raddr/lport/rport");
          return false;
        }
        (is_new ? st.new_style : st.old_style) = true;
        uint16_t& slot = is_src ? st.sport : st.dport;
        if (slot != 0) {
          duplicate(what, kw);
          return false;
        }
        const Tok* v = value(what);
        if (!v) return false;
        auto p = port_value(v->text);
        if (!p) {
          bad(what, *v, "a port is a number from 0 to 65535 or a service name");
          return false;
        }
        slot = *p;
        (is_src ? st.sport_kw : st.dport_kw) = kw;
        break;
      }
      case PatternKey::smask:
      case PatternKey::dmask: {
        bool is_src = *key == PatternKey::smask;
        std::string_view what = is_src ? "Source Mask" : "Destination Mask";
        if (st.new_style) {
          bad(what, kw, "smask/dmask belong to the saddr/daddr form");
          return false;
        }
        st.old_style = true;
        auto& slot = is_src ? st.smask : st.dmask;
        (is_src ? st.has_smask : st.has_dmask) = true;
        if (slot) {
          duplicate(what, kw);
          return false;
        }
        const Tok* v = value(what);
        if (!v) return false;
        auto m = mask_value(v->text);
        if (!m) {
          bad(what, *v, "a mask is 0xffff0000 or 255.255.0.0, not zero");
          return false;
        }
        if (!m->second) warning(v->range, fmt::format("non-contiguous mask: using its {} leading one bits", m->first));
        slot = m->first;
        (is_src ? st.smask_kw : st.dmask_kw) = kw;
        break;
      }
      case PatternKey::ulp: {
        if (rule.ulp != 0) {
          duplicate("Upper Layer Protocol", kw);
          return false;
        }
        const Tok* v = value("Upper Layer Protocol");
        if (!v) return false;
        auto p = protocol_value(v->text);
        if (!p) {
          bad("Upper Layer Protocol", *v, "a protocol is a number from 0 to 255 or a name from /etc/protocols");
          return false;
        }
        rule.ulp = *p;
        st.ulp_kw = kw;
        break;
      }
      case PatternKey::type: {
        if (rule.type) {
          duplicate("ICMP type", kw);
          return false;
        }
        const Tok* v = value("ICMP type");
        if (!v) return false;
        auto t = type_code(v->text, icmp_type_names());
        if (!t) {
          bad("ICMP type", *v, "a type is 0-255, N-M or a keyword such as echo", did_you_mean(v->text, names_of(icmp_type_names())));
          return false;
        }
        rule.type = t;
        st.type_kw = kw;
        break;
      }
      case PatternKey::code: {
        if (!rule.type) {
          bad("ICMP code", kw, "code needs a type before it");
          return false;
        }
        if (rule.code) {
          duplicate("ICMP code", kw);
          return false;
        }
        const Tok* v = value("ICMP code");
        if (!v) return false;
        auto c = type_code(v->text, icmp_code_names());
        if (!c) {
          // ipsecconf.c checks the type instead of the code here and lets a bad code through as "any";
          // that would widen the rule, so it is an error.
          bad("ICMP code", *v, "a code is 0-254, N-M or a keyword such as port-unr", did_you_mean(v->text, names_of(icmp_code_names())));
          return false;
        }
        rule.code = c;
        break;
      }
      case PatternKey::tunnel: {
        if (st.has_tunnel) {
          bad("Tunnel", kw, "only one tunnel per rule");
          return false;
        }
        const Tok* v = value("Tunnel");
        if (!v) return false;
        if (v->text.size() > kMaxTunnelName) {
          bad("Tunnel", *v, fmt::format("interface names have at most {} characters", kMaxTunnelName));
          return false;
        }
        st.has_tunnel = true;
        st.tunnel_val = *v;
        rule.tunnel = Tunnel{std::string(v->text), false, {}, v->range};
        break;
      }
      case PatternKey::negotiate: {
        if (st.has_negotiate) {
          bad("Negotiate", kw, "only one negotiate per rule");
          return false;
        }
        const Tok* v = value("Negotiate");
        if (!v) return false;
        if (v->text != "tunnel" && v->text != "transport") {
          bad("Negotiate", *v, "negotiate is tunnel or transport", did_you_mean(v->text, {"tunnel", "transport"}));
          return false;
        }
        st.has_negotiate = true;
        st.negotiate_kw = *v;
        if (!rule.tunnel) rule.tunnel = Tunnel{};
        rule.tunnel->negotiate_tunnel = v->text == "tunnel";
        break;
      }
    }
  }
  if (st.has_tunnel != st.has_negotiate) {
    // ipsecconf.c reports this at the first word after the pattern.
    Tok at = raw.alts.empty() ? (pat.empty() ? Tok{{}, raw.range} : pat.back()) : raw.alts.front().action;
    requires_(st.has_tunnel ? "Negotiate" : "Tunnel", at, "tunnel and negotiate tokens must occur together");
    return false;
  }
  return true;
}

bool Parser::alternative(const RawRule::Alt& raw, size_t index, Rule& rule, PatternState& st) {
  if (index > 0) {
    if (st.old_style) {
      error(raw.action.range, "or's only with new style", {"'or' needs the laddr/raddr form of the pattern"});
      return false;
    }
    st.new_style = true;
  }
  Alternative alt;
  alt.action = *model::lookup(action_names(), raw.action.text);
  alt.range = raw.range;
  switch (alt.action) {
    case Action::apply: st.dirs = kDirOut; break;
    case Action::permit: st.dirs = kDirIn; break;
    case Action::ipsec:
      if (st.old_style) {
        if (!st.dir) {
          requires_("Direction", raw.action, "saddr/daddr rules with 'ipsec' need 'dir in' or 'dir out' in the pattern");
          return false;
        }
        if (st.dirs == kDirIn) st.swap = true;
      }
      if (!st.dir) st.dirs = kDirBoth;
      break;
    case Action::bypass:
    case Action::drop: st.is_no_alg = true; break;
  }
  bool combined = false;
  std::optional<Tok> esp_auth_tok;
  const Tok* last = &raw.action;
  const auto& props = raw.props;
  for (size_t i = 0; i < props.size(); ++i) {
    const Tok& kw = props[i];
    last = &kw;
    auto key = model::lookup(property_names(), kw.text);
    if (!key) {
      error(kw.range, fmt::format("Invalid properties on line {}: {}", line(kw.range.begin), kw.text),
            did_you_mean(kw.text, names_of(property_names())));
      return false;
    }
    const Tok* val = i + 1 < props.size() ? &props[i + 1] : nullptr;
    if (val) {
      ++i;
      last = val;
    }
    switch (*key) {
      case PropertyKey::auth_algs:
      case PropertyKey::encr_algs:
      case PropertyKey::encr_auth_algs: {
        auto& slot = *key == PropertyKey::auth_algs ? alt.ah_auth : *key == PropertyKey::encr_algs ? alt.esp_encr : alt.esp_auth;
        std::string_view what = *key == PropertyKey::auth_algs ? "Authentication Algorithm"
                                : *key == PropertyKey::encr_algs ? "Encryption Algorithm"
                                                                 : "ESP Authentication Algorithm";
        if (slot) {
          duplicate(what, kw);
          return false;
        }
        if (!val) {
          bad(what, kw, fmt::format("'{}' needs an algorithm", kw.text));
          return false;
        }
        bool none = false;
        if (!algorithm(*val, *key, slot, none)) return false;
        if (*key == PropertyKey::encr_algs && slot && slot->info && slot->info->kind == model::AlgKind::aead) combined = true;
        if (*key == PropertyKey::encr_auth_algs && slot) esp_auth_tok = *val;
        break;
      }
      case PropertyKey::sa:
        if (!val) {
          bad("SA", kw, "sa is shared or unique");
          return false;
        }
        if (val->text == "unique") {
          alt.unique = true;
        } else if (val->text != "shared") {
          bad("SA", *val, "sa is shared or unique", did_you_mean(val->text, {"shared", "unique"}));
          return false;
        }
        break;
      case PropertyKey::dir:
        if (st.dir) {
          duplicate("Direction", kw);
          return false;
        }
        if (st.new_style) {
          bad("Direction", kw, "'dir' in the properties belongs to the saddr/daddr form; put it in the pattern");
          return false;
        }
        st.old_style = true;
        st.dir = true;
        if (!val) {
          bad("Direction", kw, "dir is in or out");
          return false;
        }
        if (val->text == "out") {
          st.dirs = kDirOut;
        } else if (val->text == "in") {
          st.dirs = kDirIn;
        } else {
          bad("Direction", *val, "dir is in or out here");
          return false;
        }
        if ((st.dirs == kDirIn && alt.action == Action::apply) || (st.dirs == kDirOut && alt.action == Action::permit)) {
          error(val->range, "Direction in conflict with action", {"apply is outbound only, permit inbound only"});
          return false;
        }
        break;
    }
  }
  bool has_algs = alt.ah_auth || alt.esp_encr || alt.esp_auth;
  if (combined && alt.esp_auth) {
    error(esp_auth_tok->range,
          fmt::format("ERROR: Rule on line {}: Combined mode and esp authentication not supported together.", line(esp_auth_tok->range.begin)));
    return false;
  }
  bool auth_covered = alt.ah_auth || alt.esp_auth || combined;
  if (has_algs && !auth_covered && !st.is_no_alg)
    warning(raw.action.range, fmt::format("DANGER:  Rule on line {} has encryption with no authentication.", line(last->range.begin)));
  if (!alt.esp_encr && alt.esp_auth) {
    // encr_auth_algs alone means ESP with NULL encryption.
    std::array<model::AlgKind, 1> crypt{model::AlgKind::crypt};
    alt.esp_encr = AlgorithmChoice{model::find_solaris_algorithm("null", crypt), {}, alt.esp_auth->range};
  }
  if (alt.action == Action::bypass || alt.action == Action::drop) {
    if (!st.dir)
      warning(raw.action.range, "dir string not found for bypass policy", {"the rule applies to both directions"});
    if (has_algs) {
      error(raw.action.range, "Algorithms found for bypass policy");
      return false;
    }
  } else if (!has_algs) {
    error(raw.action.range, "No IPsec algorithms given", {"give auth_algs, encr_algs or encr_auth_algs"});
    return false;
  }
  rule.alternatives.push_back(std::move(alt));
  return true;
}

bool Parser::form(const RawRule& raw, Rule& rule) {
  PatternState st;
  if (!pattern(raw, rule, st)) return false;
  for (size_t k = 0; k < raw.alts.size(); ++k)
    if (!alternative(raw.alts[k], k, rule, st)) return false;
  // The old saddr/daddr form names packet source and destination: swap them into local/remote for
  // inbound rules, by the first action (ipsecconf.c, "convert src/dst to local/remote").
  if (!st.new_style && !rule.alternatives.empty()) {
    Action first = rule.alternatives.front().action;
    if (first == Action::permit || ((first == Action::bypass || first == Action::drop) && st.dirs == kDirIn)) st.swap = true;
  }
  // A mask gives the prefix only together with its address; both a mask and /NN is EBUSY in ipsecconf.c.
  auto apply_mask = [&](std::optional<Endpoint>& ep, const std::optional<uint8_t>& mask, const Tok& kw) {
    if (!ep || !mask) return true;
    if (ep->prefix) {
      error(kw.range, "Can't set mask and /NN prefix.");
      return false;
    }
    if (ep->addrs.size() > 1) {
      error(kw.range, "Can't set /NN prefix on multi-host name.");
      return false;
    }
    if (ep->addrs.front().family != model::Family::inet) {
      error(kw.range, "smask and dmask are for IPv4 addresses only; use /plen");
      return false;
    }
    ep->prefix = mask;
    return true;
  };
  if (!apply_mask(st.src, st.smask, st.smask_kw) || !apply_mask(st.dst, st.dmask, st.dmask_kw)) return false;
  if (st.swap) {
    rule.local = std::move(st.dst);
    rule.remote = std::move(st.src);
    rule.lport = st.dport;
    rule.rport = st.sport;
  } else {
    rule.local = std::move(st.src);
    rule.remote = std::move(st.dst);
    rule.lport = st.sport;
    rule.rport = st.dport;
  }
  rule.dir_given = st.dir || st.dirs != 0;
  rule.dirs = st.dirs != 0 ? st.dirs : kDirBoth;
  if (!linux_checks(rule, st)) return false;
  approximation_warnings(rule);
  return true;
}

bool Parser::linux_checks(Rule& rule, const PatternState& st) {
  bool icmp = model::proto_has_type_code(rule.ulp) && rule.ulp != 135;
  if (rule.type && !icmp) {
    warning(st.type_kw.range, "type and code are ignored: ulp is not icmp or ipv6-icmp (as on Solaris)",
            {"the rule matches every ICMP type and code"});
    rule.type.reset();
    rule.code.reset();
    rule.icmp_typecode_ignored = true;
  }
  if (model::proto_has_type_code(rule.ulp) && (rule.lport || rule.rport)) {
    const Tok& kw = st.sport ? st.sport_kw : st.dport_kw;
    error(kw.range, fmt::format("ports cannot be combined with ulp {}: XFRM keeps the ICMP type and code in the port fields",
                                rule.ulp == 1 ? "icmp" : rule.ulp == 58 ? "ipv6-icmp" : "135"));
    return false;
  }
  if (rule.tunnel) {
    auto& t = *rule.tunnel;
    std::string why;
    std::optional<TunnelInfo> info;
    if (options_.resolve_tunnel) info = options_.resolve_tunnel(t.name, why);
    else why = "no tunnel lookup is available";
    if (!info && options_.unknown_tunnel_is_warning) {
      // A file checked for a gateway on another machine (CI): everything but the tunnel can be checked.
      warning(st.tunnel_val.range, fmt::format("Cannot find tunnel interface {}: {}", t.name, why),
              {"checked without it: ipsecconf -a needs the interface (or --tunnels naming it) where the rule is loaded"});
      t.resolved = false;
      t.range = st.tunnel_val.range;
      if (!t.negotiate_tunnel && (rule.local || rule.remote || rule.ulp || rule.lport || rule.rport)) {
        error(st.negotiate_kw.range, "negotiate transport takes no addresses, ulp or ports: the rule covers the tunnel's outer IP-in-IP packets");
        return false;
      }
    } else if (!info) {
      error(st.tunnel_val.range, fmt::format("Cannot find tunnel interface {}: {}", t.name, why),
            {fmt::format("create it first, e.g. ip link add {} type xfrm dev eth0 if_id 7 && ip link set dev {} alias \"tsrc 192.0.2.1 tdst 192.0.2.2\"",
                         t.name, t.name)});
      return false;
    }
    if (info) {
      t.info = *info;
      t.range = st.tunnel_val.range;
      if (t.info.local.is_unspec() || t.info.remote.is_unspec()) {
        error(st.tunnel_val.range, fmt::format("tunnel {} has no outer endpoints on Linux", t.name),
              {fmt::format("for an XFRM interface give them as its alias: ip link set dev {} alias \"tsrc LOCAL tdst REMOTE\"", t.name)});
        return false;
      }
      if (t.negotiate_tunnel && !t.info.if_id) {
        error(st.tunnel_val.range, fmt::format("negotiate tunnel needs an XFRM interface: {} (kind {}) has no if_id", t.name, t.info.kind),
              {"tunnel-mode rules become policies scoped to the XFRM interface's if_id (ipsecconf(8), TUNNELS)"});
        return false;
      }
      if (t.info.local.family != t.info.remote.family) {
        error(st.tunnel_val.range, fmt::format("tunnel {}: the outer endpoints are of different families", t.name));
        return false;
      }
      if (!t.negotiate_tunnel) {
        if (rule.local || rule.remote) {
          const Tok& kw = rule.local ? (st.swap ? st.dst_kw : st.src_kw) : (st.swap ? st.src_kw : st.dst_kw);
          error(kw.range, "negotiate transport takes no addresses: the rule covers the tunnel's outer IP-in-IP packets");
          return false;
        }
        if (rule.ulp || rule.lport || rule.rport) {
          error(st.negotiate_kw.range, "negotiate transport takes no ulp or ports: the outer packets are IP-in-IP");
          return false;
        }
      }
    }
  }
  for (const auto& alt : rule.alternatives) {
    for (const auto* c : {&alt.ah_auth, &alt.esp_encr, &alt.esp_auth}) {
      if (!*c || !(*c)->bits.given) continue;
      if ((*c)->info)
        warning((*c)->range, "the key length is not enforced: XFRM policies cannot restrict key sizes",
                {"it stays in the rule (ipsecconf -l shows it); key the SAs accordingly"});
      else
        warning((*c)->range, "the key length only selects which algorithms 'any' admits: XFRM policies cannot restrict key sizes");
    }
  }
  if (expand(rule).empty()) {
    error(rule.local ? rule.local->range : rule.remote->range, "No matching IPv4 or IPv6 saddr/daddr pairs",
          {"the local and remote addresses are of different families"});
    return false;
  }
  return true;
}

void Parser::approximation_warnings(const Rule& rule) {
  const auto& alts = rule.alternatives;
  if (alts.size() < 2) return;
  const Alternative& first = alts.front();
  for (size_t k = 1; k < alts.size(); ++k) {
    const Alternative& a = alts[k];
    if (first.action == Action::drop) {
      warning(a.range, "ignored: the first alternative drops, so XFRM never uses the ones after it");
    } else if (first.action == Action::bypass) {
      // Clear text first: an ALLOW policy without templates also accepts transport-mode IPsec inbound.
    } else if (a.action == Action::drop) {
      warning(a.range, "ignored: XFRM cannot express 'or drop'");
    } else if (a.action == Action::bypass) {
      // `ipsec ... or pass`: optional templates (level use), exactly Solaris' "use if possible".
    } else if (a.uses_esp() != first.uses_esp() || a.uses_ah() != first.uses_ah()) {
      warning(a.range, "ignored: XFRM templates are all required together, so AH-or-ESP alternatives cannot be expressed",
              {"only the first alternative's protocols are installed"});
    } else {
      int differ = (a.esp_encr != first.esp_encr) + (a.esp_auth != first.esp_auth) + (a.ah_auth != first.ah_auth);
      if (differ > 1)
        warning(a.range, "approximated: XFRM keeps one algorithm set per protocol",
                {"every combination of the alternatives' encryption and authentication algorithms is accepted"});
    }
  }
}

std::vector<Rule> parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options) {
  return Parser(source, sink, options).run();
}

}  // namespace xfrmpp::parsers::ipsecconf
