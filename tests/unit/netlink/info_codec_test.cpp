// SPDX-License-Identifier: BSD-3-Clause
// SAD/SPD info, hash thresholds and default policy codecs.
#include <doctest/doctest.h>

#include <cerrno>

#include "wire.hpp"
#include "xfrmpp/netlink/default_policy.hpp"
#include "xfrmpp/netlink/info.hpp"
#include "xfrmpp/netlink/uapi.hpp"

using namespace xfrmpp;
using namespace xfrmpp::nl;
using model::PolicyAction;

TEST_CASE("GETSADINFO/GETSPDINFO requests are a bare u32; NEWSADINFO decodes count and hash info") {
  auto buf = wire::buffer();
  auto n = encode_sad_info_request(buf, Request{3, NLM_F_REQUEST});
  REQUIRE(n.ok());
  CHECK(*n == NLMSG_HDRLEN + 4);
  CHECK(wire::load<uint16_t>(buf, 4) == XFRM_MSG_GETSADINFO);
  CHECK(wire::load<uint16_t>(buf, 6) == NLM_F_REQUEST);
  auto s = encode_spd_info_request(buf, Request{4, NLM_F_REQUEST});
  REQUIRE(s.ok());
  CHECK(wire::load<uint16_t>(buf, 4) == XFRM_MSG_GETSPDINFO);

  MessageWriter w(buf, XFRM_MSG_NEWSADINFO, Request{3, 0});
  w.put_fixed(uint32_t{0});
  w.put_u32(XFRMA_SAD_CNT, 12);
  w.put_attr(XFRMA_SAD_HINFO, xfrmu_sadhinfo{64, 1048576});
  auto m = w.finish();
  REQUIRE(m.ok());
  auto info = decode_sad_info(std::span<const uint8_t>(buf).first(*m));
  REQUIRE(info.ok());
  CHECK(info->count == 12);
  CHECK(info->hash_count == 64);
  CHECK(info->hash_max == 1048576);
}

TEST_CASE("NEWSPDINFO: counts, hash info and thresholds decode; thresholds encode") {
  auto buf = wire::buffer();
  MessageWriter w(buf, XFRM_MSG_NEWSPDINFO, Request{});
  w.put_fixed(uint32_t{0});
  w.put_attr(XFRMA_SPD_INFO, xfrmu_spdinfo{1, 2, 3, 4, 5, 6});
  w.put_attr(XFRMA_SPD_HINFO, xfrmu_spdhinfo{8, 1024});
  w.put_attr(XFRMA_SPD_IPV4_HTHRESH, xfrmu_spdhthresh{24, 16});
  w.put_attr(XFRMA_SPD_IPV6_HTHRESH, xfrmu_spdhthresh{64, 48});
  auto n = w.finish();
  REQUIRE(n.ok());
  auto info = decode_spd_info(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(info.ok());
  CHECK(info->in == 1);
  CHECK(info->out == 2);
  CHECK(info->fwd == 3);
  CHECK(info->in_socket == 4);
  CHECK(info->out_socket == 5);
  CHECK(info->fwd_socket == 6);
  CHECK(info->hash_count == 8);
  CHECK(info->hash_max == 1024);
  CHECK(info->v4_lbits == 24);
  CHECK(info->v4_rbits == 16);
  CHECK(info->v6_lbits == 64);
  CHECK(info->v6_rbits == 48);

  auto e = encode_spd_info(buf, SpdHashThresholds{20, 21, 100, 101}, Request{9});
  REQUIRE(e.ok());
  std::span<const uint8_t> msg(buf.data(), *e);
  CHECK(wire::load<uint16_t>(msg, 4) == XFRM_MSG_NEWSPDINFO);
  auto v4 = wire::find_attr(msg, 4, XFRMA_SPD_IPV4_HTHRESH);
  REQUIRE(v4);
  CHECK(v4->len == sizeof(xfrmu_spdhthresh));
  CHECK(msg[v4->offset + offsetof(xfrmu_spdhthresh, lbits)] == 20);
  CHECK(msg[v4->offset + offsetof(xfrmu_spdhthresh, rbits)] == 21);
  auto back = decode_spd_info(msg);
  REQUIRE(back.ok());
  CHECK(back->v6_lbits == 100);
  CHECK(back->v6_rbits == 101);
  CHECK(encode_spd_info(buf, SpdHashThresholds{33, 0, 0, 0}).error().code == EINVAL);
  CHECK(encode_spd_info(buf, SpdHashThresholds{0, 0, 0, 129}).error().code == EINVAL);
}

TEST_CASE("default policy: nullopt -> 0 (unchanged), block -> 1, allow -> 2, and back") {
  auto buf = wire::buffer();
  model::DefaultPolicy d{PolicyAction::block, std::nullopt, PolicyAction::allow};
  auto n = encode_default_policy(buf, XFRM_MSG_SETDEFAULT, d, Request{5});
  REQUIRE(n.ok());
  std::span<const uint8_t> msg(buf.data(), *n);
  CHECK(wire::load<uint16_t>(msg, 4) == XFRM_MSG_SETDEFAULT);
  CHECK(msg[NLMSG_HDRLEN + offsetof(xfrm_userpolicy_default, in)] == XFRM_USERPOLICY_BLOCK);
  CHECK(msg[NLMSG_HDRLEN + offsetof(xfrm_userpolicy_default, fwd)] == XFRM_USERPOLICY_UNSPEC);
  CHECK(msg[NLMSG_HDRLEN + offsetof(xfrm_userpolicy_default, out)] == XFRM_USERPOLICY_ACCEPT);
  auto back = decode_default_policy(msg);
  REQUIRE(back.ok());
  CHECK(back->in == PolicyAction::block);
  CHECK(back->fwd == std::nullopt);
  CHECK(back->out == PolicyAction::allow);
  CHECK(encode_default_policy(buf, XFRM_MSG_GETDEFAULT, {}, Request{6, NLM_F_REQUEST}).ok());
  CHECK(encode_default_policy(buf, XFRM_MSG_NEWPOLICY, d).error().code == EINVAL);
}
