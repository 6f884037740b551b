// SPDX-License-Identifier: BSD-3-Clause
// SA statements: add, update, get, delete, deleteall, getspi, and their extensions and algorithms.
#include <fmt/format.h>

#include <array>
#include <memory>

#include "parser.hpp"
#include "xfrmpp/model/algorithm.hpp"
#include "xfrmpp/model/names.hpp"

namespace xfrmpp::parsers::setkey {

using model::AlgKind;
using model::Family;

namespace {

std::vector<std::string_view> algorithm_names(std::span<const AlgKind> kinds) {
  std::vector<std::string_view> v;
  for (const auto& a : model::algorithms())
    for (AlgKind k : kinds)
      if (a.kind == k) v.push_back(a.setkey_name);
  return v;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void Parser::hide_next_key() {
  // Registered before the algorithm is checked, so a statement that fails there never echoes its key.
  diag::Offset save = sc_.pos();
  sc_.skip_space();
  if (sc_.peek_raw() == '"') {
    bool terminated;
    sink_.secret(sc_.quoted(terminated).range);
  } else if (Token t = sc_.word(); t.text.size() > 2 && t.text[0] == '0' && (t.text[1] == 'x' || t.text[1] == 'X')) {
    sink_.secret(t.range);
  }
  sc_.set_pos(save);
}

bool Parser::key_value(std::vector<uint8_t>& key, Token& tok) {
  sc_.skip_space();
  if (sc_.peek_raw() == '"') {
    bool terminated;
    tok = sc_.quoted(terminated);
    sink_.secret(tok.range);
    if (!terminated) {
      error(tok.range, "unterminated quoted key");
      return false;
    }
    key.assign(tok.text.begin(), tok.text.end());
    return true;
  }
  tok = sc_.word();
  sink_.secret(tok.range);
  std::string_view t = tok.text;
  if (!(t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'))) {
    // Never echo the text: it may be a key typed without its 0x.
    error(tok.range.begin == tok.range.end ? here() : tok.range, "expected a key: 0x followed by hex digits, or a quoted string");
    return false;
  }
  t.remove_prefix(2);
  key.clear();
  key.reserve((t.size() + 1) / 2);
  size_t i = 0;
  if (t.size() % 2) {  // an odd count gets a leading zero nibble, as KAME does
    int d = hex_digit(t[0]);
    if (d < 0) { error(tok.range, "a hex key may contain only 0-9 and a-f"); return false; }
    key.push_back(static_cast<uint8_t>(d));
    i = 1;
  }
  for (; i < t.size(); i += 2) {
    int hi = hex_digit(t[i]), lo = hex_digit(t[i + 1]);
    if (hi < 0 || lo < 0) { error(tok.range, "a hex key may contain only 0-9 and a-f"); return false; }
    key.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

bool Parser::sa_protocol(model::SecurityAssociation& sa, Token& tok) {
  tok = sc_.word();
  const auto& t = tok.text;
  if (t == "esp") sa.proto = model::Protocol::esp;
  else if (t == "ah") sa.proto = model::Protocol::ah;
  else if (t == "ipcomp") sa.proto = model::Protocol::ipcomp;
  else if (t == "esp-udp") {
    sa.proto = model::Protocol::esp;
    sa.encap = model::Encapsulation{};
  } else if (t == "esp-old" || t == "ah-old") {
    error(tok.range, fmt::format("'{}' (RFC 1827/1826 framing) has no Linux implementation; use '{}'", t, t.substr(0, t.find('-'))));
    return false;
  } else if (t == "tcp") {
    error(tok.range, "TCP-MD5 SAs do not exist on Linux; the key is set per socket with setsockopt(TCP_MD5SIG)");
    return false;
  } else {
    unknown_word(tok, "SA protocol", {"esp", "ah", "ipcomp", "esp-udp"});
    return false;
  }
  return true;
}

bool Parser::sa_extension(std::string_view flag, Token tok, model::SecurityAssociation& sa) {
  uint64_t v;
  auto seconds = [&](std::string_view what, uint64_t& field) {
    if (!number(sc_.word(), UINT64_MAX, v, what)) return false;
    field = v;
    return true;
  };
  // PF_KEY's 0 bytes meant "no limit" (the kernel's af_key mapped it to XFRM_INF); sent to XFRM as 0 it
  // would expire the SA at its first packet.
  auto byte_limit = [&](std::string_view what, uint64_t& field) {
    if (!number(sc_.word(), UINT64_MAX, v, what)) return false;
    field = v ? v : model::kInfinite;
    return true;
  };
  if (flag == "-m") {
    Token m = sc_.word();
    if (m.text == "any") {
      sa.mode = model::Mode::transport;  // XFRM has no "any": transport is what Linux PF_KEY used
    } else if (auto mode = model::lookup(model::mode_names(), m.text);
               mode && (*mode == model::Mode::transport || *mode == model::Mode::tunnel || *mode == model::Mode::beet)) {
      sa.mode = *mode;
    } else {
      unknown_word(m, "mode", {"transport", "tunnel", "beet", "any"});
      return false;
    }
  } else if (flag == "-u") {
    if (!number(sc_.word(), 0xffffffff, v, "reqid")) return false;
    sa.reqid = static_cast<uint32_t>(v);
  } else if (flag == "-r") {
    if (!number(sc_.word(), 4096, v, "replay window (packets)")) return false;
    sa.replay.window = static_cast<uint32_t>(v);
  } else if (flag == "-f") {
    Token f = sc_.word();
    if (f.text == "nocyclic-seq") {
      sa.extra_flags &= ~2u;
    } else if (f.text == "cyclic-seq") {
      sa.extra_flags |= 2u;  // XFRM_SA_XFLAG_OSEQ_MAY_WRAP
    } else if (f.text == "zero-pad" || f.text == "random-pad" || f.text == "seq-pad") {
      sink_.warning(f.range, fmt::format("'-f {}' is ignored: Linux ESP always pads with the RFC 4303 sequence", f.text));
    } else {
      unknown_word(f, "SA flag", {"zero-pad", "random-pad", "seq-pad", "nocyclic-seq", "cyclic-seq"});
      return false;
    }
  } else if (flag == "-lh") {
    return seconds("hard lifetime (seconds)", sa.limits.hard_add_seconds);
  } else if (flag == "-ls") {
    return seconds("soft lifetime (seconds)", sa.limits.soft_add_seconds);
  } else if (flag == "-bh") {
    return byte_limit("hard lifetime (bytes)", sa.limits.hard_bytes);
  } else if (flag == "-bs") {
    return byte_limit("soft lifetime (bytes)", sa.limits.soft_bytes);
  } else if (flag == "-ctx") {
    sa.ctx.emplace();
    return security_context(*sa.ctx);
  } else if (flag == "-esn") {
    sa.replay.esn = true;
  } else if (flag == "-mark") {
    model::Mark m;
    sc_.skip_space();
    if (!mark_value(sc_.until_any(";"), m)) return false;
    sa.mark = m;
  } else if (flag == "-if_id") {
    if (!number(sc_.word(), 0xffffffff, v, "if_id")) return false;
    sa.if_id = static_cast<uint32_t>(v);
  } else if (flag == "-output-mark") {
    model::Mark m;
    sc_.skip_space();
    if (!mark_value(sc_.until_any(";"), m)) return false;
    sa.output_mark = m;
  } else if (flag == "-dir") {
    Token d = sc_.word();
    if (d.text == "in") sa.dir = model::SaDirection::in;
    else if (d.text == "out") sa.dir = model::SaDirection::out;
    else {
      unknown_word(d, "SA direction", {"in", "out"});
      return false;
    }
  } else if (flag == "-tfcpad") {
    if (!number(sc_.word(), 0xffffffff, v, "TFC padding length")) return false;
    sa.tfcpad = static_cast<uint32_t>(v);
  } else if (flag == "-natt-keepalive") {
    if (!number(sc_.word(), 0xffffffff, v, "NAT-T keepalive interval (seconds)")) return false;
    sa.nat_keepalive_interval = static_cast<uint32_t>(v);
  } else {
    unknown_word(tok, "SA option",
                 {"-m", "-u", "-r", "-f", "-lh", "-ls", "-bh", "-bs", "-ctx", "-esn", "-mark", "-if_id", "-output-mark", "-dir",
                  "-tfcpad", "-natt-keepalive", "-E", "-A", "-C"});
    return false;
  }
  return true;
}

bool Parser::sa_algorithms(model::SecurityAssociation& sa, Token& first) {
  // -E ealg key [-A aalg key] | -A aalg key | -C calg [-R]; `first` is the flag already read.
  Token flag = first;
  for (;;) {
    bool enc = flag.text == "-E", auth = flag.text == "-A", comp = flag.text == "-C";
    if (!enc && !auth && !comp) {
      if (flag.text == "-R") {
        if (!sa.comp) {
          error(flag.range, "-R (raw CPI) belongs after -C");
          return false;
        }
      } else {
        unknown_word(flag, "algorithm option", {"-E", "-A", "-C", "-R"});
        return false;
      }
    } else {
      static constexpr std::array kEnc{AlgKind::crypt, AlgKind::aead};
      static constexpr std::array kAuth{AlgKind::auth};
      static constexpr std::array kComp{AlgKind::comp};
      std::span<const AlgKind> kinds = enc ? std::span<const AlgKind>(kEnc) : auth ? std::span<const AlgKind>(kAuth)
                                                                                  : std::span<const AlgKind>(kComp);
      Token name = sc_.word();
      hide_next_key();
      const model::AlgorithmInfo* info = model::find_setkey_algorithm(name.text, kinds);
      if (!info) {
        unknown_word(name, enc ? "encryption algorithm" : auth ? "authentication algorithm" : "compression algorithm",
                     algorithm_names(kinds));
        return false;
      }
      if (!info->unsupported_why.empty()) {
        error(name.range, fmt::format("'{}' is not available on Linux: {}", name.text, info->unsupported_why));
        return false;
      }
      model::AlgorithmSetting setting;
      setting.kernel_name = std::string(info->kernel_name);
      setting.icv_bits = info->icv_bits;
      bool keyless = info->max_key_bits == 0;
      if (!keyless) {
        Token ktok;
        if (!key_value(setting.key, ktok)) return false;
        uint32_t bits = static_cast<uint32_t>(setting.key.size() * 8);
        if (!model::key_length_ok(*info, bits)) {
          std::string sizes = model::hmac_block_bits(*info)
                                  ? fmt::format("8 to {} bits in whole bytes ({} is the RFC's length; as on FreeBSD, nothing longer "
                                                "than the hash's block, which HMAC would only hash down to {} bits)",
                                                model::accepted_max_key_bits(*info), info->min_key_bits, info->min_key_bits)
                              : info->key_step_bits ? fmt::format("{} to {} bits in steps of {}", info->min_key_bits,
                                                                  info->max_key_bits, info->key_step_bits)
                              : info->min_key_bits == info->max_key_bits ? fmt::format("{} bits", info->min_key_bits)
                                  : fmt::format("{} or {} bits", info->min_key_bits, info->max_key_bits);
          std::string salt = info->salt_bits ? fmt::format(", including the {}-bit salt", info->salt_bits) : "";
          error(ktok.range, fmt::format("{} takes a key of {}{}; this key has {} bits", info->setkey_name, sizes, salt, bits));
          return false;
        }
        // At the algorithm's name, not the key: nothing of the key is quoted in a warning either.
        if (auto w = model::key_length_warning(*info, bits); !w.empty()) sink_.warning(name.range, std::move(w));
      }
      auto& slot = info->kind == AlgKind::auth ? sa.auth : info->kind == AlgKind::crypt ? sa.crypt
                       : info->kind == AlgKind::aead ? sa.aead : sa.comp;
      if (slot) {
        error(flag.range, fmt::format("{} given twice", flag.text));
        return false;
      }
      slot = std::move(setting);
    }
    sc_.skip_space();
    if (sc_.peek_raw() != '-') return true;
    flag = sc_.word();
  }
}

bool Parser::sa_statement(std::string_view cmd, diag::Offset start, model::Statement& out) {
  (void)start;
  Family hint = Family::unspec;
  if (!address_options(hint)) return false;
  auto sa = std::make_shared<model::SecurityAssociation>();
  std::vector<model::Address> srcs, dsts;
  Token src_tok, dst_tok;
  uint16_t sport = 0, dport = 0;
  auto port = [&](uint16_t& p) {
    if (!sc_.accept('[')) return true;
    uint64_t v;
    Token t = sc_.word();
    if (t.text != "any") {
      if (!number(t, 65535, v, "port")) return false;
      p = static_cast<uint16_t>(v);
    }
    if (!sc_.accept(']')) { error(here(), "expected ']' after the port"); return false; }
    return true;
  };
  if (!host_address(hint, false, srcs, src_tok) || !port(sport)) return false;
  if (!host_address(hint, false, dsts, dst_tok) || !port(dport)) return false;
  sa->src = srcs.front();
  sa->dst = dsts.front();
  if (sa->src.family != sa->dst.family) {
    error(dst_tok.range, "source and destination are of different address families");
    return false;
  }
  sa->family = sa->src.family;
  Token proto_tok;
  if (!sa_protocol(*sa, proto_tok)) return false;
  if (sa->encap) {
    sa->encap->sport = sport ? sport : 4500;  // KAME: port 0 means the NAT-T default
    sa->encap->dport = dport ? dport : 4500;
    sc_.skip_space();
    char c = sc_.peek_raw();
    if ((c >= '0' && c <= '9') || c == ':') {
      // esp-udp may name the NAT-OA before the SPI; the SPI is the last bare word before options.
      diag::Offset save = sc_.pos();
      Token a = sc_.word();
      Token b = (sc_.skip_space(), sc_.peek_raw() != '-' && sc_.peek_raw() != ';') ? sc_.word() : Token{};
      sc_.set_pos(save);
      if (!b.empty()) {
        auto oa = model::Address::parse(a.text);
        if (!oa) { error(a.range, fmt::format("invalid NAT-OA address '{}'", a.text)); return false; }
        sa->encap->original_address = *oa;
        sc_.word();
      }
    }
  } else if (sport || dport) {
    error(src_tok.range, "ports on SA addresses are only meaningful for esp-udp (NAT-T)");
    return false;
  }
  if (cmd == "deleteall") {
    if (!expect_semicolon()) return false;
    out.op = model::DeleteAllSa{sa->src, sa->dst, sa->proto};
    return true;
  }
  Token spi_tok = sc_.word();
  uint64_t spi;
  if (!number(spi_tok, 0xffffffff, spi, "SPI")) return false;
  sa->spi = static_cast<uint32_t>(spi);
  if (sa->proto == model::Protocol::ipcomp && spi > 0xffff) {
    error(spi_tok.range, "an IPComp CPI must be below 0x10000");
    return false;
  }
  bool algorithms_done = false;
  for (;;) {
    sc_.skip_space();
    if (sc_.peek_raw() == ';') break;
    Token flag = sc_.word();
    if (flag.empty() || flag.text[0] != '-') {
      error(flag.empty() ? here() : flag.range, "expected an option (-m, -u, -r, -E, -A, -C...) or ';'");
      return false;
    }
    if (flag.text == "-E" || flag.text == "-A" || flag.text == "-C") {
      if (cmd != "add" && cmd != "update") {
        error(flag.range, fmt::format("{} takes no algorithms", cmd));
        return false;
      }
      if (!sa_algorithms(*sa, flag)) return false;
      algorithms_done = true;
      continue;
    }
    if (algorithms_done) {
      error(flag.range, "SA options must come before the algorithms");
      return false;
    }
    if (!sa_extension(flag.text, flag, *sa)) return false;
  }
  if (!expect_semicolon()) return false;
  // Protocol/algorithm consistency, as the kernel's verify_newsa_info() would see it.
  if (cmd == "add" || cmd == "update") {
    auto& s = *sa;
    if (s.proto == model::Protocol::esp && !s.crypt && !s.aead) {
      error(proto_tok.range, "an ESP SA needs an encryption algorithm (-E); use '-E null' for authentication only");
      return false;
    }
    if (s.proto == model::Protocol::ah && (s.crypt || s.aead || !s.auth)) {
      error(proto_tok.range, "an AH SA takes exactly one authentication algorithm (-A) and no -E");
      return false;
    }
    if (s.proto == model::Protocol::ipcomp && !s.comp) {
      error(proto_tok.range, "an IPComp SA needs a compression algorithm (-C)");
      return false;
    }
    if (s.proto != model::Protocol::ipcomp && s.comp) {
      error(proto_tok.range, "-C belongs to ipcomp SAs");
      return false;
    }
    if (s.aead && s.auth) {
      error(proto_tok.range, "a combined-mode cipher (AEAD) authenticates by itself; drop -A");
      return false;
    }
    if (s.replay.esn && s.replay.window == 0) {
      error(proto_tok.range, "-esn needs a replay window (-r N with N > 0)");
      return false;
    }
    if (s.replay.esn) s.flags |= model::sa_flag::esn;
    // Checks the kernel's verify_newsa_info() makes, so a file fails here and not halfway through.
    if (s.tfcpad && s.mode != model::Mode::tunnel) {
      error(proto_tok.range, "-tfcpad needs tunnel mode (-m tunnel)");
      return false;
    }
    if (s.tfcpad && s.proto != model::Protocol::esp) {
      error(proto_tok.range, "-tfcpad applies to ESP only");
      return false;
    }
    if (s.dir == model::SaDirection::out && s.replay.window && !s.replay.esn) {
      error(proto_tok.range, "an outbound SA (-dir out) takes no replay window (-r)");
      return false;
    }
    if (s.nat_keepalive_interval && !s.encap) {
      error(proto_tok.range, "-natt-keepalive needs UDP encapsulation (esp-udp)");
      return false;
    }
    if (s.nat_keepalive_interval && s.dir != model::SaDirection::out) {
      error(proto_tok.range, "-natt-keepalive is sent by outbound SAs: add -dir out");
      return false;
    }
    out.op = model::AddSa{std::move(sa), cmd == "update"};
  } else if (cmd == "getspi") {
    // No SPI: let the kernel choose, as PF_KEY does without SPIRANGE (0x100-0x0fffffff). An IPComp
    // CPI is 16 bits and XFRM_MSG_ALLOCSPI refuses a range reaching 0x10000 (EINVAL).
    uint32_t max = sa->proto == model::Protocol::ipcomp ? 0xffff : 0x0fffffff;
    out.op = model::AllocSpi{sa, sa->spi ? sa->spi : 0x100, sa->spi ? sa->spi : max};
  } else {
    model::SaId id{sa->dst, sa->src, sa->proto, sa->spi, sa->mark, sa->if_id};
    if (cmd == "get")
      out.op = model::GetSa{id};
    else
      out.op = model::DeleteSa{id};
  }
  return true;
}

}  // namespace xfrmpp::parsers::setkey
