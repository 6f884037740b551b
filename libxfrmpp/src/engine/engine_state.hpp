// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Everything the engine keeps between processes: the databases, the host defaults and knobs, and the
// counters that must survive a reload (policy index generator, event sequence).
#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "sad.hpp"
#include "xfrmpp/backend.hpp"
#include "xfrmpp/engine/spd.hpp"

namespace xfrmpp::engine {

struct EngineState {
  Spd spd;
  Sad sad;
  model::PolicyAction default_in = model::PolicyAction::allow, default_fwd = model::PolicyAction::allow,
                      default_out = model::PolicyAction::allow;
  uint8_t v4_lbits = 32, v4_rbits = 32, v6_lbits = 128, v6_rbits = 128;
  std::map<std::string, uint32_t, std::less<>> knobs;  ///< only the knobs set; the rest read as their defaults
  uint32_t idx_generator = 0;    ///< the kernel's net->xfrm.idx_generator
  uint64_t generation = 0;       ///< bumped on every write
  uint64_t next_event_seq = 1;   ///< sequence number of the next journal record
  /// The packet path's xfrm_stat counters by name; only the ones that ever counted.
  std::map<std::string, uint64_t, std::less<>> counters;
};

/// Magic, version and sizes of the state file header.
inline constexpr char kStateMagic[8] = {'X', 'F', 'R', 'M', 'P', 'P', 'E', 'S'};
/// Version 2 added the packet path's state: counters, and per SA its replay window and soft-expiry
/// mark. Version 1 files still load.
inline constexpr uint32_t kStateVersion = 2;
inline constexpr size_t kStateHeaderBytes = 8 + 4 + 4 + 8 + 8;  // magic, version, flags, payload length, checksum

std::string encode_state(const EngineState& s);
/// EINVAL ("not an xfrmpp engine state file") for a foreign file, EPROTO for a newer version, EBADMSG for
/// a damaged one; `what` names the file in the message.
Result<EngineState> decode_state(std::span<const uint8_t> data, std::string_view what);

}  // namespace xfrmpp::engine
