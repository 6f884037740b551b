// SPDX-License-Identifier: BSD-3-Clause
// The policy grammar of libipsec (ipsec_set_policy(3), setkey's -P): direction, priority, action, requests.
#include "xfrmpp/policy_string.hpp"

#include <fmt/format.h>

#include "xfrmpp/model/names.hpp"

namespace xfrmpp::policy_string {

using text::Token;
using text::parse_number;

namespace {

// KAME priority bases (libipsec): a lower kernel value wins, so "high" is the smallest.
constexpr int64_t kPrioLow = 0xC0000000ll, kPrioDefault = 0x80000000ll, kPrioHigh = 0x40000000ll;

template <typename T>
std::vector<std::string_view> keyword_list(std::span<const model::Keyword<T>> table) {
  std::vector<std::string_view> v;
  for (const auto& k : table) v.push_back(k.name);
  return v;
}

// One parse: the scanner, where errors go, and what the caller is told.
class PolicyParser {
 public:
  PolicyParser(text::Scanner& sc, diag::DiagnosticSink& sink, const Grammar& grammar, Outcome& out)
      : sc_(sc), sink_(sink), grammar_(grammar), out_(out) {}
  bool policy_spec(model::Policy& p);

 private:
  bool priority_spec(uint32_t& priority);
  bool policy_request(const model::Policy& p, model::Template& t);
  bool request_endpoints(Token tok, model::Direction dir, model::Template& t);

  void error(diag::SourceRange r, std::string msg) { sink_.error(r, std::move(msg)); }
  diag::SourceRange here() { sc_.skip_space(); return {sc_.pos(), sc_.pos() + 1}; }
  void unknown_word(const Token& tok, std::string_view what, const std::vector<std::string_view>& candidates) {
    text::unknown_word(sink_, tok, here(), what, candidates);
  }

  text::Scanner& sc_;
  diag::DiagnosticSink& sink_;
  const Grammar& grammar_;
  Outcome& out_;
};

bool PolicyParser::priority_spec(uint32_t& priority) {
  // Accepts "N", "-N", "low|def|high", "base + N", "base - N", with or without blanks, as libipsec does.
  diag::Offset begin = (sc_.skip_space(), sc_.pos());
  std::string text;
  for (;;) {
    sc_.skip_space();
    diag::Offset save = sc_.pos();
    Token w = sc_.word();
    if (w.empty() || model::lookup(model::policy_kind_names(), w.text)) {
      sc_.set_pos(save);
      break;
    }
    text += w.text;
  }
  diag::SourceRange range{begin, sc_.pos()};
  if (text.empty()) {
    error(range, "expected a priority after 'priority' (a number, or low, def or high with an optional +N or -N)");
    return false;
  }
  int64_t base = kPrioDefault, value;
  std::string_view rest = text, base_name = "def";
  bool based = false;
  for (auto [name, v] : {std::pair{"low", kPrioLow}, {"def", kPrioDefault}, {"high", kPrioHigh}}) {
    if (rest.starts_with(name)) {
      base = v;
      base_name = name;
      rest.remove_prefix(std::string_view(name).size());
      based = true;
      break;
    }
  }
  int sign = 1;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    sign = rest[0] == '+' ? 1 : -1;
    rest.remove_prefix(1);
  } else if (based && !rest.empty()) {
    error(range, fmt::format("invalid priority '{}'", text));
    return false;
  }
  uint64_t offset = 0;
  if (!rest.empty() && !parse_number(rest, 0xffffffff, offset)) {
    error(range, fmt::format("invalid priority '{}'", text));
    return false;
  }
  if (!based && rest.empty()) {
    error(range, fmt::format("invalid priority '{}'", text));
    return false;
  }
  // "prio N" raises precedence by N (kernel value def - N); "prio -N" lowers it; "base + N" raises it.
  value = base - sign * static_cast<int64_t>(offset);
  if (value < 0 || value > 0xffffffffll) {
    // The offset is what was wrong, so say how far it may go from the base that was written.
    bool raises = value < 0;
    std::string form = based ? fmt::format("'prio {} {} N'", base_name, raises ? '+' : '-') : (raises ? "'prio N'" : "'prio -N'");
    std::string means = based ? "" : fmt::format(" (def {} N)", raises ? '+' : '-');
    int64_t most = raises ? base : 0xffffffffll - base;
    error(range, fmt::format("priority offset {} is out of range: {}{} is kernel priority {} {} N, which must {}, so N can be "
                             "at most {}",
                             offset, form, means, base, raises ? '-' : '+', raises ? "not go below 0" : "not exceed 4294967295",
                             most));
    return false;
  }
  priority = static_cast<uint32_t>(value);
  return true;
}

bool PolicyParser::policy_spec(model::Policy& p) {
  Token dir = sc_.word();
  auto d = model::lookup(model::direction_names(), dir.text);
  if (!d) {
    unknown_word(dir, "policy direction", keyword_list(model::direction_names()));
    return false;
  }
  p.dir = *d;
  p.priority = static_cast<uint32_t>(kPrioDefault);
  if (sc_.peek() == ';') {  // "-P out;" names only a direction (spddelete)
    out_.direction_only = true;
    p.kind = model::PolicyKind::none;
    return true;
  }
  Token w = sc_.word();
  if (w.text == "priority" || w.text == "prio") {
    if (!priority_spec(p.priority)) return false;
    w = sc_.word();
  }
  auto kind = model::lookup(model::policy_kind_names(), w.text);
  if (!kind) {
    std::vector<std::string_view> c = keyword_list(model::policy_kind_names());
    c.push_back("priority");
    unknown_word(w, "policy action", c);
    return false;
  }
  p.kind = *kind;
  if ((p.kind == model::PolicyKind::entrust || p.kind == model::PolicyKind::bypass) && !grammar_.socket_actions) {
    error(w.range, fmt::format("'{}' applies only to per-socket policies; the Linux SPD takes discard, none or ipsec", w.text));
    return false;
  }
  while (sc_.peek() != ';' && !sc_.at_end()) {
    diag::Offset req_start = sc_.pos();
    model::Template t;
    if (!policy_request(p, t)) return false;
    if (p.kind != model::PolicyKind::ipsec) {
      error({req_start, sc_.pos()}, fmt::format("'{}' takes no requests; only 'ipsec' does", w.text));
      return false;
    }
    if (p.templates.size() == 6) {
      error({req_start, sc_.pos()}, "too many requests: the kernel allows at most 6 transforms per policy");
      return false;
    }
    p.templates.push_back(t);
  }
  if (p.kind == model::PolicyKind::ipsec && p.templates.empty() && !grammar_.requests_optional) {
    error(w.range, "'ipsec' needs at least one request, such as esp/transport//require");
    return false;
  }
  return true;
}

bool PolicyParser::policy_request(const model::Policy& p, model::Template& t) {
  diag::Offset before = sc_.pos();
  Token proto = sc_.word();
  auto pr = model::lookup(model::protocol_names(), proto.text);
  if (!pr && grammar_.is_statement_start && grammar_.is_statement_start(proto.text)) {
    // The previous statement lacks its ';' and this word starts the next one.
    error(text::end_of_previous(sc_.text(), before),
          fmt::format("missing ';' at the end of the statement (before '{}')", proto.text));
    sc_.set_pos(before);  // resume at the next statement rather than skipping it
    out_.statement_ended = true;
    return false;
  }
  if (!pr) {
    unknown_word(proto, "IPsec protocol", keyword_list(model::protocol_names()));
    return false;
  }
  t.proto = *pr;
  if (sc_.peek_raw() != '/') {
    error(here(), fmt::format("expected '/' and a mode after '{}' (e.g. {}/transport//require)", proto.text, proto.text));
    return false;
  }
  sc_.accept('/');
  Token mode = sc_.word();
  if (mode.text == "any") {
    error(mode.range, "a policy request needs mode transport or tunnel, not any");
    return false;
  }
  auto m = model::lookup(model::mode_names(), mode.text);
  if (!m || (*m != model::Mode::transport && *m != model::Mode::tunnel)) {
    unknown_word(mode, "mode", {"transport", "tunnel"});
    return false;
  }
  t.mode = *m;
  Token ends{{}, {sc_.pos(), sc_.pos()}};
  Token level{{}, {sc_.pos(), sc_.pos()}};
  if (sc_.peek_raw() == '/') {
    sc_.accept('/');
    ends = sc_.until_any("/;");
    if (sc_.peek_raw() == '/') {
      sc_.accept('/');
      if (sc_.peek_raw() != ';' && sc_.peek_raw() != ' ' && sc_.peek_raw() != '\t' && sc_.peek_raw() != '\n')
        level = sc_.word();
    }
  }
  if (!ends.empty() && !request_endpoints(ends, p.dir, t)) return false;
  if (t.mode == model::Mode::tunnel && t.dst.is_unspec()) {
    error(mode.range, "a tunnel-mode request needs endpoints, as in esp/tunnel/192.0.2.1-192.0.2.2/require");
    return false;
  }
  if (!level.empty()) {
    std::string_view lv = level.text;
    if (lv.starts_with("unique:")) {
      // PF_KEY carried any 32-bit N and both KAME and Linux replaced one above the manual range by a
      // generated reqid instead of refusing it; the tool names the reqid chosen.
      uint64_t reqid;
      if (!parse_number(lv.substr(7), 0xffffffff, reqid) || reqid == 0) {
        error(level.range, fmt::format("invalid '{}': unique:N takes a reqid from 1 to 4294967295 (above {}, a generated "
                                       "one is used instead)",
                                       lv, model::kManualReqidMax));
        return false;
      }
      t.level = model::Level::unique;
      if (reqid > model::kManualReqidMax) {
        out_.replaced_reqids.push_back({p.templates.size(), static_cast<uint32_t>(reqid), level.range});
        reqid = 0;
      }
      t.reqid = static_cast<uint32_t>(reqid);
    } else if (auto l = model::lookup(model::level_names(), lv)) {
      t.level = *l;
    } else {
      unknown_word(level, "level", {"default", "use", "require", "unique"});
      return false;
    }
  }
  if (t.mode == model::Mode::tunnel && t.level == model::Level::use && p.dir == model::Direction::out) {
    error(level.range, "the kernel rejects 'use' on tunnel-mode requests in outbound policies; write 'require'");
    return false;
  }
  return true;
}

bool PolicyParser::request_endpoints(Token tok, model::Direction dir, model::Template& t) {
  std::string_view s = tok.text;
  if (s == "me-any" || s == "any-me") {
    bool ok = s == "me-any" ? dir == model::Direction::out : dir == model::Direction::in;
    if (!ok) {
      error(tok.range, fmt::format("'{}' is only valid in {} policies", s, s == "me-any" ? "out" : "in"));
      return false;
    }
    return true;
  }
  // Split "A[port]-B[port]" at the '-' outside brackets; numeric addresses only, as libipsec.
  size_t dash = std::string_view::npos;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[') ++depth;
    else if (s[i] == ']') --depth;
    else if (s[i] == '-' && depth == 0) { dash = i; break; }
  }
  if (dash == std::string_view::npos) {
    error(tok.range, fmt::format("invalid endpoints '{}' (expected source-destination)", s));
    return false;
  }
  auto one = [&](std::string_view part, diag::Offset offset, model::Address& a, uint16_t& port) {
    diag::SourceRange r{tok.range.begin + offset, tok.range.begin + offset + static_cast<diag::Offset>(part.size())};
    std::string_view host = part;
    if (auto lb = part.find('['); lb != std::string_view::npos) {
      host = part.substr(0, lb);
      auto rb = part.find(']', lb);
      uint64_t v;
      if (rb == std::string_view::npos || !parse_number(part.substr(lb + 1, rb - lb - 1), 65535, v)) {
        error(r, fmt::format("invalid port in '{}'", part));
        return false;
      }
      port = static_cast<uint16_t>(v);
    }
    auto addr = model::Address::parse(host);
    if (!addr) {
      error(r, fmt::format("'{}' is not a numeric IPv4 or IPv6 address", host));
      return false;
    }
    a = *addr;
    return true;
  };
  if (!one(s.substr(0, dash), 0, t.src, t.src_port) ||
      !one(s.substr(dash + 1), static_cast<diag::Offset>(dash + 1), t.dst, t.dst_port))
    return false;
  if (t.src.family != t.dst.family) {
    error(tok.range, "the two endpoints are of different address families");
    return false;
  }
  if (t.src_port || t.dst_port)
    sink_.warning(tok.range, "ports on request endpoints are ignored: XFRM templates carry none (NAT-T ports belong to the esp-udp SA)");
  t.family = t.src.family;
  return true;
}

}  // namespace

Outcome parse_at(text::Scanner& scanner, diag::DiagnosticSink& sink, const Grammar& grammar, model::Policy& policy) {
  Outcome out;
  out.ok = PolicyParser(scanner, sink, grammar, out).policy_spec(policy);
  return out;
}

std::optional<model::Policy> parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink) {
  // A socket policy's unique:N above the range is a plain unique (reqid 0): the outcome's list is not needed.
  Outcome unused;
  return parse(source, sink, unused);
}

std::optional<model::Policy> parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, Outcome& r) {
  text::Scanner sc(source.text());
  model::Policy p;
  size_t errors = sink.error_count();
  r = parse_at(sc, sink, Grammar{}, p);
  auto here = [&] { sc.skip_space(); return diag::SourceRange{sc.pos(), sc.pos() + 1}; };
  if (!r.ok) {
    if (sink.error_count() == errors) sink.error(here(), "invalid policy");
    return std::nullopt;
  }
  if (r.direction_only) {
    sink.error(here(), "expected an action after the direction (discard, none, ipsec, entrust or bypass)");
    return std::nullopt;
  }
  sc.accept(';');
  if (!sc.at_end()) {
    sink.error(here(), "unexpected text after the policy");
    return std::nullopt;
  }
  return p;
}

}  // namespace xfrmpp::policy_string
