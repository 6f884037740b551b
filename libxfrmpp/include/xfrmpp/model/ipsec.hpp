// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Enumerations shared by policies and SAs. Values are the kernel's, so codecs copy them.
#include <cstdint>

#pragma GCC visibility push(default)

namespace xfrmpp::model {

enum class Protocol : uint8_t { esp = 50, ah = 51, ipcomp = 108 };
enum class Mode : uint8_t { transport = 0, tunnel = 1, ro = 2, in_trigger = 3, beet = 4, iptfs = 5 };
enum class Direction : uint8_t { in = 0, out = 1, fwd = 2 };
enum class PolicyAction : uint8_t { allow = 0, block = 1 };
/// KAME request levels. `default` means "the host's default level" (require on Linux unless
/// configured otherwise); `unique` binds the template to SAs with the same reqid.
enum class Level : uint8_t { default_level = 0, use = 1, require = 2, unique = 3 };
/// PF_KEY/KAME policy kinds as written after the direction. XFRM only has allow/block:
/// discard = block, none = allow without templates, ipsec = allow with templates.
/// entrust and bypass exist only for per-socket policies.
enum class PolicyKind : uint8_t { discard = 0, none = 1, ipsec = 2, entrust = 3, bypass = 4 };
enum class PolicyType : uint8_t { main = 0, sub = 1 };
enum class SaDirection : uint8_t { in = 1, out = 2 };

/// Reqids above this are generated (KAME IPSEC_MANUAL_REQID_MAX); at or below, the user chose them.
inline constexpr uint32_t kManualReqidMax = 0x3fff;

}  // namespace xfrmpp::model

#pragma GCC visibility pop
