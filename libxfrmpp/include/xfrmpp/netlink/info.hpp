// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// SAD/SPD counters and SPD hash thresholds: GETSADINFO/NEWSADINFO and GETSPDINFO/NEWSPDINFO.
#include <cstdint>
#include <span>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/netlink/message.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// XFRM_MSG_GETSADINFO (a u32 the kernel echoes). The reply is NEWSADINFO.
Result<size_t> encode_sad_info_request(std::span<uint8_t> out, const Request& req = {0, NLM_F_REQUEST});
/// NEWSADINFO: XFRMA_SAD_CNT and XFRMA_SAD_HINFO.
Result<SadInfo> decode_sad_info(std::span<const uint8_t> msg);

/// XFRM_MSG_GETSPDINFO (a u32). The reply is NEWSPDINFO.
Result<size_t> encode_spd_info_request(std::span<uint8_t> out, const Request& req = {0, NLM_F_REQUEST});

/// SPD hash thresholds (prefix lengths at or above which a policy goes into the exact hash).
struct SpdHashThresholds {
  uint8_t v4_lbits = 32, v4_rbits = 32, v6_lbits = 128, v6_rbits = 128;
  auto operator<=>(const SpdHashThresholds&) const = default;
};

/// XFRM_MSG_NEWSPDINFO setting both thresholds. EINVAL when v4 bits exceed 32 or v6 bits exceed 128.
Result<size_t> encode_spd_info(std::span<uint8_t> out, const SpdHashThresholds& t, const Request& req = {});
/// NEWSPDINFO, either the GETSPDINFO reply (counts, hash info, thresholds) or a set request (thresholds only).
Result<SpdInfo> decode_spd_info(std::span<const uint8_t> msg);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
