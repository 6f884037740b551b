// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Kernel UAPI for NETLINK_XFRM: the system headers, plus the constants that newer kernels added
// after the <linux/xfrm.h> Debian 12 ships. Values come from the kernel's UAPI and never change.
#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <cstddef>
#include <cstdint>

#pragma GCC visibility push(default)

// Attributes newer than XFRMA_MTIMER_THRESH. Newer headers declare them as enumerators; a macro of the
// same name and value then shadows the enumerator harmlessly.
#ifndef XFRMA_SA_DIR
#define XFRMA_SA_DIR 33
#endif
#ifndef XFRMA_NAT_KEEPALIVE_INTERVAL
#define XFRMA_NAT_KEEPALIVE_INTERVAL 34
#endif
#ifndef XFRMA_SA_PCPU
#define XFRMA_SA_PCPU 35
#endif
#ifndef XFRM_SA_DIR_IN
#define XFRM_SA_DIR_IN 1
#define XFRM_SA_DIR_OUT 2
#endif
#ifndef XFRM_MODE_IPTFS
#define XFRM_MODE_IPTFS 5
#endif
#ifndef XFRM_POLICY_CPU_ACQUIRE
#define XFRM_POLICY_CPU_ACQUIRE 4
#endif
#ifndef XFRM_MSG_MIGRATE_STATE
#define XFRM_MSG_MIGRATE_STATE 0x29
#endif

namespace xfrmpp::nl {

/// Highest XFRMA_* type this library decodes; anything above is skipped as unknown.
inline constexpr uint16_t kMaxXfrmAttr = XFRMA_SA_PCPU;

/// Most templates one policy holds (the kernel's XFRM_MAX_DEPTH, which is not part of the UAPI).
inline constexpr size_t kMaxTemplates = 6;

/// XFRM_MSG_FLUSHSA with this protocol flushes every SA (xfrm_id_proto_match treats 0 as "any").
inline constexpr uint8_t kFlushAnyProto = 0;

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
