// SPDX-License-Identifier: BSD-3-Clause
#include "parser.hpp"

#include <fmt/format.h>
#include <netdb.h>

#include <array>
#include <cstdint>
#include <string>

#include "xfrmpp/model/names.hpp"
#include "xfrmpp/policy_string.hpp"

namespace xfrmpp::parsers::setkey {

using model::Family;

namespace {

constexpr std::array<std::string_view, 21> kCommands = {
    "add", "update", "get", "delete", "deleteall", "getspi", "flush", "dump",
    "spdadd", "spdupdate", "spddelete", "spdflush", "spddump", "exit", "quit", "bye",
    // Linux extensions: host default policy, SPD hash thresholds, table counts.
    "spdsetdefault", "spdgetdefault", "spdhthresh", "spdinfo", "sadinfo"};

std::vector<std::string_view> names_of(std::span<const std::string_view> a) { return {a.begin(), a.end()}; }

bool is_address_option(std::string_view w) {
  if (w.size() < 2 || w[0] != '-') return false;
  for (char c : w.substr(1))
    if (c != '4' && c != '6' && c != 'n') return false;
  return true;
}

}  // namespace

std::vector<std::string_view> command_names() { return names_of(kCommands); }

bool is_command(std::string_view word) {
  for (auto c : kCommands)
    if (c == word) return true;
  return false;
}

bool Parser::number(Token tok, uint64_t max, uint64_t& out, std::string_view what) {
  if (tok.empty()) {
    error(here(), fmt::format("expected {}", what));
    return false;
  }
  if (!parse_number(tok.text, max, out)) {
    // The largest 64-bit value is written 2^64-1: its 20 digits could be the digits of a key elsewhere in
    // the input, and a diagnostic must never show text that looks like key material.
    std::string top = max == UINT64_MAX ? std::string("2^64-1") : std::to_string(max);
    error(tok.range, fmt::format("invalid {} '{}' (a number from 0 to {})", what, tok.text, top));
    return false;
  }
  return true;
}

bool Parser::expect_semicolon() {
  if (sc_.accept(';')) {
    ended_ = true;
    return true;
  }
  sc_.skip_space();
  if (sc_.at_end()) {
    // Point just after the statement's last character, not at the end of the file.
    error(end_of_previous(sc_.pos()), "missing ';' at the end of the statement");
  } else {
    Token t = sc_.word();
    if (t.empty()) t = Token{sc_.text().substr(sc_.pos(), 1), {sc_.pos(), sc_.pos() + 1}};
    error(t.range, fmt::format("unexpected '{}' (expected ';')", t.text));
  }
  return false;
}

void Parser::run(const StatementHandler& handler) {
  // Every key of the script is known before the first diagnostic (the sink scans when one comes), so none
  // can be echoed, whatever fails.
  sink_.add_secrets_lazily(source_.text(), key_material);
  bool stop = false;
  while (!stop && !sc_.at_end()) {
    size_t errors_before = sink_.error_count();
    ended_ = false;
    if (!statement(handler, stop)) {
      if (sink_.error_count() == errors_before) error(here(), "syntax error");
      if (!ended_) sc_.recover_to_semicolon();
    }
  }
}

bool Parser::statement(const StatementHandler& handler, bool& stop) {
  diag::Offset start = (sc_.skip_space(), sc_.pos());
  Token cmd = sc_.word();
  if (cmd.empty()) {
    char c = sc_.peek_raw();
    if (c == ';') {  // an empty statement is harmless
      sc_.accept(';');
      return true;
    }
    if (c == '\\') {
      error({start, start + 1}, "a backslash does not continue a line in setkey; statements end with ';' and may span lines");
      return false;
    }
    error({start, start + 1}, fmt::format("unexpected '{}' (expected a command)", c));
    return false;
  }
  const auto& t = cmd.text;
  model::Statement st;
  if (t == "exit" || t == "quit" || t == "bye") {
    stop = true;
    sc_.accept(';');
    return true;
  }
  if (t == "spdflush" || t == "spddump") {
    if (!expect_semicolon()) return false;
    st.op = t == "spdflush" ? model::Operation{model::FlushPolicies{}} : model::Operation{model::DumpPolicies{}};
  } else if (t == "flush" || t == "dump") {
    std::optional<model::Protocol> proto;
    if (sc_.peek() != ';') {
      Token p = sc_.word();
      auto v = model::lookup(model::protocol_names(), p.text);
      if (!v) {
        unknown_word(p, "protocol", {"esp", "ah", "ipcomp"});
        return false;
      }
      proto = *v;
    }
    if (!expect_semicolon()) return false;
    if (t == "flush")
      st.op = model::FlushSas{proto};
    else
      st.op = model::DumpSas{proto};
  } else if (t == "spdgetdefault" || t == "spdinfo" || t == "sadinfo") {
    if (!expect_semicolon()) return false;
    if (t == "spdgetdefault") st.op = model::GetDefaultPolicy{};
    else if (t == "spdinfo") st.op = model::GetSpdInfo{};
    else st.op = model::GetSadInfo{};
  } else if (t == "spdsetdefault") {
    if (!default_policy_spec(st)) return false;
  } else if (t == "spdhthresh") {
    if (!hash_threshold_spec(st)) return false;
  } else if (t == "spdadd" || t == "spdupdate" || t == "spddelete") {
    if (!spd_statement(t, start, st)) return false;
  } else if (t == "add" || t == "update" || t == "get" || t == "delete" || t == "deleteall" || t == "getspi") {
    if (!sa_statement(t, start, st)) return false;
  } else {
    unknown_word(cmd, "command", names_of(kCommands));
    return false;
  }
  st.range = {start, sc_.pos()};
  handler(std::move(st));
  return true;
}

bool Parser::default_policy_spec(model::Statement& st) {
  // spdsetdefault [in|fwd|out accept|block]... ; BSD's def_policy spellings none/discard are accepted.
  model::DefaultPolicy d;
  bool any = false;
  while (sc_.peek() != ';' && !sc_.at_end()) {
    Token dir = sc_.word();
    auto dv = model::lookup(model::direction_names(), dir.text);
    if (!dv) {
      unknown_word(dir, "policy direction", {"in", "out", "fwd"});
      return false;
    }
    Token act = sc_.word();
    std::optional<model::PolicyAction> a;
    if (act.text == "accept" || act.text == "none") a = model::PolicyAction::allow;
    else if (act.text == "block" || act.text == "discard") a = model::PolicyAction::block;
    else {
      unknown_word(act, "default action", {"accept", "block", "none", "discard"});
      return false;
    }
    (*dv == model::Direction::in ? d.in : *dv == model::Direction::out ? d.out : d.fwd) = a;
    any = true;
  }
  if (!any) {
    error(here(), "expected a direction and an action, as in: spdsetdefault in block out accept;");
    return false;
  }
  if (!expect_semicolon()) return false;
  st.op = model::SetDefaultPolicy{d};
  return true;
}

bool Parser::hash_threshold_spec(model::Statement& st) {
  // spdhthresh hthresh4 LBITS RBITS [hthresh6 LBITS RBITS];
  model::SetSpdHashThresholds h;
  while (sc_.peek() != ';' && !sc_.at_end()) {
    Token kw = sc_.word();
    bool six = kw.text == "hthresh6";
    if (!six && kw.text != "hthresh4") {
      unknown_word(kw, "keyword", {"hthresh4", "hthresh6"});
      return false;
    }
    uint64_t l, r;
    uint64_t max = six ? 128 : 32;
    if (!number(sc_.word(), max, l, "local prefix bits") || !number(sc_.word(), max, r, "remote prefix bits")) return false;
    (six ? h.v6_lbits : h.v4_lbits) = static_cast<uint8_t>(l);
    (six ? h.v6_rbits : h.v4_rbits) = static_cast<uint8_t>(r);
    (six ? h.v6 : h.v4) = true;
  }
  if (!h.v4 && !h.v6) {
    error(here(), "expected hthresh4 LBITS RBITS and/or hthresh6 LBITS RBITS");
    return false;
  }
  if (!expect_semicolon()) return false;
  st.op = h;
  return true;
}

bool Parser::address_options(Family& hint) {
  numeric_ = false;
  for (;;) {
    diag::Offset save = (sc_.skip_space(), sc_.pos());
    if (sc_.peek_raw() != '-') return true;
    Token w = sc_.word();
    if (!is_address_option(w.text)) {
      sc_.set_pos(save);
      return true;
    }
    bool v4 = w.text.find('4') != std::string_view::npos, v6 = w.text.find('6') != std::string_view::npos;
    numeric_ |= w.text.find('n') != std::string_view::npos;
    if (v4 && v6) hint = Family::unspec;
    else if (v4) hint = Family::inet;
    else if (v6) hint = Family::inet6;
  }
}

bool Parser::host_address(Family hint, bool allow_many, std::vector<model::Address>& out, Token& tok) {
  tok = sc_.word();
  out.clear();
  if (tok.empty()) {
    error(here(), "expected an address");
    return false;
  }
  std::string_view text = tok.text;
  size_t pct = 0;  // a loop rather than find(): see Address::parse
  while (pct < text.size() && text[pct] != '%') ++pct;
  if (pct < text.size()) {
    sink_.warning(tok.range, "the scope id is ignored: XFRM selectors and SAs carry no interface scope");
    text = text.substr(0, pct);
  }
  if (auto a = model::Address::parse(text)) {
    if (hint != Family::unspec && a->family != hint) {
      error(tok.range, fmt::format("'{}' is not an {} address, but -{} was given", text,
                                   hint == Family::inet ? "IPv4" : "IPv6", hint == Family::inet ? '4' : '6'));
      return false;
    }
    out.push_back(*a);
    return true;
  }
  if (!options_.resolver || numeric_) {
    error(tok.range, fmt::format("'{}' is not a numeric IPv4 or IPv6 address{}", text, numeric_ ? " (-n forbids name lookups)" : ""));
    return false;
  }
  out = options_.resolver(text, hint);
  if (out.empty()) {
    error(tok.range, fmt::format("cannot resolve '{}'", text));
    return false;
  }
  if (!allow_many && out.size() > 1) {
    error(tok.range, fmt::format("'{}' resolves to {} addresses; a policy selector takes exactly one", text, out.size()));
    return false;
  }
  return true;
}

bool Parser::selector_address(Family hint, model::Prefix& out, uint16_t& port, bool& has_port) {
  Token tok;
  if (!host_address(hint, false, scratch_, tok)) return false;
  out.addr = scratch_.front();
  out.len = out.addr.max_prefix();
  if (sc_.accept('/')) {
    Token p = sc_.word();
    uint64_t len;
    if (!number(p, out.addr.max_prefix(), len, out.addr.family == Family::inet ? "IPv4 prefix length" : "IPv6 prefix length"))
      return false;
    out.len = static_cast<uint8_t>(len);
  }
  has_port = false;
  port = 0;
  if (sc_.accept('[')) {
    Token p = sc_.word();
    if (p.text != "any") {
      uint64_t v;
      if (!number(p, 65535, v, "port")) return false;
      port = static_cast<uint16_t>(v);
      has_port = port != 0;
    }
    if (!sc_.accept(']')) {
      error(here(), "expected ']' after the port");
      return false;
    }
  }
  return true;
}

bool Parser::upper_spec(model::Selector& sel, bool has_ports) {
  Token tok = sc_.word();
  if (tok.empty()) {
    error(here(), "expected an upper-layer protocol (any, tcp, udp, icmp, a number...)");
    return false;
  }
  uint64_t num;
  if (tok.text == "any") {
    sel.proto = model::kProtoAny;
  } else if (auto v = model::lookup(model::upper_protocol_names(), tok.text)) {
    sel.proto = *v;
  } else if (parse_number(tok.text, 255, num)) {
    sel.proto = num == 255 ? model::kProtoAny : static_cast<uint8_t>(num);  // 255 is KAME's "any"
  } else {
    std::string name(tok.text);
    protoent ent{}, *res = nullptr;
    char buf[1024];
    if (getprotobyname_r(name.c_str(), &ent, buf, sizeof buf, &res) == 0 && res) {
      sel.proto = static_cast<uint8_t>(res->p_proto);
    } else {
      std::vector<std::string_view> names{"any"};
      for (const auto& k : model::upper_protocol_names()) names.push_back(k.name);
      unknown_word(tok, "upper-layer protocol", names);
      return false;
    }
  }
  bool type_code = model::proto_has_type_code(sel.proto);
  bool gre = sel.proto == 47;
  if (has_ports && (type_code || gre)) {
    error(tok.range, fmt::format("'{}' has no ports; give {} after the protocol instead", tok.text,
                                 gre ? "the GRE key" : "type,code"));
    return false;
  }
  if (has_ports && sel.proto == model::kProtoAny)
    sink_.warning(tok.range, "ports with upper-layer 'any' match only TCP, UDP, SCTP and UDP-Lite packets");
  // upper_misc: ICMP "type[,code]" or a GRE key, written right after the protocol.
  sc_.skip_space();
  char c = sc_.peek_raw();
  if ((type_code || gre) && c >= '0' && c <= '9') {
    Token misc = sc_.word();
    if (type_code) {
      auto comma = misc.text.find(',');
      uint64_t type, code = 0;
      if (!number({misc.text.substr(0, comma), misc.range}, 255, type, "ICMP type")) return false;
      sel.sport = static_cast<uint16_t>(type);
      sel.sport_mask = 0xffff;
      if (comma != std::string_view::npos) {
        if (!number({misc.text.substr(comma + 1), misc.range}, 255, code, "ICMP code")) return false;
        sel.dport = static_cast<uint16_t>(code);
        sel.dport_mask = 0xffff;
      }
    } else {
      uint64_t key;
      if (auto a = model::Address::parse(misc.text); a && a->family == Family::inet) {
        key = (uint64_t{a->bytes[0]} << 24) | (a->bytes[1] << 16) | (a->bytes[2] << 8) | a->bytes[3];
      } else if (!number(misc, 0xffffffff, key, "GRE key")) {
        return false;
      }
      sel.sport = static_cast<uint16_t>(key >> 16);
      sel.dport = static_cast<uint16_t>(key & 0xffff);
      sel.sport_mask = sel.dport_mask = 0xffff;
    }
  }
  return true;
}

bool Parser::security_context(model::SecurityContext& ctx) {
  uint64_t doi, alg;
  if (!number(sc_.word(), 255, doi, "context DOI") || !number(sc_.word(), 255, alg, "context algorithm")) return false;
  bool terminated;
  Token label = sc_.quoted(terminated);
  if (!terminated) {
    error(label.range, "expected a quoted security context label");
    return false;
  }
  ctx = model::SecurityContext{static_cast<uint8_t>(doi), static_cast<uint8_t>(alg), std::string(label.text)};
  return true;
}

bool Parser::mark_value(Token tok, model::Mark& mark) {
  auto slash = tok.text.find('/');
  uint64_t v, m = 0xffffffff;
  if (!number({tok.text.substr(0, slash), tok.range}, 0xffffffff, v, "mark")) return false;
  if (slash != std::string_view::npos && !number({tok.text.substr(slash + 1), tok.range}, 0xffffffff, m, "mark mask"))
    return false;
  mark = {static_cast<uint32_t>(v), static_cast<uint32_t>(m)};
  return true;
}

bool Parser::spd_statement(std::string_view cmd, diag::Offset start, model::Statement& out) {
  (void)start;
  Family hint = Family::unspec;
  if (!address_options(hint)) return false;
  model::Policy p;
  uint16_t sport, dport;
  bool has_sport, has_dport;
  Token src_tok{{}, here()};
  if (!selector_address(hint, p.sel.src, sport, has_sport)) return false;
  Token dst_tok{{}, here()};
  if (!selector_address(hint, p.sel.dst, dport, has_dport)) return false;
  if (p.sel.src.addr.family != p.sel.dst.addr.family) {
    error(dst_tok.range, "source and destination are of different address families");
    return false;
  }
  p.sel.family = p.sel.src.addr.family;
  if (!upper_spec(p.sel, has_sport || has_dport)) return false;
  if (has_sport) { p.sel.sport = sport; p.sel.sport_mask = 0xffff; }
  if (has_dport) { p.sel.dport = dport; p.sel.dport_mask = 0xffff; }
  // Options before -P: ipsec-tools' -ctx plus the Linux extensions -mark and -if_id.
  for (;;) {
    sc_.skip_space();
    if (sc_.peek_raw() == '\\') {
      error(here(), "a backslash does not continue a line in setkey; statements end with ';' and may span lines");
      return false;
    }
    if (sc_.peek_raw() != '-') {
      error(here(), "expected '-P' and a policy");
      return false;
    }
    Token opt = sc_.word();
    if (opt.text == "-P") break;
    if (opt.text == "-ctx") {
      p.ctx.emplace();
      if (!security_context(*p.ctx)) return false;
    } else if (opt.text == "-mark") {
      model::Mark m;
      sc_.skip_space();
      Token v = sc_.until_any(";");
      if (!mark_value(v, m)) return false;
      p.mark = m;
    } else if (opt.text == "-if_id") {
      uint64_t v;
      if (!number(sc_.word(), 0xffffffff, v, "if_id")) return false;
      p.if_id = static_cast<uint32_t>(v);
    } else {
      unknown_word(opt, "option", {"-P", "-ctx", "-mark", "-if_id"});
      return false;
    }
  }
  policy_string::Grammar grammar;
  grammar.socket_actions = grammar.requests_optional = cmd == "spddelete";
  grammar.is_statement_start = is_command;
  policy_string::Outcome parsed = policy_string::parse_at(sc_, sink_, grammar, p);
  if (!parsed.ok) {
    ended_ = parsed.statement_ended;
    return false;
  }
  bool direction_only = parsed.direction_only;
  if (!expect_semicolon()) return false;
  // The kernel stores a template's family as the selector's when none is given; say so up front so a
  // dump compares equal to what was parsed.
  for (auto& t : p.templates)
    if (t.family == Family::unspec) t.family = p.sel.family;
  if (cmd == "spddelete") {
    model::PolicyId id;
    id.sel = p.sel;
    id.dir = p.dir;
    id.mark = p.mark;
    id.if_id = p.if_id;
    id.ctx = p.ctx;
    out.op = model::DeletePolicy{std::move(id)};
  } else {
    if (direction_only) {
      error(src_tok.range, fmt::format("{} needs a policy action after the direction (discard, none or ipsec)", cmd));
      return false;
    }
    out.op = model::AddPolicy{std::move(p), cmd == "spdupdate", std::move(parsed.replaced_reqids)};
  }
  return true;
}

}  // namespace xfrmpp::parsers::setkey
