// SPDX-License-Identifier: BSD-3-Clause
// The raw attribute walk of wire.hpp: an independent reader of netlink bytes for the codec tests.
#include <linux/netlink.h>

#include "wire.hpp"

namespace wire {

std::vector<RawAttr> find_attrs(std::span<const uint8_t> msg, size_t fixed, uint16_t type) {
  std::vector<RawAttr> out;
  uint32_t total = load<uint32_t>(msg, 0);
  size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixed);
  while (off + 4 <= total) {
    auto len = load<uint16_t>(msg, off);
    auto t = load<uint16_t>(msg, off + 2);
    if (len < 4 || off + len > total) break;
    if ((t & NLA_TYPE_MASK) == type) out.push_back({off + 4, size_t{len} - 4u});
    off += NLA_ALIGN(len);
  }
  return out;
}

std::optional<RawAttr> find_attr(std::span<const uint8_t> msg, size_t fixed, uint16_t type) {
  auto all = find_attrs(msg, fixed, type);
  if (all.empty()) return std::nullopt;
  return all.front();
}

size_t count_attrs(std::span<const uint8_t> msg, size_t fixed) {
  size_t n = 0;
  uint32_t total = load<uint32_t>(msg, 0);
  size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixed);
  while (off + 4 <= total) {
    auto len = load<uint16_t>(msg, off);
    if (len < 4) break;
    ++n;
    off += NLA_ALIGN(len);
  }
  return n;
}

}  // namespace wire
