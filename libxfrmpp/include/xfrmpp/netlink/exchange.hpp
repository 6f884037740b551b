// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Request/response patterns over a Socket: one request and its ACK, one request and its reply, and a
// dump that restarts when the kernel flags it as interrupted. Messages of other sequences are skipped.
#include <cstdint>
#include <functional>
#include <span>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/netlink/socket.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// How long a request waits for the kernel; XFRM answers synchronously, so this only bounds bugs.
inline constexpr int kReplyTimeoutMs = 10000;

/// Sends `request` (NLM_F_ACK set) and waits for its ACK. Kernel errors carry errno and the extack text.
Result<void> request_ack(Socket& sock, std::span<const uint8_t> request, std::span<uint8_t> rx);

/// Sends `request` and passes the reply of type `reply_type` with the request's seq to `on_reply`.
Result<void> request_reply(Socket& sock, std::span<const uint8_t> request, uint16_t reply_type, std::span<uint8_t> rx,
                           const std::function<Result<void>(std::span<const uint8_t>)>& on_reply);

/// Runs a dump: sends `request` (NLM_F_DUMP set; its seq is rewritten per attempt) and calls `on_entry`
/// for every message until NLMSG_DONE. When a part carries NLM_F_DUMP_INTR the dump is drained, `on_restart`
/// runs and the dump starts again, up to `attempts` times (then EINTR). Without `on_restart` (a consumer that
/// streams what it gets) the dump starts again only while `on_entry` has not run; after that the rest is
/// delivered and the result is EINTR. An error from `on_entry` ends the dump after draining it, so the socket
/// can start the next one.
Result<void> run_dump(Socket& sock, std::span<uint8_t> request, std::span<uint8_t> rx,
                      const std::function<Result<void>(std::span<const uint8_t>)>& on_entry,
                      const std::function<void()>& on_restart, int attempts = 5);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
