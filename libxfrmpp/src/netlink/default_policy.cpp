// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/default_policy.hpp"

#include <cerrno>

#include "xfrmpp/netlink/uapi.hpp"

namespace xfrmpp::nl {

namespace {

// The model's PolicyAction numbers (allow 0, block 1) differ from XFRM_USERPOLICY_* (0 is "unchanged").
uint8_t encode_action(const std::optional<model::PolicyAction>& a) {
  if (!a) return XFRM_USERPOLICY_UNSPEC;
  return *a == model::PolicyAction::block ? XFRM_USERPOLICY_BLOCK : XFRM_USERPOLICY_ACCEPT;
}

std::optional<model::PolicyAction> decode_action(uint8_t v) {
  if (v == XFRM_USERPOLICY_BLOCK) return model::PolicyAction::block;
  if (v == XFRM_USERPOLICY_ACCEPT) return model::PolicyAction::allow;
  return std::nullopt;
}

}  // namespace

Result<size_t> encode_default_policy(std::span<uint8_t> out, uint16_t type, const model::DefaultPolicy& d,
                                     const Request& req) {
  if (type != XFRM_MSG_SETDEFAULT && type != XFRM_MSG_GETDEFAULT)
    return make_error(EINVAL, "encode_default_policy: type must be SETDEFAULT or GETDEFAULT");
  xfrm_userpolicy_default wire{};
  wire.in = encode_action(d.in);
  wire.fwd = encode_action(d.fwd);
  wire.out = encode_action(d.out);
  MessageWriter w(out, type, req);
  w.put_fixed(wire);
  return w.finish();
}

Result<model::DefaultPolicy> decode_default_policy(std::span<const uint8_t> msg) {
  uint16_t type = header_of(msg).nlmsg_type;
  if (type != XFRM_MSG_SETDEFAULT && type != XFRM_MSG_GETDEFAULT)
    return make_error(EBADMSG, "not a SETDEFAULT/GETDEFAULT message");
  auto wire = read_fixed<xfrm_userpolicy_default>(msg);
  if (!wire) return make_error(EBADMSG, "default policy message shorter than xfrm_userpolicy_default");
  return model::DefaultPolicy{decode_action(wire->in), decode_action(wire->fwd), decode_action(wire->out)};
}

}  // namespace xfrmpp::nl
