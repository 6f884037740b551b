// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The engine's packet path: what one IP packet becomes on its way out of or into a host whose SPD and
// SAD are the engine's (ESP, AH and IPComp, transport, tunnel and BEET, NAT-T), with the kernel's drop
// counters. Packets start at the IP header (no link layer).
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "xfrmpp/model/sa.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::engine {

/// What happened to one packet.
struct PacketOutcome {
  enum class Verdict : uint8_t {
    pass,  ///< out: the packet to put on the wire; in: the packet as delivered to the host
    drop,  ///< counted under `counter`
    consumed,  ///< taken by the host without error and not delivered (a NAT-T keepalive), not counted
  } verdict = Verdict::drop;
  bool transformed = false;    ///< an SA was applied (out) or removed (in)
  std::string_view counter;    ///< drop: the /proc/net/xfrm_stat name it counts under, e.g. "XfrmInStateSeqError"
  std::string_view reason;     ///< drop: one line for humans, e.g. "ICV mismatch"
  std::vector<uint32_t> spis;  ///< the SAs used, outermost first (host order)
};

/// Test hook: the IV of the packet with sequence number `seq` on SA `sa` (known-answer tests). Unset, the
/// engine uses random IVs for CBC ciphers and the 64-bit sequence number for counter and AEAD modes.
using IvSource = std::function<void(const model::SaConfig& sa, uint64_t seq, std::span<uint8_t> iv)>;

/// One xfrm_stat counter of the engine, in the kernel's order.
struct PacketCounter {
  std::string_view name;
  uint64_t value = 0;
};

}  // namespace xfrmpp::engine

#pragma GCC visibility pop
