// SPDX-License-Identifier: BSD-3-Clause
#include "engine_support.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <tuple>

namespace etest {

using namespace xfrmpp;

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "engine_test.XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::unique_ptr<engine::EngineBackend> open(const std::filesystem::path& state, bool read_only,
                                            std::function<uint64_t()> clock) {
  engine::EngineOptions o;
  o.state = state;
  o.read_only = read_only;
  o.clock = std::move(clock);
  auto b = engine::EngineBackend::open(o);
  REQUIRE_MESSAGE(b.ok(), (b.ok() ? std::string() : b.error().message));
  return std::move(*b);
}

model::Address addr(const char* text) { return *model::Address::parse(text); }

model::Policy host_policy(uint32_t n) {
  model::Policy p;
  p.sel.family = model::Family::inet;
  p.sel.src = {model::Address::v4(0x0a000000u | n), 32};
  p.sel.dst = {addr("192.0.2.1"), 32};
  p.dir = model::Direction::out;
  p.kind = model::PolicyKind::ipsec;
  model::Template t;
  t.level = model::Level::require;
  p.templates.push_back(t);
  return p;
}

model::Policy full_policy() {
  model::Policy p;
  p.sel.family = model::Family::inet6;
  p.sel.src = {addr("2001:db8::1"), 128};
  p.sel.dst = {addr("2001:db8:1::"), 48};
  p.sel.sport = 500;
  p.sel.sport_mask = 0xffff;
  p.sel.dport = 4500;
  p.sel.dport_mask = 0xffff;
  p.sel.proto = 17;
  p.sel.ifindex = 3;
  p.sel.user = 7;
  p.dir = model::Direction::fwd;
  p.kind = model::PolicyKind::ipsec;
  p.priority = 1234;
  p.index = 0x102;  // fwd
  model::Template t;
  t.proto = model::Protocol::ah;
  t.mode = model::Mode::tunnel;
  t.family = model::Family::inet;
  t.src = addr("198.51.100.1");
  t.dst = addr("198.51.100.2");
  t.src_port = 1;
  t.dst_port = 2;
  t.level = model::Level::unique;
  t.reqid = 99;
  t.spi = 0x1234;
  t.aalgos = 5;
  t.ealgos = 6;
  t.calgos = 7;
  model::Template t2;
  t2.proto = model::Protocol::esp;
  t2.mode = model::Mode::transport;
  t2.family = model::Family::inet;
  p.templates = {t, t2};
  p.mark = model::Mark{0x10, 0xf0};
  p.if_id = 42;
  p.ctx = model::SecurityContext{1, 1, "system_u:object_r:ipsec_spd_t:s0"};
  p.type = model::PolicyType::main;
  p.flags = 1;
  p.limits.soft_bytes = 1000;
  p.limits.hard_bytes = 2000;
  p.limits.soft_packets = 10;
  p.limits.hard_packets = 20;
  p.limits.soft_add_seconds = 30;
  p.limits.hard_add_seconds = 60;
  p.limits.soft_use_seconds = 15;
  p.limits.hard_use_seconds = 25;
  return p;
}

model::SecurityAssociation esp_sa(uint32_t spi) {
  model::SecurityAssociation sa;
  sa.family = model::Family::inet;
  sa.src = addr("192.0.2.1");
  sa.dst = addr("192.0.2.2");
  sa.proto = model::Protocol::esp;
  sa.spi = spi;
  sa.reqid = 1;
  sa.auth = model::AlgorithmSetting{"hmac(sha256)", std::vector<uint8_t>(32, 1), 128};
  sa.crypt = model::AlgorithmSetting{"cbc(aes)", std::vector<uint8_t>(16, 2), 0};
  return sa;
}

model::SecurityAssociation full_sa() {
  model::SecurityAssociation sa;
  sa.family = model::Family::inet6;
  sa.src = addr("2001:db8::1");
  sa.dst = addr("2001:db8::2");
  sa.proto = model::Protocol::esp;
  sa.spi = 0xdeadbeef;
  sa.mode = model::Mode::tunnel;
  sa.reqid = 77;
  sa.flags = model::sa_flag::noecn | model::sa_flag::esn;
  sa.extra_flags = 0;  // both XFRM_SA_XFLAG_* are refused on an input SA
  sa.sel.family = model::Family::inet6;
  sa.sel.src = {addr("2001:db8:a::"), 64};
  sa.sel.dst = {addr("2001:db8:b::"), 64};
  sa.sel.proto = 6;
  sa.replay = model::Replay{128, true};
  sa.replay_counters = model::ReplayCounters{1, 2, 3, 4};
  sa.aead = model::AlgorithmSetting{"rfc4106(gcm(aes))", std::vector<uint8_t>(36, 3), 128};
  sa.encap = model::Encapsulation{2, 4500, 4501, addr("2001:db8::99")};
  sa.limits.soft_bytes = 1;
  sa.limits.hard_bytes = 2;
  sa.limits.soft_packets = 3;
  sa.limits.hard_packets = 4;
  sa.limits.soft_add_seconds = 5;
  sa.limits.hard_add_seconds = 6;
  sa.limits.soft_use_seconds = 7;
  sa.limits.hard_use_seconds = 8;
  sa.mark = model::Mark{5, 0xff};
  sa.if_id = 9;
  sa.output_mark = model::Mark{0x100, 0xf00};
  sa.tfcpad = 16;
  sa.dir = model::SaDirection::in;
  sa.mapping_threshold = 10;
  sa.ctx = model::SecurityContext{1, 1, "system_u:object_r:ipsec_sad_t:s0"};
  sa.coaddr = addr("2001:db8::77");
  sa.seq = 0;
  sa.stats = model::SaStats{1, 2, 3};
  sa.last_used = 12345;
  return sa;
}

#define FIELD(x)                 \
  if (!(a.x == b.x)) return #x;

std::string diff(const model::Policy& a, const model::Policy& b) {
  FIELD(sel) FIELD(dir) FIELD(kind) FIELD(priority) FIELD(index) FIELD(templates) FIELD(mark) FIELD(if_id) FIELD(ctx)
  FIELD(type) FIELD(flags) FIELD(limits) FIELD(current)
  return "";
}

std::string diff(const model::SecurityAssociation& a, const model::SecurityAssociation& b) {
  FIELD(family) FIELD(src) FIELD(dst) FIELD(proto) FIELD(spi) FIELD(mode) FIELD(reqid) FIELD(flags) FIELD(extra_flags)
  FIELD(sel) FIELD(replay) FIELD(auth) FIELD(crypt) FIELD(aead) FIELD(comp) FIELD(encap) FIELD(limits) FIELD(mark)
  FIELD(if_id) FIELD(output_mark) FIELD(tfcpad) FIELD(dir) FIELD(nat_keepalive_interval) FIELD(mapping_threshold)
  FIELD(ctx) FIELD(coaddr) FIELD(seq) FIELD(current) FIELD(stats) FIELD(last_used)
  return "";
}

#undef FIELD

std::vector<Change> adds(const std::vector<model::Policy>& ps) {
  std::vector<Change> cs;
  for (size_t i = 0; i < ps.size(); ++i) cs.push_back(Change{ps[i], Change::Verb::add, i});
  return cs;
}

}  // namespace etest
