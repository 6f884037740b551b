// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The inbound anti-replay window of RFC 4303 §3.4.3 with Appendix A's extended sequence numbers, up
// to 4096 packets as the kernel's XFRMA_REPLAY_ESN_VAL allows.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xfrmpp::engine::packet {

inline constexpr uint32_t kMaxReplayWindow = 4096;

/// A window's state: the highest sequence number accepted and which of the `window` below it were seen.
/// `bits` is a ring indexed by sequence number modulo its size in bits (the kernel's layout), so an
/// in-order packet costs one bit, never a shift of the whole window.
struct ReplayWindow {
  uint32_t window = 0;  ///< 0 = no replay protection
  bool esn = false;
  uint64_t top = 0;     ///< highest sequence number accepted (0 = none yet)
  std::vector<uint64_t> bits;

  enum class Check : uint8_t { ok, replayed, too_old, zero };
  /// The 64-bit sequence number a packet's low 32 bits stand for (Appendix A2.2; the low bits for a
  /// non-ESN SA).
  uint64_t infer(uint32_t seq_lo) const;
  /// Whether `seq` may be accepted, before its ICV is checked.
  Check check(uint64_t seq) const;
  /// Records `seq` as accepted, after its ICV was checked.
  void accept(uint64_t seq);
};

}  // namespace xfrmpp::engine::packet
