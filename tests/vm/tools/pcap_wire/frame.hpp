// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Byte-level helpers shared by craft and show: big-endian fields and the Internet checksum.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pcap_wire {

inline uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t get32(const uint8_t* p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }
inline void put16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

/// One's-complement sum of `len` bytes folded into `sum` (not yet inverted).
uint32_t sum_bytes(const uint8_t* p, size_t len, uint32_t sum = 0);
/// The checksum field value for a running sum.
uint16_t fold(uint32_t sum);
/// The pseudo-header sum of UDP/ICMPv6 (RFC 768, RFC 8200 8.1): addresses of 4 or 16 bytes.
uint32_t pseudo_sum(const uint8_t* src, const uint8_t* dst, size_t addr_len, uint8_t proto, size_t len);

}  // namespace pcap_wire
