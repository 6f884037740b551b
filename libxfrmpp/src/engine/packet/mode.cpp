// SPDX-License-Identifier: BSD-3-Clause
#include "mode.hpp"

#include "xfrmpp/util/ip_checksum.hpp"

#include <cstring>

#include "counters.hpp"

namespace xfrmpp::engine::packet {

namespace {

constexpr uint8_t kEcnMask = 3, kEcnCe = 3, kEcnNotEct = 0;
constexpr uint32_t kDontEncapDscp = 1;  // XFRM_SA_XFLAG_DONT_ENCAP_DSCP

// The outer traffic class of a tunnel: the inner DSCP (unless the SA says not to disclose it) and, with
// the BSD `ecn` knob on, the inner ECN field copied (RFC 6040 normal mode); off, or with the SA's noecn
// flag, the outer header is not ECN-capable.
uint8_t outer_tos(const PathContext& c, const model::SecurityAssociation& sa, uint8_t inner, model::Family outer) {
  uint8_t tos = (sa.extra_flags & kDontEncapDscp) ? 0 : static_cast<uint8_t>(inner & ~kEcnMask);
  bool ecn = c.knob(outer == model::Family::inet6 ? "ecn6" : "ecn") != 0 && !(sa.flags & model::sa_flag::noecn);
  if (ecn) tos |= inner & kEcnMask;
  return tos;
}

// RFC 6040 §4.2 decapsulation: outer CE marks an ECN-capable inner packet CE and drops one that is not
// ECN-capable; outer ECT(1) over inner ECT(0) is kept. False = drop.
bool decapsulate_ecn(uint8_t outer, std::span<uint8_t> inner, model::Family f) {
  uint8_t in_tos = f == model::Family::inet ? inner[1] : static_cast<uint8_t>((load16(&inner[0]) >> 4) & 0xff);
  uint8_t o = outer & kEcnMask, i = in_tos & kEcnMask, result = i;
  if (o == kEcnCe) {
    if (i == kEcnNotEct) return false;
    result = kEcnCe;
  } else if (o == 1 && i == 2) {
    result = 1;
  }
  if (result == i) return true;
  in_tos = static_cast<uint8_t>((in_tos & ~kEcnMask) | result);
  if (f == model::Family::inet) {
    inner[1] = in_tos;
    util::set_ipv4_header_checksum(inner.first((inner[0] & 0xf) * 4u));
  } else {
    store16(&inner[0], static_cast<uint16_t>((load16(&inner[0]) & 0xf00f) | in_tos << 4));
  }
  return true;
}

// The SA's decap_dscp flag: the outer DSCP replaces the inner one (ipv4_copy_dscp / ipv6_copy_dscp).
void copy_dscp(uint8_t outer, std::span<uint8_t> inner, model::Family f) {
  if (f == model::Family::inet) {
    inner[1] = static_cast<uint8_t>((outer & ~kEcnMask) | (inner[1] & kEcnMask));
    util::set_ipv4_header_checksum(inner.first((inner[0] & 0xf) * 4u));
  } else {
    uint16_t w = load16(&inner[0]);
    uint8_t tc = static_cast<uint8_t>((w >> 4) & 0xff);
    tc = static_cast<uint8_t>((outer & ~kEcnMask) | (tc & kEcnMask));
    store16(&inner[0], static_cast<uint16_t>((w & 0xf00f) | tc << 4));
  }
}

}  // namespace

Step frame_output(PathContext& c, const model::SecurityAssociation& sa, std::span<const uint8_t> pkt,
                  const IpHeader& h, std::vector<uint8_t>& out, Framing& f) {
  out.clear();
  switch (sa.mode) {
    case model::Mode::transport:
      f.family = h.family;
      f.header_len = h.ipsec_at;
      f.next_at = h.next_at;
      f.next = h.next;
      f.payload = pkt.subspan(h.ipsec_at, h.length - h.ipsec_at);
      out.assign(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(h.ipsec_at));
      return std::nullopt;
    case model::Mode::tunnel: {
      NewHeader n;
      n.src = sa.src;
      n.dst = sa.dst;
      n.tos = outer_tos(c, sa, h.tos, sa.dst.family);
      n.ttl = 64;  // the kernel's ip4_dst_hoplimit / ip6_dst_hoplimit default
      uint32_t dfbit = c.knob("dfbit");
      bool df = dfbit == 1 || (dfbit == 2 && h.family == model::Family::inet && (h.frag_off & 0x4000));
      if (sa.flags & model::sa_flag::nopmtudisc) df = false;
      n.frag_off = df ? 0x4000 : 0;
      n.id = c.ip_id++;
      n.flow_label = h.family == model::Family::inet6 ? h.flow_label : 0;
      f.family = sa.dst.family;
      f.header_len = ip_header_size(f.family);
      f.next_at = f.family == model::Family::inet ? 9 : 6;
      f.next = h.family == model::Family::inet ? kProtoIpip : kProtoIpv6;
      f.payload = pkt.first(h.length);
      out.resize(f.header_len);
      write_ip_header(out, n, f.header_len);
      return std::nullopt;
    }
    case model::Mode::beet: {
      // Options and extension headers in front of the payload are not carried (the kernel would add a
      // BEET pseudo header for IPv4 options); the packet path refuses such packets rather than lose them.
      if (h.family != sa.dst.family) return Drop{ctr::out_mode_error, "BEET across address families is not supported"};
      if (h.ipsec_at != ip_header_size(h.family)) return Drop{ctr::out_mode_error, "BEET packet with IP options"};
      NewHeader n;
      n.src = sa.src;
      n.dst = sa.dst;
      // xfrm4_beet_make_header: the inner packet's fields, identification and fragment word included.
      n.tos = h.tos;
      n.ttl = h.ttl;
      n.frag_off = h.frag_off;
      n.id = h.family == model::Family::inet ? load16(&pkt[4]) : 0;
      n.flow_label = h.flow_label;
      f.family = h.family;
      f.header_len = ip_header_size(f.family);
      f.next_at = f.family == model::Family::inet ? 9 : 6;
      f.next = h.next;
      f.payload = pkt.subspan(h.ipsec_at, h.length - h.ipsec_at);
      out.resize(f.header_len);
      write_ip_header(out, n, f.header_len);
      return std::nullopt;
    }
    default: return Drop{ctr::out_mode_error, "the engine has no packet path for this SA's mode"};
  }
}

void finish_output(std::vector<uint8_t>& out, const Framing& f, uint8_t proto) {
  out[f.next_at] = proto;
  set_ip_length(out, f.family, out.size());
}

Step frame_input(PathContext& c, const model::SecurityAssociation& sa, std::span<const uint8_t> pkt,
                 const IpHeader& h, uint8_t next, std::span<const uint8_t> payload, std::vector<uint8_t>& out) {
  switch (sa.mode) {
    case model::Mode::transport: {
      out.resize(h.ipsec_at + payload.size());
      std::memmove(out.data() + h.ipsec_at, payload.data(), payload.size());
      std::memcpy(out.data(), pkt.data(), h.ipsec_at);
      out[h.next_at] = next;
      set_ip_length(out, h.family, out.size());
      return std::nullopt;
    }
    case model::Mode::tunnel: {
      if (next != kProtoIpip && next != kProtoIpv6) return Drop{ctr::in_mode_error, "tunnel-mode SA carried no inner IP packet"};
      auto inner = parse_ip(payload);
      if (!inner || inner->family != (next == kProtoIpip ? model::Family::inet : model::Family::inet6))
        return Drop{ctr::in_mode_error, "malformed inner IP packet"};
      out.resize(inner->length);
      std::memmove(out.data(), payload.data(), inner->length);
      if (sa.flags & model::sa_flag::decap_dscp) copy_dscp(h.tos, out, inner->family);
      bool ecn = c.knob(h.family == model::Family::inet6 ? "ecn6" : "ecn") != 0 && !(sa.flags & model::sa_flag::noecn);
      if (ecn && !decapsulate_ecn(h.tos, out, inner->family))
        return Drop{ctr::in_error, "outer header marked CE over a packet that is not ECN-capable (RFC 6040)"};
      return std::nullopt;
    }
    case model::Mode::beet: {
      constexpr uint8_t kBeetPseudoHeader = 94;  // IPPROTO_BEETPH: IPv4 options carried in BEET
      if (sa.sel.family != h.family || next == kProtoIpip || next == kProtoIpv6)
        return Drop{ctr::in_mode_error, "BEET packet does not fit the SA"};
      if (next == kBeetPseudoHeader) return Drop{ctr::in_mode_error, "BEET pseudo header (IPv4 options) is not supported"};
      NewHeader n;
      n.src = sa.sel.src.addr;
      n.dst = sa.sel.dst.addr;
      n.next = next;
      n.tos = h.tos;
      n.ttl = h.ttl;
      n.frag_off = h.frag_off;
      n.id = h.family == model::Family::inet ? load16(&pkt[4]) : 0;
      n.flow_label = h.flow_label;
      size_t hl = ip_header_size(h.family);
      out.resize(hl + payload.size());
      std::memmove(out.data() + hl, payload.data(), payload.size());
      write_ip_header(out, n, out.size());
      return std::nullopt;
    }
    default: return Drop{ctr::in_mode_error, "the engine has no packet path for this SA's mode"};
  }
}

}  // namespace xfrmpp::engine::packet
