// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Reading and writing the IPv4/IPv6 headers the packet path needs, over raw bytes (network order).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "xfrmpp/engine/spd.hpp"
#include "xfrmpp/model/address.hpp"

namespace xfrmpp::engine::packet {

inline constexpr uint8_t kProtoIcmp = 1, kProtoIpip = 4, kProtoTcp = 6, kProtoUdp = 17, kProtoIpv6 = 41,
                         kProtoEsp = 50, kProtoAh = 51, kProtoIcmp6 = 58, kProtoNone = 59, kProtoComp = 108;

/// One IP packet's headers. `ipsec_at` is where an IPsec header goes (output) or is (input): after the
/// IPv4 header, or after the IPv6 header and the extension headers that come before it (hop-by-hop,
/// routing, and destination options not after a routing header, as the kernel's ip6_find_1stfragopt).
struct IpHeader {
  model::Family family = model::Family::unspec;
  model::Address src, dst;
  size_t length = 0;        ///< the packet's length as its header gives it (<= the bytes at hand)
  size_t ipsec_at = 0;      ///< offset of the first byte after the headers an IPsec header follows
  size_t next_at = 0;       ///< offset of the byte that holds the protocol found at ipsec_at
  uint8_t next = 0;         ///< that protocol (ESP, UDP, an IPv6 destination options header...)
  uint8_t tos = 0;          ///< IPv4 TOS or IPv6 traffic class
  uint8_t ttl = 0;          ///< TTL or hop limit
  uint16_t frag_off = 0;    ///< IPv4 flags and fragment offset (host order); 0 for IPv6
  uint32_t flow_label = 0;  ///< IPv6 only
};

/// Parses the header at the start of `bytes`; nullopt for anything malformed or truncated.
std::optional<IpHeader> parse_ip(std::span<const uint8_t> bytes);

/// Inbound, an IPsec header may follow any extension header the sender kept in front of it: the
/// header with ipsec_at moved past every hop-by-hop, routing and destination options header.
IpHeader past_extensions(std::span<const uint8_t> bytes, const IpHeader& h);

/// The upper-layer protocol, ports or ICMP type/code of a packet, as the SPD sees them (the kernel's
/// decode_session): every extension header skipped. Fields the bytes do not reach stay 0.
Flow flow_of(std::span<const uint8_t> bytes, const IpHeader& h, model::Direction dir);

/// Writes the length field (and for IPv4 the checksum) of the header at the start of `bytes`.
void set_ip_length(std::span<uint8_t> bytes, model::Family f, size_t total);

/// Writes a fresh 20-byte IPv4 or 40-byte IPv6 header (tunnel outer headers, rebuilt BEET headers).
struct NewHeader {
  model::Address src, dst;
  uint8_t next = 0, tos = 0, ttl = 64;
  uint16_t frag_off = 0;  ///< IPv4 flags and fragment offset (DF is 0x4000)
  uint16_t id = 0;
  uint32_t flow_label = 0;
};
size_t ip_header_size(model::Family f);
void write_ip_header(std::span<uint8_t> at, const NewHeader& h, size_t total);

inline uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t load32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}
inline void store16(uint8_t* p, uint16_t v) { p[0] = static_cast<uint8_t>(v >> 8), p[1] = static_cast<uint8_t>(v); }
inline void store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24), p[1] = static_cast<uint8_t>(v >> 16), p[2] = static_cast<uint8_t>(v >> 8),
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace xfrmpp::engine::packet
