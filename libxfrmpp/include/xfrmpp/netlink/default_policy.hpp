// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Host default policy per direction: XFRM_MSG_SETDEFAULT / GETDEFAULT (xfrm_userpolicy_default).
#include <span>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/netlink/message.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// SETDEFAULT or GETDEFAULT (`type`). nullopt -> 0 (leave unchanged), block -> 1, allow -> 2.
Result<size_t> encode_default_policy(std::span<uint8_t> out, uint16_t type, const model::DefaultPolicy& d,
                                     const Request& req = {});
/// SETDEFAULT, or GETDEFAULT (the reply, and the notification the kernel multicasts after a SETDEFAULT).
Result<model::DefaultPolicy> decode_default_policy(std::span<const uint8_t> msg);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
