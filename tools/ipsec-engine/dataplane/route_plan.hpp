// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Which destinations the dataplane routes into its TUN device: those of the `out` policies that protect
// or discard. Packets routed there that a narrower bypass policy lets through leave in the clear.
#include <vector>

#include "rtnl.hpp"
#include "xfrmpp/engine/spd.hpp"

namespace xfrmpp::tools::dataplane {

/// One route per destination prefix (host bits cleared), with a preferred source that is one of
/// `local` inside the policy's source prefix when there is one (a gateway's own address on its inner
/// subnet), sorted. A selector of no family gives a default route for both. Policies with a mark or an
/// if_id are left out and counted in `skipped`: a packet read from a TUN device carries neither, so the
/// engine could never match them and would pass their traffic in the clear.
std::vector<Route> plan_routes(const engine::Spd& spd, const std::vector<model::Prefix>& local, size_t& skipped);


}  // namespace xfrmpp::tools::dataplane
