// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/util/ip_checksum.hpp"

namespace xfrmpp::util {

uint16_t internet_checksum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += uint32_t{bytes[i]} << 8 | bytes[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

void set_ipv4_header_checksum(std::span<uint8_t> header) {
  header[10] = header[11] = 0;
  uint16_t c = internet_checksum(header);
  header[10] = static_cast<uint8_t>(c >> 8);
  header[11] = static_cast<uint8_t>(c);
}

}  // namespace xfrmpp::util
