// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/sa.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "xfrmpp/netlink/attrs.hpp"

namespace xfrmpp::nl {

namespace {

// XFRMA_REPLAY_ESN_VAL bitmaps are capped at 128 words (4096 packets) by the kernel.
constexpr uint32_t kMaxReplayWindow = 4096;
constexpr uint32_t kLegacyReplayMax = 32;

model::Family sa_family(const model::SecurityAssociation& sa) {
  return sa.family != model::Family::unspec ? sa.family : sa.dst.family;
}

bool uses_esn_attr(const model::Replay& r) { return r.esn || r.window > kLegacyReplayMax; }

Result<void> check_sa(const model::SecurityAssociation& sa) {
  for (const auto* a : {&sa.auth, &sa.crypt, &sa.aead, &sa.comp})
    if (*a && (*a)->kernel_name.size() >= sizeof(xfrm_algo{}.alg_name))
      return make_error(EINVAL, "algorithm name longer than 63 bytes");
  if (sa.replay.window > kMaxReplayWindow) return make_error(EINVAL, "replay window over 4096 packets");
  return {};
}

// The xfrm_usersa_info fields NEWSA, UPDSA and ALLOCSPI share.
xfrm_usersa_info encode_info(const model::SecurityAssociation& sa) {
  xfrm_usersa_info info{};
  info.sel = encode_selector(sa.sel);
  info.id.daddr = encode_address(sa.dst);
  info.id.spi = htonl(sa.spi);
  info.id.proto = static_cast<uint8_t>(sa.proto);
  info.saddr = encode_address(sa.src);
  info.lft = encode_lifetime(sa.limits);
  info.curlft = encode_lifetime_current(sa.current);
  info.stats.replay_window = sa.stats.replay_window;
  info.stats.replay = sa.stats.replay;
  info.stats.integrity_failed = sa.stats.integrity_failed;
  info.seq = sa.seq;
  info.reqid = sa.reqid;
  info.family = static_cast<uint16_t>(sa_family(sa));
  info.mode = static_cast<uint8_t>(sa.mode);
  info.replay_window = uses_esn_attr(sa.replay) ? 0 : static_cast<uint8_t>(sa.replay.window);
  info.flags = static_cast<uint8_t>(sa.flags | (sa.replay.esn ? XFRM_STATE_ESN : 0));
  // An all-zero selector means "any traffic". For a tunnel SA the kernel reads sel.family 0 as the
  // outer family unless XFRM_STATE_AF_UNSPEC is set (copy_from_user_state), so IPv6 over IPv4 (and 4
  // over 6) would find no SA. sa_from_parts() takes the flag back off.
  if (sa.mode == model::Mode::tunnel && sa.sel.family == model::Family::unspec) info.flags |= XFRM_STATE_AF_UNSPEC;
  return info;
}

template <typename Head>
void put_algorithm(MessageWriter& w, uint16_t type, Head head, const model::AlgorithmSetting& a) {
  std::memcpy(head.alg_name, a.kernel_name.data(), a.kernel_name.size());
  head.alg_key_len = static_cast<uint32_t>(a.key.size() * 8);
  w.put_attr2(type, &head, sizeof head, a.key.data(), a.key.size());
}

void put_replay(MessageWriter& w, const model::Replay& r, const model::ReplayCounters& c) {
  if (uses_esn_attr(r)) {
    xfrm_replay_state_esn esn{};
    esn.bmp_len = (r.window + 31) / 32;
    esn.oseq = c.oseq;
    esn.seq = c.seq;
    esn.oseq_hi = c.oseq_hi;
    esn.seq_hi = c.seq_hi;
    esn.replay_window = r.window;
    w.put_attr2(XFRMA_REPLAY_ESN_VAL, &esn, sizeof esn, nullptr, esn.bmp_len * sizeof(uint32_t));
  } else if (c.oseq || c.seq) {
    w.put_attr(XFRMA_REPLAY_VAL, xfrm_replay_state{c.oseq, c.seq, 0});
  }
}

void put_sa_attrs(MessageWriter& w, const model::SecurityAssociation& sa) {
  if (sa.auth) {
    xfrm_algo_auth h{};
    h.alg_trunc_len = sa.auth->icv_bits;
    put_algorithm(w, XFRMA_ALG_AUTH_TRUNC, h, *sa.auth);
  }
  if (sa.crypt) put_algorithm(w, XFRMA_ALG_CRYPT, xfrm_algo{}, *sa.crypt);
  if (sa.aead) {
    xfrm_algo_aead h{};
    h.alg_icv_len = sa.aead->icv_bits;
    put_algorithm(w, XFRMA_ALG_AEAD, h, *sa.aead);
  }
  if (sa.comp) put_algorithm(w, XFRMA_ALG_COMP, xfrm_algo{}, *sa.comp);
  if (sa.encap) {
    xfrm_encap_tmpl e{};
    e.encap_type = sa.encap->type;
    e.encap_sport = htons(sa.encap->sport);
    e.encap_dport = htons(sa.encap->dport);
    e.encap_oa = encode_address(sa.encap->original_address);
    w.put_attr(XFRMA_ENCAP, e);
  }
  put_replay(w, sa.replay, sa.replay_counters);
  if (sa.mark) w.put_attr(XFRMA_MARK, encode_mark(*sa.mark));
  if (sa.if_id) w.put_u32(XFRMA_IF_ID, *sa.if_id);
  if (sa.output_mark) {
    w.put_u32(XFRMA_SET_MARK, sa.output_mark->value);
    w.put_u32(XFRMA_SET_MARK_MASK, sa.output_mark->mask);
  }
  if (sa.tfcpad) w.put_u32(XFRMA_TFCPAD, *sa.tfcpad);
  if (sa.extra_flags) w.put_u32(XFRMA_SA_EXTRA_FLAGS, sa.extra_flags);
  if (sa.dir) w.put_u8(XFRMA_SA_DIR, static_cast<uint8_t>(*sa.dir));
  if (sa.nat_keepalive_interval) w.put_u32(XFRMA_NAT_KEEPALIVE_INTERVAL, *sa.nat_keepalive_interval);
  if (sa.mapping_threshold) w.put_u32(XFRMA_MTIMER_THRESH, *sa.mapping_threshold);
  if (sa.ctx) put_sec_ctx(w, *sa.ctx);
  if (sa.coaddr) w.put_attr(XFRMA_COADDR, encode_address(*sa.coaddr));
}

// Head is xfrm_algo, xfrm_algo_auth or xfrm_algo_aead: a 64-byte name and a key length in bits lead all three.
template <typename Head>
Result<model::AlgorithmSetting> decode_algorithm(std::span<const uint8_t> payload, Head& head) {
  if (payload.size() < sizeof head) return make_error(EBADMSG, "algorithm attribute too short");
  std::memcpy(&head, payload.data(), sizeof head);
  size_t key_bytes = (size_t{head.alg_key_len} + 7) / 8;
  if (key_bytes > payload.size() - sizeof head) return make_error(EBADMSG, "algorithm key overruns its attribute");
  model::AlgorithmSetting a;
  a.kernel_name.assign(head.alg_name, strnlen(head.alg_name, sizeof head.alg_name));
  a.key.assign(payload.begin() + sizeof head, payload.begin() + sizeof head + key_bytes);
  return a;
}

Result<void> decode_algorithms(const AttrTable& attrs, model::SecurityAssociation& sa) {
  // Dumps carry ALG_AUTH and ALG_AUTH_TRUNC for the same SA; only AUTH_TRUNC has the real truncation.
  if (attrs.has(XFRMA_ALG_AUTH_TRUNC)) {
    xfrm_algo_auth h{};
    auto a = decode_algorithm(attrs.payload(XFRMA_ALG_AUTH_TRUNC), h);
    if (!a) return a.error();
    a->icv_bits = h.alg_trunc_len;
    sa.auth = std::move(a.value());
  } else if (attrs.has(XFRMA_ALG_AUTH)) {
    xfrm_algo h{};
    auto a = decode_algorithm(attrs.payload(XFRMA_ALG_AUTH), h);
    if (!a) return a.error();
    sa.auth = std::move(a.value());  // icv_bits 0: the kernel's default truncation
  }
  if (attrs.has(XFRMA_ALG_CRYPT)) {
    xfrm_algo h{};
    auto a = decode_algorithm(attrs.payload(XFRMA_ALG_CRYPT), h);
    if (!a) return a.error();
    sa.crypt = std::move(a.value());
  }
  if (attrs.has(XFRMA_ALG_AEAD)) {
    xfrm_algo_aead h{};
    auto a = decode_algorithm(attrs.payload(XFRMA_ALG_AEAD), h);
    if (!a) return a.error();
    a->icv_bits = h.alg_icv_len;
    sa.aead = std::move(a.value());
  }
  if (attrs.has(XFRMA_ALG_COMP)) {
    xfrm_algo h{};
    auto a = decode_algorithm(attrs.payload(XFRMA_ALG_COMP), h);
    if (!a) return a.error();
    sa.comp = std::move(a.value());
  }
  return {};
}

Result<void> decode_replay(const xfrm_usersa_info& info, const AttrTable& attrs, model::Replay& r, model::ReplayCounters& c) {
  r.esn = (info.flags & XFRM_STATE_ESN) != 0;
  xfrm_replay_state_esn esn{};
  if (attrs.read(XFRMA_REPLAY_ESN_VAL, esn)) {
    auto payload = attrs.payload(XFRMA_REPLAY_ESN_VAL);
    if (size_t{esn.bmp_len} * sizeof(uint32_t) > payload.size() - sizeof esn)
      return make_error(EBADMSG, "XFRMA_REPLAY_ESN_VAL bitmap overruns its attribute");
    r.window = esn.replay_window;
    c = model::ReplayCounters{esn.oseq, esn.seq, esn.oseq_hi, esn.seq_hi};
    return {};
  }
  r.window = info.replay_window;
  if (auto legacy = attrs.get<xfrm_replay_state>(XFRMA_REPLAY_VAL)) {
    c.oseq = legacy->oseq;
    c.seq = legacy->seq;
  }
  return {};
}

}  // namespace

Result<size_t> encode_sa(std::span<uint8_t> out, uint16_t type, const model::SecurityAssociation& sa,
                         const Request& req) {
  if (type != XFRM_MSG_NEWSA && type != XFRM_MSG_UPDSA) return make_error(EINVAL, "encode_sa: type must be NEWSA or UPDSA");
  if (auto ok = check_sa(sa); !ok) return ok.error();
  MessageWriter w(out, type, req);
  w.put_fixed(encode_info(sa));
  put_sa_attrs(w, sa);
  return w.finish();
}

Result<model::SecurityAssociation> sa_from_parts(const xfrm_usersa_info& info, const AttrTable& attrs) {
  model::SecurityAssociation sa;
  sa.family = static_cast<model::Family>(info.family);
  sa.dst = decode_address(info.id.daddr, sa.family, false);
  sa.src = decode_address(info.saddr, sa.family, false);
  sa.proto = static_cast<model::Protocol>(info.id.proto);
  sa.spi = ntohl(info.id.spi);
  sa.mode = static_cast<model::Mode>(info.mode);
  sa.reqid = info.reqid;
  sa.flags = static_cast<uint8_t>(info.flags & ~XFRM_STATE_ESN);
  if (sa.mode == model::Mode::tunnel && info.sel.family == AF_UNSPEC) sa.flags &= ~XFRM_STATE_AF_UNSPEC;  // see encode_info
  sa.sel = decode_selector(info.sel);
  sa.limits = decode_lifetime(info.lft);
  sa.current = decode_lifetime_current(info.curlft);
  sa.stats = model::SaStats{info.stats.replay_window, info.stats.replay, info.stats.integrity_failed};
  sa.seq = info.seq;
  if (auto r = decode_replay(info, attrs, sa.replay, sa.replay_counters); !r) return r.error();
  if (auto a = decode_algorithms(attrs, sa); !a) return a.error();
  if (auto e = attrs.get<xfrm_encap_tmpl>(XFRMA_ENCAP)) {
    sa.encap = model::Encapsulation{e->encap_type, ntohs(e->encap_sport), ntohs(e->encap_dport),
                                    decode_address(e->encap_oa, sa.family, true)};
  }
  if (auto m = attrs.get<xfrm_mark>(XFRMA_MARK)) sa.mark = decode_mark(*m);
  if (auto v = attrs.get<uint32_t>(XFRMA_IF_ID)) sa.if_id = *v;
  if (auto v = attrs.get<uint32_t>(XFRMA_SET_MARK))
    sa.output_mark = model::Mark{*v, attrs.get<uint32_t>(XFRMA_SET_MARK_MASK).value_or(0xffffffff)};
  if (auto v = attrs.get<uint32_t>(XFRMA_TFCPAD)) sa.tfcpad = *v;
  if (auto v = attrs.get<uint32_t>(XFRMA_SA_EXTRA_FLAGS)) sa.extra_flags = *v;
  if (auto v = attrs.get<uint8_t>(XFRMA_SA_DIR)) sa.dir = static_cast<model::SaDirection>(*v);
  if (auto v = attrs.get<uint32_t>(XFRMA_NAT_KEEPALIVE_INTERVAL)) sa.nat_keepalive_interval = *v;
  if (auto v = attrs.get<uint32_t>(XFRMA_MTIMER_THRESH)) sa.mapping_threshold = *v;
  if (attrs.has(XFRMA_SEC_CTX)) {
    auto c = decode_sec_ctx(attrs.payload(XFRMA_SEC_CTX));
    if (!c) return c.error();
    sa.ctx = std::move(c.value());
  }
  if (auto a = attrs.get<xfrm_address_t>(XFRMA_COADDR)) sa.coaddr = decode_address(*a, sa.family, false);
  if (auto v = attrs.get<uint64_t>(XFRMA_LASTUSED)) sa.last_used = *v;
  return sa;
}

Result<model::SecurityAssociation> decode_sa(std::span<const uint8_t> msg) {
  auto attrs = AttrTable::parse(msg, sizeof(xfrm_usersa_info), xfrma_rules());
  if (!attrs) return attrs.error();
  uint16_t type = header_of(msg).nlmsg_type;
  if (type != XFRM_MSG_NEWSA && type != XFRM_MSG_UPDSA) return make_error(EBADMSG, "decode_sa: not a NEWSA/UPDSA message");
  return sa_from_parts(*read_fixed<xfrm_usersa_info>(msg), *attrs);
}

Result<size_t> encode_sa_id(std::span<uint8_t> out, uint16_t type, const model::SaId& id, const Request& req) {
  if (type != XFRM_MSG_DELSA && type != XFRM_MSG_GETSA) return make_error(EINVAL, "encode_sa_id: type must be DELSA or GETSA");
  xfrm_usersa_id wire{};
  wire.daddr = encode_address(id.dst);
  wire.spi = htonl(id.spi);
  wire.family = static_cast<uint16_t>(id.dst.family);
  wire.proto = static_cast<uint8_t>(id.proto);
  MessageWriter w(out, type, req);
  w.put_fixed(wire);
  if (id.mark) w.put_attr(XFRMA_MARK, encode_mark(*id.mark));
  if (!id.src.is_unspec()) w.put_attr(XFRMA_SRCADDR, encode_address(id.src));
  if (id.if_id) w.put_u32(XFRMA_IF_ID, *id.if_id);
  return w.finish();
}

Result<model::SaId> decode_sa_id(std::span<const uint8_t> msg) {
  auto attrs = AttrTable::parse(msg, sizeof(xfrm_usersa_id), xfrma_rules());
  if (!attrs) return attrs.error();
  uint16_t type = header_of(msg).nlmsg_type;
  if (type != XFRM_MSG_DELSA && type != XFRM_MSG_GETSA) return make_error(EBADMSG, "decode_sa_id: not a DELSA/GETSA message");
  auto wire = *read_fixed<xfrm_usersa_id>(msg);
  auto family = static_cast<model::Family>(wire.family);
  model::SaId id;
  id.dst = decode_address(wire.daddr, family, false);
  id.spi = ntohl(wire.spi);
  id.proto = static_cast<model::Protocol>(wire.proto);
  if (auto m = attrs->get<xfrm_mark>(XFRMA_MARK)) id.mark = decode_mark(*m);
  if (auto a = attrs->get<xfrm_address_t>(XFRMA_SRCADDR)) id.src = decode_address(*a, family, false);
  if (auto v = attrs->get<uint32_t>(XFRMA_IF_ID)) id.if_id = *v;
  return id;
}

Result<size_t> encode_sa_flush(std::span<uint8_t> out, std::optional<model::Protocol> proto, const Request& req) {
  xfrm_usersa_flush f{};
  f.proto = proto ? static_cast<uint8_t>(*proto) : kFlushAnyProto;
  MessageWriter w(out, XFRM_MSG_FLUSHSA, req);
  w.put_fixed(f);
  return w.finish();
}

Result<std::optional<model::Protocol>> decode_sa_flush(std::span<const uint8_t> msg) {
  if (header_of(msg).nlmsg_type != XFRM_MSG_FLUSHSA) return make_error(EBADMSG, "not a FLUSHSA message");
  auto f = read_fixed<xfrm_usersa_flush>(msg);
  if (!f) return make_error(EBADMSG, "FLUSHSA shorter than xfrm_usersa_flush");
  if (f->proto == kFlushAnyProto) return std::optional<model::Protocol>{};
  return std::optional<model::Protocol>{static_cast<model::Protocol>(f->proto)};
}

Result<size_t> encode_sa_dump(std::span<uint8_t> out, uint32_t seq, const SaDumpFilter& filter) {
  MessageWriter w(out, XFRM_MSG_GETSA, Request{seq, NLM_F_REQUEST | NLM_F_DUMP});
  if (filter.proto) w.put_u8(XFRMA_PROTO, static_cast<uint8_t>(*filter.proto));
  if (filter.addresses) {
    xfrm_address_filter f{};
    f.saddr = encode_address(filter.addresses->src.addr);
    f.daddr = encode_address(filter.addresses->dst.addr);
    f.family = static_cast<uint16_t>(filter.addresses->family);
    f.splen = filter.addresses->src.len;
    f.dplen = filter.addresses->dst.len;
    w.put_attr(XFRMA_ADDRESS_FILTER, f);
  }
  return w.finish();
}

Result<SaDumpFilter> decode_sa_dump(std::span<const uint8_t> msg) {
  if (header_of(msg).nlmsg_type != XFRM_MSG_GETSA) return make_error(EBADMSG, "not a GETSA message");
  auto attrs = AttrTable::parse(msg, 0, xfrma_rules());
  if (!attrs) return attrs.error();
  SaDumpFilter filter;
  if (auto p = attrs->get<uint8_t>(XFRMA_PROTO)) filter.proto = static_cast<model::Protocol>(*p);
  if (auto f = attrs->get<xfrm_address_filter>(XFRMA_ADDRESS_FILTER)) {
    auto family = static_cast<model::Family>(f->family);
    filter.addresses = SaAddressFilter{family, {decode_address(f->saddr, family, false), f->splen},
                                       {decode_address(f->daddr, family, false), f->dplen}};
  }
  return filter;
}

Result<size_t> encode_alloc_spi(std::span<uint8_t> out, const model::SecurityAssociation& sa, uint32_t min,
                                uint32_t max, const Request& req) {
  xfrm_userspi_info spi{};
  spi.info = encode_info(sa);
  spi.min = min;
  spi.max = max;
  MessageWriter w(out, XFRM_MSG_ALLOCSPI, req);
  w.put_fixed(spi);
  if (sa.mark) w.put_attr(XFRMA_MARK, encode_mark(*sa.mark));
  if (sa.if_id) w.put_u32(XFRMA_IF_ID, *sa.if_id);
  if (sa.dir) w.put_u8(XFRMA_SA_DIR, static_cast<uint8_t>(*sa.dir));
  return w.finish();
}

Result<AllocSpiRequest> decode_alloc_spi(std::span<const uint8_t> msg) {
  auto attrs = AttrTable::parse(msg, sizeof(xfrm_userspi_info), xfrma_rules());
  if (!attrs) return attrs.error();
  if (header_of(msg).nlmsg_type != XFRM_MSG_ALLOCSPI) return make_error(EBADMSG, "not an ALLOCSPI message");
  auto spi = *read_fixed<xfrm_userspi_info>(msg);
  auto sa = sa_from_parts(spi.info, *attrs);
  if (!sa) return sa.error();
  return AllocSpiRequest{std::move(sa.value()), spi.min, spi.max};
}

}  // namespace xfrmpp::nl
