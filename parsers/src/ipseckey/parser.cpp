// SPDX-License-Identifier: BSD-3-Clause
// ipseckey command parser: the command language of ipseckey.c (parseit, doaddup, dodelget) with its
// messages, building xfrmpp::model SAs. Keys are registered as secrets so no diagnostic echoes them.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "parsers/ipseckey.hpp"
#include "split.hpp"
#include "xfrmpp/model/algorithm.hpp"
#include "xfrmpp/util/number.hpp"

namespace xfrmpp::parsers::ipseckey {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// parsenum(): strtoull(num, 0) over the whole word.
// ipseckey reads numbers as strtoul(s, 0) does: 0x hexadecimal, a leading 0 octal.
std::optional<uint64_t> number(std::string_view s) {
  auto v = util::parse_unsigned(s, UINT64_MAX, util::NumberBase::c_prefix);
  return v ? std::optional<uint64_t>(*v) : std::nullopt;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> solaris_candidates(std::span<const model::AlgKind> kinds) {
  std::vector<std::string_view> v;
  for (const auto& a : model::algorithms()) {
    if (a.solaris_names.empty() || std::find(kinds.begin(), kinds.end(), a.kind) == kinds.end()) continue;
    std::string_view list = a.solaris_names;
    while (!list.empty()) {
      size_t sp = list.find(' ');
      v.push_back(list.substr(0, sp));
      if (sp == std::string_view::npos) break;
      list.remove_prefix(sp + 1);
    }
  }
  return v;
}

constexpr std::array kAuthKinds{model::AlgKind::auth};
constexpr std::array kEncKinds{model::AlgKind::crypt, model::AlgKind::aead};

// Extensions Linux has no place for, and why.
std::string_view unsupported(Ext e) {
  switch (e) {
    case Ext::pair_spi: return "XFRM has no SA pairs; add and delete both SAs";
    case Ext::state: return "Linux SAs are mature once added; larval SAs come only from IKE (ALLOCSPI)";
    case Ext::idle_addtime:
    case Ext::idle_usetime: return "XFRM SAs have no idle lifetime";
    case Ext::srcidtype:
    case Ext::dstidtype: return "XFRM SAs carry no identities; they belong to the IKE daemon";
    case Ext::label:
    case Ext::outer_label:
    case Ext::implicit_label:
    case Ext::sens_level:
    case Ext::sens_map:
    case Ext::integ_level:
    case Ext::integ_map:
    case Ext::dpd: return "Trusted Extensions labels have no XFRM equivalent (Linux uses SELinux contexts)";
    case Ext::flags: return "PF_KEY SA flags have no XFRM equivalent";
    case Ext::current_alloc:
    case Ext::current_bytes:
    case Ext::current_addtime:
    case Ext::current_usetime: return "current lifetimes are counted by the kernel";
    default: return {};
  }
}

class CommandParser {
 public:
  CommandParser(const diag::SourceBuffer& src, diag::DiagnosticSink& sink, const ParseOptions& o, const RawCommand& raw)
      : src_(src), sink_(sink), o_(o), raw_(raw) {}

  bool run(Command& out);

 private:
  void error(const Tok& t, std::string msg, std::vector<std::string> notes = {}) {
    sink_.error(t.range, std::move(msg), std::move(notes));
    ok_ = false;
  }
  void warning(const Tok& t, std::string msg, std::vector<std::string> notes = {}) { sink_.warning(t.range, std::move(msg), std::move(notes)); }
  const Tok* next() { return i_ < raw_.toks.size() ? &raw_.toks[i_++] : nullptr; }
  const Tok* value(const Tok& kw, std::string_view expecting) {
    const Tok* v = next();
    if (!v) error(kw, fmt::format("Unexpected end of command line, was expecting {}.", expecting));
    return v;
  }
  std::optional<uint64_t> num(const Tok& kw, uint64_t max) {
    const Tok* v = value(kw, "a number");
    if (!v) return std::nullopt;
    auto n = number(v->text);
    if (!n) {
      error(*v, fmt::format("Expecting a number, not \"{}\"!", v->text));
      return std::nullopt;
    }
    if (*n > max) {
      error(*v, fmt::format("{} is too large for {} (at most {})", v->text, kw.text, max));
      return std::nullopt;
    }
    return n;
  }
  bool satype(Command& c);
  bool sa_command(Command& c);
  std::vector<model::Address> addresses(const Tok& kw, const Tok& v, bool v6only, std::optional<uint8_t>* prefix);
  bool key(const Tok& kw, const Tok& v, std::vector<uint8_t>& bytes, uint32_t& bits, uint32_t salt_bits);
  const model::AlgorithmInfo* algorithm(const Tok& v, bool enc);

  const diag::SourceBuffer& src_;
  diag::DiagnosticSink& sink_;
  const ParseOptions& o_;
  const RawCommand& raw_;
  size_t i_ = 0;
  bool ok_ = true;
};

bool CommandParser::run(Command& c) {
  c.range = raw_.range;
  // Whatever goes wrong below, the word after authkey/encrkey is never shown.
  for (size_t k = 0; k + 1 < raw_.toks.size(); ++k)
    if (raw_.toks[k].text == "authkey" || raw_.toks[k].text == "encrkey") sink_.secret(raw_.toks[k + 1].range);
  const Tok& cmd = *next();
  auto k = model::lookup(command_names(), cmd.text);
  if (!k) {
    std::vector<std::string_view> names;
    for (const auto& x : command_names()) names.push_back(x.name);
    std::vector<std::string> notes;
    if (auto s = diag::suggest(cmd.text, names); !s.empty()) notes.push_back(fmt::format("did you mean '{}'?", s));
    error(cmd, fmt::format("Unknown command ({}).", cmd.text), std::move(notes));
    return false;
  }
  c.cmd = *k;
  switch (c.cmd) {
    case Cmd::help:
      if (o_.from_file) {
        error(cmd, "Help not appropriate in config file.");
        return false;
      }
      if (const Tok* t = next()) c.help_topic = std::string(t->text);
      return true;
    case Cmd::monitor:
    case Cmd::passive_monitor:
      if (o_.from_file) {
        error(cmd, "Monitor not appropriate in config file.");
        return false;
      }
      return true;
    case Cmd::quit: return true;
    case Cmd::update_pair:
    case Cmd::delete_pair:
      error(cmd, fmt::format("{} is not supported on Linux: XFRM has no SA pairs", cmd.text),
            {c.cmd == Cmd::update_pair ? "run update for each SA of the pair" : "run delete for each SA of the pair"});
      return false;
    default: break;
  }
  if ((c.cmd == Cmd::add || c.cmd == Cmd::update) && !o_.interactive) {
    error(cmd, "can't do ADD or UPDATE from the command line.", {"keys on the command line would show in ps(1): use ipseckey -f FILE or the ipseckey> prompt"});
    return false;
  }
  if ((c.cmd == Cmd::dump || c.cmd == Cmd::save) && o_.from_file) {
    error(cmd, fmt::format("{} not appropriate in config file.", c.cmd == Cmd::dump ? "Dump" : "Save"));
    return false;
  }
  if (!satype(c)) return false;
  switch (c.cmd) {
    case Cmd::flush:
    case Cmd::dump:
      if (const Tok* extra = next()) {
        error(*extra, fmt::format("Too many arguments for {} command", cmd.text));
        return false;
      }
      return true;
    case Cmd::save:
      if (const Tok* f = next()) c.save_file = std::string(f->text);
      if (const Tok* extra = next()) {
        error(*extra, "Too many arguments for save command");
        return false;
      }
      return true;
    default: return sa_command(c);
  }
}

bool CommandParser::satype(Command& c) {
  const Tok* t = i_ < raw_.toks.size() ? &raw_.toks[i_] : nullptr;
  bool needs = c.cmd == Cmd::add || c.cmd == Cmd::update || c.cmd == Cmd::del || c.cmd == Cmd::get || c.cmd == Cmd::save;
  if (!t) {
    if (c.cmd == Cmd::save) error(raw_.toks.front(), "Must specify a specific SA type for save.");
    else if (needs) error(raw_.toks.front(), c.cmd == Cmd::add || c.cmd == Cmd::update ? "Must specify a specific SA type." : "Must specify a single SA type.");
    return ok_;
  }
  std::string name = lower(t->text);
  bool found = false;
  for (const auto& k : sa_type_names())
    if (k.name == name) {
      c.satype = k.value;
      found = true;
    }
  if (!found) {
    auto n = number(t->text);
    if (n && (*n == 0 || *n == 2 || *n == 3)) {  // SADB_SATYPE_UNSPEC, AH, ESP
      found = true;
      if (*n) c.satype = *n == 2 ? model::Protocol::ah : model::Protocol::esp;
    }
  }
  if (!found) {
    std::vector<std::string> notes;
    if (model::lookup(extension_names(), t->text)) notes.push_back(fmt::format("the SA type (ah or esp) goes right after '{}'", raw_.toks.front().text));
    error(*t, fmt::format("Unknown SA type ({}).", t->text), std::move(notes));
    return false;
  }
  ++i_;
  if (!c.satype && needs && c.cmd != Cmd::save) {
    error(*t, c.cmd == Cmd::add || c.cmd == Cmd::update ? "Must specify a specific SA type." : "Must specify a single SA type.");
    return false;
  }
  return true;
}

std::vector<model::Address> CommandParser::addresses(const Tok& kw, const Tok& v, bool v6only, std::optional<uint8_t>* prefix) {
  std::string_view text = v.text;
  if (prefix) {
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
      auto p = number(text.substr(slash + 1));
      if (!p || *p > 128) {
        error(v, fmt::format("Invalid prefix {}.", text.substr(slash)));
        return {};
      }
      *prefix = static_cast<uint8_t>(*p);
      text = text.substr(0, slash);
    }
  }
  std::vector<model::Address> out;
  if (auto a = model::Address::parse(text)) {
    out.push_back(*a);
  } else if (!o_.numeric && o_.resolve_host) {
    out = o_.resolve_host(text);
  }
  if (v6only) std::erase_if(out, [](const model::Address& a) { return a.family != model::Family::inet6; });
  if (out.empty()) {
    std::string what = kw.text.starts_with("src") || kw.text.starts_with("saddr") ? "src"
                       : kw.text.starts_with("d")                                   ? "dst"
                                                                                    : std::string(kw.text);
    error(v, fmt::format("Unknown {} address \"{}\"", what, text),
          {o_.numeric ? "-n forbids name lookups" : v6only ? fmt::format("{} wants an IPv6 address", kw.text) : "not a numeric address, and no name resolves to it"});
  }
  if (prefix && *prefix && !out.empty() && **prefix > out.front().max_prefix()) {
    error(v, fmt::format("Invalid prefix /{}.", **prefix));
    return {};
  }
  return out;
}

// HEX[/bits]. `salt_bits` (reserved_bits) more bits follow the /bits of key in the hex digits.
bool CommandParser::key(const Tok& kw, const Tok& v, std::vector<uint8_t>& bytes, uint32_t& bits, uint32_t salt_bits) {
  sink_.secret(v.range);  // before anything can fail: a key is never echoed
  std::string_view s = v.text;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  std::string_view hex = s.substr(0, s.find('/'));
  uint32_t hexbits = static_cast<uint32_t>(hex.size() * 4);
  bits = 0;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    auto b = number(s.substr(slash + 1));
    if (!b || b > 65535) {
      // The text after '/' is part of the key word: quote it only while it is short enough to be a bit count.
      std::string_view spec = s.substr(slash + 1);
      error(v, fmt::format("\"{}\" is not a bit specifier.", spec.size() <= 5 ? spec : std::string_view("<key>")));
      return false;
    }
    bits = static_cast<uint32_t>(*b);
    uint32_t want = bits + salt_bits;
    if ((want + 3) / 4 > hex.size()) {
      error(v, fmt::format("bit length {} is too big for the {} hex digits of the {}.", want, hex.size(), kw.text));
      return false;
    }
    if (hexbits > want + 3) {
      warning(v, fmt::format("WARNING: Lower bits will be truncated: the {} has {} bits of hex digits, /{} keeps the first {}.", kw.text, hexbits, bits, want));
      hex = hex.substr(0, (want + 3) / 4);
    }
  }
  for (char ch : hex)
    if (hex_digit(ch) < 0) {
      error(v, fmt::format("the {} is not a hex string", kw.text));
      return false;
    }
  if (hex.empty()) {
    error(v, fmt::format("the {} has no hex digits", kw.text));
    return false;
  }
  bool explicit_bits = bits != 0;
  if (!explicit_bits) bits = static_cast<uint32_t>((hex.size() + (hex.size() & 1)) * 4);  // "123" is 0x1230
  uint32_t total = explicit_bits ? bits + salt_bits : bits;
  if (total % 8) {
    error(v, fmt::format("a {}-bit key is not a whole number of bytes; Linux algorithms take whole-byte keys", total));
    return false;
  }
  if (!explicit_bits && salt_bits) bits -= std::min(bits, salt_bits);  // no /bits: the digits hold key and salt
  bytes.assign(total / 8, 0);
  for (size_t k = 0; k < hex.size() && k / 2 < bytes.size(); ++k)
    bytes[k / 2] |= static_cast<uint8_t>(hex_digit(hex[k]) << (k % 2 ? 0 : 4));
  return true;
}

const model::AlgorithmInfo* CommandParser::algorithm(const Tok& v, bool enc) {
  std::span<const model::AlgKind> kinds = enc ? std::span<const model::AlgKind>(kEncKinds) : std::span<const model::AlgKind>(kAuthKinds);
  std::string name = lower(v.text);
  if (const auto* a = model::find_solaris_algorithm(name, kinds); a && !a->kernel_name.empty()) return a;
  if (auto n = number(v.text); n && *n <= 255) {
    for (const auto& a : model::algorithms())
      if (!a.solaris_names.empty() && !a.kernel_name.empty() && a.sadb_id == *n &&
          std::find(kinds.begin(), kinds.end(), a.kind) != kinds.end())
        return &a;
  }
  std::vector<std::string> notes;
  if (auto s = diag::suggest(name, solaris_candidates(kinds)); !s.empty()) notes.push_back(fmt::format("did you mean '{}'?", s));
  error(v, fmt::format("Unknown {} algorithm type \"{}\"", enc ? "encryption" : "authentication", v.text), std::move(notes));
  return nullptr;
}

bool CommandParser::sa_command(Command& c) {
  bool addup = c.cmd == Cmd::add || c.cmd == Cmd::update;
  std::string_view thiscmd = raw_.toks.front().text;
  std::optional<uint32_t> spi;
  std::vector<model::Address> src, dst, isrc, idst, nat_loc, nat_rem;
  std::optional<uint8_t> isrc_prefix, idst_prefix;
  const Tok *src_tok = nullptr, *dst_tok = nullptr, *isrc_tok = nullptr, *idst_tok = nullptr;
  uint16_t sport = 0, dport = 0, isport = 0, idport = 0, nat_lport = 0, nat_rport = 0;
  uint8_t proto = 0, iproto = 0;
  bool have_proto = false, have_iproto = false, inner = false, encap = false, inbound = false;
  const model::AlgorithmInfo *auth = nullptr, *enc = nullptr;
  const Tok *auth_tok = nullptr, *enc_tok = nullptr, *authkey_tok = nullptr, *encrkey_tok = nullptr, *proto_tok = nullptr;
  std::vector<uint8_t> authkey, encrkey;
  uint32_t authbits = 0, encrbits = 0, reserved_bits = 0;
  std::optional<uint32_t> replay, replay_value;
  model::LifetimeLimits lim;
  Given given;
  // A repeated extension is an error; its value is skipped so it does not read as the next extension.
  auto once = [&](bool seen, const Tok& kw, std::string_view what) {
    if (seen) {
      error(kw, fmt::format("Can only specify single {}.", what));
      if (const Tok* v = next(); v && (kw.text == "authkey" || kw.text == "encrkey")) sink_.secret(v->range);
    }
    return !seen;
  };
  while (const Tok* kwp = next()) {
    const Tok& kw = *kwp;
    auto e = model::lookup(extension_names(), kw.text);
    if (!e) {
      std::vector<std::string_view> names;
      for (const auto& x : extension_names()) names.push_back(x.name);
      std::vector<std::string> notes;
      if (auto s = diag::suggest(kw.text, names); !s.empty()) notes.push_back(fmt::format("did you mean '{}'?", s));
      error(kw, fmt::format("Unknown extension field \"{}\"", kw.text), std::move(notes));
      next();  // its value, if it has one, would only cascade
      continue;
    }
    if (auto why = unsupported(*e); !why.empty()) {
      error(kw, fmt::format("{} is not supported on Linux: {}", kw.text, why));
      if (*e == Ext::srcidtype || *e == Ext::dstidtype) next();
      next();
      continue;
    }
    bool delget_ok = *e == Ext::spi || *e == Ext::src || *e == Ext::src6 || *e == Ext::dst || *e == Ext::dst6 || *e == Ext::sport ||
                     *e == Ext::dport || *e == Ext::proto || *e == Ext::inbound || *e == Ext::outbound;
    if (!addup && !delget_ok) {
      error(kw, fmt::format("Don't use extension {} for '{}' command.", kw.text, thiscmd));
      if (const Tok* v = next(); v && (*e == Ext::authkey || *e == Ext::encrkey)) sink_.secret(v->range);
      continue;
    }
    switch (*e) {
      case Ext::spi: {
        if (!once(spi.has_value(), kw, "SPI value")) break;
        auto n = num(kw, 0xffffffff);
        if (!n) break;
        if (*n == 0) {
          error(raw_.toks[i_ - 1], "Invalid SPI value \"0\" .");
          break;
        }
        spi = static_cast<uint32_t>(*n);
        break;
      }
      case Ext::replay:
        if (!once(replay.has_value(), kw, "replay window size")) break;
        if (auto n = num(kw, 4096)) {
          replay = static_cast<uint32_t>(*n);
          if (*n) warning(raw_.toks[i_ - 1], "WARNING:  Replay with manual keying considered harmful.");
        }
        break;
      case Ext::replay_value:
        if (!once(replay_value.has_value(), kw, "replay value")) break;
        if (auto n = num(kw, 0xffffffff)) replay_value = static_cast<uint32_t>(*n);
        break;
      case Ext::reserved_bits:
        if (encrkey_tok) error(kw, "Reserved bits need to be specified before key.");
        if (auto n = num(kw, 256)) reserved_bits = static_cast<uint32_t>(*n);
        break;
      case Ext::auth_alg:
        if (!once(auth_tok != nullptr, kw, "auth algorithm")) break;
        if (const Tok* v = value(kw, "an algorithm name")) {
          auth_tok = v;
          auth = algorithm(*v, false);
        }
        break;
      case Ext::encr_alg:
        if (c.satype == model::Protocol::ah) {
          error(kw, "Cannot specify encryption with SA type ah.");
          next();
          break;
        }
        if (!once(enc_tok != nullptr, kw, "encryption algorithm")) break;
        if (const Tok* v = value(kw, "an algorithm name")) {
          enc_tok = v;
          enc = algorithm(*v, true);
          if (enc && enc->kind == model::AlgKind::aead)
            warning(*v, fmt::format("Using manual keying with a Counter mode algorithm such as \"{}\" may be insecure!", v->text),
                    {"the same key and nonce must never protect two packets; rekey before the counter wraps"});
        }
        break;
      case Ext::authkey:
      case Ext::encrkey: {
        bool is_auth = *e == Ext::authkey;
        if (!once(is_auth ? authkey_tok != nullptr : encrkey_tok != nullptr, kw, is_auth ? "authentication key" : "encryption key")) break;
        if (const Tok* v = value(kw, "a key")) {
          (is_auth ? authkey_tok : encrkey_tok) = v;
          key(kw, *v, is_auth ? authkey : encrkey, is_auth ? authbits : encrbits, is_auth ? 0 : reserved_bits);
        }
        break;
      }
      case Ext::soft_alloc:
      case Ext::hard_alloc:
      case Ext::soft_bytes:
      case Ext::hard_bytes:
      case Ext::soft_addtime:
      case Ext::hard_addtime:
      case Ext::soft_usetime:
      case Ext::hard_usetime: {
        auto n = num(kw, UINT64_MAX);
        if (!n) break;
        // 0 means "no limit", as in PF_KEY.
        switch (*e) {
          case Ext::soft_alloc: lim.soft_packets = *n ? *n : model::kInfinite; given.soft_packets = true; break;
          case Ext::hard_alloc: lim.hard_packets = *n ? *n : model::kInfinite; given.hard_packets = true; break;
          case Ext::soft_bytes: lim.soft_bytes = *n ? *n : model::kInfinite; given.soft_bytes = true; break;
          case Ext::hard_bytes: lim.hard_bytes = *n ? *n : model::kInfinite; given.hard_bytes = true; break;
          case Ext::soft_addtime: lim.soft_add_seconds = *n; given.soft_add = true; break;
          case Ext::hard_addtime: lim.hard_add_seconds = *n; given.hard_add = true; break;
          case Ext::soft_usetime: lim.soft_use_seconds = *n; given.soft_use = true; break;
          case Ext::hard_usetime: lim.hard_use_seconds = *n; given.hard_use = true; break;
          default: break;
        }
        break;
      }
      case Ext::src:
      case Ext::src6:
      case Ext::dst:
      case Ext::dst6: {
        bool is_src = *e == Ext::src || *e == Ext::src6;
        if (!once(is_src ? src_tok != nullptr : dst_tok != nullptr, kw, is_src ? "source address" : "destination address")) break;
        if (const Tok* v = value(kw, "an address")) {
          (is_src ? src_tok : dst_tok) = v;
          (is_src ? src : dst) = addresses(kw, *v, *e == Ext::src6 || *e == Ext::dst6, nullptr);
        }
        break;
      }
      case Ext::isrc:
      case Ext::isrc6:
      case Ext::idst:
      case Ext::idst6: {
        bool is_src = *e == Ext::isrc || *e == Ext::isrc6;
        if (!once(is_src ? isrc_tok != nullptr : idst_tok != nullptr, kw, is_src ? "proxy/inner-source address" : "inner-destination address")) break;
        if (const Tok* v = value(kw, "an address")) {
          (is_src ? isrc_tok : idst_tok) = v;
          auto& slot = is_src ? isrc : idst;
          slot = addresses(kw, *v, *e == Ext::isrc6 || *e == Ext::idst6, is_src ? &isrc_prefix : &idst_prefix);
          if (slot.size() > 1) {
            // ipseckey.c drops a "vague" inner address and quietly makes a transport-mode SA; refuse instead.
            error(*v, fmt::format("{} is vague ({} addresses): an inner address must be one address or prefix", v->text, slot.size()));
            slot.clear();
          }
          inner = true;
        }
        break;
      }
      case Ext::sport:
      case Ext::dport:
      case Ext::isport:
      case Ext::idport:
      case Ext::nat_lport:
      case Ext::nat_rport: {
        uint16_t& slot = *e == Ext::sport ? sport : *e == Ext::dport ? dport : *e == Ext::isport ? isport
                        : *e == Ext::idport ? idport : *e == Ext::nat_lport ? nat_lport : nat_rport;
        std::string_view what = *e == Ext::sport ? "source port" : *e == Ext::dport ? "destination port"
                              : *e == Ext::isport ? "inner-source port" : *e == Ext::idport ? "inner-destination port"
                              : *e == Ext::nat_lport ? "NAT-T local port" : "NAT-T remote port";
        if (!once(slot != 0, kw, what)) break;
        if (auto n = num(kw, 65535)) slot = static_cast<uint16_t>(*n);
        if (*e == Ext::isport || *e == Ext::idport) inner = true;
        break;
      }
      case Ext::proto:
      case Ext::iproto: {
        bool is_inner = *e == Ext::iproto;
        if (!once(is_inner ? have_iproto : have_proto, kw, is_inner ? "inner protocol" : "protocol")) break;
        if (auto n = num(kw, 255)) {
          (is_inner ? iproto : proto) = static_cast<uint8_t>(*n);
          (is_inner ? have_iproto : have_proto) = true;
          if (!is_inner) proto_tok = &raw_.toks[i_ - 1];
        }
        if (is_inner) inner = true;
        break;
      }
      case Ext::nat_loc:
      case Ext::nat_rem: {
        auto& slot = *e == Ext::nat_loc ? nat_loc : nat_rem;
        if (!once(!slot.empty(), kw, *e == Ext::nat_loc ? "NAT-T local address" : "NAT-T remote address")) break;
        if (const Tok* v = value(kw, "an address")) {
          slot = addresses(kw, *v, false, nullptr);
          if (slot.size() > 1) {
            warning(*v, fmt::format("NAT-T {} address {} is vague, not using.", *e == Ext::nat_loc ? "local" : "remote", v->text));
            slot.clear();
          }
        }
        break;
      }
      case Ext::encap: {
        if (!once(encap, kw, "encapsulation")) break;
        const Tok* v = value(kw, "an encapsulation");
        if (!v) break;
        if (v->text != "udp") {
          error(*v, "Can only specify udp encapsulation.");
          break;
        }
        encap = true;
        break;
      }
      case Ext::inbound: inbound = true; break;
      case Ext::outbound: inbound = false; break;
      default: error(kw, fmt::format("Don't use extension {} for add/update.", kw.text)); break;
    }
  }

  // Requirements (doaddup / dodelget).
  if (!spi && ok_) error(raw_.toks.front(), fmt::format("The SPI value is missing for the association you wish to {}.", thiscmd));
  if (dst.empty() && !dst_tok && ok_)
    error(raw_.toks.front(), fmt::format("Need destination address for {}.", thiscmd),
          {"XFRM finds an SA by destination address, SPI and protocol"});
  if (c.cmd == Cmd::add && ok_) {
    if (!auth_tok && !enc_tok) error(raw_.toks.front(), "Select at least one algorithm for this add.");
    else if (!authkey_tok && !encrkey_tok && !(enc && enc->kernel_name == "ecb(cipher_null)" && !auth_tok))
      error(raw_.toks.front(), "Must have at least one key for an add.");
  }
  if (!encap && (nat_lport || nat_rport)) error(raw_.toks.front(), "Must specify 'encap udp' with any NAT-T port.");
  else if (!encap && (!nat_loc.empty() || !nat_rem.empty())) error(raw_.toks.front(), "Must specify 'encap udp' with any NAT-T address.");
  if (encap && c.satype == model::Protocol::ah) error(raw_.toks.front(), "UDP encapsulation is for ESP SAs only");
  if (!addup && (auth_tok || enc_tok)) error(raw_.toks.front(), "internal: algorithms on delete/get");

  // Algorithms and keys: XFRM needs both of a pair (PF_KEY lets the kernel complain later).
  model::SecurityAssociation base;
  base.proto = c.satype.value_or(model::Protocol::esp);
  base.spi = spi.value_or(0);
  if (addup && ok_) {
    if (auth && !authkey_tok) error(*auth_tok, fmt::format("auth_alg {} needs an authkey", auth_tok->text));
    if (authkey_tok && !auth_tok) error(*authkey_tok, "authkey needs an auth_alg");
    if (enc && enc->kernel_name == "ecb(cipher_null)") {
      if (encrkey_tok) error(*encrkey_tok, "Cannot specify a key with NULL encryption algorithm.");
    } else if (enc && !encrkey_tok) {
      error(*enc_tok, fmt::format("encr_alg {} needs an encrkey", enc_tok->text));
    }
    if (encrkey_tok && !enc_tok) error(*encrkey_tok, "encrkey needs an encr_alg");
    if (auth && authkey_tok && ok_) {
      if (!model::key_length_ok(*auth, authbits)) {
        if (model::hmac_block_bits(*auth))
          error(*authkey_tok, fmt::format("{} takes a key of 8 to {} bits in whole bytes ({} is the RFC's length), not {}",
                                          auth_tok->text, model::accepted_max_key_bits(*auth), auth->min_key_bits, authbits));
        else
          error(*authkey_tok, fmt::format("{} takes a {}-bit key, not {}", auth_tok->text, auth->min_key_bits, authbits));
      } else if (auto w = model::key_length_warning(*auth, authbits); !w.empty()) {
        warning(*auth_tok, std::move(w));
      }
      base.auth = model::AlgorithmSetting{std::string(auth->kernel_name), authkey, auth->icv_bits};
      given.auth = true;
    }
    if (enc && ok_) {
      uint32_t total = encrbits;
      if (reserved_bits) {
        // Solaris form: /bits counts the key without its salt, reserved_bits the salt after it.
        if (encrkey.size() * 8 < encrbits + reserved_bits) {
          error(*encrkey_tok, fmt::format("reserved_bits {}: the encrkey must hold {} key bits and {} salt bits", reserved_bits, encrbits, reserved_bits));
        }
        total = encrbits + reserved_bits;
      }
      if (enc->kernel_name != "ecb(cipher_null)" && !model::key_length_ok(*enc, total)) {
        std::vector<std::string> notes;
        if (enc->salt_bits && model::key_length_ok(*enc, total + enc->salt_bits))
          notes.push_back(fmt::format("{} keys on Linux end with a {}-bit salt: give {} bits (key and salt), or reserved_bits {} before encrkey",
                                      enc_tok->text, enc->salt_bits, total + enc->salt_bits, enc->salt_bits));
        if (enc->key_step_bits)
          error(*encrkey_tok, fmt::format("{} takes {} to {} key bits in steps of {}, not {}", enc_tok->text, enc->min_key_bits, enc->max_key_bits,
                                          enc->key_step_bits, total), std::move(notes));
        else
          error(*encrkey_tok, fmt::format("{} takes a {}-bit key, not {}", enc_tok->text, enc->min_key_bits, total), std::move(notes));
      }
      model::AlgorithmSetting s{std::string(enc->kernel_name), {}, enc->icv_bits};
      if (encrkey_tok) s.key.assign(encrkey.begin(), encrkey.begin() + std::min<size_t>(encrkey.size(), total / 8));
      (enc->kind == model::AlgKind::aead ? base.aead : base.crypt) = std::move(s);
      given.crypt = true;
    } else if (c.cmd == Cmd::add && base.proto == model::Protocol::esp && !enc_tok && ok_) {
      base.crypt = model::AlgorithmSetting{"ecb(cipher_null)", {}, 0};  // ipseckey.c: ESP without encr_alg is NULL ESP
      given.crypt = true;
    }
    if (replay) {
      base.replay.window = *replay;
      given.replay = true;
    }
    if (replay_value) {
      base.replay_counters.oseq = base.replay_counters.seq = *replay_value;
      given.replay_value = true;
    }
    base.limits = lim;
  }
  if (proto_tok && inner && proto != 4 && proto != 41)
    warning(*proto_tok, fmt::format("WARNING: Protocol type {} not for use with Tunnel-Mode SA.", proto));
  if (!ok_) return false;

  // One SA per destination address, with the source of the same family (doaddresses).
  for (const auto& d : dst) {
    SaRequest r;
    r.sa = base;
    r.given = given;
    r.sa.dst = d;
    r.sa.family = d.family;
    std::vector<model::Address> same;
    for (const auto& s : src)
      if (s.family == d.family) same.push_back(s);
    if (src_tok && same.empty()) {
      error(*src_tok, fmt::format("No {} source address for name {}.", d.family == model::Family::inet ? "IPv4" : "IPv6", src_tok->text));
      continue;
    }
    if (same.size() > 1) {
      warning(*src_tok, fmt::format("Multiple {} source addresses for {}, using unspecified source instead.",
                                    d.family == model::Family::inet ? "IPv4" : "IPv6", src_tok->text));
    } else if (same.size() == 1) {
      r.sa.src = same.front();
    }
    if (r.sa.src.is_unspec()) r.sa.src.family = d.family;
    if (addup && inner) {
      r.sa.mode = model::Mode::tunnel;
      model::Family ifam = !isrc.empty() ? isrc.front().family : !idst.empty() ? idst.front().family : d.family;
      if (!isrc.empty() && !idst.empty() && isrc.front().family != idst.front().family) {
        error(*idst_tok, "Inner source/destination address family mismatch");
        return false;
      }
      auto pfx = [&](const std::vector<model::Address>& a, std::optional<uint8_t> p) {
        model::Prefix x;
        if (a.empty()) {
          x.addr.family = ifam;
          x.len = 0;
        } else {
          x.addr = a.front();
          x.len = p.value_or(x.addr.max_prefix());
        }
        return x;
      };
      r.sa.sel.family = ifam;
      r.sa.sel.src = pfx(isrc, isrc_prefix);
      r.sa.sel.dst = pfx(idst, idst_prefix);
      r.sa.sel.proto = iproto;
      if (isport) {
        r.sa.sel.sport = isport;
        r.sa.sel.sport_mask = 0xffff;
      }
      if (idport) {
        r.sa.sel.dport = idport;
        r.sa.sel.dport_mask = 0xffff;
      }
      r.given.selector = true;
      if (o_.tunnel_if_id && !r.sa.src.is_zero())
        if (auto id = o_.tunnel_if_id(r.sa.src, r.sa.dst)) r.sa.if_id = id;
    } else if (addup && (have_proto || sport || dport)) {
      // Transport SA restricted to a protocol/ports: XFRM keeps those in the SA selector.
      r.sa.sel.family = d.family;
      r.sa.sel.src = {r.sa.src, static_cast<uint8_t>(r.sa.src.is_zero() ? 0 : r.sa.src.max_prefix())};
      r.sa.sel.dst = {d, d.max_prefix()};
      r.sa.sel.proto = proto;
      if (sport) {
        r.sa.sel.sport = sport;
        r.sa.sel.sport_mask = 0xffff;
      }
      if (dport) {
        r.sa.sel.dport = dport;
        r.sa.sel.dport_mask = 0xffff;
      }
      r.given.selector = true;
    }
    if (addup && encap) {
      model::Encapsulation en;
      en.type = 2;  // UDP_ENCAP_ESPINUDP
      uint16_t local = nat_lport ? nat_lport : 4500, remote = nat_rport ? nat_rport : 4500;
      en.sport = inbound ? remote : local;
      en.dport = inbound ? local : remote;
      if (!nat_rem.empty()) en.original_address = nat_rem.front();
      if (!nat_loc.empty() && !nat_rem.empty())
        warning(raw_.toks.front(), "nat_loc is not used: XFRM keeps one NAT original address per SA (nat_rem's)");
      else if (!nat_loc.empty())
        en.original_address = nat_loc.front();
      r.sa.encap = en;
      r.given.encap = true;
    }
    c.sas.push_back(std::move(r));
  }
  return ok_ && !c.sas.empty();
}

}  // namespace

std::vector<Command> parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options, size_t* parsed) {
  // Every key of the input is known before the first diagnostic (the sink scans when one comes), so none
  // can be echoed, whatever fails.
  sink.add_secrets_lazily(source.text(), key_material);
  std::vector<Command> out;
  size_t count = 0;
  for (const auto& raw : split(source.text())) {
    ++count;
    Command c;
    CommandParser p(source, sink, options, raw);
    if (p.run(c)) {
      bool quit = c.cmd == Cmd::quit;
      out.push_back(std::move(c));
      if (quit) break;  // the rest of the input is never read, as with ipseckey's exit
    }
  }
  if (parsed) *parsed = count;
  return out;
}

}  // namespace xfrmpp::parsers::ipseckey
