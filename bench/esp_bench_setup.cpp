// SPDX-License-Identifier: BSD-3-Clause
#include "esp_bench_setup.hpp"

#include "../tests/support/udp_packet.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace esp_bench {

using namespace xfrmpp;

namespace {

std::vector<uint8_t> key(size_t n, uint8_t seed) {
  std::vector<uint8_t> k(n);
  for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(seed + i * 29);
  return k;
}

Algorithm make(std::string label, std::string ossl, std::string hmac, std::optional<model::AlgorithmSetting> aead,
               std::optional<model::AlgorithmSetting> crypt, std::optional<model::AlgorithmSetting> auth) {
  Algorithm a{std::move(label), std::move(ossl), std::move(hmac), {}};
  a.sa.proto = model::Protocol::esp;
  a.sa.mode = model::Mode::transport;
  // The receiver's replay window is part of what input() costs; 128 is what IKE daemons ask for.
  a.sa.replay.window = 128;
  a.sa.aead = std::move(aead);
  a.sa.crypt = std::move(crypt);
  a.sa.auth = std::move(auth);
  return a;
}

model::Policy host_policy(const std::string& src, const std::string& dst, model::Direction dir) {
  model::Policy p;
  auto s = *model::Address::parse(src), d = *model::Address::parse(dst);
  p.sel.family = s.family;
  p.sel.src = {s, s.max_prefix()};
  p.sel.dst = {d, d.max_prefix()};
  p.dir = dir;
  p.kind = model::PolicyKind::ipsec;
  model::Template t;
  t.proto = model::Protocol::esp;
  t.mode = model::Mode::transport;
  t.level = model::Level::require;
  p.templates.push_back(t);
  return p;
}

Result<void> apply(engine::EngineBackend& be, std::vector<Change> changes) {
  for (size_t i = 0; i < changes.size(); ++i) changes[i].tag = i;
  ApplyReport r = be.apply(changes, {});
  if (!r.errors.empty()) return make_error(r.errors[0].code, r.errors[0].message + " " + r.errors[0].extack);
  return {};
}

}  // namespace

std::vector<Algorithm> algorithms() {
  return {
      // 128-bit AES key and the 32-bit salt; 16-byte ICV.
      make("aes-128-gcm", "aes-128-gcm", "", model::AlgorithmSetting{"rfc4106(gcm(aes))", key(20, 1), 128}, {}, {}),
      make("chacha20-poly1305", "chacha20-poly1305", "",
           model::AlgorithmSetting{"rfc7539esp(chacha20,poly1305)", key(36, 2), 128}, {}, {}),
      make("aes-128-cbc+sha256", "aes-128-cbc", "sha256", {}, model::AlgorithmSetting{"cbc(aes)", key(16, 3), 0},
           model::AlgorithmSetting{"hmac(sha256)", key(32, 4), 128}),
  };
}

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/esp_bench.XXXXXX";
  if (!mkdtemp(tmpl.data())) std::abort();
  path = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string Hosts::src(size_t i) { return "10.0." + std::to_string(i) + ".1"; }
std::string Hosts::dst(size_t i) { return "10.0." + std::to_string(i) + ".2"; }

Result<std::unique_ptr<Hosts>> make_hosts(std::vector<Algorithm>& algs) {
  auto h = std::make_unique<Hosts>();
  for (auto* side : {&h->a, &h->b}) {
    engine::EngineOptions o;
    o.state = h->dir.path / (side == &h->a ? "a.state" : "b.state");
    auto be = engine::EngineBackend::open(o);
    if (!be) return be.error();
    *side = std::move(*be);
  }
  std::vector<Change> ca, cb;
  for (size_t i = 0; i < algs.size(); ++i) {
    auto& sa = algs[i].sa;
    sa.src = *model::Address::parse(Hosts::src(i));
    sa.dst = *model::Address::parse(Hosts::dst(i));
    sa.family = sa.dst.family;
    sa.spi = 0x1000 + static_cast<uint32_t>(i);
    ca.push_back(Change{sa, Change::Verb::add, 0});
    cb.push_back(Change{sa, Change::Verb::add, 0});
    ca.push_back(Change{host_policy(Hosts::src(i), Hosts::dst(i), model::Direction::out), Change::Verb::add, 0});
    cb.push_back(Change{host_policy(Hosts::src(i), Hosts::dst(i), model::Direction::in), Change::Verb::add, 0});
  }
  if (auto r = apply(*h->a, ca); !r) return r.error();
  if (auto r = apply(*h->b, cb); !r) return r.error();
  h->a->prepare_lookups();
  h->b->prepare_lookups();
  return h;
}

std::vector<uint8_t> udp_packet(const std::string& src, const std::string& dst, size_t payload) {
  return xfrmpp::testing::udp_packet(*model::Address::parse(src), *model::Address::parse(dst), 0x9c40, 0x9c41, payload, 0x5a);
}

}  // namespace esp_bench
