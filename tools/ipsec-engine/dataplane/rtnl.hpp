// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The routing the dataplane needs, over rtnetlink: its TUN link up, routes into it in a table of its
// own, the rule that sends unmarked traffic through that table, and the host's addresses.
#include <libmnl/libmnl.h>

#include <memory>
#include <optional>
#include <vector>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/address.hpp"

namespace xfrmpp::tools::dataplane {

struct Route {
  model::Prefix dst;
  std::optional<model::Address> prefsrc;  ///< the source the kernel gives the host's own packets
  /// A `prohibit` route (no device) instead of one into the TUN device: it outlives the device.
  bool prohibit = false;
  uint32_t metric = 0;
  auto operator<=>(const Route&) const = default;
};

class Rtnl {
 public:
  static Result<Rtnl> open();

  /// Up or down, with an MTU and a transmit queue length (0: leave as is).
  Result<void> set_link(int ifindex, bool up, unsigned mtu, unsigned txqlen = 0);
  Result<void> add_route(const Route& r, int table, int ifindex);
  Result<void> delete_route(const Route& r, int table, int ifindex);
  /// Every route of `table` (both families), e.g. ones a killed predecessor left.
  Result<std::vector<Route>> routes(int table);
  /// `not fwmark MARK lookup TABLE priority PRIORITY` for one family.
  Result<void> add_rule(model::Family f, int priority, int table, uint32_t mark);
  /// Removes every rule that looks up `table` at `priority` (none is fine).
  Result<void> delete_rules(model::Family f, int priority, int table);
  /// The host's addresses, with their prefix lengths.
  Result<std::vector<model::Prefix>> addresses();

 private:
  struct Deleter {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
  };
  explicit Rtnl(mnl_socket* s) : sock_(s) {}
  /// Sends one request and reads up to its ACK (or, with dump, to NLMSG_DONE, calling cb per message).
  Result<void> request(nlmsghdr* nlh, mnl_cb_t cb = nullptr, void* data = nullptr);
  Result<void> route(uint16_t type, uint16_t flags, const Route& r, int table, int ifindex);
  std::unique_ptr<mnl_socket, Deleter> sock_;
  uint32_t seq_ = 1;
};

}  // namespace xfrmpp::tools::dataplane
