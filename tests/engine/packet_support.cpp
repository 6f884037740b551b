// SPDX-License-Identifier: BSD-3-Clause
#include "packet_support.hpp"

#include "../support/udp_packet.hpp"

#include <doctest/doctest.h>

#include <cstring>

namespace ptest {

using namespace xfrmpp;

Bytes udp_packet(const char* src, const char* dst, uint16_t sport, uint16_t dport, size_t payload, uint8_t fill) {
  return xfrmpp::testing::udp_packet(*model::Address::parse(src), *model::Address::parse(dst), sport, dport, payload, fill);
}

uint8_t ip_protocol(const Bytes& p) { return (p[0] >> 4) == 6 ? p[6] : p[9]; }

Algorithms gcm128() { return {"", "", "rfc4106(gcm(aes))", 0, 0, 20, 128}; }
Algorithms cbc_sha256() { return {"cbc(aes)", "hmac(sha256)", "", 16, 32, 0, 128}; }
Algorithms chacha() { return {"", "", "rfc7539esp(chacha20,poly1305)", 0, 0, 36, 128}; }

namespace {
std::vector<uint8_t> key(size_t n, uint32_t spi, uint8_t salt) {
  std::vector<uint8_t> k(n);
  for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(spi * 7 + i * 13 + salt);
  return k;
}
}  // namespace

model::SecurityAssociation sa(const char* src, const char* dst, uint32_t spi, const Algorithms& a, model::Protocol proto,
                              model::Mode mode) {
  model::SecurityAssociation s;
  s.src = *model::Address::parse(src);
  s.dst = *model::Address::parse(dst);
  s.family = s.dst.family;
  s.proto = proto;
  s.spi = spi;
  s.mode = mode;
  s.replay.window = 32;
  if (proto == model::Protocol::ipcomp) {
    s.comp = model::AlgorithmSetting{"deflate", {}, 0};
    s.replay.window = 0;
    return s;
  }
  if (!a.aead.empty()) s.aead = model::AlgorithmSetting{a.aead, key(a.aead_bytes, spi, 1), a.icv_bits};
  if (!a.crypt.empty() && proto == model::Protocol::esp) s.crypt = model::AlgorithmSetting{a.crypt, key(a.crypt_bytes, spi, 2), 0};
  if (!a.auth.empty()) s.auth = model::AlgorithmSetting{a.auth, key(a.auth_bytes, spi, 3), a.icv_bits};
  return s;
}

model::Template tmpl(model::Protocol proto, model::Mode mode, const char* tsrc, const char* tdst, model::Level level) {
  model::Template t;
  t.proto = proto;
  t.mode = mode;
  if (tsrc) t.src = *model::Address::parse(tsrc);
  if (tdst) t.dst = *model::Address::parse(tdst);
  if (tsrc) t.family = t.dst.family;
  t.level = level;
  return t;
}

model::Policy policy(const char* src, const char* dst, model::Direction dir, std::vector<model::Template> templates) {
  model::Policy p;
  auto s = *model::Address::parse(src), d = *model::Address::parse(dst);
  p.sel.family = s.family;
  p.sel.src = {s, s.max_prefix()};
  p.sel.dst = {d, d.max_prefix()};
  p.dir = dir;
  p.kind = model::PolicyKind::ipsec;
  p.templates = std::move(templates);
  return p;
}

Change add(model::SecurityAssociation s) { return Change{std::move(s), Change::Verb::add, 0}; }
Change add(model::Policy p) { return Change{std::move(p), Change::Verb::add, 0}; }

void apply(engine::EngineBackend& be, std::vector<Change> changes) {
  for (size_t i = 0; i < changes.size(); ++i) changes[i].tag = i;
  auto r = be.apply(changes, {});
  for (const auto& e : r.errors) FAIL_CHECK("change " << e.tag << " rejected: " << e.message << " " << e.extack);
  REQUIRE(r.errors.empty());
}

uint64_t counter(const engine::EngineBackend& be, std::string_view name) {
  for (const auto& c : be.packet_counters())
    if (c.name == name) return c.value;
  FAIL("no counter " << name);
  return 0;
}

}  // namespace ptest
