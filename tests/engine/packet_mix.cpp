// SPDX-License-Identifier: BSD-3-Clause
#include "packet_mix.hpp"

#include "../support/udp_packet.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

namespace pmix {

using namespace xfrmpp;
using model::Protocol;

namespace {

struct Flow {
  const char *src, *dst;
  std::vector<Protocol> protos;  // innermost first
  model::Mode mode;
  const char *tsrc, *tdst;  // tunnel endpoints
  int alg;                  // 0 gcm, 1 cbc+sha256, 2 chacha
  bool natt;
};

const Flow kFlowTable[kFlows] = {
    {"10.0.0.1", "10.0.0.2", {Protocol::esp}, model::Mode::transport, nullptr, nullptr, 0, false},
    {"10.0.1.1", "10.0.1.2", {Protocol::esp}, model::Mode::tunnel, "192.0.2.1", "192.0.2.2", 1, false},
    {"10.0.2.1", "10.0.2.2", {Protocol::ah}, model::Mode::transport, nullptr, nullptr, 1, false},
    {"10.0.3.1", "10.0.3.2", {Protocol::ipcomp, Protocol::esp}, model::Mode::tunnel, "192.0.2.3", "192.0.2.4", 0, false},
    {"10.0.4.1", "10.0.4.2", {Protocol::esp}, model::Mode::transport, nullptr, nullptr, 0, true},
    {"2001:db8::1", "2001:db8::2", {Protocol::esp}, model::Mode::transport, nullptr, nullptr, 2, false},
};

model::Address addr(const char* s) { return *model::Address::parse(s); }

std::vector<uint8_t> key(size_t n, uint32_t spi) {
  std::vector<uint8_t> k(n);
  for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(spi * 11 + i * 7);
  return k;
}

model::SecurityAssociation make_sa(const Flow& f, Protocol p, uint32_t spi) {
  model::SecurityAssociation s;
  bool tunnel = f.mode == model::Mode::tunnel;
  s.src = addr(tunnel ? f.tsrc : f.src);
  s.dst = addr(tunnel ? f.tdst : f.dst);
  s.family = s.dst.family;
  s.proto = p;
  s.spi = spi;
  s.mode = f.mode;
  s.replay.window = 64;
  if (p == Protocol::ipcomp) {
    s.comp = model::AlgorithmSetting{"deflate", {}, 0};
    s.replay.window = 0;
    return s;
  }
  if (p == Protocol::ah || f.alg == 1) {
    s.auth = model::AlgorithmSetting{"hmac(sha256)", key(32, spi), 128};
    if (p == Protocol::esp) s.crypt = model::AlgorithmSetting{"cbc(aes)", key(16, spi + 1), 0};
  } else if (f.alg == 0) {
    s.aead = model::AlgorithmSetting{"rfc4106(gcm(aes))", key(20, spi), 128};
  } else {
    s.aead = model::AlgorithmSetting{"rfc7539esp(chacha20,poly1305)", key(36, spi), 128};
  }
  if (f.natt) s.encap = model::Encapsulation{2, 4500, 4500, {}};
  return s;
}

model::Policy make_policy(const Flow& f, model::Direction dir) {
  model::Policy p;
  auto s = addr(f.src), d = addr(f.dst);
  p.sel.family = s.family;
  p.sel.src = {s, s.max_prefix()};
  p.sel.dst = {d, d.max_prefix()};
  p.dir = dir;
  p.kind = model::PolicyKind::ipsec;
  for (Protocol proto : f.protos) {
    model::Template t;
    t.proto = proto;
    t.mode = f.mode;
    t.level = model::Level::require;
    if (f.mode == model::Mode::tunnel) {
      t.src = addr(f.tsrc);
      t.dst = addr(f.tdst);
      t.family = t.dst.family;
    }
    p.templates.push_back(t);
  }
  return p;
}

Result<void> apply(engine::EngineBackend& be, std::vector<Change> changes) {
  for (size_t i = 0; i < changes.size(); ++i) changes[i].tag = i;
  ApplyReport r = be.apply(changes, {});
  if (!r.errors.empty())
    return make_error(r.errors[0].code, "change " + std::to_string(r.errors[0].tag) + ": " + r.errors[0].message);
  return {};
}

}  // namespace

Mix::~Mix() {
  a.reset();
  b.reset();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}

Result<std::unique_ptr<Mix>> make_mix(const std::filesystem::path& parent) {
  auto m = std::make_unique<Mix>();
  std::string tmpl = (parent / "packet_mix.XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return make_error(errno, "mkdtemp " + tmpl);
  m->dir = tmpl;
  for (auto* side : {&m->a, &m->b}) {
    engine::EngineOptions o;
    o.state = m->dir / (side == &m->a ? "a.state" : "b.state");
    auto be = engine::EngineBackend::open(o);
    if (!be) return be.error();
    *side = std::move(*be);
  }
  std::vector<Change> sas, pa, pb;
  uint32_t spi = 0x100;
  for (const Flow& f : kFlowTable) {
    for (Protocol p : f.protos) sas.push_back(Change{make_sa(f, p, spi++), Change::Verb::add, 0});
    pa.push_back(Change{make_policy(f, model::Direction::out), Change::Verb::add, 0});
    pb.push_back(Change{make_policy(f, model::Direction::in), Change::Verb::add, 0});
  }
  for (auto* be : {m->a.get(), m->b.get()})
    if (auto r = apply(*be, sas); !r) return r.error();
  if (auto r = apply(*m->a, pa); !r) return r.error();
  if (auto r = apply(*m->b, pb); !r) return r.error();
  return m;
}

Bytes plain_packet(size_t flow, size_t payload, uint8_t fill) {
  const Flow& f = kFlowTable[flow % kFlows];
  return xfrmpp::testing::udp_packet(addr(f.src), addr(f.dst), 0x9c40, 0x9c41, payload, fill);
}

}  // namespace pmix
