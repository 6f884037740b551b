// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The Internet checksum (RFC 1071) of IPv4 headers, shared by the engine's packet path and the dataplane.
#include <cstdint>
#include <span>

#pragma GCC visibility push(default)

namespace xfrmpp::util {

/// The one's-complement sum of `bytes` as 16-bit big-endian words, complemented (an odd last byte is ignored).
uint16_t internet_checksum(std::span<const uint8_t> bytes);
/// Writes the checksum of an IPv4 header (`header` is the whole header, options included) into bytes 10-11.
void set_ipv4_header_checksum(std::span<uint8_t> header);

}  // namespace xfrmpp::util

#pragma GCC visibility pop
