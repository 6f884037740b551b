// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// An SA as the packet path uses it: its prepared crypto, its lifetimes as packets spend them, and the
// kernel's choice of SA for an outbound template.
#include <memory>

#include "../crypto/deflate.hpp"
#include "../crypto/esp_transform.hpp"
#include "../crypto/mac.hpp"
#include "../sad.hpp"
#include "path_context.hpp"

namespace xfrmpp::engine::packet {

struct SaCrypto {
  std::unique_ptr<crypto::EspTransform> esp;  ///< ESP SAs
  std::unique_ptr<crypto::Mac> mac;           ///< AH SAs
};

/// The entry's crypto, prepared at its first use. An algorithm the engine cannot run (OpenSSL lacks
/// it) fails here; the SA add already refused it, so this only meets a state written by another build.
Result<SaCrypto*> crypto_of(SaEntry& e);

/// The kernel's xfrm_state_check_expire at a packet: a hard limit reached deletes the SA (hard EXPIRE,
/// `expired` returned), a soft one raises a soft EXPIRE once. Time limits are checked here too, as the
/// kernel's timer would have fired by now. `e` may be gone when this returns true.
bool check_expired(PathContext& c, SaEntry*& e);

/// The kernel's xfrm_timer_handler for every SA at once: time limits that ran out raise their EXPIREs
/// without waiting for a packet (a hard one deletes the SA). Byte and packet limits wait for packets.
void run_timers(PathContext& c);

/// Accounts one packet of `bytes` to the SA (curlft). Limits are checked at the next packet, as the
/// kernel checks them before it counts one.
void account(PathContext& c, SaEntry& e, uint64_t bytes);

/// The outbound SA for a template as xfrm_state_find picks it (same addresses, protocol, mode, reqid
/// and if_id, a mark the packet's 0 matches, a selector that matches the flow, not larval; a live SA
/// before a dying one, then the newest). An SA marked for inbound traffic is returned for the caller
/// to refuse. `larval` tells whether an ACQUIRE is pending for the template, whatever its selector.
struct SaChoice {
  SaEntry* sa = nullptr;
  bool larval = false;
};
SaChoice find_outbound_sa(EngineState& s, const model::Template& t, const model::Address& src,
                          const model::Address& dst, const Flow& flow, uint32_t if_id);

/// Whether the SA counts with 64-bit sequence numbers.
inline bool esn_of(const model::SecurityAssociation& sa) { return sa.replay.esn || (sa.flags & model::sa_flag::esn); }
/// The replay check of a packet whose sequence number's low bits are `seq_lo`, before its ICV is
/// checked; `seq` gets the full (ESN-inferred) number. Counts replays in the SA's stats.
Step check_replay(SaEntry& e, uint32_t seq_lo, uint64_t& seq);
/// Records `seq` after the packet's ICV was found good.
void accept_replay(SaEntry& e, uint64_t seq);

/// Whether the SA's selector matches the flow (an unset selector matches everything).
bool selector_matches(const model::Selector& sel, const Flow& flow);

}  // namespace xfrmpp::engine::packet
