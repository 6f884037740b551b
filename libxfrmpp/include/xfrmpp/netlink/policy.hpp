// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// XFRM policy messages: NEW/UPD/DEL/GET/FLUSH POLICY and the policy dump request. Pure codecs:
// encoders write one message into caller memory and return its length; decoders take one whole message.
#include <cstdint>
#include <optional>
#include <span>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/netlink/message.hpp"
#include "xfrmpp/netlink/uapi.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// XFRM_MSG_NEWPOLICY or UPDPOLICY (`type`): xfrm_userpolicy_info + TMPL, MARK, IF_ID, SEC_CTX, POLICY_TYPE.
/// EINVAL for another type, > XFRM_MAX_DEPTH templates, templates on a discard/none policy, or a socket-only kind.
Result<size_t> encode_policy(std::span<uint8_t> out, uint16_t type, const model::Policy& p, const Request& req = {});
/// A NEWPOLICY/UPDPOLICY message (request, GETPOLICY reply or dump entry) back to the model.
Result<model::Policy> decode_policy(std::span<const uint8_t> msg);

/// XFRM_MSG_DELPOLICY or GETPOLICY (`type`): xfrm_userpolicy_id (index, or selector + dir) + the key attributes.
Result<size_t> encode_policy_id(std::span<uint8_t> out, uint16_t type, const model::PolicyId& id, const Request& req = {});
Result<model::PolicyId> decode_policy_id(std::span<const uint8_t> msg);

/// XFRM_MSG_FLUSHPOLICY: no body; XFRMA_POLICY_TYPE only for the sub-policy table.
Result<size_t> encode_policy_flush(std::span<uint8_t> out, model::PolicyType type, const Request& req = {});
Result<model::PolicyType> decode_policy_flush(std::span<const uint8_t> msg);

/// GETPOLICY with NLM_F_DUMP. The kernel takes no filter, so the body is empty.
Result<size_t> encode_policy_dump(std::span<uint8_t> out, uint32_t seq);

/// The model of a policy from its fixed struct and the message's attributes (dumps, DELPOLICY, ACQUIRE...).
Result<model::Policy> policy_from_parts(const xfrm_userpolicy_info& info, const AttrTable& attrs);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
