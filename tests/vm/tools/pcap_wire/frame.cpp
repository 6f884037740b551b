// SPDX-License-Identifier: BSD-3-Clause
#include "frame.hpp"

namespace pcap_wire {

uint32_t sum_bytes(const uint8_t* p, size_t len, uint32_t sum) {
    for (size_t i = 0; i + 1 < len; i += 2) sum += get16(p + i);
    if (len % 2) sum += uint32_t{p[len - 1]} << 8;
    return sum;
}

uint16_t fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

uint32_t pseudo_sum(const uint8_t* src, const uint8_t* dst, size_t addr_len, uint8_t proto, size_t len) {
    uint32_t sum = sum_bytes(src, addr_len);
    sum = sum_bytes(dst, addr_len, sum);
    sum += proto;
    sum += static_cast<uint32_t>(len >> 16) + static_cast<uint32_t>(len & 0xffff);
    return sum;
}

}  // namespace pcap_wire
