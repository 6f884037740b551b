// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The outbound and inbound paths over the engine's SPD and SAD, as the kernel's xfrm_lookup/xfrm_output
// and xfrm_input/__xfrm_policy_check run them.
#include <span>
#include <vector>

#include "path_context.hpp"

namespace xfrmpp::engine::packet {

/// Buffers a path reuses between packets (their capacity is what is kept).
struct Scratch {
  std::vector<uint8_t> step, work;
};

PacketOutcome run_output(PathContext& c, std::span<const uint8_t> in, std::vector<uint8_t>& out, Scratch& s);
PacketOutcome run_input(PathContext& c, std::span<const uint8_t> in, std::vector<uint8_t>& out, Scratch& s);

}  // namespace xfrmpp::engine::packet
