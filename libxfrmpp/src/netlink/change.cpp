// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/change.hpp"

#include <cerrno>

#include "xfrmpp/netlink/policy.hpp"
#include "xfrmpp/netlink/sa.hpp"
#include "xfrmpp/netlink/uapi.hpp"

namespace xfrmpp::nl {

model::PolicyId policy_id_of(const model::Policy& p) {
  // A policy that carries its index is deleted by it, so an entry whose selector the kernel rewrote
  // (prefix bits beyond the length cleared) is still the one named.
  model::PolicyId id = p.id();
  id.index = p.index;
  return id;
}

model::SaId sa_id_of(const model::SecurityAssociation& sa) {
  return sa.id();
}

Result<size_t> encode_change(std::span<uint8_t> out, const Change& change, uint32_t seq) {
  const Request req{seq, NLM_F_REQUEST | NLM_F_ACK};
  const bool remove = change.verb == Change::Verb::remove;
  const bool update = change.verb == Change::Verb::update;
  if (const auto* p = std::get_if<model::Policy>(&change.target)) {
    if (remove) return encode_policy_id(out, XFRM_MSG_DELPOLICY, policy_id_of(*p), req);
    return encode_policy(out, update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY, *p, req);
  }
  if (const auto* id = std::get_if<model::PolicyId>(&change.target)) {
    if (!remove) return make_error(EINVAL, "a policy id can only be removed");
    return encode_policy_id(out, XFRM_MSG_DELPOLICY, *id, req);
  }
  if (const auto* sa = std::get_if<model::SecurityAssociation>(&change.target)) {
    if (remove) return encode_sa_id(out, XFRM_MSG_DELSA, sa_id_of(*sa), req);
    return encode_sa(out, update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA, *sa, req);
  }
  const auto& sa_id = std::get<model::SaId>(change.target);
  if (!remove) return make_error(EINVAL, "an SA id can only be removed");
  return encode_sa_id(out, XFRM_MSG_DELSA, sa_id, req);
}

}  // namespace xfrmpp::nl
