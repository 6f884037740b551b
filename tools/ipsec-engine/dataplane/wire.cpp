// SPDX-License-Identifier: BSD-3-Clause
#include "wire.hpp"

#include "xfrmpp/util/ip_checksum.hpp"

#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace xfrmpp::tools::dataplane {

namespace {

// IP-in-IP too: an IPComp tunnel sends packets too small to compress as plain IP-in-IP (RFC 3173 §2.2).
constexpr uint8_t kProtocols[] = {IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP, IPPROTO_IPIP, IPPROTO_IPV6};

// A peer's TCP burst arrives while this process waits for the CPU: the default 212 KiB (about 90
// full-size packets) overflowed under a 100 MB transfer on a 2-core machine. CAP_NET_ADMIN may pass
// net.core.rmem_max; without it the kernel's limit is what we get.
void big_buffer(int fd, int option, int forced) {
  int bytes = 8 << 20;
  if (::setsockopt(fd, SOL_SOCKET, forced, &bytes, sizeof(bytes)) < 0) (void)::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof(bytes));
}

Result<Fd> make_socket(int af, int type, int proto, uint32_t mark, const char* what) {
  Fd fd(::socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
  if (!fd) return make_error(errno, std::string(what) + ": " + std::strerror(errno));
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
    return make_error(errno, std::string(what) + ": SO_MARK: " + std::strerror(errno));
  big_buffer(fd.get(), SO_RCVBUF, SO_RCVBUFFORCE);
  big_buffer(fd.get(), SO_SNDBUF, SO_SNDBUFFORCE);
  return fd;
}

void on(int fd, int level, int name) {
  int one = 1;
  (void)::setsockopt(fd, level, name, &one, sizeof(one));
}

Result<Fd> udp_socket(int af, uint16_t port, uint32_t mark) {
  auto fd = make_socket(af, SOCK_DGRAM, IPPROTO_UDP, mark, af == AF_INET ? "UDP socket" : "UDP6 socket");
  if (!fd) return fd;
  sockaddr_storage ss{};
  socklen_t len;
  if (af == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    len = sizeof(*a);
    on(fd->get(), IPPROTO_IP, IP_PKTINFO);
    on(fd->get(), IPPROTO_IP, IP_RECVTOS);
    on(fd->get(), IPPROTO_IP, IP_RECVTTL);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    len = sizeof(*a);
    on(fd->get(), IPPROTO_IPV6, IPV6_V6ONLY);
  }
  if (af == AF_INET6) {
    on(fd->get(), IPPROTO_IPV6, IPV6_RECVPKTINFO);
    on(fd->get(), IPPROTO_IPV6, IPV6_RECVTCLASS);
    on(fd->get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT);
  }
  on(fd->get(), SOL_SOCKET, SO_REUSEADDR);
  if (::bind(fd->get(), reinterpret_cast<sockaddr*>(&ss), len) < 0)
    return make_error(errno, "binding UDP port " + std::to_string(port) + ": " + std::strerror(errno));
  return fd;
}

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// What the kernel told us beside one datagram.
struct Meta {
  in_addr dst4{};
  in6_addr dst6{};
  int tos = 0, ttl = 64;
};

Meta meta_of(msghdr& m) {
  Meta meta;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      meta.dst4 = pi.ipi_addr;
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
      meta.tos = *reinterpret_cast<const uint8_t*>(CMSG_DATA(c));
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      std::memcpy(&meta.ttl, CMSG_DATA(c), sizeof(int));
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      meta.dst6 = pi.ipi6_addr;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
      std::memcpy(&meta.tos, CMSG_DATA(c), sizeof(int));
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      std::memcpy(&meta.ttl, CMSG_DATA(c), sizeof(int));
    }
  }
  return meta;
}

}  // namespace

Result<Wire> Wire::open(uint32_t mark, uint16_t natt_port, std::vector<std::string>& warnings) {
  Wire w;
  w.natt_port_ = natt_port;
  for (uint8_t p : kProtocols) {
    auto fd = make_socket(AF_INET, SOCK_RAW, p, mark, "raw IPv4 socket");
    if (!fd) return fd.error();
    w.rx_.push_back({WireSocket::Kind::raw4, p, std::move(*fd)});
  }
  auto tx4 = make_socket(AF_INET, SOCK_RAW, IPPROTO_RAW, mark, "raw IPv4 send socket");
  if (!tx4) return tx4.error();
  w.tx4_ = std::move(*tx4);
  auto u4 = udp_socket(AF_INET, natt_port, mark);
  if (!u4) return u4.error();
  w.rx_.push_back({WireSocket::Kind::udp4, IPPROTO_UDP, std::move(*u4)});

  // IPv6 may be disabled on the host; the dataplane then protects IPv4 only.
  auto tx6 = make_socket(AF_INET6, SOCK_RAW, IPPROTO_RAW, mark, "raw IPv6 send socket");
  if (!tx6) {
    warnings.push_back(tx6.error().message + ": IPv4 only");
    return w;
  }
  w.tx6_ = std::move(*tx6);
  for (uint8_t p : kProtocols) {
    auto fd = make_socket(AF_INET6, SOCK_RAW, p, mark, "raw IPv6 socket");
    if (!fd) return fd.error();
    on(fd->get(), IPPROTO_IPV6, IPV6_RECVPKTINFO);
    on(fd->get(), IPPROTO_IPV6, IPV6_RECVTCLASS);
    on(fd->get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT);
    w.rx_.push_back({WireSocket::Kind::raw6, p, std::move(*fd)});
  }
  auto u6 = udp_socket(AF_INET6, natt_port, mark);
  if (!u6) return u6.error();
  w.rx_.push_back({WireSocket::Kind::udp6, IPPROTO_UDP, std::move(*u6)});
  return w;
}

bool Wire::receive(WireSocket& s, std::vector<uint8_t>& pkt) {
  constexpr size_t kMax = 65535;
  // Room in front for the header the kernel does not give (IPv6 40 + UDP 8).
  constexpr size_t kFront = 48;
  scratch_.resize(kFront + kMax);
  sockaddr_storage from{};
  alignas(cmsghdr) char control[256];
  iovec iov{scratch_.data() + kFront, kMax};
  msghdr m{};
  m.msg_name = &from;
  m.msg_namelen = sizeof(from);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof(control);
  ssize_t n = ::recvmsg(s.fd.get(), &m, 0);
  if (n < 0) return false;
  if (m.msg_flags & MSG_TRUNC) n = 0;  // an oversize datagram arrives empty: the engine drops and counts it
  const uint8_t* body = scratch_.data() + kFront;
  size_t len = static_cast<size_t>(n);
  pkt.clear();
  if (s.kind == WireSocket::Kind::raw4) {
    pkt.assign(body, body + len);
    return true;
  }
  Meta meta = meta_of(m);
  size_t udp = (s.kind == WireSocket::Kind::udp4 || s.kind == WireSocket::Kind::udp6) ? 8 : 0;
  bool v6 = s.kind == WireSocket::Kind::raw6 || s.kind == WireSocket::Kind::udp6;
  size_t hdr = v6 ? 40 : 20;
  pkt.resize(hdr + udp + len);
  uint8_t* h = pkt.data();
  uint8_t next = udp ? uint8_t{IPPROTO_UDP} : s.proto;
  if (v6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&from);
    h[0] = static_cast<uint8_t>(0x60 | (meta.tos >> 4));
    h[1] = static_cast<uint8_t>(meta.tos << 4);
    put16(h + 4, static_cast<uint16_t>(udp + len));
    h[6] = next;
    h[7] = static_cast<uint8_t>(meta.ttl);
    std::memcpy(h + 8, &a->sin6_addr, 16);
    std::memcpy(h + 24, &meta.dst6, 16);
    if (udp) put16(h + 40, ntohs(a->sin6_port));
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&from);
    h[0] = 0x45;
    h[1] = static_cast<uint8_t>(meta.tos);
    put16(h + 2, static_cast<uint16_t>(hdr + udp + len));
    h[8] = static_cast<uint8_t>(meta.ttl);
    h[9] = next;
    std::memcpy(h + 12, &a->sin_addr, 4);
    std::memcpy(h + 16, &meta.dst4, 4);
    util::set_ipv4_header_checksum(std::span<uint8_t>(h, 20));
    if (udp) put16(h + 20, ntohs(a->sin_port));
  }
  if (udp) {
    put16(h + hdr + 2, natt_port_);
    put16(h + hdr + 4, static_cast<uint16_t>(udp + len));
  }
  std::memcpy(h + hdr + udp, body, len);
  return true;
}

Result<void> Wire::send(std::span<const uint8_t> pkt) {
  if (pkt.empty()) return make_error(EINVAL, "empty packet");
  int version = pkt[0] >> 4;
  ssize_t n;
  if (version == 4 && pkt.size() >= 20) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    std::memcpy(&to.sin_addr, pkt.data() + 16, 4);
    n = ::sendto(tx4_.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  } else if (version == 6 && pkt.size() >= 40) {
    if (!tx6_) return make_error(EAFNOSUPPORT, "no IPv6 on this host");
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    std::memcpy(&to.sin6_addr, pkt.data() + 24, 16);
    n = ::sendto(tx6_.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  } else {
    return make_error(EINVAL, "not an IP packet");
  }
  if (n < 0) return make_error(errno, std::strerror(errno));
  return {};
}

}  // namespace xfrmpp::tools::dataplane
