// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/socket.hpp"

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace xfrmpp::nl {

namespace {

Error errno_error(const char* what) {
  int code = errno;
  return Error{code, std::string(what) + ": " + std::strerror(code)};
}

// The FORCE variants ignore net.core.[rw]mem_max but need CAP_NET_ADMIN in the owning user namespace.
void set_buffer(int fd, int force_opt, int opt, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof bytes) == 0) return;
  (void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
}

size_t get_buffer(int fd, int opt) {
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) != 0 || v < 0) return 0;
  return static_cast<size_t>(v);
}

}  // namespace

Socket::Socket(mnl_socket* s) : sock_(s) {}

Socket::Socket(Socket&& other) noexcept
    : sock_(std::exchange(other.sock_, nullptr)),
      portid_(other.portid_),
      seq_(other.seq_),
      rcvbuf_(other.rcvbuf_),
      sndbuf_(other.sndbuf_) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (sock_) mnl_socket_close(sock_);
    sock_ = std::exchange(other.sock_, nullptr);
    portid_ = other.portid_;
    seq_ = other.seq_;
    rcvbuf_ = other.rcvbuf_;
    sndbuf_ = other.sndbuf_;
  }
  return *this;
}

Socket::~Socket() {
  if (sock_) mnl_socket_close(sock_);
}

int Socket::fd() const { return sock_ ? mnl_socket_get_fd(sock_) : -1; }

Result<Socket> Socket::open(const SocketOptions& options) {
  mnl_socket* raw = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
  if (!raw) return errno_error("socket(NETLINK_XFRM)");
  Socket s(raw);
  if (mnl_socket_bind(raw, 0, MNL_SOCKET_AUTOPID) < 0) return errno_error("bind(NETLINK_XFRM)");
  s.portid_ = mnl_socket_get_portid(raw);
  int on = 1;
  if (mnl_socket_setsockopt(raw, NETLINK_EXT_ACK, &on, sizeof on) < 0) return errno_error("NETLINK_EXT_ACK");
  // Capped ACKs carry only the request header, so ACKs of a large batch stay small.
  if (mnl_socket_setsockopt(raw, NETLINK_CAP_ACK, &on, sizeof on) < 0) return errno_error("NETLINK_CAP_ACK");
  int fd = mnl_socket_get_fd(raw);
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return errno_error("fcntl(O_NONBLOCK)");
  set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, options.rcvbuf);
  set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, options.sndbuf);
  s.rcvbuf_ = get_buffer(fd, SO_RCVBUF);
  s.sndbuf_ = get_buffer(fd, SO_SNDBUF);
  return s;
}

uint32_t Socket::next_seq() {
  if (++seq_ == 0) seq_ = 1;
  return seq_;
}

Result<void> Socket::join_group(unsigned group) {
  int g = static_cast<int>(group);
  if (mnl_socket_setsockopt(sock_, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0)
    return errno_error("NETLINK_ADD_MEMBERSHIP");
  return {};
}

Result<void> Socket::send(std::span<const uint8_t> bytes) {
  for (;;) {
    ssize_t n = mnl_socket_sendto(sock_, bytes.data(), bytes.size());
    if (n >= 0) return {};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      // Only a full send buffer blocks a netlink send; wait for room rather than fail the batch.
      pollfd p{fd(), POLLOUT, 0};
      if (poll(&p, 1, 10000) > 0) continue;
    }
    return errno_error("sendmsg(NETLINK_XFRM)");
  }
}

Result<size_t> Socket::recv(std::span<uint8_t> buf, int timeout_ms) {
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_, buf.data(), buf.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return errno_error("recvmsg(NETLINK_XFRM)");
    if (timeout_ms == 0) return size_t{0};
    pollfd p{fd(), POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0 && errno != EINTR) return errno_error("poll(NETLINK_XFRM)");
    if (r == 0) return size_t{0};
  }
}

Result<size_t> Socket::recv_many(std::span<uint8_t> buf, size_t slot, std::vector<size_t>& lengths, int timeout_ms) {
  constexpr size_t kMaxSlots = 256;
  size_t count = std::min(kMaxSlots, slot ? buf.size() / slot : 0);
  lengths.clear();
  if (count == 0) return make_error(EINVAL, "recv_many: buffer smaller than one slot");
  iovec iov[kMaxSlots];
  mmsghdr msgs[kMaxSlots];
  sockaddr_nl addr[kMaxSlots];
  for (size_t i = 0; i < count; ++i) {
    iov[i] = iovec{buf.data() + i * slot, slot};
    msgs[i] = mmsghdr{};
    msgs[i].msg_hdr.msg_name = &addr[i];
    msgs[i].msg_hdr.msg_namelen = sizeof addr[i];
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  for (;;) {
    int n = recvmmsg(fd(), msgs, static_cast<unsigned>(count), MSG_DONTWAIT, nullptr);
    if (n > 0) {
      for (int i = 0; i < n; ++i) {
        if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) return make_error(EMSGSIZE, "netlink datagram larger than the receive slot");
        lengths.push_back(msgs[i].msg_len);
      }
      return static_cast<size_t>(n);
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return errno_error("recvmmsg(NETLINK_XFRM)");
    if (timeout_ms == 0) return size_t{0};
    pollfd p{fd(), POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0 && errno != EINTR) return errno_error("poll(NETLINK_XFRM)");
    if (r == 0) return size_t{0};
  }
}

}  // namespace xfrmpp::nl
