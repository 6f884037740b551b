// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The /proc/net/xfrm_stat names the packet path counts under (knobs::counter_explanations() has them all).
#include <string_view>

namespace xfrmpp::engine::packet::ctr {

inline constexpr std::string_view in_error = "XfrmInError", in_hdr_error = "XfrmInHdrError",
                                  in_no_states = "XfrmInNoStates", in_proto_error = "XfrmInStateProtoError",
                                  in_mode_error = "XfrmInStateModeError", in_seq_error = "XfrmInStateSeqError",
                                  in_expired = "XfrmInStateExpired", in_mismatch = "XfrmInStateMismatch",
                                  in_invalid = "XfrmInStateInvalid", in_tmpl_mismatch = "XfrmInTmplMismatch",
                                  in_no_pols = "XfrmInNoPols", in_pol_block = "XfrmInPolBlock",
                                  in_dir_error = "XfrmInStateDirError", in_buffer_error = "XfrmInBufferError",
                                  in_acquire_error = "XfrmAcquireError";
inline constexpr std::string_view out_error = "XfrmOutError", out_no_states = "XfrmOutNoStates",
                                  out_proto_error = "XfrmOutStateProtoError",
                                  out_mode_error = "XfrmOutStateModeError", out_seq_error = "XfrmOutStateSeqError",
                                  out_expired = "XfrmOutStateExpired", out_pol_block = "XfrmOutPolBlock",
                                  out_bundle_gen_error = "XfrmOutBundleGenError",
                                  out_dir_error = "XfrmOutStateDirError";

}  // namespace xfrmpp::engine::packet::ctr
