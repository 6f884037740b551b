// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/attrs.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace xfrmpp::nl {

namespace {

constexpr std::array<AttrRule, kMaxXfrmAttr + 1> make_rules() {
  std::array<AttrRule, kMaxXfrmAttr + 1> r{};
  auto set = [&r](uint16_t type, size_t len) { r[type] = AttrRule{true, static_cast<uint16_t>(len)}; };
  set(XFRMA_ALG_AUTH, sizeof(xfrm_algo));
  set(XFRMA_ALG_CRYPT, sizeof(xfrm_algo));
  set(XFRMA_ALG_COMP, sizeof(xfrm_algo));
  set(XFRMA_ENCAP, sizeof(xfrm_encap_tmpl));
  set(XFRMA_TMPL, sizeof(xfrm_user_tmpl));
  set(XFRMA_SA, sizeof(xfrm_usersa_info));
  set(XFRMA_POLICY, sizeof(xfrm_userpolicy_info));
  set(XFRMA_SEC_CTX, sizeof(xfrm_user_sec_ctx));
  set(XFRMA_LTIME_VAL, sizeof(xfrm_lifetime_cur));
  set(XFRMA_REPLAY_VAL, sizeof(xfrm_replay_state));
  set(XFRMA_REPLAY_THRESH, sizeof(uint32_t));
  set(XFRMA_ETIMER_THRESH, sizeof(uint32_t));
  set(XFRMA_SRCADDR, sizeof(xfrm_address_t));
  set(XFRMA_COADDR, sizeof(xfrm_address_t));
  set(XFRMA_LASTUSED, sizeof(uint64_t));
  set(XFRMA_POLICY_TYPE, sizeof(xfrm_userpolicy_type));
  set(XFRMA_ALG_AEAD, sizeof(xfrm_algo_aead));
  set(XFRMA_ALG_AUTH_TRUNC, sizeof(xfrm_algo_auth));
  set(XFRMA_MARK, sizeof(xfrm_mark));
  set(XFRMA_TFCPAD, sizeof(uint32_t));
  set(XFRMA_REPLAY_ESN_VAL, sizeof(xfrm_replay_state_esn));
  set(XFRMA_SA_EXTRA_FLAGS, sizeof(uint32_t));
  set(XFRMA_PROTO, sizeof(uint8_t));
  set(XFRMA_ADDRESS_FILTER, sizeof(xfrm_address_filter));
  set(XFRMA_SET_MARK, sizeof(uint32_t));
  set(XFRMA_SET_MARK_MASK, sizeof(uint32_t));
  set(XFRMA_IF_ID, sizeof(uint32_t));
  set(XFRMA_MTIMER_THRESH, sizeof(uint32_t));
  set(XFRMA_SA_DIR, sizeof(uint8_t));
  set(XFRMA_NAT_KEEPALIVE_INTERVAL, sizeof(uint32_t));
  set(XFRMA_SA_PCPU, sizeof(uint32_t));
  return r;
}

constexpr auto kXfrmaRules = make_rules();

size_t address_bytes(model::Family f) { return f == model::Family::inet ? 4 : f == model::Family::inet6 ? 16 : 0; }

model::Family selector_family(const model::Selector& s) {
  if (s.family != model::Family::unspec) return s.family;
  if (s.src.addr.family != model::Family::unspec) return s.src.addr.family;
  return s.dst.addr.family;
}

}  // namespace

std::span<const AttrRule> xfrma_rules() { return kXfrmaRules; }

xfrm_address_t encode_address(const model::Address& a) {
  xfrm_address_t x{};
  std::memcpy(&x, a.bytes.data(), address_bytes(a.family));
  return x;
}

model::Address decode_address(const xfrm_address_t& x, model::Family family, bool zero_is_unspec) {
  model::Address a;
  size_t n = address_bytes(family);
  if (n == 0) {
    // An unknown family still round-trips the raw bytes, so nothing the kernel said is lost.
    std::memcpy(a.bytes.data(), &x, sizeof x);
    return a;
  }
  std::memcpy(a.bytes.data(), &x, n);
  a.family = family;
  if (zero_is_unspec && a.is_zero()) a.family = model::Family::unspec;
  return a;
}

xfrm_selector encode_selector(const model::Selector& s) {
  xfrm_selector x{};
  x.daddr = encode_address(s.dst.addr);
  x.saddr = encode_address(s.src.addr);
  x.dport = htons(s.dport);
  x.dport_mask = htons(s.dport_mask);
  x.sport = htons(s.sport);
  x.sport_mask = htons(s.sport_mask);
  x.family = static_cast<uint16_t>(selector_family(s));
  x.prefixlen_d = s.dst.len;
  x.prefixlen_s = s.src.len;
  x.proto = s.proto;
  x.ifindex = s.ifindex;
  x.user = s.user;
  return x;
}

model::Selector decode_selector(const xfrm_selector& x) {
  model::Selector s;
  s.family = static_cast<model::Family>(x.family);
  s.dst = {decode_address(x.daddr, s.family, false), x.prefixlen_d};
  s.src = {decode_address(x.saddr, s.family, false), x.prefixlen_s};
  s.dport = ntohs(x.dport);
  s.dport_mask = ntohs(x.dport_mask);
  s.sport = ntohs(x.sport);
  s.sport_mask = ntohs(x.sport_mask);
  s.proto = x.proto;
  s.ifindex = x.ifindex;
  s.user = x.user;
  return s;
}

xfrm_lifetime_cfg encode_lifetime(const model::LifetimeLimits& l) {
  xfrm_lifetime_cfg x{};
  x.soft_byte_limit = l.soft_bytes;
  x.hard_byte_limit = l.hard_bytes;
  x.soft_packet_limit = l.soft_packets;
  x.hard_packet_limit = l.hard_packets;
  x.soft_add_expires_seconds = l.soft_add_seconds;
  x.hard_add_expires_seconds = l.hard_add_seconds;
  x.soft_use_expires_seconds = l.soft_use_seconds;
  x.hard_use_expires_seconds = l.hard_use_seconds;
  return x;
}

model::LifetimeLimits decode_lifetime(const xfrm_lifetime_cfg& x) {
  model::LifetimeLimits l;
  l.soft_bytes = x.soft_byte_limit;
  l.hard_bytes = x.hard_byte_limit;
  l.soft_packets = x.soft_packet_limit;
  l.hard_packets = x.hard_packet_limit;
  l.soft_add_seconds = x.soft_add_expires_seconds;
  l.hard_add_seconds = x.hard_add_expires_seconds;
  l.soft_use_seconds = x.soft_use_expires_seconds;
  l.hard_use_seconds = x.hard_use_expires_seconds;
  return l;
}

xfrm_lifetime_cur encode_lifetime_current(const model::LifetimeCurrent& c) {
  xfrm_lifetime_cur x{};
  x.bytes = c.bytes;
  x.packets = c.packets;
  x.add_time = c.add_time;
  x.use_time = c.use_time;
  return x;
}

model::LifetimeCurrent decode_lifetime_current(const xfrm_lifetime_cur& x) {
  return model::LifetimeCurrent{x.bytes, x.packets, x.add_time, x.use_time};
}

xfrm_mark encode_mark(const model::Mark& m) { return xfrm_mark{m.value, m.mask}; }
model::Mark decode_mark(const xfrm_mark& x) { return model::Mark{x.v, x.m}; }

xfrm_user_tmpl encode_template(const model::Template& t) {
  xfrm_user_tmpl x{};
  x.id.daddr = encode_address(t.dst);
  x.id.spi = htonl(t.spi);
  x.id.proto = static_cast<uint8_t>(t.proto);
  x.family = static_cast<uint16_t>(t.family);
  x.saddr = encode_address(t.src);
  x.reqid = t.reqid;
  x.mode = static_cast<uint8_t>(t.mode);
  x.optional = t.level == model::Level::use ? 1 : 0;
  x.aalgos = t.aalgos;
  x.ealgos = t.ealgos;
  x.calgos = t.calgos;
  return x;
}

model::Template decode_template(const xfrm_user_tmpl& x) {
  model::Template t;
  t.proto = static_cast<model::Protocol>(x.id.proto);
  t.mode = static_cast<model::Mode>(x.mode);
  t.family = static_cast<model::Family>(x.family);
  // Endpoints are meaningless in transport mode and travel as zeros; decode those as absent.
  t.dst = decode_address(x.id.daddr, t.family, true);
  t.src = decode_address(x.saddr, t.family, true);
  t.spi = ntohl(x.id.spi);
  t.reqid = x.reqid;
  t.level = x.optional ? model::Level::use : x.reqid != 0 ? model::Level::unique : model::Level::require;
  t.aalgos = x.aalgos;
  t.ealgos = x.ealgos;
  t.calgos = x.calgos;
  return t;
}

void put_sec_ctx(MessageWriter& w, const model::SecurityContext& ctx) {
  xfrm_user_sec_ctx h{};
  size_t total = sizeof h + ctx.label.size();
  if (total > UINT16_MAX) {
    w.fail();  // the u16 length fields cannot express it; truncating would change the label
    return;
  }
  h.len = static_cast<uint16_t>(total);
  h.exttype = XFRMA_SEC_CTX;
  h.ctx_alg = ctx.alg;
  h.ctx_doi = ctx.doi;
  h.ctx_len = static_cast<uint16_t>(ctx.label.size());
  w.put_attr2(XFRMA_SEC_CTX, &h, sizeof h, ctx.label.data(), ctx.label.size());
}

Result<model::SecurityContext> decode_sec_ctx(std::span<const uint8_t> payload) {
  xfrm_user_sec_ctx h{};
  if (payload.size() < sizeof h) return make_error(EBADMSG, "XFRMA_SEC_CTX too short");
  std::memcpy(&h, payload.data(), sizeof h);
  if (h.ctx_len > payload.size() - sizeof h) return make_error(EBADMSG, "XFRMA_SEC_CTX label overruns the attribute");
  model::SecurityContext ctx;
  ctx.doi = h.ctx_doi;
  ctx.alg = h.ctx_alg;
  ctx.label.assign(reinterpret_cast<const char*>(payload.data() + sizeof h), h.ctx_len);
  return ctx;
}

Result<std::vector<model::Template>> decode_templates(std::span<const uint8_t> payload) {
  if (payload.size() % sizeof(xfrm_user_tmpl) != 0) return make_error(EBADMSG, "XFRMA_TMPL holds a partial template");
  size_t n = payload.size() / sizeof(xfrm_user_tmpl);
  if (n > kMaxTemplates) return make_error(EBADMSG, "XFRMA_TMPL holds more than XFRM_MAX_DEPTH templates");
  std::vector<model::Template> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    xfrm_user_tmpl x{};
    std::memcpy(&x, payload.data() + i * sizeof x, sizeof x);
    out.push_back(decode_template(x));
  }
  return out;
}

void put_policy_keys(MessageWriter& w, const std::optional<model::Mark>& mark, const std::optional<uint32_t>& if_id,
                     const std::optional<model::SecurityContext>& ctx, model::PolicyType type) {
  if (mark) w.put_attr(XFRMA_MARK, encode_mark(*mark));
  if (if_id) w.put_u32(XFRMA_IF_ID, *if_id);
  if (ctx) put_sec_ctx(w, *ctx);
  // MAIN is the kernel's default; sending it would only cost bytes on every bulk add.
  if (type != model::PolicyType::main) {
    xfrm_userpolicy_type t{};
    t.type = static_cast<uint8_t>(type);
    w.put_attr(XFRMA_POLICY_TYPE, t);
  }
}

}  // namespace xfrmpp::nl
