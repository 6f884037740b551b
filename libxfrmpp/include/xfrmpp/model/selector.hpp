// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <compare>
#include <cstdint>

#include "xfrmpp/model/address.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::model {

/// Upper-layer protocol number meaning "any" in XFRM selectors.
inline constexpr uint8_t kProtoAny = 0;

/// Traffic selector, as XFRM keys it. Ports are host order. For ICMP/ICMPv6/MH the kernel keeps the
/// type in sport and the code in dport (16-bit each, mask 0xffff when set): the model does the same.
struct Selector {
  Family family = Family::unspec;
  Prefix src;
  Prefix dst;
  uint16_t sport = 0, sport_mask = 0;
  uint16_t dport = 0, dport_mask = 0;
  uint8_t proto = kProtoAny;
  int32_t ifindex = 0;
  uint32_t user = 0;
  auto operator<=>(const Selector&) const = default;
};

/// True when the protocol carries type/code in the port fields.
constexpr bool proto_has_type_code(uint8_t proto) { return proto == 1 || proto == 58 || proto == 135; }

}  // namespace xfrmpp::model

#pragma GCC visibility pop
