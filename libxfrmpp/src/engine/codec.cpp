// SPDX-License-Identifier: BSD-3-Clause
#include "codec.hpp"

namespace xfrmpp::engine {

namespace {

// Limits on what a record may claim, so a damaged length cannot ask for gigabytes.
constexpr size_t kMaxKeyBytes = 1024;
constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxLabelBytes = 4096;
constexpr size_t kMaxTemplates = 64;

template <typename E>
bool enum_in(uint8_t v, std::initializer_list<E> allowed, E& out) {
  for (E e : allowed)
    if (static_cast<uint8_t>(e) == v) {
      out = e;
      return true;
    }
  return false;
}

void put_addr(Writer& w, const model::Address& a) {
  w.u8(static_cast<uint8_t>(a.family));
  size_t n = a.family == model::Family::inet ? 4 : a.family == model::Family::inet6 ? 16 : 0;
  for (size_t i = 0; i < n; ++i) w.u8(a.bytes[i]);
}

bool get_family(Reader& r, model::Family& f) {
  return enum_in(r.u8(), {model::Family::unspec, model::Family::inet, model::Family::inet6}, f);
}

bool get_addr(Reader& r, model::Address& a) {
  a = {};
  if (!get_family(r, a.family)) return false;
  size_t n = a.family == model::Family::inet ? 4 : a.family == model::Family::inet6 ? 16 : 0;
  for (size_t i = 0; i < n; ++i) a.bytes[i] = r.u8();
  return r.ok();
}

void put_prefix(Writer& w, const model::Prefix& p) {
  put_addr(w, p.addr);
  w.u8(p.len);
}

bool get_prefix(Reader& r, model::Prefix& p) {
  if (!get_addr(r, p.addr)) return false;
  p.len = r.u8();
  // The SPD's tries index 128 bits: a longer prefix from a damaged file would read past them (fuzz finding).
  return r.ok() && p.len <= (p.addr.family == model::Family::inet ? 32 : 128);
}

void put_selector(Writer& w, const model::Selector& s) {
  w.u8(static_cast<uint8_t>(s.family));
  put_prefix(w, s.src);
  put_prefix(w, s.dst);
  w.u16(s.sport);
  w.u16(s.sport_mask);
  w.u16(s.dport);
  w.u16(s.dport_mask);
  w.u8(s.proto);
  w.u32(static_cast<uint32_t>(s.ifindex));
  w.u32(s.user);
}

bool get_selector(Reader& r, model::Selector& s) {
  if (!get_family(r, s.family) || !get_prefix(r, s.src) || !get_prefix(r, s.dst)) return false;
  s.sport = r.u16();
  s.sport_mask = r.u16();
  s.dport = r.u16();
  s.dport_mask = r.u16();
  s.proto = r.u8();
  s.ifindex = static_cast<int32_t>(r.u32());
  s.user = r.u32();
  return r.ok();
}

void put_mark(Writer& w, const model::Mark& m) {
  w.u32(m.value);
  w.u32(m.mask);
}

model::Mark get_mark(Reader& r) {
  model::Mark m;
  m.value = r.u32();
  m.mask = r.u32();
  return m;
}

void put_ctx(Writer& w, const model::SecurityContext& c) {
  w.u8(c.doi);
  w.u8(c.alg);
  w.str(c.label);
}

model::SecurityContext get_ctx(Reader& r) {
  model::SecurityContext c;
  c.doi = r.u8();
  c.alg = r.u8();
  c.label = r.str(kMaxLabelBytes);
  return c;
}

void put_limits(Writer& w, const model::LifetimeLimits& l) {
  for (uint64_t v : {l.soft_bytes, l.hard_bytes, l.soft_packets, l.hard_packets, l.soft_add_seconds, l.hard_add_seconds,
                     l.soft_use_seconds, l.hard_use_seconds})
    w.u64(v);
}

void get_limits(Reader& r, model::LifetimeLimits& l) {
  for (uint64_t* v : {&l.soft_bytes, &l.hard_bytes, &l.soft_packets, &l.hard_packets, &l.soft_add_seconds,
                      &l.hard_add_seconds, &l.soft_use_seconds, &l.hard_use_seconds})
    *v = r.u64();
}

void put_current(Writer& w, const model::LifetimeCurrent& c) {
  for (uint64_t v : {c.bytes, c.packets, c.add_time, c.use_time}) w.u64(v);
}

void get_current(Reader& r, model::LifetimeCurrent& c) {
  for (uint64_t* v : {&c.bytes, &c.packets, &c.add_time, &c.use_time}) *v = r.u64();
}

void put_alg(Writer& w, const model::AlgorithmSetting& a) {
  w.str(a.kernel_name);
  w.bytes(a.key);
  w.u32(a.icv_bits);
}

model::AlgorithmSetting get_alg(Reader& r) {
  model::AlgorithmSetting a;
  a.kernel_name = r.str(kMaxNameBytes);
  a.key = r.bytes(kMaxKeyBytes);
  a.icv_bits = r.u32();
  return a;
}

bool get_protocol(Reader& r, model::Protocol& p) {
  return enum_in(r.u8(), {model::Protocol::esp, model::Protocol::ah, model::Protocol::ipcomp}, p);
}

bool get_mode(Reader& r, model::Mode& m) {
  using model::Mode;
  return enum_in(r.u8(), {Mode::transport, Mode::tunnel, Mode::ro, Mode::in_trigger, Mode::beet, Mode::iptfs}, m);
}

bool get_direction(Reader& r, model::Direction& d) {
  return enum_in(r.u8(), {model::Direction::in, model::Direction::out, model::Direction::fwd}, d);
}

// Policy presence bits.
constexpr uint8_t kPMark = 1, kPIfId = 2, kPCtx = 4, kPLimits = 8, kPCurrent = 16;

void put_template(Writer& w, const model::Template& t) {
  w.u8(static_cast<uint8_t>(t.proto));
  w.u8(static_cast<uint8_t>(t.mode));
  w.u8(static_cast<uint8_t>(t.family));
  put_addr(w, t.src);
  put_addr(w, t.dst);
  w.u16(t.src_port);
  w.u16(t.dst_port);
  w.u8(static_cast<uint8_t>(t.level));
  w.u32(t.reqid);
  w.u32(t.spi);
  w.u32(t.aalgos);
  w.u32(t.ealgos);
  w.u32(t.calgos);
}

bool get_template(Reader& r, model::Template& t) {
  using model::Level;
  if (!get_protocol(r, t.proto) || !get_mode(r, t.mode) || !get_family(r, t.family)) return false;
  if (!get_addr(r, t.src) || !get_addr(r, t.dst)) return false;
  t.src_port = r.u16();
  t.dst_port = r.u16();
  if (!enum_in(r.u8(), {Level::default_level, Level::use, Level::require, Level::unique}, t.level)) return false;
  t.reqid = r.u32();
  t.spi = r.u32();
  t.aalgos = r.u32();
  t.ealgos = r.u32();
  t.calgos = r.u32();
  return r.ok();
}

// SA presence bits.
constexpr uint32_t
  kSAuth = 1u << 0, kSCrypt = 1u << 1, kSAead = 1u << 2, kSComp = 1u << 3, kSEncap = 1u << 4, kSMark = 1u << 5,
  kSIfId = 1u << 6, kSOutputMark = 1u << 7, kSTfcpad = 1u << 8, kSDir = 1u << 9, kSNatKeepalive = 1u << 10,
  kSMapping = 1u << 11, kSCtx = 1u << 12, kSCoaddr = 1u << 13, kSAll = (1u << 14) - 1;

}  // namespace

void Writer::bytes(std::span<const uint8_t> b) {
  u32(static_cast<uint32_t>(b.size()));
  out_.append(reinterpret_cast<const char*>(b.data()), b.size());
}

void Writer::str(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  out_.append(s);
}

std::vector<uint8_t> Reader::bytes(size_t max) {
  uint32_t n = u32();
  if (!ok_ || n > max || n > in_.size() - pos_) {
    ok_ = false;
    return {};
  }
  std::vector<uint8_t> v(in_.begin() + static_cast<ptrdiff_t>(pos_), in_.begin() + static_cast<ptrdiff_t>(pos_ + n));
  pos_ += n;
  return v;
}

std::string Reader::str(size_t max) {
  auto b = bytes(max);
  return std::string(b.begin(), b.end());
}

uint32_t Reader::count(size_t min_item_bytes) {
  uint32_t n = u32();
  if (!ok_ || (min_item_bytes != 0 && n > (in_.size() - pos_) / min_item_bytes)) {
    ok_ = false;
    return 0;
  }
  return n;
}

void put_policy(Writer& w, const model::Policy& p) {
  put_selector(w, p.sel);
  w.u8(static_cast<uint8_t>(p.dir));
  w.u8(static_cast<uint8_t>(p.kind));
  w.u32(p.priority);
  w.u32(p.index);
  w.u8(static_cast<uint8_t>(p.type));
  w.u8(p.flags);
  uint8_t presence = static_cast<uint8_t>((p.mark ? kPMark : 0) | (p.if_id ? kPIfId : 0) | (p.ctx ? kPCtx : 0) |
                     (p.limits != model::LifetimeLimits{} ? kPLimits : 0) |
                     (p.current != model::LifetimeCurrent{} ? kPCurrent : 0));
  w.u8(presence);
  w.u8(static_cast<uint8_t>(p.templates.size()));
  for (const auto& t : p.templates) put_template(w, t);
  if (p.mark) put_mark(w, *p.mark);
  if (p.if_id) w.u32(*p.if_id);
  if (p.ctx) put_ctx(w, *p.ctx);
  if (presence & kPLimits) put_limits(w, p.limits);
  if (presence & kPCurrent) put_current(w, p.current);
}

bool get_policy(Reader& r, model::Policy& p) {
  using model::PolicyKind;
  p = {};
  if (!get_selector(r, p.sel) || !get_direction(r, p.dir)) return r.fail(), false;
  if (!enum_in(r.u8(), {PolicyKind::discard, PolicyKind::none, PolicyKind::ipsec, PolicyKind::entrust, PolicyKind::bypass},
               p.kind))
    return r.fail(), false;
  p.priority = r.u32();
  p.index = r.u32();
  if (!enum_in(r.u8(), {model::PolicyType::main, model::PolicyType::sub}, p.type)) return r.fail(), false;
  p.flags = r.u8();
  uint8_t presence = r.u8();
  uint8_t ntmpl = r.u8();
  if (!r.ok() || (presence & ~uint8_t{31}) != 0 || ntmpl > kMaxTemplates) return r.fail(), false;
  p.templates.resize(ntmpl);
  for (auto& t : p.templates)
    if (!get_template(r, t)) return r.fail(), false;
  if (presence & kPMark) p.mark = get_mark(r);
  if (presence & kPIfId) p.if_id = r.u32();
  if (presence & kPCtx) p.ctx = get_ctx(r);
  if (presence & kPLimits) get_limits(r, p.limits);
  if (presence & kPCurrent) get_current(r, p.current);
  return r.ok();
}

void put_sa(Writer& w, const model::SecurityAssociation& sa) {
  w.u8(static_cast<uint8_t>(sa.family));
  put_addr(w, sa.src);
  put_addr(w, sa.dst);
  w.u8(static_cast<uint8_t>(sa.proto));
  w.u32(sa.spi);
  w.u8(static_cast<uint8_t>(sa.mode));
  w.u32(sa.reqid);
  w.u8(sa.flags);
  w.u32(sa.extra_flags);
  put_selector(w, sa.sel);
  w.u32(sa.replay.window);
  w.u8(sa.replay.esn ? 1 : 0);
  for (uint32_t v : {sa.replay_counters.oseq, sa.replay_counters.seq, sa.replay_counters.oseq_hi, sa.replay_counters.seq_hi}) w.u32(v);
  uint32_t presence = (sa.auth ? kSAuth : 0) | (sa.crypt ? kSCrypt : 0) | (sa.aead ? kSAead : 0) | (sa.comp ? kSComp : 0) |
                      (sa.encap ? kSEncap : 0) | (sa.mark ? kSMark : 0) | (sa.if_id ? kSIfId : 0) |
                      (sa.output_mark ? kSOutputMark : 0) | (sa.tfcpad ? kSTfcpad : 0) | (sa.dir ? kSDir : 0) |
                      (sa.nat_keepalive_interval ? kSNatKeepalive : 0) | (sa.mapping_threshold ? kSMapping : 0) |
                      (sa.ctx ? kSCtx : 0) | (sa.coaddr ? kSCoaddr : 0);
  w.u32(presence);
  for (const auto* a : {&sa.auth, &sa.crypt, &sa.aead, &sa.comp})
    if (*a) put_alg(w, **a);
  if (sa.encap) {
    w.u16(sa.encap->type);
    w.u16(sa.encap->sport);
    w.u16(sa.encap->dport);
    put_addr(w, sa.encap->original_address);
  }
  if (sa.mark) put_mark(w, *sa.mark);
  if (sa.if_id) w.u32(*sa.if_id);
  if (sa.output_mark) put_mark(w, *sa.output_mark);
  if (sa.tfcpad) w.u32(*sa.tfcpad);
  if (sa.dir) w.u8(static_cast<uint8_t>(*sa.dir));
  if (sa.nat_keepalive_interval) w.u32(*sa.nat_keepalive_interval);
  if (sa.mapping_threshold) w.u32(*sa.mapping_threshold);
  if (sa.ctx) put_ctx(w, *sa.ctx);
  if (sa.coaddr) put_addr(w, *sa.coaddr);
  put_limits(w, sa.limits);
  w.u32(sa.seq);
  put_current(w, sa.current);
  w.u32(sa.stats.replay_window);
  w.u32(sa.stats.replay);
  w.u32(sa.stats.integrity_failed);
  w.u64(sa.last_used);
}

bool get_sa(Reader& r, model::SecurityAssociation& sa) {
  sa = {};
  if (!get_family(r, sa.family) || !get_addr(r, sa.src) || !get_addr(r, sa.dst) || !get_protocol(r, sa.proto))
    return r.fail(), false;
  sa.spi = r.u32();
  if (!get_mode(r, sa.mode)) return r.fail(), false;
  sa.reqid = r.u32();
  sa.flags = r.u8();
  sa.extra_flags = r.u32();
  if (!get_selector(r, sa.sel)) return r.fail(), false;
  sa.replay.window = r.u32();
  uint8_t esn = r.u8();
  if (esn > 1) return r.fail(), false;
  sa.replay.esn = esn == 1;
  for (uint32_t* v : {&sa.replay_counters.oseq, &sa.replay_counters.seq, &sa.replay_counters.oseq_hi, &sa.replay_counters.seq_hi}) *v = r.u32();
  uint32_t presence = r.u32();
  if (!r.ok() || (presence & ~uint32_t{kSAll}) != 0) return r.fail(), false;
  if (presence & kSAuth) sa.auth = get_alg(r);
  if (presence & kSCrypt) sa.crypt = get_alg(r);
  if (presence & kSAead) sa.aead = get_alg(r);
  if (presence & kSComp) sa.comp = get_alg(r);
  if (presence & kSEncap) {
    model::Encapsulation e;
    e.type = r.u16();
    e.sport = r.u16();
    e.dport = r.u16();
    if (!get_addr(r, e.original_address)) return r.fail(), false;
    sa.encap = e;
  }
  if (presence & kSMark) sa.mark = get_mark(r);
  if (presence & kSIfId) sa.if_id = r.u32();
  if (presence & kSOutputMark) sa.output_mark = get_mark(r);
  if (presence & kSTfcpad) sa.tfcpad = r.u32();
  if (presence & kSDir) {
    model::SaDirection d;
    if (!enum_in(r.u8(), {model::SaDirection::in, model::SaDirection::out}, d)) return r.fail(), false;
    sa.dir = d;
  }
  if (presence & kSNatKeepalive) sa.nat_keepalive_interval = r.u32();
  if (presence & kSMapping) sa.mapping_threshold = r.u32();
  if (presence & kSCtx) sa.ctx = get_ctx(r);
  if (presence & kSCoaddr) {
    model::Address a;
    if (!get_addr(r, a)) return r.fail(), false;
    sa.coaddr = a;
  }
  get_limits(r, sa.limits);
  sa.seq = r.u32();
  get_current(r, sa.current);
  sa.stats.replay_window = r.u32();
  sa.stats.replay = r.u32();
  sa.stats.integrity_failed = r.u32();
  sa.last_used = r.u64();
  return r.ok();
}

namespace {
constexpr uint8_t kESa = 1, kEPolicy = 2, kEDefaults = 4;

void put_action(Writer& w, const std::optional<model::PolicyAction>& a) { w.u8(a ? static_cast<uint8_t>(*a) + 1 : 0); }

bool get_action(Reader& r, std::optional<model::PolicyAction>& a) {
  uint8_t v = r.u8();
  if (v > 2) return false;
  if (v == 0) a.reset();
  else a = static_cast<model::PolicyAction>(v - 1);
  return r.ok();
}
}  // namespace

void put_event(Writer& w, const Event& e) {
  w.u8(static_cast<uint8_t>(e.kind));
  w.u8(e.hard ? 1 : 0);
  w.u16(e.raw_type);
  w.u8(static_cast<uint8_t>((e.sa ? kESa : 0) | (e.policy ? kEPolicy : 0) | (e.defaults ? kEDefaults : 0)));
  if (e.sa) put_sa(w, *e.sa);
  if (e.policy) put_policy(w, *e.policy);
  if (e.defaults) {
    put_action(w, e.defaults->in);
    put_action(w, e.defaults->fwd);
    put_action(w, e.defaults->out);
  }
}

bool get_event(Reader& r, Event& e) {
  e = {};
  uint8_t kind = r.u8();
  if (kind > static_cast<uint8_t>(Event::Kind::other)) return r.fail(), false;
  e.kind = static_cast<Event::Kind>(kind);
  uint8_t hard = r.u8();
  if (hard > 1) return r.fail(), false;
  e.hard = hard == 1;
  e.raw_type = r.u16();
  uint8_t presence = r.u8();
  if (!r.ok() || (presence & ~uint8_t{7}) != 0) return r.fail(), false;
  if (presence & kESa) {
    model::SecurityAssociation sa;
    if (!get_sa(r, sa)) return false;
    e.sa = std::move(sa);
  }
  if (presence & kEPolicy) {
    model::Policy p;
    if (!get_policy(r, p)) return false;
    e.policy = std::move(p);
  }
  if (presence & kEDefaults) {
    model::DefaultPolicy d;
    if (!get_action(r, d.in) || !get_action(r, d.fwd) || !get_action(r, d.out)) return r.fail(), false;
    e.defaults = d;
  }
  return r.ok();
}

uint64_t checksum(std::span<const uint8_t> data) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : data) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace xfrmpp::engine
