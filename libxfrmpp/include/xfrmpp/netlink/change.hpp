// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Maps a Backend Change onto its XFRM request: add/update/remove of a policy or an SA.
#include <span>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/netlink/message.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// Policy add/update -> NEWPOLICY/UPDPOLICY, remove -> DELPOLICY by its key (or index when set);
/// PolicyId remove -> DELPOLICY; SA add/update -> NEWSA/UPDSA, remove -> DELSA; SaId remove -> DELSA.
/// EINVAL for add/update of a bare id. The message asks for an ACK with sequence `seq`.
Result<size_t> encode_change(std::span<uint8_t> out, const Change& change, uint32_t seq);

/// The identity the kernel deletes or looks up a policy by.
model::PolicyId policy_id_of(const model::Policy& p);
/// The identity the kernel deletes or looks up an SA by.
model::SaId sa_id_of(const model::SecurityAssociation& sa);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
