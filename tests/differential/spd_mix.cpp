// SPDX-License-Identifier: BSD-3-Clause
#include "spd_mix.hpp"

#include <algorithm>
#include <set>

namespace xfrmpp::testing {

namespace {

constexpr uint16_t kPorts[] = {53, 80, 443, 500, 4500, 1000, 1001, 1002, 1003, 8080, 12345, 40000};
constexpr uint8_t kIcmpTypes[] = {0, 3, 8, 11, 13};
constexpr uint8_t kIcmp6Types[] = {1, 128, 129, 135, 136};

}  // namespace

model::Prefix masked(model::Address a, uint8_t len) {
  for (unsigned i = len; i < 128; ++i) a.bytes[i >> 3] &= static_cast<uint8_t>(~(0x80u >> (i & 7)));
  return model::Prefix{a, len};
}

Mix::Mix(const MixOptions& options) : opt_(options), rng_(options.seed), reqid_(options.first_reqid) {
  auto make = [&](size_t n, uint8_t net) {
    std::vector<model::Address> v;
    for (size_t i = 0; i < n; ++i) {
      model::Address a;
      a.family = opt_.family;
      if (opt_.family == model::Family::inet) {
        // 10.net.x.y: the shared first bytes make short prefixes overlap many hosts
        a.bytes[0] = 10;
        a.bytes[1] = net;
        // a pool of n hosts spreads over about 4n addresses: neighbours share long prefixes
        uint32_t span = static_cast<uint32_t>(std::min<size_t>(65536, std::max<size_t>(4, n / 64)));
        a.bytes[2] = static_cast<uint8_t>(rng_() % span);
        if (span > 256) a.bytes[1] = static_cast<uint8_t>(net * 16 + rng_() % (span / 256));
        a.bytes[3] = static_cast<uint8_t>(1 + rng_() % 254);
      } else {
        a.bytes[0] = 0xfd;
        a.bytes[1] = net;
        unsigned spread = n > 1024 ? 4 : 2;
        for (int b = 2; b < 16; ++b) a.bytes[b] = static_cast<uint8_t>(b < 14 ? rng_() % spread : rng_() % 256);
        a.bytes[15] |= 1;
      }
      v.push_back(a);
    }
    return v;
  };
  src_ = make(opt_.src_hosts, 1);
  dst_ = make(opt_.dst_hosts, 2);
  for (int i = 0; i < 6; ++i) marks_.push_back(static_cast<uint32_t>(rng_() % 16));
}

model::Address Mix::host_near(const std::vector<model::Address>& pool) {
  return pool[pick(static_cast<uint32_t>(pool.size()))];
}

uint16_t Mix::port() { return pick(5) == 0 ? static_cast<uint16_t>(1 + pick(65535)) : kPorts[pick(std::size(kPorts))]; }

model::Policy Mix::policy() {
  model::Policy p;
  const bool v6 = opt_.family == model::Family::inet6;
  const uint8_t full = v6 ? 128 : 32;
  p.sel.family = opt_.family;
  p.dir = opt_.out_only ? model::Direction::out : static_cast<model::Direction>(pick(3));
  auto len = [&]() -> uint8_t {
    // every length, with a bias to the long ones where the hosts differ
    return pick(3) == 0 ? static_cast<uint8_t>(pick(full + 1u)) : static_cast<uint8_t>(full - pick(v6 ? 24 : 12));
  };
  if (pick(8) == 0) {
    p.sel.src = masked(host_near(src_), full);  // exact hash
    p.sel.dst = masked(host_near(dst_), full);
  } else {
    p.sel.src = masked(host_near(src_), len());
    p.sel.dst = masked(host_near(dst_), len());
    if (p.sel.src.len == full && p.sel.dst.len == full) p.sel.dst.len = static_cast<uint8_t>(full - 1);
    p.sel.dst = masked(p.sel.dst.addr, p.sel.dst.len);
  }
  switch (pick(10)) {
    case 0: case 1: case 2: case 3: p.sel.proto = 0; break;
    case 4: case 5: p.sel.proto = 17; break;
    case 6: p.sel.proto = 6; break;
    case 7: case 8: p.sel.proto = v6 ? 58 : 1; break;
    default: p.sel.proto = 132; break;
  }
  if (p.sel.proto == 6 || p.sel.proto == 17) {
    auto ports = [&](uint16_t& v, uint16_t& m, unsigned any_in_10) {
      unsigned r = pick(10);
      if (r < any_in_10) return;
      v = port();
      m = 0xffff;
      if (opt_.port_masks && r == 9) {
        m = static_cast<uint16_t>(0xffff << (1 + pick(12)));
        v &= m;
      }
    };
    ports(p.sel.sport, p.sel.sport_mask, 7);
    ports(p.sel.dport, p.sel.dport_mask, 4);
  } else if (model::proto_has_type_code(p.sel.proto) && pick(3) != 0) {
    p.sel.sport = v6 ? kIcmp6Types[pick(std::size(kIcmp6Types))] : kIcmpTypes[pick(std::size(kIcmpTypes))];
    p.sel.sport_mask = 0xffff;
    if (pick(2) == 0) {
      p.sel.dport = static_cast<uint16_t>(pick(3));
      p.sel.dport_mask = 0xffff;
    }
  }
  if (opt_.ifindex && pick(30) == 0) p.sel.ifindex = static_cast<int32_t>(1 + pick(3));
  // More specific selectors mostly get lower values (as people write them), so many different policies
  // win; the values come in steps of 4 with a small offset, so equal priorities are common; some are
  // spread and a few are anywhere.
  unsigned r = pick(60);
  uint32_t specific = 0x80000000u - 16u * (p.sel.src.len + p.sel.dst.len);
  if (opt_.priorities == MixOptions::Priorities::flat) specific = 0x80000000u - 100u * pick(8);
  p.priority = r == 0 ? static_cast<uint32_t>(rng_()) : r < 8 ? specific - 64u + pick(128) : specific + 4u * pick(3);
  if (pick(7) == 0) {
    static constexpr uint32_t kMasks[] = {0xffffffffu, 0xffu, 0xf0u, 0x3u};
    uint32_t m = kMasks[pick(4)];
    p.mark = model::Mark{marks_[pick(static_cast<uint32_t>(marks_.size()))] & m, m};
  }
  if (pick(40) == 0) p.if_id = 1 + pick(5);
  switch (pick(5)) {
    case 0: p.kind = model::PolicyKind::discard; break;
    case 1: p.kind = model::PolicyKind::none; break;
    default: {
      p.kind = model::PolicyKind::ipsec;
      model::Template t;
      t.proto = pick(4) == 0 ? model::Protocol::ah : model::Protocol::esp;
      t.mode = model::Mode::transport;
      t.level = model::Level::unique;
      t.reqid = reqid_++;
      p.templates.push_back(t);
    }
  }
  return p;
}

std::vector<model::Policy> Mix::policies(size_t count) {
  std::vector<model::Policy> out;
  std::set<model::PolicyKey> keys;
  while (out.size() < count) {
    model::Policy p = policy();
    if (keys.insert(p.key()).second) out.push_back(std::move(p));
  }
  return out;
}

engine::Flow Mix::flow() {
  engine::Flow f;
  const bool v6 = opt_.family == model::Family::inet6;
  f.family = opt_.family;
  f.dir = opt_.out_only ? model::Direction::out : static_cast<model::Direction>(pick(3));
  f.src = host_near(src_);
  f.dst = host_near(dst_);
  if (!opt_.out_only && pick(4) == 0) f.src.bytes[v6 ? 15 : 3] ^= static_cast<uint8_t>(1u << pick(8));
  if (pick(4) == 0) f.dst.bytes[v6 ? 15 : 3] ^= static_cast<uint8_t>(1u << pick(8));
  switch (pick(8)) {
    case 0: case 1: case 2: f.proto = 17; break;
    case 3: case 4: f.proto = 6; break;
    case 5: case 6: f.proto = v6 ? 58 : 1; break;
    default: f.proto = 132; break;
  }
  if (f.proto == 6 || f.proto == 17) {
    f.sport = port();
    f.dport = port();
  } else if (model::proto_has_type_code(f.proto)) {
    f.sport = v6 ? kIcmp6Types[pick(std::size(kIcmp6Types))] : kIcmpTypes[pick(std::size(kIcmpTypes))];
    f.dport = static_cast<uint16_t>(pick(3));
  }
  if (pick(3) == 0) f.mark = pick(2) ? marks_[pick(static_cast<uint32_t>(marks_.size()))] : static_cast<uint32_t>(rng_());
  if (opt_.ifindex) f.ifindex = static_cast<int32_t>(pick(4));
  if (!opt_.out_only && pick(20) == 0) f.if_id = 1 + pick(5);
  return f;
}

}  // namespace xfrmpp::testing
