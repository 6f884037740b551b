// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Plain packets for the packet-path tests, fuzz seeds and the ESP benchmark (no test framework here:
// the fuzz and bench builds compile this file in).
#include <cstdint>
#include <vector>

#include "xfrmpp/model/address.hpp"

namespace xfrmpp::testing {

/// An IPv4 or IPv6 (by `src`'s family) UDP packet, UDP checksum 0, with `payload` bytes of `fill`.
std::vector<uint8_t> udp_packet(const model::Address& src, const model::Address& dst, uint16_t sport, uint16_t dport,
                                size_t payload, uint8_t fill);
/// Recomputes the IPv4 header checksum of the packet at the start of `p` (20-byte header).
void set_ipv4_header_checksum(std::vector<uint8_t>& p);

}  // namespace xfrmpp::testing
