// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/exchange.hpp"

#include <cerrno>
#include <cstring>
#include <optional>

#include "xfrmpp/netlink/message.hpp"

namespace xfrmpp::nl {

namespace {

uint32_t seq_of(std::span<const uint8_t> msg) { return header_of(msg).nlmsg_seq; }

Error from_ack(const KernelAck& ack) { return kernel_error(ack.code, ack.extack); }

Result<size_t> recv_or_timeout(Socket& sock, std::span<uint8_t> rx) {
  auto n = sock.recv(rx, kReplyTimeoutMs);
  if (!n) return n.error();
  if (*n == 0) return make_error(ETIMEDOUT, "no answer from the kernel");
  return n;
}

// Reads datagrams until `handle` returns a final result for the request with `seq`.
Result<void> await(Socket& sock, uint32_t seq, std::span<uint8_t> rx,
                   const std::function<std::optional<Result<void>>(std::span<const uint8_t>)>& handle) {
  for (;;) {
    auto n = recv_or_timeout(sock, rx);
    if (!n) return n.error();
    MessageWalker walk(rx.first(*n));
    while (auto msg = walk.next()) {
      if (seq_of(*msg) != seq) continue;  // a leftover of an earlier, abandoned request
      if (auto done = handle(*msg)) return std::move(*done);
    }
    if (walk.malformed()) return make_error(EBADMSG, "malformed netlink datagram");
  }
}

}  // namespace

Result<void> request_ack(Socket& sock, std::span<const uint8_t> request, std::span<uint8_t> rx) {
  if (auto s = sock.send(request); !s) return s.error();
  return await(sock, seq_of(request), rx, [](std::span<const uint8_t> msg) -> std::optional<Result<void>> {
    if (header_of(msg).nlmsg_type != NLMSG_ERROR) return std::nullopt;
    auto ack = parse_ack(msg);
    if (!ack) return Result<void>(ack.error());
    if (ack->code != 0) return Result<void>(from_ack(*ack));
    return Result<void>();
  });
}

Result<void> request_reply(Socket& sock, std::span<const uint8_t> request, uint16_t reply_type, std::span<uint8_t> rx,
                           const std::function<Result<void>(std::span<const uint8_t>)>& on_reply) {
  if (auto s = sock.send(request); !s) return s.error();
  return await(sock, seq_of(request), rx, [&](std::span<const uint8_t> msg) -> std::optional<Result<void>> {
    uint16_t type = header_of(msg).nlmsg_type;
    if (type == reply_type) return on_reply(msg);
    if (type != NLMSG_ERROR) return std::nullopt;
    auto ack = parse_ack(msg);
    if (!ack) return Result<void>(ack.error());
    // A bare ACK before the reply would mean NLM_F_ACK was set; keep waiting for the reply itself.
    if (ack->code == 0) return std::nullopt;
    return Result<void>(from_ack(*ack));
  });
}

Result<void> run_dump(Socket& sock, std::span<uint8_t> request, std::span<uint8_t> rx,
                      const std::function<Result<void>(std::span<const uint8_t>)>& on_entry,
                      const std::function<void()>& on_restart, int attempts) {
  bool delivered = false;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    uint32_t seq = sock.next_seq();
    std::memcpy(request.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);
    if (auto s = sock.send(request); !s) return s.error();
    bool interrupted = false;
    Result<void> entry_error;
    auto done = await(sock, seq, rx, [&](std::span<const uint8_t> msg) -> std::optional<Result<void>> {
      if (dump_interrupted(msg)) interrupted = true;
      uint16_t type = header_of(msg).nlmsg_type;
      if (type == NLMSG_DONE) return Result<void>();
      if (type == NLMSG_ERROR) {
        auto ack = parse_ack(msg);
        if (!ack) return Result<void>(ack.error());
        return ack->code ? Result<void>(from_ack(*ack)) : Result<void>();
      }
      // Keep reading after a bad entry: an undrained dump makes the kernel refuse the next one (EBUSY).
      // What streamed out cannot be taken back: such a consumer gets the rest of an interrupted dump.
      bool deliver = !interrupted || (!on_restart && delivered);
      if (entry_error && deliver) {
        entry_error = on_entry(msg);
        delivered = true;
      }
      return std::nullopt;
    });
    if (!done) return done;
    if (!entry_error) return entry_error;
    if (!interrupted) return {};
    if (!on_restart && delivered) return make_error(EINTR, "dump interrupted by a concurrent change; the listing may be inconsistent");
    if (on_restart) on_restart();
  }
  return make_error(EINTR, "dump kept being interrupted by concurrent changes");
}

}  // namespace xfrmpp::nl
