// SPDX-License-Identifier: BSD-3-Clause
#include "ip_packet.hpp"

#include "xfrmpp/util/ip_checksum.hpp"

#include <cstring>

namespace xfrmpp::engine::packet {

namespace {

constexpr uint8_t kHopByHop = 0, kRouting = 43, kFragment = 44, kDestOpts = 60, kMobility = 135;
constexpr uint8_t kSctp = 132, kUdpLite = 136, kDccp = 33;

model::Address address(model::Family f, const uint8_t* p) {
  model::Address a;
  a.family = f;
  std::memcpy(a.bytes.data(), p, f == model::Family::inet ? 4 : 16);
  return a;
}

// Length of the generic IPv6 extension header at `p` (hop-by-hop, routing, destination options).
size_t ext_len(const uint8_t* p) { return (static_cast<size_t>(p[1]) + 1) * 8; }

}  // namespace

IpHeader past_extensions(std::span<const uint8_t> b, const IpHeader& h) {
  IpHeader r = h;
  if (h.family != model::Family::inet6) return r;
  while ((r.next == kHopByHop || r.next == kRouting || r.next == kDestOpts) && r.ipsec_at + 2 <= r.length &&
         r.ipsec_at + ext_len(&b[r.ipsec_at]) <= r.length) {
    r.next_at = r.ipsec_at;
    r.next = b[r.ipsec_at];
    r.ipsec_at += ext_len(&b[r.ipsec_at]);
  }
  return r;
}

std::optional<IpHeader> parse_ip(std::span<const uint8_t> b) {
  if (b.empty()) return std::nullopt;
  IpHeader h;
  uint8_t version = b[0] >> 4;
  if (version == 4) {
    size_t ihl = (b[0] & 0xf) * 4u;
    if (ihl < 20 || b.size() < ihl) return std::nullopt;
    size_t total = load16(&b[2]);
    if (total < ihl || total > b.size()) return std::nullopt;
    h.family = model::Family::inet;
    h.length = total;
    h.tos = b[1];
    h.frag_off = load16(&b[6]);
    h.ttl = b[8];
    h.next = b[9];
    h.next_at = 9;
    h.ipsec_at = ihl;
    h.src = address(h.family, &b[12]);
    h.dst = address(h.family, &b[16]);
    return h;
  }
  if (version != 6 || b.size() < 40) return std::nullopt;
  size_t total = 40 + size_t{load16(&b[4])};
  if (total > b.size()) return std::nullopt;  // a jumbogram (length 0) is never IPsec traffic here
  h.family = model::Family::inet6;
  h.length = total;
  h.tos = static_cast<uint8_t>((load16(&b[0]) >> 4) & 0xff);
  h.flow_label = load32(&b[0]) & 0xfffff;
  h.ttl = b[7];
  h.src = address(h.family, &b[8]);
  h.dst = address(h.family, &b[24]);
  // Where IPsec goes: past hop-by-hop options and routing headers, and past destination options unless
  // a routing header came before them (those are for the final destination and go behind IPsec), as
  // the kernel's ip6_find_1stfragopt decides.
  size_t at = 40, next_at = 6;
  uint8_t next = b[6];
  bool routing_seen = false;
  for (;;) {
    bool skip = next == kHopByHop || next == kRouting || (next == kDestOpts && !routing_seen);
    if (!skip) break;
    if (at + 2 > total || at + ext_len(&b[at]) > total) return std::nullopt;
    routing_seen = routing_seen || next == kRouting;
    next_at = at;
    next = b[at];
    at += ext_len(&b[at]);
  }
  h.next = next;
  h.next_at = next_at;
  h.ipsec_at = at;
  return h;
}

Flow flow_of(std::span<const uint8_t> b, const IpHeader& h, model::Direction dir) {
  Flow f;
  f.dir = dir;
  f.family = h.family;
  f.src = h.src;
  f.dst = h.dst;
  size_t at = h.ipsec_at, end = h.length;
  uint8_t proto = h.next;
  bool later_fragment = h.family == model::Family::inet && (h.frag_off & 0x1fff) != 0;
  if (h.family == model::Family::inet6) {
    while ((proto == kHopByHop || proto == kRouting || proto == kDestOpts || proto == kFragment) && at + 8 <= end) {
      if (proto == kFragment) {
        later_fragment = (load16(&b[at + 2]) & 0xfff8) != 0;
        proto = b[at];
        at += 8;
        continue;
      }
      size_t len = ext_len(&b[at]);
      proto = b[at];
      at += len;
    }
  }
  f.proto = proto;
  if (later_fragment || at > end) return f;
  std::span<const uint8_t> l4 = b.subspan(at, end - at);
  switch (proto) {
    case kProtoTcp:
    case kProtoUdp:
    case kUdpLite:
    case kSctp:
    case kDccp:
      if (l4.size() >= 4) f.sport = load16(&l4[0]), f.dport = load16(&l4[2]);
      break;
    case kProtoIcmp:
    case kProtoIcmp6:
      if (l4.size() >= 2) f.sport = l4[0], f.dport = l4[1];
      break;
    case kMobility:
      if (l4.size() >= 3) f.sport = l4[2];
      break;
    default: break;
  }
  return f;
}

void set_ip_length(std::span<uint8_t> b, model::Family f, size_t total) {
  if (f == model::Family::inet) {
    store16(&b[2], static_cast<uint16_t>(total));
    util::set_ipv4_header_checksum(b.first((b[0] & 0xf) * 4u));
  } else {
    store16(&b[4], static_cast<uint16_t>(total - 40));
  }
}

size_t ip_header_size(model::Family f) { return f == model::Family::inet ? 20 : 40; }

void write_ip_header(std::span<uint8_t> at, const NewHeader& h, size_t total) {
  uint8_t* p = at.data();
  if (h.dst.family == model::Family::inet) {
    std::memset(p, 0, 20);
    p[0] = 0x45;
    p[1] = h.tos;
    store16(p + 2, static_cast<uint16_t>(total));
    store16(p + 4, h.id);
    store16(p + 6, h.frag_off);
    p[8] = h.ttl;
    p[9] = h.next;
    std::memcpy(p + 12, h.src.bytes.data(), 4);
    std::memcpy(p + 16, h.dst.bytes.data(), 4);
    util::set_ipv4_header_checksum(at.first(20));
    return;
  }
  store32(p, 6u << 28 | uint32_t{h.tos} << 20 | (h.flow_label & 0xfffff));
  store16(p + 4, static_cast<uint16_t>(total - 40));
  p[6] = h.next;
  p[7] = h.ttl;
  std::memcpy(p + 8, h.src.bytes.data(), 16);
  std::memcpy(p + 24, h.dst.bytes.data(), 16);
}

}  // namespace xfrmpp::engine::packet
