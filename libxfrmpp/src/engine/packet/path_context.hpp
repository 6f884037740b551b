// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What one packet's trip through the engine reads and changes, and how a step reports a drop.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "../engine_state.hpp"
#include "xfrmpp/engine/packet.hpp"

namespace xfrmpp::engine::packet {

/// Why a step dropped the packet: the xfrm_stat counter and a line for humans.
struct Drop {
  std::string_view counter;
  std::string_view reason;
};
using Step = std::optional<Drop>;  ///< nullopt: the step succeeded

/// What packets did since the last commit, kept apart from the state so that a commit can replay it
/// onto a state file another process changed meanwhile.
struct PacketLog {
  std::map<std::string, uint64_t, std::less<>> counters;  ///< drops counted since the last commit
  std::vector<Event> events;           ///< ACQUIRE and EXPIRE, oldest first
  std::vector<model::SaKey> deleted;   ///< SAs a hard lifetime removed
  std::vector<SaEntry> larvals;        ///< SAs an ACQUIRE made
  bool dirty = false;                  ///< some packet touched an SA
  /// An outbound sequence number came within half the reserve of what the state file holds: commit
  /// before the packet leaves (EngineBackend::commit_due).
  bool reserve_low = false;
};

struct PathContext {
  EngineState& state;
  uint64_t now;                  ///< UNIX seconds
  PacketLog& log;
  const IvSource* iv_source;     ///< null: the transforms' own IVs
  uint16_t& ip_id;               ///< IPv4 identification of the next outer header
  uint64_t seq_reserve = 0;      ///< outbound sequence numbers persisted ahead; 0: no reservation
  /// Whether an address is the host's own (a decapsulated packet for another host is checked against
  /// `fwd` policies); null: every destination is local.
  const std::function<bool(const model::Address&)>* is_local = nullptr;
  /// A host knob (dfbit, ecn, ecn6, ah_cleartos, ah_offsetmask) as set, or its BSD default.
  uint32_t knob(std::string_view name) const;
};

/// Counts a drop.
void count(PacketLog& log, std::string_view counter);
/// Counts `d` and turns `o` (what the packet went through so far) into its drop.
PacketOutcome dropped(PathContext& c, Drop d, PacketOutcome o = {});

}  // namespace xfrmpp::engine::packet
