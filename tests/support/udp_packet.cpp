// SPDX-License-Identifier: BSD-3-Clause
#include "udp_packet.hpp"

#include <cstring>

namespace xfrmpp::testing {

void set_ipv4_header_checksum(std::vector<uint8_t>& p) {
  p[10] = p[11] = 0;
  uint32_t sum = 0;
  for (size_t i = 0; i < 20; i += 2) sum += uint32_t{p[i]} << 8 | p[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  p[10] = static_cast<uint8_t>(~sum >> 8), p[11] = static_cast<uint8_t>(~sum);
}

std::vector<uint8_t> udp_packet(const model::Address& s, const model::Address& d, uint16_t sport, uint16_t dport,
                                size_t payload, uint8_t fill) {
  bool v6 = s.family == model::Family::inet6;
  size_t hl = v6 ? 40 : 20, total = hl + 8 + payload;
  std::vector<uint8_t> p(total, 0);
  if (v6) {
    p[0] = 0x60;
    p[4] = static_cast<uint8_t>((total - 40) >> 8), p[5] = static_cast<uint8_t>(total - 40);
    p[6] = 17;
    p[7] = 64;
    std::memcpy(&p[8], s.bytes.data(), 16);
    std::memcpy(&p[24], d.bytes.data(), 16);
  } else {
    p[0] = 0x45;
    p[2] = static_cast<uint8_t>(total >> 8), p[3] = static_cast<uint8_t>(total);
    p[8] = 64;
    p[9] = 17;
    std::memcpy(&p[12], s.bytes.data(), 4);
    std::memcpy(&p[16], d.bytes.data(), 4);
    set_ipv4_header_checksum(p);
  }
  p[hl] = static_cast<uint8_t>(sport >> 8), p[hl + 1] = static_cast<uint8_t>(sport);
  p[hl + 2] = static_cast<uint8_t>(dport >> 8), p[hl + 3] = static_cast<uint8_t>(dport);
  p[hl + 4] = static_cast<uint8_t>((8 + payload) >> 8), p[hl + 5] = static_cast<uint8_t>(8 + payload);
  std::memset(&p[hl + 8], fill, payload);
  return p;
}

}  // namespace xfrmpp::testing
