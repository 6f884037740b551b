// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Kernel XFRM notifications as an EventStream: its own socket joined to the requested groups.
#include <memory>
#include <span>
#include <vector>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/netlink/socket.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

class KernelEventStream final : public EventStream {
 public:
  /// Opens a socket joined to `groups` with a large receive buffer (bursts of events overflow small ones).
  static Result<std::unique_ptr<KernelEventStream>> open(std::span<const EventGroup> groups,
                                                         const SocketOptions& options = {16 << 20, 1 << 20});

  /// Waits up to timeout_ms for events, then also returns whatever else is already queued. A full
  /// receive buffer (ENOBUFS) becomes one Kind::overrun event: the caller should resync with a dump.
  /// A message that fails to decode comes back as Kind::other with its raw_type.
  Result<std::vector<Event>> next(int timeout_ms) override;

 private:
  explicit KernelEventStream(Socket sock);

  Socket sock_;
  std::vector<uint8_t> rx_;
};

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
