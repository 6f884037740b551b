// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Kernel-to-user XFRM notifications decoded into xfrmpp::Event (kernel to user only, so no encoders).
#include <span>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/diag/result.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// Decodes one multicast message. What each kind fills:
///  - new/update/delete_sa, expire (+hard): `sa` (DELSA from its XFRMA_SA, else just the id);
///  - flush_sa: `sa` with only `proto` set, or nothing when every protocol was flushed;
///  - new/update/delete_policy, policy_expire (+hard): `policy` (DELPOLICY from XFRMA_POLICY, else the id);
///  - acquire: `policy` (with its templates) and a larval `sa` (addresses, proto, spi, selector, seq);
///  - new_ae: `sa` with the id, reqid, replay state and current lifetime;
///  - mapping: `sa` with the id, reqid, the new source address and the new port in encap->sport;
///  - report: `sa` with proto, selector and coaddr; default_policy (GETDEFAULT): `defaults`.
/// Other message types come back as Kind::other with raw_type set.
Result<Event> decode_event(std::span<const uint8_t> msg);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
