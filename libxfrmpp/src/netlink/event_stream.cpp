// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/event_stream.hpp"

#include <cerrno>

#include "xfrmpp/netlink/events.hpp"
#include "xfrmpp/netlink/message.hpp"

namespace xfrmpp::nl {

namespace {

// Multicast messages are single notifications, well under this; a dump-sized buffer never truncates.
constexpr size_t kEventReceiveBytes = 64 * 1024;
// Bounds one next() call, so a flood of events cannot keep the caller from ever returning.
constexpr int kMaxDatagramsPerCall = 4096;

}  // namespace

KernelEventStream::KernelEventStream(Socket sock) : sock_(std::move(sock)), rx_(kEventReceiveBytes) {}

Result<std::unique_ptr<KernelEventStream>> KernelEventStream::open(std::span<const EventGroup> groups,
                                                                   const SocketOptions& options) {
  auto sock = Socket::open(options);
  if (!sock) return sock.error();
  for (EventGroup g : groups)
    if (auto r = sock->join_group(static_cast<unsigned>(g)); !r) return r.error();
  return std::unique_ptr<KernelEventStream>(new KernelEventStream(std::move(sock.value())));
}

Result<std::vector<Event>> KernelEventStream::next(int timeout_ms) {
  std::vector<Event> events;
  int wait = timeout_ms;
  for (int i = 0; i < kMaxDatagramsPerCall; ++i) {
    auto n = sock_.recv(rx_, wait);
    if (!n) {
      if (n.error().code != ENOBUFS) return n.error();
      Event overrun;
      overrun.kind = Event::Kind::overrun;
      events.push_back(std::move(overrun));
      wait = 0;
      continue;
    }
    if (*n == 0) break;
    wait = 0;  // something arrived: collect what else is queued, but do not wait for more
    MessageWalker walk(std::span<const uint8_t>(rx_.data(), *n));
    while (auto msg = walk.next()) {
      uint16_t type = header_of(*msg).nlmsg_type;
      if (type == NLMSG_NOOP || type == NLMSG_DONE || type == NLMSG_ERROR) continue;
      auto ev = decode_event(*msg);
      if (ev) {
        events.push_back(std::move(ev.value()));
      } else {
        Event other;
        other.raw_type = type;
        events.push_back(std::move(other));
      }
    }
  }
  return events;
}

}  // namespace xfrmpp::nl
