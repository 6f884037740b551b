// SPDX-License-Identifier: BSD-3-Clause
#include "route_plan.hpp"

#include <map>

namespace xfrmpp::tools::dataplane {

std::vector<Route> plan_routes(const engine::Spd& spd, const std::vector<model::Prefix>& local, size_t& skipped) {
  skipped = 0;
  std::map<model::Prefix, Route> by_dst;
  spd.for_each([&](const model::Policy& p) {
    if (p.dir != model::Direction::out) return;
    if (p.kind != model::PolicyKind::ipsec && p.kind != model::PolicyKind::discard) return;
    if (p.is_socket_policy()) return;  // a socket's own policy is the kernel's business
    if (p.mark || p.if_id.value_or(0)) {
      ++skipped;
      return;
    }
    std::vector<model::Prefix> dsts;
    if (p.sel.family == model::Family::unspec || p.sel.dst.addr.is_unspec()) {
      for (auto f : {model::Family::inet, model::Family::inet6}) {
        model::Address any;
        any.family = f;
        dsts.push_back({any, 0});
      }
    } else {
      dsts.push_back(model::masked(p.sel.dst));
    }
    for (const auto& d : dsts) {
      Route r{d, std::nullopt};
      if (p.sel.src.len > 0)
        for (const auto& l : local)
          if (l.addr.family == p.sel.src.addr.family && model::contains(p.sel.src, l.addr)) {
            r.prefsrc = l.addr;
            break;
          }
      by_dst.try_emplace(d, r);
    }
  });
  std::vector<Route> out;
  for (auto& [dst, r] : by_dst) out.push_back(r);
  return out;
}

}  // namespace xfrmpp::tools::dataplane
