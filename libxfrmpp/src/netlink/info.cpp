// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/info.hpp"

#include <cerrno>

#include "xfrmpp/netlink/uapi.hpp"

namespace xfrmpp::nl {

namespace {

// XFRMA_SAD_* and XFRMA_SPD_* are their own attribute spaces, not XFRMA_*.
constexpr AttrRule kSadRules[] = {
    {}, {true, sizeof(uint32_t)}, {true, sizeof(xfrmu_sadhinfo)}};
constexpr AttrRule kSpdRules[] = {
    {}, {true, sizeof(xfrmu_spdinfo)}, {true, sizeof(xfrmu_spdhinfo)},
    {true, sizeof(xfrmu_spdhthresh)}, {true, sizeof(xfrmu_spdhthresh)}};

// Requests and replies of both families start with a u32 of flags the kernel ignores.
Result<size_t> encode_info_request(std::span<uint8_t> out, uint16_t type, const Request& req) {
  MessageWriter w(out, type, req);
  w.put_fixed(uint32_t{0});
  return w.finish();
}

}  // namespace

Result<size_t> encode_sad_info_request(std::span<uint8_t> out, const Request& req) {
  return encode_info_request(out, XFRM_MSG_GETSADINFO, req);
}

Result<SadInfo> decode_sad_info(std::span<const uint8_t> msg) {
  if (header_of(msg).nlmsg_type != XFRM_MSG_NEWSADINFO) return make_error(EBADMSG, "not a NEWSADINFO message");
  auto attrs = AttrTable::parse(msg, sizeof(uint32_t), kSadRules);
  if (!attrs) return attrs.error();
  SadInfo info;
  info.count = attrs->get<uint32_t>(XFRMA_SAD_CNT).value_or(0);
  if (auto h = attrs->get<xfrmu_sadhinfo>(XFRMA_SAD_HINFO)) {
    info.hash_count = h->sadhcnt;
    info.hash_max = h->sadhmcnt;
  }
  return info;
}

Result<size_t> encode_spd_info_request(std::span<uint8_t> out, const Request& req) {
  return encode_info_request(out, XFRM_MSG_GETSPDINFO, req);
}

Result<size_t> encode_spd_info(std::span<uint8_t> out, const SpdHashThresholds& t, const Request& req) {
  if (t.v4_lbits > 32 || t.v4_rbits > 32 || t.v6_lbits > 128 || t.v6_rbits > 128)
    return make_error(EINVAL, "hash thresholds exceed the address length");
  MessageWriter w(out, XFRM_MSG_NEWSPDINFO, req);
  w.put_fixed(uint32_t{0});
  w.put_attr(XFRMA_SPD_IPV4_HTHRESH, xfrmu_spdhthresh{t.v4_lbits, t.v4_rbits});
  w.put_attr(XFRMA_SPD_IPV6_HTHRESH, xfrmu_spdhthresh{t.v6_lbits, t.v6_rbits});
  return w.finish();
}

Result<SpdInfo> decode_spd_info(std::span<const uint8_t> msg) {
  if (header_of(msg).nlmsg_type != XFRM_MSG_NEWSPDINFO) return make_error(EBADMSG, "not a NEWSPDINFO message");
  auto attrs = AttrTable::parse(msg, sizeof(uint32_t), kSpdRules);
  if (!attrs) return attrs.error();
  SpdInfo info;
  if (auto s = attrs->get<xfrmu_spdinfo>(XFRMA_SPD_INFO)) {
    info.in = s->incnt;
    info.out = s->outcnt;
    info.fwd = s->fwdcnt;
    info.in_socket = s->inscnt;
    info.out_socket = s->outscnt;
    info.fwd_socket = s->fwdscnt;
  }
  if (auto h = attrs->get<xfrmu_spdhinfo>(XFRMA_SPD_HINFO)) {
    info.hash_count = h->spdhcnt;
    info.hash_max = h->spdhmcnt;
  }
  if (auto t = attrs->get<xfrmu_spdhthresh>(XFRMA_SPD_IPV4_HTHRESH)) {
    info.v4_lbits = t->lbits;
    info.v4_rbits = t->rbits;
  }
  if (auto t = attrs->get<xfrmu_spdhthresh>(XFRMA_SPD_IPV6_HTHRESH)) {
    info.v6_lbits = t->lbits;
    info.v6_rbits = t->rbits;
  }
  return info;
}

}  // namespace xfrmpp::nl
