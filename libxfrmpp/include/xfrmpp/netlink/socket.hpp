// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A NETLINK_XFRM socket: move-only RAII over libmnl with extended ACKs, capped ACKs and big buffers.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "xfrmpp/diag/result.hpp"

#pragma GCC visibility push(default)

struct mnl_socket;

namespace xfrmpp::nl {

struct SocketOptions {
  int rcvbuf = 8 << 20;  ///< requested SO_RCVBUF(FORCE) bytes; the kernel doubles it for bookkeeping
  int sndbuf = 4 << 20;  ///< requested SO_SNDBUF(FORCE) bytes
};

/// An open, bound NETLINK_XFRM socket (SOCK_CLOEXEC, non-blocking; waits use poll with a timeout).
/// Owns the fd and the request sequence counter. Not thread-safe.
class Socket {
 public:
  /// Opens and binds the socket, turns on NETLINK_EXT_ACK and NETLINK_CAP_ACK and sizes the buffers
  /// (SO_RCVBUFFORCE/SO_SNDBUFFORCE when privileged, else SO_RCVBUF/SO_SNDBUF capped by the sysctls).
  static Result<Socket> open(const SocketOptions& options = {});

  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const;
  uint32_t portid() const { return portid_; }
  /// Effective buffer sizes as getsockopt reports them (the kernel's accounting, overhead included).
  size_t rcvbuf() const { return rcvbuf_; }
  size_t sndbuf() const { return sndbuf_; }

  /// The sequence number for the next request; never 0, which multicasts and replies to nobody use.
  uint32_t next_seq();

  /// Joins multicast group `group` (XFRMNLGRP_*).
  Result<void> join_group(unsigned group);

  /// Sends `bytes` (one or many messages) in a single sendmsg.
  Result<void> send(std::span<const uint8_t> bytes);

  /// Receives one datagram into `buf` and returns its length. Waits up to timeout_ms (-1 = forever,
  /// 0 = not at all); returns 0 when nothing arrived in time. ENOBUFS means the kernel dropped messages
  /// because the receive buffer was full; ENOSPC means `buf` was too small and the datagram is lost.
  Result<size_t> recv(std::span<uint8_t> buf, int timeout_ms);

  /// Receives up to buf.size() / slot datagrams in one recvmmsg(2) on the libmnl socket's fd (libmnl has
  /// no batched receive), each into its own `slot`-byte part of `buf`; their lengths go to `lengths`.
  /// Waits like recv() for the first one. A datagram longer than `slot` is an EMSGSIZE error, never
  /// silently cut. Used for the ACKs of a batch: one syscall instead of one per ACK.
  Result<size_t> recv_many(std::span<uint8_t> buf, size_t slot, std::vector<size_t>& lengths, int timeout_ms);

 private:
  explicit Socket(mnl_socket* s);

  mnl_socket* sock_ = nullptr;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  size_t rcvbuf_ = 0, sndbuf_ = 0;
};

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
