// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/policy.hpp"

#include <array>
#include <cerrno>

#include "xfrmpp/netlink/attrs.hpp"

namespace xfrmpp::nl {

namespace {

Result<void> check_shape(const model::Policy& p) {
  using model::PolicyKind;
  if (p.kind == PolicyKind::entrust || p.kind == PolicyKind::bypass)
    return make_error(EINVAL, "entrust and bypass exist only for per-socket policies");
  if (p.kind != PolicyKind::ipsec && !p.templates.empty())
    return make_error(EINVAL, "only an ipsec policy carries templates");
  if (p.templates.size() > kMaxTemplates) return make_error(EINVAL, "more than 6 templates (XFRM_MAX_DEPTH)");
  return {};
}

void put_templates(MessageWriter& w, const std::vector<model::Template>& templates) {
  if (templates.empty()) return;
  std::array<xfrm_user_tmpl, kMaxTemplates> wire{};
  for (size_t i = 0; i < templates.size(); ++i) wire[i] = encode_template(templates[i]);
  w.put_attr(XFRMA_TMPL, wire.data(), templates.size() * sizeof(xfrm_user_tmpl));
}

Result<void> read_policy_keys(const AttrTable& attrs, std::optional<model::Mark>& mark, std::optional<uint32_t>& if_id,
                              std::optional<model::SecurityContext>& ctx, model::PolicyType& type) {
  if (auto m = attrs.get<xfrm_mark>(XFRMA_MARK)) mark = decode_mark(*m);
  if (auto v = attrs.get<uint32_t>(XFRMA_IF_ID)) if_id = *v;
  if (attrs.has(XFRMA_SEC_CTX)) {
    auto c = decode_sec_ctx(attrs.payload(XFRMA_SEC_CTX));
    if (!c) return c.error();
    ctx = std::move(c.value());
  }
  if (auto t = attrs.get<xfrm_userpolicy_type>(XFRMA_POLICY_TYPE)) type = static_cast<model::PolicyType>(t->type);
  return {};
}

}  // namespace

Result<size_t> encode_policy(std::span<uint8_t> out, uint16_t type, const model::Policy& p, const Request& req) {
  if (type != XFRM_MSG_NEWPOLICY && type != XFRM_MSG_UPDPOLICY)
    return make_error(EINVAL, "encode_policy: type must be NEWPOLICY or UPDPOLICY");
  if (auto shape = check_shape(p); !shape) return shape.error();
  xfrm_userpolicy_info info{};
  info.sel = encode_selector(p.sel);
  info.lft = encode_lifetime(p.limits);
  info.curlft = encode_lifetime_current(p.current);
  info.priority = p.priority;
  info.index = p.index;
  info.dir = static_cast<uint8_t>(p.dir);
  info.action = p.action() == model::PolicyAction::block ? XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW;
  info.flags = p.flags;
  info.share = XFRM_SHARE_ANY;
  MessageWriter w(out, type, req);
  w.put_fixed(info);
  put_templates(w, p.templates);
  put_policy_keys(w, p.mark, p.if_id, p.ctx, p.type);
  return w.finish();
}

Result<model::Policy> policy_from_parts(const xfrm_userpolicy_info& info, const AttrTable& attrs) {
  model::Policy p;
  p.sel = decode_selector(info.sel);
  p.limits = decode_lifetime(info.lft);
  p.current = decode_lifetime_current(info.curlft);
  p.priority = info.priority;
  p.index = info.index;
  // Per-socket policies come back with dir = XFRM_POLICY_MAX + dir; the index (index % 8 >= 3) still
  // marks them as socket policies, so keep the plain direction in the model.
  p.dir = static_cast<model::Direction>(info.dir >= 3 ? info.dir - 3 : info.dir);
  p.flags = info.flags;
  if (attrs.has(XFRMA_TMPL)) {
    auto t = decode_templates(attrs.payload(XFRMA_TMPL));
    if (!t) return t.error();
    p.templates = std::move(t.value());
  }
  if (info.action == XFRM_POLICY_BLOCK)
    p.kind = model::PolicyKind::discard;
  else
    p.kind = p.templates.empty() ? model::PolicyKind::none : model::PolicyKind::ipsec;
  if (auto keys = read_policy_keys(attrs, p.mark, p.if_id, p.ctx, p.type); !keys) return keys.error();
  return p;
}

Result<model::Policy> decode_policy(std::span<const uint8_t> msg) {
  auto attrs = AttrTable::parse(msg, sizeof(xfrm_userpolicy_info), xfrma_rules());
  if (!attrs) return attrs.error();
  uint16_t type = header_of(msg).nlmsg_type;
  if (type != XFRM_MSG_NEWPOLICY && type != XFRM_MSG_UPDPOLICY)
    return make_error(EBADMSG, "decode_policy: not a NEWPOLICY/UPDPOLICY message");
  return policy_from_parts(*read_fixed<xfrm_userpolicy_info>(msg), *attrs);
}

Result<size_t> encode_policy_id(std::span<uint8_t> out, uint16_t type, const model::PolicyId& id, const Request& req) {
  if (type != XFRM_MSG_DELPOLICY && type != XFRM_MSG_GETPOLICY)
    return make_error(EINVAL, "encode_policy_id: type must be DELPOLICY or GETPOLICY");
  xfrm_userpolicy_id wire{};
  wire.sel = encode_selector(id.sel);
  wire.index = id.index;
  wire.dir = static_cast<uint8_t>(id.dir);
  MessageWriter w(out, type, req);
  w.put_fixed(wire);
  put_policy_keys(w, id.mark, id.if_id, id.ctx, id.type);
  return w.finish();
}

Result<model::PolicyId> decode_policy_id(std::span<const uint8_t> msg) {
  auto attrs = AttrTable::parse(msg, sizeof(xfrm_userpolicy_id), xfrma_rules());
  if (!attrs) return attrs.error();
  uint16_t type = header_of(msg).nlmsg_type;
  if (type != XFRM_MSG_DELPOLICY && type != XFRM_MSG_GETPOLICY)
    return make_error(EBADMSG, "decode_policy_id: not a DELPOLICY/GETPOLICY message");
  auto wire = *read_fixed<xfrm_userpolicy_id>(msg);
  model::PolicyId id;
  id.sel = decode_selector(wire.sel);
  id.index = wire.index;
  id.dir = static_cast<model::Direction>(wire.dir);
  if (auto keys = read_policy_keys(*attrs, id.mark, id.if_id, id.ctx, id.type); !keys) return keys.error();
  return id;
}

Result<size_t> encode_policy_flush(std::span<uint8_t> out, model::PolicyType type, const Request& req) {
  MessageWriter w(out, XFRM_MSG_FLUSHPOLICY, req);
  put_policy_keys(w, std::nullopt, std::nullopt, std::nullopt, type);
  return w.finish();
}

Result<model::PolicyType> decode_policy_flush(std::span<const uint8_t> msg) {
  if (header_of(msg).nlmsg_type != XFRM_MSG_FLUSHPOLICY) return make_error(EBADMSG, "not a FLUSHPOLICY message");
  auto attrs = AttrTable::parse(msg, 0, xfrma_rules());
  if (!attrs) return attrs.error();
  auto t = attrs->get<xfrm_userpolicy_type>(XFRMA_POLICY_TYPE);
  return t ? static_cast<model::PolicyType>(t->type) : model::PolicyType::main;
}

Result<size_t> encode_policy_dump(std::span<uint8_t> out, uint32_t seq) {
  MessageWriter w(out, XFRM_MSG_GETPOLICY, Request{seq, NLM_F_REQUEST | NLM_F_DUMP});
  return w.finish();
}

}  // namespace xfrmpp::nl
