// SPDX-License-Identifier: BSD-3-Clause
// The model helpers of wire.hpp (comparisons, addresses, sample models): no netlink, so the backend tests of
// tests/kernel build without the kernel backend too. The raw attribute walk is in wire_attrs.cpp.
#include "wire.hpp"

#include <sstream>

namespace wire {

using namespace xfrmpp::model;

namespace {

// Collects "field: a != b" for the first differing field.
struct Differ {
  std::string out;
  template <typename T>
  void operator()(const char* name, const T& a, const T& b) {
    if (out.empty() && !(a == b)) out = std::string(name) + " differs";
  }
};

}  // namespace

std::string diff(const Policy& a, const Policy& b) {
  Differ d;
  d("sel", a.sel, b.sel);
  d("dir", a.dir, b.dir);
  d("kind", a.kind, b.kind);
  d("priority", a.priority, b.priority);
  d("index", a.index, b.index);
  d("templates.size", a.templates.size(), b.templates.size());
  for (size_t i = 0; i < a.templates.size() && i < b.templates.size(); ++i)
    d(("template " + std::to_string(i)).c_str(), a.templates[i], b.templates[i]);
  d("mark", a.mark, b.mark);
  d("if_id", a.if_id, b.if_id);
  d("ctx", a.ctx, b.ctx);
  d("type", a.type, b.type);
  d("flags", a.flags, b.flags);
  d("limits", a.limits, b.limits);
  d("current", a.current, b.current);
  return d.out;
}

std::string diff(const SecurityAssociation& a, const SecurityAssociation& b) {
  Differ d;
  d("family", a.family, b.family);
  d("src", a.src, b.src);
  d("dst", a.dst, b.dst);
  d("proto", a.proto, b.proto);
  d("spi", a.spi, b.spi);
  d("mode", a.mode, b.mode);
  d("reqid", a.reqid, b.reqid);
  d("flags", a.flags, b.flags);
  d("extra_flags", a.extra_flags, b.extra_flags);
  d("sel", a.sel, b.sel);
  d("replay", a.replay, b.replay);
  d("replay_counters", a.replay_counters, b.replay_counters);
  d("auth", a.auth, b.auth);
  d("crypt", a.crypt, b.crypt);
  d("aead", a.aead, b.aead);
  d("comp", a.comp, b.comp);
  d("encap", a.encap, b.encap);
  d("limits", a.limits, b.limits);
  d("mark", a.mark, b.mark);
  d("if_id", a.if_id, b.if_id);
  d("output_mark", a.output_mark, b.output_mark);
  d("tfcpad", a.tfcpad, b.tfcpad);
  d("dir", a.dir, b.dir);
  d("nat_keepalive_interval", a.nat_keepalive_interval, b.nat_keepalive_interval);
  d("mapping_threshold", a.mapping_threshold, b.mapping_threshold);
  d("ctx", a.ctx, b.ctx);
  d("coaddr", a.coaddr, b.coaddr);
  d("seq", a.seq, b.seq);
  d("current", a.current, b.current);
  d("stats", a.stats, b.stats);
  d("last_used", a.last_used, b.last_used);
  return d.out;
}

Address addr(const char* text) { return *Address::parse(text); }
Prefix prefix(const char* text, uint8_t len) { return Prefix{addr(text), len}; }

Policy full_policy() {
  Policy p;
  p.sel.family = Family::inet;
  p.sel.src = prefix("10.1.0.0", 16);
  p.sel.dst = prefix("10.2.3.4", 32);
  p.sel.sport = 1234;
  p.sel.sport_mask = 0xffff;
  p.sel.dport = 443;
  p.sel.dport_mask = 0xffff;
  p.sel.proto = 6;
  p.sel.ifindex = 3;
  p.sel.user = 1000;
  p.dir = Direction::fwd;
  p.kind = PolicyKind::ipsec;
  p.priority = 2000;
  p.index = 0x102;  // index % 8 == dir (fwd)
  Template tunnel;
  tunnel.proto = Protocol::esp;
  tunnel.mode = Mode::tunnel;
  tunnel.family = Family::inet;
  tunnel.src = addr("192.0.2.1");
  tunnel.dst = addr("192.0.2.2");
  tunnel.level = Level::unique;
  tunnel.reqid = 17;
  tunnel.spi = 0x1000;
  tunnel.aalgos = 0x20;
  tunnel.ealgos = 0x1000;
  tunnel.calgos = 0;
  Template transport;
  transport.proto = Protocol::ah;
  transport.mode = Mode::transport;
  transport.family = Family::inet;
  transport.level = Level::use;
  Template comp;
  comp.proto = Protocol::ipcomp;
  comp.mode = Mode::transport;
  comp.family = Family::inet;
  comp.level = Level::require;
  p.templates = {tunnel, transport, comp};
  p.mark = Mark{0x10, 0xff};
  p.if_id = 42;
  p.ctx = SecurityContext{1, 1, "system_u:object_r:ipsec_spd_t:s0"};
  p.type = PolicyType::sub;
  p.flags = 1;  // LOCALOK
  p.limits = LifetimeLimits{1000, 2000, 30, 40, 50, 60, 70, 80};
  p.current = LifetimeCurrent{11, 12, 1700000000, 1700000100};
  return p;
}

SecurityAssociation full_sa() {
  SecurityAssociation sa;
  sa.family = Family::inet6;
  sa.src = addr("2001:db8::1");
  sa.dst = addr("2001:db8::2");
  sa.proto = Protocol::esp;
  sa.spi = 0xc0ffee01;
  sa.mode = Mode::tunnel;
  sa.reqid = 77;
  sa.flags = sa_flag::noecn | sa_flag::decap_dscp | sa_flag::af_unspec;
  sa.extra_flags = 1;
  sa.sel.family = Family::inet6;
  sa.sel.src = prefix("2001:db8:1::", 48);
  sa.sel.dst = prefix("2001:db8:2::", 64);
  sa.sel.proto = 17;
  sa.sel.dport = 53;
  sa.sel.dport_mask = 0xffff;
  sa.replay = Replay{256, true};
  sa.replay_counters = ReplayCounters{5, 6, 7, 8};
  sa.auth = AlgorithmSetting{"hmac(sha256)", std::vector<uint8_t>(32, 0xaa), 128};
  sa.crypt = AlgorithmSetting{"cbc(aes)", std::vector<uint8_t>(16, 0xbb), 0};
  sa.aead = AlgorithmSetting{"rfc4106(gcm(aes))", std::vector<uint8_t>(20, 0xcc), 96};
  sa.comp = AlgorithmSetting{"deflate", {}, 0};
  sa.encap = Encapsulation{2, 4500, 4501, addr("2001:db8::99")};
  sa.limits = LifetimeLimits{1, 2, 3, 4, 5, 6, 7, 8};
  sa.mark = Mark{7, 0xf};
  sa.if_id = 9;
  sa.output_mark = Mark{0x100, 0xf00};
  sa.tfcpad = 512;
  sa.dir = SaDirection::out;
  sa.nat_keepalive_interval = 20;
  sa.mapping_threshold = 15;
  sa.ctx = SecurityContext{1, 1, "system_u:object_r:ipsec_sa_t:s0"};
  sa.coaddr = addr("2001:db8::77");
  sa.seq = 4242;
  sa.current = LifetimeCurrent{100, 200, 300, 400};
  sa.stats = SaStats{32, 1, 2};
  return sa;
}

}  // namespace wire
